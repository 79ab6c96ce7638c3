#!/usr/bin/env bash
# Cortex-M4 cost of the deployed MFCC block alone, for the fast-kernels target configuration:
# 13 coefficients, 40 filters, FFT 256, 0.02 s frames and stride, CMVN window 101, one 1 s window
# of 16 kHz audio. Builds a tiny two-label project of synthetic 16 kHz tones (kiln init --dsp mfcc,
# kiln import, a 1-epoch kiln train: the network is irrelevant here), then runs
# `kiln profile -C PROJECT --precision int8 --json` and prints the DSP phase's instructions,
# estimated cycles and the per-function split of the DSP phase.
# Usage: bench/mfcc_profile.sh [path/to/kiln] [--keep DIR] [extra kiln.json dsp.params as JSON]
#   e.g. bench/mfcc_profile.sh build/src/kiln '{"num_filters": 32}'
set -euo pipefail
cd "$(dirname "$0")/.."
KILN=$(realpath "${1:-build/src/kiln}")
shift || true
KEEP=""
if [ "${1:-}" = "--keep" ]; then KEEP=$2; shift 2; fi
EXTRA=${1:-"{}"}
if [ ! -x "$KILN" ]; then echo "mfcc_profile: $KILN not found (build kiln first)" >&2; exit 1; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
project=${KEEP:-$work/project}

# Synthetic 16 kHz int16 WAVs: two tones (400 Hz "low", 2000 Hz "high") plus noise, 1.2 s each.
python3 - "$work/source" <<'PY'
import math, os, random, struct, sys, wave
root = sys.argv[1]
rng = random.Random(7)
for label, hz in (("low", 400.0), ("high", 2000.0)):
    os.makedirs(os.path.join(root, label), exist_ok=True)
    for i in range(6):
        phase = rng.random() * 6.283
        frames = b"".join(
            struct.pack("<h", int(8000 * math.sin(2 * math.pi * hz * n / 16000 + phase)
                                  + rng.randint(-1500, 1500)))
            for n in range(19200))
        with wave.open(os.path.join(root, label, f"{label}_{i}.wav"), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(16000)
            w.writeframes(frames)
PY

"$KILN" init "$project" --dsp mfcc --window-ms 1000 --stride-ms 1000 --epochs 1 > /dev/null
python3 - "$project/kiln.json" "$EXTRA" <<'PY'
import json, sys
path, extra = sys.argv[1], json.loads(sys.argv[2])
config = json.load(open(path))
params = config.setdefault("dsp", {}).setdefault("params", {})
params.update({"num_cepstral": 13, "num_filters": 40, "fft_length": 256,
               "frame_length": 0.02, "frame_stride": 0.02, "win_size": 101})
params.update(extra)
config.setdefault("augmentation", {})["copies"] = 0
json.dump(config, open(path, "w"), indent=2)
PY
"$KILN" import -C "$project" "$work/source" > /dev/null
"$KILN" train -C "$project" -q > /dev/null 2>&1
"$KILN" profile -C "$project" --precision int8 --json > "$work/profile.json"
python3 - "$work/profile.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["int8"]
print(f"block {r['dsp_block']} at {r['sample_rate_hz']} Hz, window {r['window_ms']} ms "
      f"({r['window_frames']} samples), matches host: {r['matches_host']}")
print(f"DSP instructions        {r['dsp_instructions']:>12,}")
print(f"DSP cycles (estimated)  {r['dsp_cycles_est']:>12,}")
print(f"DSP instr per 1 s       {r['dsp_instructions_per_1s_window']:>12,}")
print(f"flash {r['flash_bytes']:,} B, static RAM {r['static_ram_bytes']:,} B, "
      f"stack {r['stack_bytes']:,} B, DSP phase arena {r['dsp_phase_bytes']:,} B")
calls = sorted(r.get("dsp_calls", []), key=lambda c: -c.get("instructions", 0))
if calls:
    print("DSP phase by callee (instructions incl. nested calls):")
    for c in calls[:20]:
        print("  " + "  ".join(f"{k}={v}" for k, v in c.items()))
PY
