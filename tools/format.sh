#!/usr/bin/env bash
# Formats every C++ source with the repository's .clang-format; `tools/format.sh --check` only
# lists the files that are not formatted and fails if there are any.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.h' | grep -v '^fuzz/corpus/')
if [ "${1:-}" = "--check" ]; then
  bad=0
  for f in "${files[@]}"; do
    clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || { echo "$f"; bad=1; }
  done
  exit $bad
fi
clang-format -i "${files[@]}"
