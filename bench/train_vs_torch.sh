#!/usr/bin/env bash
# Training throughput, Kiln vs PyTorch, on the same data and the same network.
#
# Usage: bench/train_vs_torch.sh [KILN_BUILD_DIR] [train_fsdd_bench options...]
#   KILN_BUILD_DIR  defaults to build; needs bench/train_fsdd_bench built in it
#                   (ninja -C build train_fsdd_bench)
#   options         passed to train_fsdd_bench, e.g. --epochs 10 or --dataset DIR
#   PYTHON=...      interpreter for the PyTorch side; by default the first of python3 and
#                   /usr/bin/python3 that can import torch (Debian: apt-get install python3-torch)
#
# 1. train_fsdd_bench trains conv1d-small with Kiln's engine (single-threaded) on the MFCC
#    features of FSDD's training split and dumps those features and labels;
# 2. if PyTorch is importable, bench/train_torch.py trains the same network (same layers, padding,
#    dropout, Adam lr 0.005, batch 32, epochs) on the dumped features with 1 thread, with
#    PyTorch's default thread count, and with one thread per CPU when that is more;
# 3. a table of samples/s (median epoch) and the ratio kiln/torch (> 1: Kiln is faster).
# Without PyTorch the comparison is skipped with a message and Kiln's number is still printed.
# Nothing here is needed by the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
shift || true
BENCH=$BUILD/bench/train_fsdd_bench
if [ ! -x "$BENCH" ]; then
  echo "train_vs_torch: $BENCH not found (ninja -C $BUILD train_fsdd_bench)" >&2
  exit 1
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "== Kiln"
"$BENCH" --dump "$out" "$@"
if [ ! -f "$out/meta.json" ]; then
  exit 0  # the dataset is absent; train_fsdd_bench said so
fi

torch_python=""
for candidate in ${PYTHON:-} python3 /usr/bin/python3; do
  if command -v "$candidate" > /dev/null && "$candidate" -c 'import torch' 2> /dev/null; then
    torch_python=$candidate
    break
  fi
done

if [ -z "$torch_python" ]; then
  echo "PyTorch not installed (apt-get install python3-torch): skipping the comparison"
else
  default_threads=$("$torch_python" -c 'import torch; print(torch.get_num_threads())')
  cpus=$(nproc)
  runs="1 0"
  if [ "$cpus" -gt "$default_threads" ] && [ "$cpus" -gt 1 ]; then runs="$runs $cpus"; fi
  for threads in $runs; do
    echo "== PyTorch, threads: $([ "$threads" = 0 ] && echo "default ($default_threads)" || echo "$threads")"
    "$torch_python" bench/train_torch.py "$out" --threads "$threads" | tee "$out/torch_$threads.log"
    grep '^RESULT ' "$out/torch_$threads.log" | cut -c8- > "$out/torch_$threads.json"
  done
fi

# The table needs only the standard library, so any python3 will do.
echo
python3 - "$out" <<'PY'
import glob, json, os, sys
out = sys.argv[1]
kiln = json.load(open(os.path.join(out, "meta.json")))["kiln"]
rows = [("kiln", "1", kiln["samples_per_s_wall"], kiln["samples_per_s_cpu"])]
def requested(path):  # torch_<threads>.json, 0 = default
    return os.path.basename(path)[6:-5]
order = {"1": 0, "0": 1}  # 1 thread, default, then more
for path in sorted(glob.glob(os.path.join(out, "torch_*.json")),
                   key=lambda p: order.get(requested(p), 2)):
    r = json.load(open(path))
    label = f"default ({r['threads']})" if requested(path) == "0" else str(r["threads"])
    rows.append((f"torch {r['torch_version']}", label, r["samples_per_s_wall"],
                 r["samples_per_s_cpu"]))
print(f"{'engine':<20} {'threads':>11} {'samples/s':>10} {'per CPU-s':>10} "
      f"{'kiln/torch':>10} {'(CPU)':>7}")
for name, threads, wall, cpu in rows:
    ratio = "" if name == "kiln" else f"{kiln['samples_per_s_wall'] / wall:10.2f}"
    cpu_ratio = "" if name == "kiln" else f"{kiln['samples_per_s_cpu'] / cpu:7.2f}"
    print(f"{name:<20} {threads:>11} {wall:10.0f} {cpu:10.0f} {ratio:>10} {cpu_ratio:>7}")
print("samples/s: median epoch, wall time; per CPU-s: per second of CPU time (Kiln: its thread; "
      "torch: the whole process, all threads); kiln/torch > 1 means Kiln trains faster.")
PY
