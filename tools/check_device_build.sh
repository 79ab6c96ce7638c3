#!/usr/bin/env bash
# Compiles every device source (src/runtime, src/dsp) for a Cortex-M4F with the flags the
# generated libraries use: proves the C++11 device subset holds (no exceptions, no RTTI).
set -euo pipefail
cd "$(dirname "$0")/.."
CXX=${ARM_CXX:-arm-none-eabi-g++}
if ! command -v "$CXX" >/dev/null; then
  echo "check_device_build: $CXX not found (run tools/install_deps.sh)" >&2
  exit 1
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
count=0
for src in src/runtime/*.cpp src/dsp/*.cpp; do
  [ -e "$src" ] || continue
  "$CXX" -mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard -fno-exceptions -fno-rtti \
    -ffp-contract=off -std=c++11 -O2 -Wall -Wextra -Werror -Isrc -c "$src" -o "$out/$(basename "$src").o"
  count=$((count + 1))
done
# No global constructors: device objects must have no .init_array entries.
for obj in "$out"/*.o; do
  [ -e "$obj" ] || continue
  if arm-none-eabi-objdump -h "$obj" | grep -q "init_array"; then
    echo "check_device_build: $(basename "$obj") has a global constructor" >&2
    exit 1
  fi
done
echo "check_device_build: $count device sources compile for Cortex-M4F"
