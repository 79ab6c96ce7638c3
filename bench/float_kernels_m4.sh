#!/usr/bin/env bash
# Float32 kernels on the emulated Cortex-M4F: Kiln's float kernels (src/runtime) against plain
# nested loops compiled with the same flags (arm-none-eabi-g++ -O2, FPv4-SP hard float,
# -ffp-contract=off), measured in the same run with Kiln's QEMU counting plugin (exact
# instruction counts and the Cortex-M4 cycle model). The firmware (bench/m4/float_kernels_main.cpp)
# calls kernel and plain loop one after the other from one function; the plugin samples each
# call. Prints per case: instructions and cycles of both, the cycle ratio Kiln / plain (below 1
# means Kiln is faster) and whether the two outputs are bit-identical.
# Usage: bench/float_kernels_m4.sh [WORK_DIR]   (default: a temporary directory, removed after)
# Needs only what tools/install_deps.sh installs (gcc-arm-none-eabi, newlib, qemu-system-arm, g++).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -ge 1 ]; then
  work=$1
  mkdir -p "$work"
else
  work=$(mktemp -d "${TMPDIR:-/tmp}/kiln_float_m4.XXXXXX")
  trap 'rm -rf "$work"' EXIT
fi
fw=$root/src/profile/firmware
rt=$root/src/runtime

# The counting plugin, built from source as kiln does (a few seconds).
g++ -std=c++17 -O2 -shared -fPIC -fvisibility=hidden -o "$work/kiln_count.so" \
  "$root/src/profile/qemu_plugin/kiln_count_plugin.cpp" "$root/src/profile/qemu_plugin/thumb_cycles.cpp"

# The firmware: same flags as the Makefile kiln profile generates.
arch="-mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard"
common="$arch -O2 -ffp-contract=off -ffunction-sections -fdata-sections -Wall -Wextra -Werror -I$fw -I$root/src"
objects=()
for c in kiln_semihost kiln_startup kiln_probe; do
  arm-none-eabi-gcc $common -std=c11 -c "$fw/$c.c" -o "$work/$c.o"
  objects+=("$work/$c.o")
done
for s in "$root/bench/m4/float_kernels_main.cpp" "$rt"/{conv2d,depthwise_conv2d,fully_connected,average_pool2d,add,broadcast,softmax,float_math}.cpp; do
  o="$work/$(basename "$s" .cpp).o"
  arm-none-eabi-g++ $common -std=c++11 -fno-exceptions -fno-rtti -fno-threadsafe-statics -c "$s" -o "$o"
  objects+=("$o")
done
arm-none-eabi-g++ $arch -nostartfiles -T "$fw/mps2_an386.ld" -Wl,--defsym=__kiln_stack_bytes=65536 \
  -Wl,--gc-sections -Wl,-Map="$work/image.map" --specs=nano.specs "${objects[@]}" -lm -o "$work/image.elf"

addr() { arm-none-eabi-nm "$work/image.elf" | awk -v s="$1" '$3 == s {print "0x" $1}'; }
read -r start size < <(arm-none-eabi-nm -S "$work/image.elf" | awk '$4 == "run_float_kernel_cases" {print $1, $2}')
from=$((16#$start))
to=$((from + 16#$size))
rm -f "$work/counts.txt"
status=0
qemu-system-arm -M mps2-an386 -nographic -monitor none -serial none \
  -chardev "file,id=c,path=$work/console.txt" -semihosting-config enable=on,target=native,chardev=c \
  -kernel "$work/image.elf" \
  -plugin "$work/kiln_count.so,begin=$(addr kiln_profile_begin),end=$(addr kiln_profile_end),out=$work/counts.txt,calls_from=$from,calls_to=$to" \
  >/dev/null || status=$?
grep -q FLOATBENCH_DONE "$work/console.txt" || { cat "$work/console.txt" >&2; echo "float_kernels_m4: firmware did not finish (exit $status)" >&2; exit 1; }

# counts.txt: "call ADDRESS INSTRUCTIONS CYCLES" per sampled call, kernel then plain loop per case.
awk -F'|' '
  FNR == NR { if ($1 == "call") { n++; instr[n] = $3; cyc[n] = $4 } next }
  /^FLOATBENCH / {
    sub(/^FLOATBENCH /, "", $1)
    k = 2 * cases + 1; p = k + 1; cases++
    if (p > n) { print "float_kernels_m4: fewer sampled calls than cases" > "/dev/stderr"; bad = 1; exit 1 }
    printf "%-23s %-33s %8d %10d %10d %10d %10d %6.2f %6.2f %5.2f  %s\n", $1, $2, $3, instr[k], cyc[k],
           instr[p], cyc[p], cyc[k] / $3, cyc[p] / $3, cyc[k] / cyc[p], $4
    if ($4 != "yes") unequal++
    if (cyc[k] > cyc[p]) slower++
  }
  BEGIN {
    printf "%-23s %-33s %8s %10s %10s %10s %10s %6s %6s %5s  %s\n", "kernel", "shape", "MACs",
           "kiln_ins", "kiln_cyc", "plain_ins", "plain_cyc", "k_c/M", "p_c/M", "ratio", "equal"
  }
  END {
    if (bad) exit 1
    if (n != 2 * cases) { print "float_kernels_m4: " n " sampled calls for " cases " cases" > "/dev/stderr"; exit 1 }
    printf "ratio = Kiln cycles / plain-loop cycles; c/M = cycles per MAC (per element for add/softmax)\n"
    printf "%d cases, %d slower than the plain loop, %d with unequal outputs\n", cases, slower, unequal
    if (unequal) exit 1
  }' <(awk '$1 == "call" {print "call|" $2 "|" $3 "|" $4}' "$work/counts.txt") "$work/console.txt"
