#!/usr/bin/env bash
# Kernel tuning loop without rebuilding kiln: re-measures a firmware folder that
# `kiln profile --model M --work-dir DIR` left behind, after copying the current device sources
# from src/runtime (and src/dsp) over the folder's copies. Prints the exact instruction count,
# the cycle estimate and the cost of each kernel call, and whether the outputs still equal those
# of the first run (which kiln profile checked against the host; kept in DIR/console.first.txt).
# Usage: bench/m4_rerun.sh DIR   (the generated model code must call the same functions)
# KILN_M4_FILES="conv2d_fast.cpp conv2d_fast.h" refreshes only those files (others keep the
# folder's copies), for when other device files in the tree are half edited.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:?usage: bench/m4_rerun.sh DIR}
[ -f "$dir/Makefile" ] || { echo "m4_rerun: $dir has no firmware Makefile" >&2; exit 1; }
# The newest plugin: the one the last kiln profile built from the current sources.
plugin=$(ls -td "${XDG_CACHE_HOME:-$HOME/.cache}"/kiln/qemu_plugin-*/kiln_count.so 2>/dev/null | head -1)
[ -n "$plugin" ] || { echo "m4_rerun: run kiln profile once first (builds the plugin)" >&2; exit 1; }
for sub in runtime dsp; do
  [ -d "$dir/model/$sub" ] || continue
  for f in "$dir/model/$sub"/*; do
    name=$(basename "$f")
    if [ -n "${KILN_M4_FILES:-}" ] && [[ " $KILN_M4_FILES " != *" $name "* ]]; then continue; fi
    src="$root/src/$sub/$name"
    [ -f "$src" ] && ! cmp -s "$src" "$f" && cp "$src" "$f"
  done
done
# Headers added to the tree since the folder was generated (a kernel may now include one).
for h in "$root"/src/runtime/*.h; do
  [ -f "$dir/model/runtime/$(basename "$h")" ] || cp "$h" "$dir/model/runtime/"
done
make -s -C "$dir" image.elf >/dev/null
[ -f "$dir/console.first.txt" ] || cp "$dir/console.txt" "$dir/console.first.txt"
addr() { arm-none-eabi-nm "$dir/image.elf" | awk -v s="$1" '$3 == s {print "0x" $1}'; }
invoke=$(arm-none-eabi-nm -S "$dir/image.elf" | awk '$4 ~ /_invoke$/ && $3 ~ /[Tt]/ && !done {print $1, $2; done = 1}')
from=$((16#${invoke% *}))
to=$((from + 16#${invoke#* }))
rm -f "$dir/counts.txt"
qemu-system-arm -M mps2-an386 -nographic -monitor none -serial none \
  -chardev "file,id=c,path=$dir/console.txt" -semihosting-config enable=on,target=native,chardev=c \
  -kernel "$dir/image.elf" \
  -plugin "$plugin,begin=$(addr kiln_profile_begin),end=$(addr kiln_profile_end),out=$dir/counts.txt,calls_from=$from,calls_to=$to" \
  >/dev/null
same=$(cmp -s <(grep KILN_OUTPUT "$dir/console.txt") <(grep KILN_OUTPUT "$dir/console.first.txt") && echo yes || echo NO)
awk -v same="$same" '
  $1 == "instructions" {i = $2} $1 == "cycles" {c = $2}
  $1 == "call" {printf "  call %s  %12d instr %12d cycles\n", $2, $3, $4}
  END {printf "instructions %d  cycles %d  outputs equal first run: %s\n", i, c, same}' "$dir/counts.txt"
