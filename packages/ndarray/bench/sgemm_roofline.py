#!/usr/bin/env python3
"""The float32 GEMM rate OpenBLAS reaches on this machine through numpy: the ceiling against which the
LSTM language model's GFLOP/s (`pnpm bench:lm`) is read. Needs python3-numpy on OpenBLAS.

    /usr/bin/python3 packages/ndarray/bench/sgemm_roofline.py [--seconds 1.0]

One JSON line per shape: m, n, k, what the shape is, gflops (best of three timed windows, since the
machine may be shared).
"""
import argparse
import json
import time

import numpy as np

# (m, n, k) of the GEMMs one training step of the bucketed LSTM LM runs (batch 32, hidden 200,
# 30 steps, 10k words), then a large square one for the machine's peak.
SHAPES = [
    (32, 800, 400, "LSTM step: batch x 4*hidden x (embed+hidden)"),
    (960, 800, 200, "LSTM input projection over 30 steps"),
    (960, 10000, 200, "output layer over 30 steps, 10k words"),
    (2048, 2048, 2048, "large square"),
]


def rate(m, n, k, seconds):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((m, k), dtype=np.float32)
    b = rng.standard_normal((k, n), dtype=np.float32)
    out = np.empty((m, n), dtype=np.float32)
    np.matmul(a, b, out=out)  # warm-up: thread pool start, page faults
    best = 0.0
    for _ in range(3):
        calls, start = 0, time.perf_counter()
        while True:
            np.matmul(a, b, out=out)
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= seconds / 3:
                break
        best = max(best, 2.0 * m * n * k * calls / elapsed / 1e9)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="time spent per shape")
    args = parser.parse_args()
    for m, n, k, what in SHAPES:
        print(json.dumps({"m": m, "n": n, "k": k, "shape": what, "gflops": round(rate(m, n, k, args.seconds), 1)}), flush=True)


if __name__ == "__main__":
    main()
