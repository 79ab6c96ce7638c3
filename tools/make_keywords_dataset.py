#!/usr/bin/env python3
"""Builds Kiln's synthetic spoken-keyword dataset with espeak-ng (see docs/keywords_dataset.md).

Standard library only. Every random choice comes from a generator seeded by the sample's name, and
all signal arithmetic is integer or plain IEEE float (+, -, *, /, sqrt) without sum() over floats,
so the output files are byte-identical across runs, worker counts and Python versions.
"""

import argparse
import hashlib
import math
import os
import random
import shutil
import subprocess
import sys
import time
import wave
from array import array
from concurrent.futures import ProcessPoolExecutor

RATE = 16000
WINDOW = RATE  # one second per sample
ESPEAK_RATE = 22050
MARKER = "# Kiln synthetic keywords dataset"

KEYWORDS = ["yes", "no", "up", "down"]
# Words of the "unknown" class: few enough that each is heard several times in training, none a
# near-rhyme of a keyword (no "go", "on", "nine"), so a small model learns the class from little data.
OTHER_WORDS = ["left", "right", "stop", "cat", "bird", "tree", "house", "happy", "seven", "marvin"]
# espeak-ng accent + voice variant. All samples of TEST_VOICES are test (unseen voices).
TRAIN_VOICES = ["en-us", "en-us+f2", "en+m3", "en+f3", "en-gb-scotland+m2", "en-gb-x-rp+f4",
                "en-029+m4", "en-gb-x-gbclan+f1", "en-us-nyc+m1", "en-gb-x-gbcwmd+m6", "en+f5"]
TEST_VOICES = ["en-us-nyc+m7", "en-gb-x-gbcwmd+f2", "en-gb-scotland+f4"]
SPEEDS = [130, 165, 200]  # words per minute (espeak-ng default 175)
PITCHES = [30, 50, 75]  # 0..99 (espeak-ng default 50)
# Each voice speaks 6 of the 9 speed/pitch pairs (which 3 it skips rotates with the voice): more
# voices for the same number of samples.
PAIRS_PER_VOICE = 6
NOISE_TYPES = ["white", "pink", "brown"]
NOISE_BANK_SECONDS = 10
NOISE_TEST_FROM = 8 * RATE  # test samples take noise only from the last 2 s of each bank


def seeded_rng(name):
    """A generator whose sequence depends only on `name` (random() is stable across versions)."""
    return random.Random(int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "little"))


def sin_pi(x):
    """sin(pi * x) from a Taylor series: basic float operations only, so no libm differences."""
    x = x - 2.0 * math.floor(x / 2.0 + 0.5)  # now in [-1, 1]
    if x > 0.5:
        x = 1.0 - x
    elif x < -0.5:
        x = -1.0 - x
    y = math.pi * x
    y2 = y * y
    term, total = y, y
    for n in range(1, 10):
        term = -term * y2 / ((2 * n) * (2 * n + 1))
        total += term
    return total


def cos_pi(x):
    return sin_pi(x + 0.5)


class Resampler:
    """22050 Hz -> 16000 Hz polyphase windowed-sinc filter with integer (Q15) taps.

    16000/22050 = 320/441: output n sits at input position n*441/320; each of the 320 fractional
    positions has its own set of taps, each set normalised to sum exactly to 2^15 (unit DC gain).
    """

    UP, DOWN, HALF_TAPS, SHIFT = 320, 441, 20, 15

    def __init__(self):
        cutoff = 6500.0 / ESPEAK_RATE  # cycles per input sample; Blackman stopband from ~8 kHz
        k = self.HALF_TAPS
        self.phases = []
        for phase in range(self.UP):
            frac = phase / self.UP
            taps = []
            for j in range(-k + 1, k + 1):
                t = j - frac
                arg = 2.0 * cutoff * t
                sinc = 1.0 if arg == 0.0 else sin_pi(arg) / (math.pi * arg)
                u = t / k
                window = 0.42 + 0.5 * cos_pi(u) + 0.08 * cos_pi(2.0 * u) if abs(u) < 1.0 else 0.0
                taps.append(2.0 * cutoff * sinc * window)
            total = math.fsum(taps)
            ints = [int(round(v * (1 << self.SHIFT) / total)) for v in taps]
            ints[k - 1] += (1 << self.SHIFT) - sum(ints)  # exact unit gain, fixed on the centre tap
            self.phases.append(ints)

    def __call__(self, samples):
        k = self.HALF_TAPS
        padded = [0] * k + list(samples) + [0] * (k + 1)
        count = len(samples) * self.UP // self.DOWN
        half = 1 << (self.SHIFT - 1)
        out = []
        for n in range(count):
            position = n * self.DOWN
            base, phase = divmod(position, self.UP)
            # padded[base + 1 .. base + 2k] holds input samples base-k+1 .. base+k
            acc = sum(map(int.__mul__, self.phases[phase], padded[base + 1:base + 1 + 2 * k]))
            out.append((acc + half) >> self.SHIFT)
        return out


def make_noise_bank():
    """Ten seconds of each noise colour, unit RMS, from fixed seeds."""
    n = NOISE_BANK_SECONDS * RATE
    bank = {}
    for kind in NOISE_TYPES:
        rng = seeded_rng("noise-bank-" + kind)
        r = rng.random
        white = [r() + r() + r() + r() - 2.0 for _ in range(n)]  # near-Gaussian
        if kind == "white":
            signal = white
        elif kind == "pink":
            # Paul Kellet's economy -3 dB/octave filter
            b0 = b1 = b2 = 0.0
            signal = []
            for w in white:
                b0 = 0.99765 * b0 + w * 0.0990460
                b1 = 0.96300 * b1 + w * 0.2965164
                b2 = 0.57000 * b2 + w * 1.0526913
                signal.append(b0 + b1 + b2 + w * 0.1848)
        else:
            # leaky integrator: -6 dB/octave above ~13 Hz, no DC drift
            y = 0.0
            signal = []
            for w in white:
                y = 0.995 * y + w
                signal.append(y)
        rms = math.sqrt(math.fsum(v * v for v in signal) / n)
        bank[kind] = [v / rms for v in signal]
    return bank


def synthesize(word, voice, speed, pitch):
    """espeak-ng's 16-bit mono WAV at 22050 Hz as a list of ints."""
    wav = subprocess.run(["espeak-ng", "--stdout", "-v", voice, "-s", str(speed), "-p", str(pitch),
                          word], check=True, capture_output=True).stdout
    # espeak-ng streams with unknown length in the header; the data starts after the 44-byte header
    if (wav[:4] != b"RIFF" or wav[8:12] != b"WAVE" or wav[36:40] != b"data"
            or int.from_bytes(wav[24:28], "little") != ESPEAK_RATE):
        raise RuntimeError(f"unexpected espeak-ng output for {word!r} with voice {voice}")
    samples = array("h")
    samples.frombytes(wav[44:len(wav) - (len(wav) - 44) % 2])
    if sys.byteorder == "big":
        samples.byteswap()
    return samples


def trim(samples, threshold_fraction=0.02, margin=441):
    """Cuts leading and trailing silence (below 2% of peak), keeping 20 ms of margin."""
    peak = max(max(samples), -min(samples), 1)
    threshold = peak * threshold_fraction
    first = next(i for i, v in enumerate(samples) if abs(v) > threshold)
    last = next(i for i in range(len(samples) - 1, -1, -1) if abs(samples[i]) > threshold)
    start = max(first - margin, 0)
    end = min(last + 1 + margin, len(samples))
    return samples[start:end]


def noise_clip(bank, rng, test):
    kind = NOISE_TYPES[rng.randrange(len(NOISE_TYPES))]
    lo, hi = (NOISE_TEST_FROM, len(bank[kind]) - WINDOW) if test else (0, NOISE_TEST_FROM - WINDOW)
    start = lo + rng.randrange(hi - lo + 1)
    return bank[kind][start:start + WINDOW]


def to_pcm(values):
    ints = [round(v) for v in values]
    if max(ints) > 32767 or min(ints) < -32768:  # rare: loud speech plus noise
        ints = [min(32767, max(-32768, v)) for v in ints]
    pcm = array("h", ints)
    if sys.byteorder == "big":
        pcm.byteswap()
    return pcm.tobytes()


def write_wav(path, pcm):
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm)


# Worker state, built once per process.
_RESAMPLER = None
_BANK = None


def _init_worker():
    global _RESAMPLER, _BANK
    _RESAMPLER = Resampler()
    _BANK = make_noise_bank()


def make_sample(job):
    """Renders one sample and writes its WAV; returns (relative path, label, split)."""
    out_dir, label, name, word, voice, speed, pitch, test = job
    rng = seeded_rng(name)
    if word is None:  # background noise only, at a level from about -50 to -20 dBFS
        noise = noise_clip(_BANK, rng, test)
        level = 100 + rng.randrange(3201)
        mixed = [v * level for v in noise]
    else:
        speech = _RESAMPLER(trim(synthesize(word, voice, speed, pitch)))
        if len(speech) > WINDOW - 320:
            speech = speech[:WINDOW - 320]  # never happens with the speeds above; keeps 1 s
        peak = max(max(speech), -min(speech), 1)
        gain = (0.25 + 0.5 * rng.random()) * 32767 / peak  # peak at -12 .. -2.5 dBFS
        speech_rms = math.sqrt(sum(v * v for v in speech) / len(speech)) * gain
        noise_ratio = (3 + rng.randrange(30)) / 100  # noise RMS / speech RMS: SNR 30 .. 10 dB
        noise = noise_clip(_BANK, rng, test)
        offset = 160 + rng.randrange(WINDOW - 320 - len(speech) + 1)  # >= 10 ms from both ends
        noise_gain = noise_ratio * speech_rms
        mixed = [v * noise_gain for v in noise]
        for i, v in enumerate(speech):
            mixed[offset + i] += v * gain
    rel = f"{label}/{name}.wav"
    write_wav(os.path.join(out_dir, rel), to_pcm(mixed))
    return rel, label, "test" if test else "train"


def voice_id(voice):
    return voice.replace("+", "-")


def build_jobs(out_dir):
    jobs, groups = [], {}
    voices = [(v, False) for v in TRAIN_VOICES] + [(v, True) for v in TEST_VOICES]
    for label in KEYWORDS + ["unknown"]:
        for vi, (voice, test) in enumerate(voices):
            for si, speed in enumerate(SPEEDS):
                for pi, pitch in enumerate(PITCHES):
                    if (si + pi + vi) % 3 == 0:
                        continue  # the 3 pairs this voice skips
                    name = f"{label}_{voice_id(voice)}_s{speed}_p{pitch}"
                    word = label
                    if label == "unknown":
                        word = OTHER_WORDS[(vi * 7 + si * 3 + pi) % len(OTHER_WORDS)]
                        name += "_" + word
                    jobs.append((out_dir, label, name, word, voice, speed, pitch, test))
                    groups[name] = voice_id(voice)
    per_class = len(voices) * PAIRS_PER_VOICE
    assert len(jobs) == per_class * (len(KEYWORDS) + 1)
    test_noise = len(TEST_VOICES) * PAIRS_PER_VOICE
    for i in range(per_class):
        test = i >= per_class - test_noise
        name = f"noise_{i:03d}"
        jobs.append((out_dir, "noise", name, None, None, None, None, test))
        groups[name] = "noise-heldout" if test else "noise-seen"
    return jobs, groups


README = f"""{MARKER}

Generated by `tools/make_keywords_dataset.sh` (see `docs/keywords_dataset.md` in Kiln).
Deterministic: regenerating gives byte-identical files.

- Classes: {", ".join(KEYWORDS)}, unknown (other words), noise (background only)
- 16 kHz mono 16-bit PCM WAV, 1 s each; the word at a pseudo-random offset, mixed with white,
  pink or brown noise at 10..30 dB SNR
- Voices (espeak-ng): train {", ".join(TRAIN_VOICES)}; test (held out) {", ".join(TEST_VOICES)}
- Speeds {SPEEDS} words/min, pitches {PITCHES}: each voice speaks {PAIRS_PER_VOICE} of the pairs
- `split.csv`: `path,label,split,group`, group = voice (noise: noise-seen / noise-heldout; held-out
  noise clips come from a separate stretch of the noise recordings)
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    began = time.monotonic()

    out_dir = os.path.abspath(args.out_dir)
    if os.path.exists(out_dir) and os.listdir(out_dir):
        readme = os.path.join(out_dir, "README.md")
        ours = os.path.isfile(readme) and open(readme, encoding="utf-8").readline().strip() == MARKER
        if not ours:
            sys.exit(f"make_keywords_dataset: {args.out_dir} exists and is not a keywords dataset; "
                     "refusing to overwrite it")
    staging = out_dir + ".partial"
    shutil.rmtree(staging, ignore_errors=True)
    jobs, groups = build_jobs(staging)
    for label in sorted({j[1] for j in jobs}):
        os.makedirs(os.path.join(staging, label))

    with ProcessPoolExecutor(max_workers=max(1, args.jobs), initializer=_init_worker) as pool:
        rows = list(pool.map(make_sample, jobs, chunksize=8))

    rows.sort(key=lambda r: r[0])
    with open(os.path.join(staging, "split.csv"), "w", encoding="utf-8", newline="\n") as f:
        f.write("path,label,split,group\n")
        for rel, label, split in rows:
            name = os.path.splitext(os.path.basename(rel))[0]
            f.write(f"{rel},{label},{split},{groups[name]}\n")
    with open(os.path.join(staging, "README.md"), "w", encoding="utf-8", newline="\n") as f:
        f.write(README)
    shutil.rmtree(out_dir, ignore_errors=True)
    os.rename(staging, out_dir)

    counts = {}
    for _, label, split in rows:
        c = counts.setdefault(label, [0, 0])
        c[split == "test"] += 1
    summary = " ".join(f"{k}={v[0]}+{v[1]}" for k, v in sorted(counts.items()))
    total_test = sum(v[1] for v in counts.values())
    print(f"keywords dataset: {len(counts)} classes, {len(rows)} samples ({len(rows) - total_test} "
          f"train + {total_test} test; per class train+test: {summary}) in "
          f"{time.monotonic() - began:.1f} s -> {args.out_dir}")


if __name__ == "__main__":
    main()
