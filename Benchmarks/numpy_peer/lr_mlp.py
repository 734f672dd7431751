#!/usr/bin/env python3
"""numpy peer of `lrsim train`: the same LR / ALR / backprop training of an MLP on Fashion-MNIST.

This is the reference point for the speed claims ("an LR epoch at >= 3x the samples/s of a straightforward numpy
implementation of the same algorithm; backprop epochs >= 2x numpy's"). It is written the way a competent numpy user
would write it: float32 throughout, whole-batch array operations, BLAS (numpy's bundled OpenBLAS) for every GEMM,
no Python loop over samples or copies.

Algorithm (see shared/reference/lr-method.md):
  model     784-256-10, ReLU, softmax cross-entropy, Adam (lr 1e-3, betas 0.9/0.999, eps 1e-8), batch 128
  bp        manual backprop
  lr        Gaussian logit noise z = sigma*eps (sigma 0.1), K copies per sample in antithetic pairs (eps, -eps),
            layer-wise injection (for each layer l: the clean forward up to l is shared, K noisy copies of layers >= l),
            clean-loss baseline L - L0, and the gradient reduced per sample first, then one GEMM:
              w_b   = sum_k (L_bk - L0_b) * eps_bk / sigma              (B x out)
              dW_l  = (1/(B*K)) * w^T @ x_l                             (out x in),   db_l = (1/(B*K)) * sum_b w_b
  alr       as lr with eps replaced by sign(eps) and 1/sigma by sqrt(pi/2)/sigma

Usage: python3 lr_mlp.py --estimator lr --epochs 1 [--seed 1] [--copies 32] [--sigma 0.1] [--threads N] [--json out.json]
"""
import argparse
import gzip
import json
import math
import os
import sys
import time

# --threads N must take effect before numpy loads OpenBLAS.
if "--threads" in sys.argv[:-1]:
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = sys.argv[sys.argv.index("--threads") + 1]

import numpy as np  # noqa: E402

DEFAULT_DIR = "/usr/share/datasets/fashion-mnist"


def read_idx(path, magic):
    with gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb") as f:
        data = f.read()
    got = int.from_bytes(data[:4], "big")
    if got != magic:
        sys.exit(f"error: {path}: expected IDX magic {magic:#010x}, got {got:#010x}")
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    arr = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if arr.size != int(np.prod(dims)):
        sys.exit(f"error: {path}: expected {int(np.prod(dims))} bytes after the header, got {arr.size}")
    return arr.reshape(dims)


def load(data_dir, split):
    prefix = "train" if split == "train" else "t10k"
    x = read_idx(os.path.join(data_dir, f"{prefix}-images-idx3-ubyte.gz"), 0x803)
    y = read_idx(os.path.join(data_dir, f"{prefix}-labels-idx1-ubyte.gz"), 0x801)
    return (x.reshape(len(x), -1).astype(np.float32) / np.float32(255)), y.astype(np.int64)


def cross_entropy(logits, labels):
    """Per-row softmax cross-entropy; logits (..., C), labels broadcastable to logits.shape[:-1]."""
    m = logits.max(axis=-1, keepdims=True)
    lse = np.log(np.exp(logits - m).sum(axis=-1)) + m[..., 0]
    picked = np.take_along_axis(logits, labels[..., None], axis=-1)[..., 0]
    return lse - picked


class MLP:
    def __init__(self, sizes, rng):
        # PyTorch's default Linear initialisation: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases.
        self.W, self.b = [], []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            bound = 1.0 / math.sqrt(fan_in)
            self.W.append(rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32))
            self.b.append(rng.uniform(-bound, bound, fan_out).astype(np.float32))
        self.params = self.W + self.b

    def forward(self, x):
        """Returns the input of every layer and the logits."""
        inputs = []
        h = x
        for l, (W, b) in enumerate(zip(self.W, self.b)):
            inputs.append(h)
            a = h @ W.T + b
            h = np.maximum(a, 0) if l < len(self.W) - 1 else a
        return inputs, h

    def forward_from(self, l, pre_activation):
        """Layers after layer l, given layer l's (noisy) pre-activations; any leading batch shape."""
        h = pre_activation
        for m in range(l, len(self.W)):
            if m > l:
                h = h @ self.W[m].T + self.b[m]
            if m < len(self.W) - 1:
                h = np.maximum(h, 0)
        return h


class Adam:
    def __init__(self, params, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8):
        self.lr, self.b1, self.b2, self.eps, self.t = np.float32(lr), np.float32(b1), np.float32(b2), np.float32(eps), 0
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]

    def step(self, params, grads):
        self.t += 1
        c1 = np.float32(1 - self.b1 ** self.t)
        c2 = np.float32(1 - self.b2 ** self.t)
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m *= self.b1
            m += (1 - self.b1) * g
            v *= self.b2
            v += (1 - self.b2) * (g * g)
            p -= self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)


def backprop(model, x, y):
    inputs, logits = model.forward(x)
    B = len(x)
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    loss = -np.log(p[np.arange(B), y] + np.float32(1e-30))
    delta = p
    delta[np.arange(B), y] -= 1
    delta /= np.float32(B)
    dW, db = [None] * len(model.W), [None] * len(model.W)
    for l in reversed(range(len(model.W))):
        dW[l] = delta.T @ inputs[l]
        db[l] = delta.sum(axis=0)
        if l > 0:
            delta = (delta @ model.W[l]) * (inputs[l] > 0)
    return loss, dW + db


def likelihood_ratio(model, x, y, rng, copies, sigma, sign):
    inputs, logits = model.forward(x)
    loss0 = cross_entropy(logits, y)                              # clean per-sample loss: the baseline
    B, half = len(x), copies // 2
    dW, db = [None] * len(model.W), [None] * len(model.W)
    scale = np.float32(math.sqrt(math.pi / 2) / sigma if sign else 1 / sigma)
    for l in range(len(model.W)):
        v = inputs[l] @ model.W[l].T + model.b[l]                 # clean logits of layer l (shared by all copies)
        eps = rng.standard_normal((B, half, v.shape[1]), dtype=np.float32)
        eps = np.concatenate([eps, -eps], axis=1)                 # antithetic pairs
        noisy = v[:, None, :] + np.float32(sigma) * eps           # B x K x out
        losses = cross_entropy(model.forward_from(l, noisy), y[:, None])   # B x K
        score = np.sign(eps) if sign else eps
        w = np.einsum("bk,bkj->bj", losses - loss0[:, None], score) * scale   # reduce over copies per sample
        dW[l] = (w.T @ inputs[l]) / np.float32(B * copies)        # one GEMM per layer
        db[l] = w.sum(axis=0) / np.float32(B * copies)
    return loss0, dW + db


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--estimator", choices=["bp", "lr", "alr"], default="lr")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--copies", type=int, default=32)
    ap.add_argument("--sigma", type=float, default=0.1)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--data-dir", default=DEFAULT_DIR)
    ap.add_argument("--threads", type=int, help="BLAS threads (default: OpenBLAS's choice, all cores)")
    ap.add_argument("--json", help="write a JSON report here")
    args = ap.parse_args()
    if args.copies < 2 or args.copies % 2:
        sys.exit("error: --copies must be even (antithetic pairs) and at least 2")

    xtr, ytr = load(args.data_dir, "train")
    xte, yte = load(args.data_dir, "test")
    rng = np.random.default_rng(args.seed)
    model = MLP([784, 256, 10], rng)
    opt = Adam(model.params, lr=args.lr)
    print(f"numpy {np.__version__}, BLAS threads {os.environ.get('OPENBLAS_NUM_THREADS', 'default')}, estimator {args.estimator}, K={args.copies}, sigma={args.sigma}, "
          f"batch {args.batch}, seed {args.seed}, {len(xtr)} train / {len(xte)} test")
    epochs = []
    for epoch in range(args.epochs):
        order = rng.permutation(len(xtr))
        start = time.perf_counter()
        cpu_start = time.process_time()
        total, n = 0.0, 0
        for i in range(0, len(xtr), args.batch):
            idx = order[i:i + args.batch]
            x, y = xtr[idx], ytr[idx]
            if args.estimator == "bp":
                loss, grads = backprop(model, x, y)
            else:
                loss, grads = likelihood_ratio(model, x, y, rng, args.copies, args.sigma, args.estimator == "alr")
            opt.step(model.params, grads)
            total += float(loss.sum())
            n += len(idx)
        seconds = time.perf_counter() - start
        cpu_seconds = time.process_time() - cpu_start
        _, logits = model.forward(xte)
        acc = float((logits.argmax(axis=1) == yte).mean())
        e = {"epoch": epoch + 1, "test_accuracy": acc, "train_loss": total / n, "seconds": seconds,
             "samples_per_second": n / seconds, "cpu_seconds": cpu_seconds,
             "samples_per_cpu_second": n / cpu_seconds}
        epochs.append(e)
        print(f"epoch {epoch + 1}: test accuracy {acc:.4f}, train loss {total / n:.4f}, "
              f"{seconds:.2f} s, {n / seconds:.0f} samples/s, {cpu_seconds:.2f} CPU s", flush=True)
    if args.json:
        with open(args.json + ".tmp", "w") as f:
            json.dump({"config": vars(args), "epochs": epochs, "numpy": np.__version__}, f, indent=2, sort_keys=True)
        os.replace(args.json + ".tmp", args.json)


if __name__ == "__main__":
    main()
