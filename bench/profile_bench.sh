#!/usr/bin/env bash
# Per-model Cortex-M4F profile of every golden model: runs `kiln profile --json` (exact
# instruction counts on QEMU mps2-an386 with Kiln's plugin) and prints one table row per model.
# Each model runs twice in the same run: with the kernels `kiln profile` ships (--opt-speed) and
# on the portable reference kernels (--portable-kernels); the last columns are their ratios.
# Usage: bench/profile_bench.sh [path/to/kiln] [--clock-mhz N]
set -euo pipefail
cd "$(dirname "$0")/.."
KILN=${1:-build/src/kiln}
shift || true
SHARED=${KILN_SHARED_DIR:-../shared}/testdata/tflite
if [ ! -x "$KILN" ]; then echo "profile_bench: $KILN not found (build kiln first)" >&2; exit 1; fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for dir in "$SHARED"/*/; do
  name=$(basename "$dir")
  [ -f "$dir/model.tflite" ] || continue
  for variant in fast portable; do
    flags=()
    [ "$variant" = portable ] && flags=(--portable-kernels)
    if ! "$KILN" profile --json --model "$dir/model.tflite" "${flags[@]}" "$@" \
        > "$out/$name.$variant.json" 2> "$out/$name.$variant.err"; then
      echo "profile_bench: $name ($variant) failed: $(head -c 300 "$out/$name.$variant.err")" >&2
      rm -f "$out/$name.$variant.json"
    fi
  done
done
python3 - "$out" <<'PY'
import glob, json, os, sys
out = sys.argv[1]
header = ("model", "prec", "instructions", "cycles_est", "ms", "cyc/MAC", "flash B", "static RAM B",
          "stack B", "matches", "analytic err", "method", "portable instr", "portable cycles", "instr ratio",
          "cycle ratio")
print("| " + " | ".join(header) + " |")
print("|" + "|".join("---" for _ in header) + "|")
for path in sorted(glob.glob(os.path.join(out, "*.fast.json"))):
    name = os.path.basename(path)[:-len(".fast.json")]
    precision, r = next(iter(json.load(open(path)).items()))
    err = 100.0 * (r["analytic_instructions"] - r["nn_instructions"]) / max(1, r["nn_instructions"])
    per_mac = f"{r['cycles_est'] / r['macs']:.2f}" if r["macs"] else "-"
    ref_path = os.path.join(out, name + ".portable.json")
    ref = "| - | - | - | -"
    if os.path.exists(ref_path):
        _, p = next(iter(json.load(open(ref_path)).items()))
        ref = (f"| {p['nn_instructions']:,} | {p['cycles_est']:,} | "
               f"{p['nn_instructions'] / max(1, r['nn_instructions']):.2f} | "
               f"{p['cycles_est'] / max(1, r['cycles_est']):.2f}")
    print(f"| {name} | {precision} | {r['nn_instructions']:,} | {r['cycles_est']:,} | {r['ms_est']:.2f} "
          f"at {r['clock_mhz']:g} MHz | {per_mac} | {r['flash_bytes']:,} | {r['static_ram_bytes']:,} | "
          f"{r['stack_bytes']:,} | {r['matches_host']} | {err:+.1f}% | {r['method']} {ref} |")
PY
