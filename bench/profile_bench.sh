#!/usr/bin/env bash
# Per-model Cortex-M4F profile of every golden model: runs `kiln profile --json` (exact
# instruction counts on QEMU mps2-an386 with Kiln's plugin) and prints one table row per model.
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
  if ! "$KILN" profile --json --model "$dir/model.tflite" "$@" > "$out/$name.json" 2> "$out/$name.err"; then
    echo "profile_bench: $name failed: $(head -c 300 "$out/$name.err")" >&2
    rm -f "$out/$name.json"
  fi
done
python3 - "$out" <<'PY'
import glob, json, os, sys
rows = []
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.json"))):
    report = json.load(open(path))
    precision, r = next(iter(report.items()))
    err = 100.0 * (r["analytic_instructions"] - r["nn_instructions"]) / max(1, r["nn_instructions"])
    rows.append((os.path.basename(path)[:-5], precision, r))
    print_err = f"{err:+.1f}%"
    r["_err"] = print_err
header = ("model", "prec", "instructions", "cycles_est", "ms", "cyc/MAC", "flash B", "static RAM B",
          "stack B", "matches", "analytic err", "method")
print("| " + " | ".join(header) + " |")
print("|" + "|".join("---" for _ in header) + "|")
for name, precision, r in rows:
    per_mac = f"{r['cycles_est'] / r['macs']:.2f}" if r["macs"] else "-"
    print(f"| {name} | {precision} | {r['nn_instructions']:,} | {r['cycles_est']:,} | {r['ms_est']:.2f} "
          f"at {r['clock_mhz']:g} MHz | {per_mac} | {r['flash_bytes']:,} | {r['static_ram_bytes']:,} | "
          f"{r['stack_bytes']:,} | {r['matches_host']} | {r['_err']} | {r['method']} |")
PY
