#!/usr/bin/env python3
# Per-instruction execution counts of a firmware folder that `kiln profile --model M --work-dir DIR`
# (or bench/m4_rerun.sh DIR) left behind: runs DIR/image.elf under QEMU with TCG tracing
# (-d in_asm,exec,nochain), counts how often each translation block ran, spreads the counts over the
# block's instructions and prints the instructions executed per function, most first. With a
# third argument, also every instruction of the functions whose name contains it, with its count
# (the hot loops of one kernel). Counts are instructions, not cycles: for cycles use kiln profile
# or bench/m4_rerun.sh. The trace log is large (hundreds of MB for VWW) and deleted at the end.
# Usage: bench/m4_pcprof.py DIR [functions to list] [name part]
import collections
import os
import re
import subprocess
import sys
import tempfile


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: bench/m4_pcprof.py DIR [functions to list] [name part]")
    folder = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    name_part = sys.argv[3] if len(sys.argv) > 3 else None
    elf = os.path.join(folder, "image.elf")
    if not os.path.isfile(elf):
        sys.exit(f"m4_pcprof: {elf} not found (run kiln profile --work-dir {folder} first)")

    with tempfile.TemporaryDirectory() as work:
        log = os.path.join(work, "trace.log")
        subprocess.run(["qemu-system-arm", "-M", "mps2-an386", "-nographic", "-monitor", "none",
                        "-serial", "none", "-semihosting-config", "enable=on,target=native",
                        "-kernel", elf, "-d", "in_asm,exec,nochain", "-D", log],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        block_insns = {}  # block start -> addresses of its instructions
        runs = collections.Counter()  # block start -> executions
        current = None
        with open(log, errors="replace") as f:
            for line in f:
                if line.startswith("IN:"):
                    current = []
                    continue
                if current is not None:
                    m = re.match(r"0x([0-9a-f]+):\s", line)
                    if m:
                        current.append(int(m.group(1), 16))
                        continue
                    if not line.strip():
                        if current:
                            block_insns[current[0]] = current
                        current = None
                        continue
                m = re.search(r"Trace \d+: 0x[0-9a-f]+ \[[0-9a-f]+/([0-9a-f]+)/", line)
                if m:
                    runs[int(m.group(1), 16)] += 1

    executed = collections.Counter()
    for start, n in runs.items():
        for address in block_insns.get(start, [start]):
            executed[address] += n

    listing = subprocess.run(["arm-none-eabi-objdump", "-d", "--no-show-raw-insn", "-C", elf],
                             capture_output=True, text=True, check=True).stdout
    text, function_of, function = {}, {}, None
    for line in listing.splitlines():
        m = re.match(r"([0-9a-f]+) <(.*)>:", line)
        if m:
            function = m.group(2)
            continue
        m = re.match(r"\s+([0-9a-f]+):\s+(.*)", line)
        if m:
            address = int(m.group(1), 16)
            text[address] = m.group(2)
            function_of[address] = function

    per_function = collections.Counter()
    for address, n in executed.items():
        per_function[function_of.get(address, "?")] += n
    print(f"instructions executed: {sum(executed.values()):,}")
    for name, n in per_function.most_common(top):
        print(f"{n:12,}  {name}")
    if name_part:
        for address in sorted(a for a, f in function_of.items() if f and name_part in f):
            print(f"{executed.get(address, 0):10,} {address:8x}: {text[address]}")


if __name__ == "__main__":
    main()
