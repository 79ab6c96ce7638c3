#!/usr/bin/env bash
# Generates Kiln's deterministic spoken-keyword dataset with espeak-ng:
#   tools/make_keywords_dataset.sh OUT_DIR [--jobs N]
# Writes OUT_DIR/<label>/<name>.wav and OUT_DIR/split.csv (see docs/keywords_dataset.md).
set -euo pipefail
if [ $# -lt 1 ]; then
  echo "usage: $0 OUT_DIR [--jobs N]" >&2
  exit 2
fi
for tool in espeak-ng python3; do
  if ! command -v "$tool" >/dev/null; then
    echo "make_keywords_dataset: $tool not found; run tools/install_deps.sh (Debian package $tool)" >&2
    exit 1
  fi
done
exec python3 "$(dirname "$0")/make_keywords_dataset.py" "$@"
