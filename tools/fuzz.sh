#!/usr/bin/env bash
# Builds every libFuzzer target (fuzz/*_fuzz.cpp) with clang, ASan and UBSan in build-fuzz/, then
# runs each for SECONDS (default 60). Fails if any target finds a crash.
#
#   tools/fuzz.sh [SECONDS] [TARGET...]     e.g. tools/fuzz.sh 120 acquisition_reader_fuzz
#
# TARGETs restrict the run to those targets (default: all). KILN_FUZZ_BUILD overrides the build
# folder (default build-fuzz/), so parallel users need not share one.
#
# Seeds: a target named <format>_..._fuzz starts from every *.<format> file under ../shared/testdata
# (e.g. tflite_reader_fuzz gets the golden models, wav_reader_fuzz the .wav files), plus
# fuzz/corpus/<target>/ if present. Seeds are copied to a temporary directory, so the shared
# data is never written. Crash inputs are kept in build-fuzz/findings/<target>/. Targets whose
# format has no files in the shared data (acquisition_reader_fuzz: Edge Impulse acquisition JSON
# and CBOR) take their seeds from fuzz/corpus/<target>/ only.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SECONDS_PER_TARGET=${1:-60}
shift || true
ONLY=("$@")
SHARED=${KILN_SHARED_DIR:-$ROOT/../shared}
BUILD=${KILN_FUZZ_BUILD:-$ROOT/build-fuzz}
MAX_SEEDS=${MAX_SEEDS:-500}

CC=clang CXX=clang++ cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DKILN_FUZZ=ON -DKILN_TESTS=OFF -DKILN_BENCH=OFF >/dev/null
if [ "${#ONLY[@]}" -ne 0 ]; then
  ninja -C "$BUILD" -j "${JOBS:-$(nproc)}" "${ONLY[@]}"
  TARGETS=()
  for t in "${ONLY[@]}"; do TARGETS+=("$BUILD/fuzz/$t"); done
else
  ninja -C "$BUILD" -j "${JOBS:-$(nproc)}" kiln_fuzzers
  mapfile -t TARGETS < <(find "$BUILD/fuzz" -maxdepth 1 -type f -name '*_fuzz' -perm -u+x | sort)
fi
if [ "${#TARGETS[@]}" -eq 0 ]; then
  echo "fuzz.sh: no fuzz targets built" >&2
  exit 1
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kiln-fuzz.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
failed=()

for target in "${TARGETS[@]}"; do
  name=$(basename "$target")
  format=${name%%_*}
  corpus=$WORK/$name/corpus
  findings=$BUILD/findings/$name
  mkdir -p "$corpus" "$findings"

  seeds=0
  if [ -d "$SHARED/testdata" ]; then
    while IFS= read -r -d '' f; do
      # Prefix with a counter: different folders hold files of the same name (model.tflite).
      cp "$f" "$corpus/seed_${seeds}_$(basename "$f")"
      seeds=$((seeds + 1))
    done < <(find "$SHARED/testdata" -type f -name "*.$format" -print0 | sort -z | head -z -n "$MAX_SEEDS")
  fi
  if [ -d "$ROOT/fuzz/corpus/$name" ]; then
    cp -r "$ROOT/fuzz/corpus/$name/." "$corpus/"
  fi

  echo "== $name: ${SECONDS_PER_TARGET}s, $seeds seed file(s) (*.$format)," \
    "$(find "$corpus" -type f | wc -l) input(s) in all"
  log=$WORK/$name.log
  if ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
    "$target" "$corpus" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$findings/" >"$log" 2>&1; then
    grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)|^(#[0-9]+[[:space:]]+DONE)' "$log" || true
  else
    echo "!! $name found a problem; log tail:"
    tail -n 40 "$log"
    echo "!! inputs kept in $findings"
    failed+=("$name")
  fi
done

if [ "${#failed[@]}" -ne 0 ]; then
  echo "fuzz.sh: findings in: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz.sh: no findings"
