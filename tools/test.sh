#!/usr/bin/env bash
# Builds Kiln and runs every test: the normal build, then the same tests under
# AddressSanitizer + UndefinedBehaviorSanitizer, then a short fuzzing smoke run.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install_deps.sh

JOBS=${JOBS:-$(nproc)}
# The three builds below take about 7 GB together; a full disk shows up as a compiler error.
echo "== free disk space here: $(df -Ph . | awk 'NR == 2 {print $4}') (the builds need about 7 GB)"

echo "== build and test (RelWithDebInfo)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build -j "$JOBS"
ctest --test-dir build --output-on-failure -j "$JOBS"

echo "== build and test under ASan + UBSan"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DKILN_SANITIZE=ON -DKILN_BENCH=OFF >/dev/null
ninja -C build-asan -j "$JOBS"
# The dataset accuracy tests train real networks for minutes; under the sanitizers they would take
# ten times as long while exercising the same code the small pipeline tests already cover.
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan --output-on-failure -j "$JOBS" -LE accuracy

if [ -x tools/fuzz.sh ]; then
  echo "== fuzz smoke run (${FUZZ_SECONDS:-60} s per target)"
  tools/fuzz.sh "${FUZZ_SECONDS:-60}"
fi
