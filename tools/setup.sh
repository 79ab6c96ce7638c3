#!/usr/bin/env bash
# One command on a fresh Debian 12 machine: install everything Kiln needs, build it, and run
# Kiln's main job end to end on an example it generates itself.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

tools/install_deps.sh

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
ninja -C build kiln

tools/demo.sh build/src/kiln
