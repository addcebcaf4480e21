#!/usr/bin/env python3
"""PyTorch reference for bench/gcnEpoch.ts: one 2-layer GCN training step on Cora.

Kipf & Welling (ICLR 2017) on the Planetoid split: 16 hidden units, dropout 0.5 on the input and
the hidden layer, Adam lr 0.01 with weight decay 5e-4 on the first layer only, cross-entropy on
the 140 training nodes. Features are row-normalised bag-of-words; the adjacency is
D^-1/2 (A + I) D^-1/2, sparse. With ``--features sparse`` X is a ``torch.sparse`` matrix and input
dropout drops its non-zeros (Kipf's ``sparse_dropout``, what @lab/core's Gcn does); with
``--features dense`` X is a dense 2708 x 1433 tensor (the pygcn / PyG default).

Data: ``$LAB_DATA_DIR/graphs/cora``, else ``<repo>/../shared/data/graphs/cora`` where <repo> is the
first directory above this file holding ``pnpm-workspace.yaml`` (as core's ``resolveDataDir``).

Usage (Debian's python3-torch is PyTorch 1.13; it lives in /usr/bin/python3):
    /usr/bin/python3 packages/core/bench/gcn_pytorch.py [--features sparse|dense|both]
        [--epochs 200] [--warmup 20] [--threads 1] [--seed 0] [--data DIR]
Prints a Markdown table: median and mean train-step ms over the timed epochs.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time

import torch
import torch.nn.functional as F


def resolve_data_dir(*sub):
    env = os.environ.get("LAB_DATA_DIR", "")
    if env:
        return os.path.join(os.path.abspath(env), *sub)
    here = os.path.dirname(os.path.abspath(__file__))
    d = here
    while True:
        if os.path.exists(os.path.join(d, "pnpm-workspace.yaml")):
            cand = os.path.abspath(os.path.join(d, "..", "shared", "data"))
            if os.path.isdir(cand):
                return os.path.join(cand, *sub)
            sys.exit(f"gcn_pytorch: {cand} (repo root {d}) does not exist; set LAB_DATA_DIR")
        parent = os.path.dirname(d)
        if parent == d:
            sys.exit(f"gcn_pytorch: no pnpm-workspace.yaml above {here}; set LAB_DATA_DIR")
        d = parent


def load_cora(folder):
    with open(os.path.join(folder, "meta.json")) as f:
        meta = json.load(f)
    n, nf = meta["nodes"], meta["features"]
    labels, train = [], []
    with open(os.path.join(folder, "nodes.csv")) as f:
        next(f)
        for line in f:
            node_id, label, split = line.strip().split(",")
            labels.append(int(label))
            if split == "train":
                train.append(int(node_id))
    src, dst = [], []
    with open(os.path.join(folder, "edges.csv")) as f:
        next(f)
        for line in f:
            s, t = line.strip().split(",")
            src.append(int(s))
            dst.append(int(t))
    rows, cols = [], []
    with open(os.path.join(folder, "features.txt")) as f:
        for i, line in enumerate(f):
            for tok in line.split():
                rows.append(i)
                cols.append(int(tok))
    assert len(labels) == n
    # Row-normalised features (Kipf's preprocess_features), as a coalesced sparse matrix.
    counts = torch.bincount(torch.tensor(rows), minlength=n).float()
    vals = 1.0 / counts[torch.tensor(rows)]
    x = torch.sparse_coo_tensor(torch.tensor([rows, cols]), vals, (n, nf)).coalesce()
    # D^-1/2 (A + I) D^-1/2 with both edge directions.
    loops = list(range(n))
    ai = torch.tensor([src + dst + loops, dst + src + loops])
    a = torch.sparse_coo_tensor(ai, torch.ones(ai.shape[1]), (n, n)).coalesce()
    deg = torch.sparse.sum(a, 1).to_dense()
    dinv = deg.pow(-0.5)
    idx = a.indices()
    a = torch.sparse_coo_tensor(idx, a.values() * dinv[idx[0]] * dinv[idx[1]], (n, n)).coalesce()
    return x, a, torch.tensor(labels), torch.tensor(train), meta


def glorot(fan_in, fan_out):
    w = torch.empty(fan_in, fan_out)
    torch.nn.init.xavier_uniform_(w)
    return torch.nn.Parameter(w)


class Gcn(torch.nn.Module):
    """Z = A relu(A drop(X) W1 + b1) -> drop -> A (. W2) + b2 (Kipf & Welling, eq. 9)."""

    def __init__(self, nf, hidden, nc, dropout, sparse_input):
        super().__init__()
        self.w1, self.b1 = glorot(nf, hidden), torch.nn.Parameter(torch.zeros(hidden))
        self.w2, self.b2 = glorot(hidden, nc), torch.nn.Parameter(torch.zeros(nc))
        self.dropout = dropout
        self.sparse_input = sparse_input

    def forward(self, x, a):
        if self.sparse_input:
            if self.training and self.dropout > 0:
                # Kipf's sparse_dropout: drop non-zeros of X, scale the kept ones by 1 / (1 - p).
                keep = torch.rand(x._nnz()) >= self.dropout
                vals = x._values() * keep / (1 - self.dropout)
                x = torch.sparse_coo_tensor(x._indices(), vals, x.shape)
            xw = torch.sparse.mm(x, self.w1)
        else:
            xw = torch.mm(F.dropout(x, self.dropout, self.training), self.w1)
        h = F.relu(torch.sparse.mm(a, xw) + self.b1)
        h = F.dropout(h, self.dropout, self.training)
        return torch.sparse.mm(a, torch.mm(h, self.w2)) + self.b2


def bench(mode, x, a, labels, train, args):
    torch.manual_seed(args.seed)
    nc = int(labels.max()) + 1
    xin = x if mode == "sparse" else x.to_dense()
    model = Gcn(x.shape[1], args.hidden, nc, 0.5, mode == "sparse")
    opt = torch.optim.Adam(
        [
            {"params": [model.w1], "weight_decay": 5e-4},
            {"params": [model.b1, model.w2, model.b2], "weight_decay": 0.0},
        ],
        lr=0.01,
    )
    model.train()
    times = []
    for epoch in range(args.warmup + args.epochs):
        t0 = time.perf_counter()
        opt.zero_grad()
        out = model(xin, a)
        loss = F.cross_entropy(out[train], labels[train])
        loss.backward()
        opt.step()
        loss_value = loss.item()
        ms = (time.perf_counter() - t0) * 1e3
        if epoch >= args.warmup:
            times.append(ms)
    model.eval()
    with torch.no_grad():
        pred = model(xin, a).argmax(1)
    acc = (pred[train] == labels[train]).float().mean().item()
    return statistics.mean(times), statistics.median(times), loss_value, acc


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--features", choices=["sparse", "dense", "both"], default="both")
    p.add_argument("--epochs", type=int, default=200)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--hidden", type=int, default=16)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--data", default=None)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    folder = args.data or resolve_data_dir("graphs", "cora")
    x, a, labels, train, meta = load_cora(folder)
    modes = ["sparse", "dense"] if args.features == "both" else [args.features]
    print(
        f"GCN train step on {meta['name']}: {x.shape[0]} nodes, {x._nnz()} feature non-zeros, "
        f"PyTorch {torch.__version__}, {torch.get_num_threads()} thread(s), "
        f"{args.epochs} timed epochs after {args.warmup} warm-up, {platform.machine()}",
        file=sys.stderr,
    )
    print("| implementation | features | ms/epoch (median) | ms/epoch (mean) | final loss | train acc |")
    print("|---|---|---|---|---|---|")
    for mode in modes:
        mean_ms, median_ms, loss, acc = bench(mode, x, a, labels, train, args)
        print(
            f"| PyTorch {torch.__version__} ({torch.get_num_threads()} thread) | {mode} | "
            f"{median_ms:.2f} | {mean_ms:.2f} | {loss:.3f} | {acc:.3f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
