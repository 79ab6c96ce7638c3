#!/usr/bin/env bash
# Kiln's main job, end to end, on data it makes itself: synthesize a spoken-keyword dataset with
# espeak-ng (several voices, speeds and pitches, mixed with noise; deterministic), then
#   kiln init -> import -> train -> test -> deploy -> profile
# and print a summary: accuracy (float32 / int8), and RAM, flash and latency of the deployed
# library on a Cortex-M4 at 64 MHz (emulated).
# Usage: tools/demo.sh [path/to/kiln] [output folder]
set -euo pipefail
cd "$(dirname "$0")/.."
KILN=$(realpath "${1:-build/src/kiln}")
OUT=${2:-out/demo}
DATA="$OUT/keywords"
PROJECT="$OUT/keywords_project"
mkdir -p "$OUT"

echo "== 1. dataset: spoken keywords synthesized with espeak-ng (tools/make_keywords_dataset.sh)"
tools/make_keywords_dataset.sh "$DATA"

echo "== 2. kiln init: MFCC features and the default audio network"
rm -rf "$PROJECT"
"$KILN" init "$PROJECT" --dsp mfcc --window-ms 1000 --seed 1

echo "== 3. kiln import (voices held out for the test split, as listed in split.csv)"
"$KILN" import -C "$PROJECT" --split-file "$DATA/split.csv"
"$KILN" data -C "$PROJECT"

echo "== 4. kiln train"
"$KILN" train -C "$PROJECT"

echo "== 5. kiln test (float32 and int8, the int8 numbers from the device kernels)"
"$KILN" test -C "$PROJECT"
"$KILN" test -C "$PROJECT" --json > "$OUT/test.json"

echo "== 6. kiln deploy: one C++ library (DSP + compiled network + kiln_run_classifier)"
"$KILN" deploy -C "$PROJECT" -o "$OUT/library"
make -s -C "$OUT/library" -j2
first_test=$(awk -F, '$3 == "test" {print $1; exit}' "$DATA/split.csv")
echo "host example on $first_test:"
"$OUT/library/build/host/classify_file" "$DATA/$first_test" | tail -n 3

echo "== 7. kiln profile: the library on an emulated Cortex-M4 (QEMU mps2-an386), exact counts"
"$KILN" profile -C "$PROJECT" --json > "$OUT/profile.json"
"$KILN" profile -C "$PROJECT"

python3 - "$OUT/test.json" "$OUT/profile.json" "$OUT/library" <<'PY'
import json, sys
test = json.load(open(sys.argv[1]))
prof = json.load(open(sys.argv[2]))
print("\n== summary")
for p in ("float32", "int8"):
    if p in test:
        print(f"accuracy {p:8s}: {100 * test[p]['accuracy']:.1f}% on {test['test_windows']} held-out-voice test windows")
for p in ("int8", "float32"):
    r = prof.get(p)
    if not r:
        continue
    print(f"Cortex-M4 @ 64 MHz, {p:7s}: {r['ms_est']:.1f} ms per window "
          f"(DSP {r['dsp_instructions']:,} + network {r['nn_instructions']:,} instructions), "
          f"RAM {r['static_ram_bytes'] / 1024:.1f} KB + stack {r['stack_bytes'] / 1024:.1f} KB, "
          f"flash {r['flash_bytes'] / 1024:.1f} KB, outputs equal host: {r['matches_host']}")
print(f"library: {sys.argv[3]} (kiln_classifier.h; make / cmake; example/)")
PY
