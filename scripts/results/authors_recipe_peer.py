#!/usr/bin/env python3
"""The LR authors' Fashion-MNIST training recipes re-implemented in numpy, as a peer for lrsim's runs of
docs/results.md section 3 (written from the description of GLR_ADV `Train&Test/LRS.py`, `LRT.py` and `BP.py` in the
shared reference authors-protocol.md; no code copied).

What their scripts do, and what this file does too:
- 784-50-10; the input gets a constant-1 column (the first layer's bias is its last weight row); the second layer has
  no bias. Weights N(0, 1) * 2 / sqrt(fan_in) with fan_in counting that column (785, 50).
- LR ("lrs" sigmoid, "lrt" threshold 1[z > 0]): each batch is repeated K = 10 times; every layer adds Laplace(0, 1)
  noise to its output logits (the softmax layer included) in the same pass; per layer
  grad = mean_n (x_n * L_n) (outer) sign(noise_n) / 1 with L_n the cross-entropy of row n (no baseline);
  then grad += 1e-4 * w and w -= 1e-2 * grad (plain SGD). Batch 128 (lrs) or 32 (lrt), 10 epochs.
- BP ("bp"): the same net with sigmoid, exact backprop, SGD lr 0.1, weight decay 1e-4, batch 128, 10 epochs.
- "--lrsim-init": lrsim's initialisation instead (uniform +-sqrt(3 / fan_in), biases 0), to separate the effect of
  the initial scale from everything else.

    python3 scripts/results/authors_recipe_peer.py lrs|lrt|bp [--seed S] [--epochs E] [--lrsim-init]
Prints the test accuracy after every epoch.
"""
import argparse
import gzip
import numpy as np

DATA = "/usr/share/datasets/fashion-mnist"


def idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(split):
    x = idx(f"{DATA}/{split}-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255
    y = idx(f"{DATA}/{split}-labels-idx1-ubyte.gz").astype(np.int64)
    return np.hstack([x, np.ones((len(x), 1), np.float32)]), y


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("recipe", choices=["lrs", "lrt", "bp"])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--lrsim-init", action="store_true")
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    xtr, ytr = load("train")
    xte, yte = load("t10k")
    shapes = [(785, 50), (50, 10)]
    if a.lrsim_init:
        w = [rng.uniform(-1, 1, s).astype(np.float32) * np.sqrt(3 / (s[0] - (1 if s[0] == 785 else 0))) for s in shapes]
        w[0][-1] = 0
    else:
        w = [(rng.standard_normal(s) * 2 / np.sqrt(s[0])).astype(np.float32) for s in shapes]
    hidden = (lambda z: (z > 0).astype(np.float32)) if a.recipe == "lrt" else (lambda z: 1 / (1 + np.exp(-z)))
    K, lr, batch = (1, 0.1, 128) if a.recipe == "bp" else (10, 1e-2, 32 if a.recipe == "lrt" else 128)

    def softmax(z):
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    for epoch in range(a.epochs):
        order = rng.permutation(len(xtr))
        for start in range(0, len(xtr), batch):
            idxs = order[start:start + batch]
            x, y = xtr[idxs], ytr[idxs]
            if a.recipe == "bp":
                h = hidden(x @ w[0])
                p = softmax(h @ w[1])
                d2 = p.copy()
                d2[np.arange(len(y)), y] -= 1
                d1 = (d2 @ w[1].T) * h * (1 - h)
                grads = [x.T @ d1 / len(y), h.T @ d2 / len(y)]
            else:
                xr, yr = np.tile(x, (K, 1)), np.tile(y, K)
                n1 = rng.laplace(0, 1, (len(xr), 50)).astype(np.float32)
                h = hidden(xr @ w[0] + n1)
                n2 = rng.laplace(0, 1, (len(xr), 10)).astype(np.float32)
                p = softmax(h @ w[1] + n2)
                loss = -np.log(p[np.arange(len(yr)), yr] + 1e-30)
                grads = [(xr * loss[:, None]).T @ np.sign(n1) / len(xr), (h * loss[:, None]).T @ np.sign(n2) / len(xr)]
            for i in range(2):
                w[i] -= lr * (grads[i] + 1e-4 * w[i])
        acc = (np.argmax(hidden(xte @ w[0]) @ w[1], axis=1) == yte).mean()
        print(f"epoch {epoch + 1}: test accuracy {acc:.4f}", flush=True)


if __name__ == "__main__":
    main()
