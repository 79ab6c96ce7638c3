#!/usr/bin/env python3
"""Refits the analytic cost model (src/profile/analytic.cpp) to exact emulator counts.

Usage: bench/profile_fit.py REPORT.json...   (each from `kiln profile --json --model M`)

Each report's "calls" (instructions per kernel call inside the model's invoke) is matched, in
order, with its "analytic_ops" (features of each operator); operators without a kernel call
(RESHAPE) are skipped. Prints per operator type the weighted least-squares coefficients
(relative error, fixed cost held at 200) and each call's error, to paste into cost_of().
"""
import json
import sys

KERNEL_OP = {
    "conv2d_int8": "CONV_2D", "conv2d_pointwise_int8_in_place": "CONV_2D",
    "conv2d_int8_fast": "CONV_2D", "conv2d_int8_fast_packed": "CONV_2D",
    "depthwise_conv2d_int8_fast": "DEPTHWISE_CONV_2D",
    "depthwise_conv2d_int8_in_place_fast": "DEPTHWISE_CONV_2D",
    "depthwise_conv2d_int8": "DEPTHWISE_CONV_2D", "depthwise_conv2d_int8_in_place": "DEPTHWISE_CONV_2D",
    "fully_connected_int8": "FULLY_CONNECTED", "average_pool2d_int8": "AVERAGE_POOL_2D",
    "max_pool2d_int8": "MAX_POOL_2D", "softmax_int8": "SOFTMAX", "mean_int8": "MEAN",
    "lstm_int8": "UNIDIRECTIONAL_SEQUENCE_LSTM", "lstm_int8_fast": "UNIDIRECTIONAL_SEQUENCE_LSTM",
    "fully_connected_int8_fast": "FULLY_CONNECTED", "fully_connected_int8_fast_wide": "FULLY_CONNECTED",
    "softmax_int8_tabled": "SOFTMAX",
}
FEATURES = {  # which features carry a coefficient, per operator type
    "CONV_2D": ("macs", "taps", "outputs"), "DEPTHWISE_CONV_2D": ("taps",),
    "FULLY_CONNECTED": ("macs", "outputs"), "FULLY_CONNECTED_AS_CONV": ("macs", "outputs"), "AVERAGE_POOL_2D": ("taps", "outputs"),
    "MAX_POOL_2D": ("taps", "outputs"), "MEAN": ("inputs", "outputs"), "SOFTMAX": ("outputs",),
    "UNIDIRECTIONAL_SEQUENCE_LSTM": ("macs", "outputs"),
}
FIXED = 200.0


def solve(rows, ys, weights):
    n = len(rows[0])
    a = [[0.0] * n for _ in range(n)]
    b = [0.0] * n
    for r, y, w in zip(rows, ys, weights):
        for i in range(n):
            b[i] += w * r[i] * y
            for j in range(n):
                a[i][j] += w * r[i] * r[j]
    for i in range(n):
        p = max(range(i, n), key=lambda k: abs(a[k][i]))
        a[i], a[p], b[i], b[p] = a[p], a[i], b[p], b[i]
        if a[i][i] == 0:
            return None
        for k in range(i + 1, n):
            f = a[k][i] / a[i][i]
            for j in range(i, n):
                a[k][j] -= f * a[i][j]
            b[k] -= f * b[i]
    x = [0.0] * n
    for i in reversed(range(n)):
        x[i] = (b[i] - sum(a[i][j] * x[j] for j in range(i + 1, n))) / a[i][i]
    return x


samples = {}
for path in sys.argv[1:]:
    report = next(iter(json.load(open(path)).values()))
    ops, at = report["analytic_ops"], 0
    for call in report["calls"]:
        op = KERNEL_OP.get(call["callee"].split("::")[-1])
        if op is None:
            continue
        # A single-channel depthwise convolution runs as a convolution (and is costed as one); a
        # fully connected layer may run as a 1x1 convolution (costed on its own).
        while at < len(ops) and ops[at]["op"] != op and not (
                op == "CONV_2D" and ops[at]["op"] in ("DEPTHWISE_CONV_2D", "FULLY_CONNECTED")):
            at += 1
        if at == len(ops):
            break
        kind = op
        if op == "CONV_2D" and ops[at]["op"] == "FULLY_CONNECTED":
            kind = "FULLY_CONNECTED_AS_CONV"
        samples.setdefault(kind, []).append((ops[at], call["instructions"], call["cycles"]))
        at += 1

for op, rows in sorted(samples.items()):
    names = FEATURES[op]
    x = solve([[o[f] for f in names] for o, _, _ in rows], [n - FIXED for _, n, _ in rows],
              [1.0 / (n * n) for _, n, _ in rows])
    cpi = sum(c for _, _, c in rows) / sum(n for _, n, _ in rows)
    if x is None:
        print(f"{op}: not enough distinct samples ({len(rows)})")
        continue
    coeffs = ", ".join(f"{f} {v:.2f}" for f, v in zip(names, x))
    errors = [100.0 * (sum(v * o[f] for f, v in zip(names, x)) + FIXED - n) / n for o, n, _ in rows]
    print(f"{op}: {coeffs}, fixed {FIXED:g}, cycles/instruction {cpi:.3f}; "
          f"errors {min(errors):+.1f}%..{max(errors):+.1f}% over {len(rows)} calls")
