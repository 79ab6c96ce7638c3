#!/usr/bin/env python3
"""PyTorch side of bench/train_vs_torch.sh: trains conv1d-small on the features that
train_fsdd_bench --dump wrote, with the settings recorded in its meta.json, and reports
training samples per second (median epoch, wall and process CPU time).

The network is Kiln's conv1d-small layer for layer: Conv1D(8, k3, same, relu) -> MaxPool1D(2,
same) -> Dropout(0.25) -> Conv1D(16, k3, same, relu) -> MaxPool1D(2, same) -> Dropout(0.25) ->
Flatten (channels last, as Kiln) -> Dense(classes); softmax cross-entropy; Adam with Kiln's
betas and epsilon; Glorot-uniform weights and zero biases. Mini-batches are drawn by indexing the
in-memory tensors (no DataLoader), the fastest plain PyTorch CPU loop.

Usage: train_torch.py DUMP_DIR [--threads N]   (N = 0: PyTorch's default thread count)
The last line of output is `RESULT {json}` for the calling script.
"""
import argparse
import json
import math
import os
import statistics
import sys
import time

import numpy as np
import torch
from torch import nn


class Conv1dSmall(nn.Module):
    def __init__(self, frames, coefficients, classes):
        super().__init__()
        self.conv1 = nn.Conv1d(coefficients, 8, kernel_size=3, padding=1)
        self.conv2 = nn.Conv1d(8, 16, kernel_size=3, padding=1)
        # TF-style "same" pooling with stride 2 pads only at the end: ceil_mode gives the same
        # output length (50 -> 25 -> 13) and the same windows.
        self.pool = nn.MaxPool1d(2, ceil_mode=True)
        self.dropout = nn.Dropout(0.25)
        pooled = math.ceil(math.ceil(frames / 2) / 2)
        self.dense = nn.Linear(pooled * 16, classes)
        for layer in (self.conv1, self.conv2, self.dense):
            nn.init.xavier_uniform_(layer.weight)
            nn.init.zeros_(layer.bias)

    def forward(self, x):  # x: [batch, frames, coefficients], channels last as Kiln stores it
        x = x.transpose(1, 2)
        x = self.dropout(self.pool(torch.relu(self.conv1(x))))
        x = self.dropout(self.pool(torch.relu(self.conv2(x))))
        return self.dense(x.transpose(1, 2).flatten(1))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dump", help="directory written by train_fsdd_bench --dump")
    parser.add_argument("--threads", type=int, default=0, help="0 = PyTorch's default")
    args = parser.parse_args()

    if args.threads > 0:
        torch.set_num_threads(args.threads)
    meta = json.load(open(os.path.join(args.dump, "meta.json")))
    shape = meta["features"]["shape"]
    count, frames, coefficients = shape
    features = np.fromfile(os.path.join(args.dump, meta["features"]["file"]), dtype="<f4")
    labels = np.fromfile(os.path.join(args.dump, meta["labels"]["file"]), dtype="<i4")
    if features.size != count * frames * coefficients or labels.size != count:
        sys.exit("train_torch.py: the dumped files do not match meta.json's shapes")
    x = torch.from_numpy(features.reshape(count, frames, coefficients).copy())
    y = torch.from_numpy(labels.astype(np.int64))

    settings = meta["training"]
    epochs, batch = settings["epochs"], settings["batch_size"]
    torch.manual_seed(settings["seed"])
    model = Conv1dSmall(frames, coefficients, len(meta["classes"]))
    parameters = sum(p.numel() for p in model.parameters())
    if parameters != meta["kiln"]["parameters"]:
        sys.exit(f"train_torch.py: the network has {parameters} parameters, Kiln's "
                 f"{meta['kiln']['parameters']}: not the same architecture")
    optimizer = torch.optim.Adam(model.parameters(), lr=settings["learning_rate"],
                                 betas=(0.9, 0.999), eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    threads = torch.get_num_threads()
    print(f"torch {torch.__version__}, {threads} thread(s), {parameters} parameters, "
          f"{count} samples of [{frames}, {coefficients}]", flush=True)

    wall, cpu = [], []
    model.train()
    for epoch in range(1, epochs + 1):
        wall_start, cpu_start = time.perf_counter(), time.process_time()
        order = torch.randperm(count)
        loss_sum = torch.zeros(())
        correct = torch.zeros((), dtype=torch.int64)
        for start in range(0, count, batch):
            rows = order[start:start + batch]
            xb, yb = x[rows], y[rows]
            optimizer.zero_grad(set_to_none=True)
            logits = model(xb)
            loss = loss_fn(logits, yb)
            loss.backward()
            optimizer.step()
            loss_sum += loss.detach() * len(rows)
            correct += (logits.detach().argmax(1) == yb).sum()
        wall.append(time.perf_counter() - wall_start)
        cpu.append(time.process_time() - cpu_start)
        print(f"epoch {epoch}/{epochs}: loss {loss_sum.item() / count:.4f}, "
              f"accuracy {correct.item() / count:.4f}, {wall[-1]:.3f} s wall, "
              f"{cpu[-1]:.3f} s CPU", flush=True)

    result = {
        "torch_version": torch.__version__,
        "threads": threads,
        "parameters": parameters,
        "samples_per_s_wall": count / statistics.median(wall),
        "samples_per_s_cpu": count / statistics.median(cpu),
        "epoch_seconds_wall": wall,
        "epoch_seconds_cpu": cpu,
    }
    print(f"torch samples/s (median epoch, {threads} thread(s)): "
          f"{result['samples_per_s_wall']:.0f} wall, {result['samples_per_s_cpu']:.0f} per "
          f"process CPU-second")
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
