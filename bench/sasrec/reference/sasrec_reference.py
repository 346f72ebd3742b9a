#!/usr/bin/python3
"""PyTorch eager reference of SASRec trained RecBole's way, for bench/sasrec.

Same data (a RecBole atomic .inter file), same leave-one-out split as recbench, prefix
augmentation (one sample per prefix, max_len items), last-position cross-entropy over all items,
RecBole's default hyper-parameters (2 layers, 2 heads, hidden 64, inner 256, dropout 0.5, Adam
lr 1e-3, batch 2048). Validation NDCG@10 on full ranking after every epoch. Prints JSON with the
per-epoch wall time and validation metric. Runs on Debian's python3-torch (same LibTorch 1.13).
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def read_inter(path):
    """Reads user, item, timestamp columns of a RecBole .inter file (file order breaks ties)."""
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        names = [h.split(":")[0] for h in header]
        u, i, t = names.index("user_id"), names.index("item_id"), names.index("timestamp")
        rows = []
        for n, line in enumerate(f):
            parts = line.rstrip("\n").split("\t")
            rows.append((parts[u], float(parts[t]), n, parts[i]))
    rows.sort(key=lambda r: (r[0], r[1], r[2]))
    item_ids, users = {}, {}
    for user, _, _, item in rows:
        item_ids.setdefault(item, len(item_ids) + 1)
        users.setdefault(user, []).append(item_ids[item])
    return [users[k] for k in sorted(users)], len(item_ids) + 1


class SASRec(nn.Module):
    def __init__(self, n_items, max_len, hidden=64, inner=256, layers=2, heads=2, dropout=0.5):
        super().__init__()
        self.item = nn.Embedding(n_items, hidden, padding_idx=0)
        self.pos = nn.Embedding(max_len, hidden)
        self.norm = nn.LayerNorm(hidden, eps=1e-12)
        self.drop = nn.Dropout(dropout)
        layer = nn.TransformerEncoderLayer(hidden, heads, inner, dropout, activation="gelu",
                                           batch_first=True, norm_first=False,
                                           layer_norm_eps=1e-12)
        self.encoder = nn.TransformerEncoder(layer, layers)
        self.apply(self._init)

    @staticmethod
    def _init(m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            m.weight.data.normal_(0.0, 0.02)
        if isinstance(m, nn.Linear) and m.bias is not None:
            m.bias.data.zero_()

    def forward(self, seq, lengths):
        L = seq.size(1)
        x = self.item(seq) + self.pos(torch.arange(L, device=seq.device))[None]
        x = self.drop(self.norm(x))
        causal = torch.triu(torch.ones(L, L, dtype=torch.bool, device=seq.device), 1)
        h = self.encoder(x, mask=causal, src_key_padding_mask=seq == 0)
        return h[torch.arange(seq.size(0)), lengths - 1]


def left_aligned(seqs, max_len):
    out = torch.zeros(len(seqs), max_len, dtype=torch.long)
    lengths = torch.zeros(len(seqs), dtype=torch.long)
    for r, s in enumerate(seqs):
        s = s[-max_len:]
        out[r, : len(s)] = torch.tensor(s)
        lengths[r] = len(s)
    return out, lengths


def ndcg_at_10(model, histories, targets, max_len):
    model.eval()
    with torch.no_grad():
        seq, lengths = left_aligned(histories, max_len)
        scores = model(seq, lengths) @ model.item.weight.T
        scores[:, 0] = -math.inf
        t = torch.tensor(targets)
        target = scores[torch.arange(len(t)), t]
        rank = (scores > target[:, None]).sum(1) + (scores == target[:, None]).sum(1)  # pessimistic
        ndcg = torch.where(rank <= 10, 1.0 / torch.log2(rank.double() + 1), torch.zeros(1).double())
    model.train()
    return ndcg.mean().item()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("inter")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--max-len", type=int, default=50)
    ap.add_argument("--batch", type=int, default=2048)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    users, n_items = read_inter(args.inter)
    train = [s[:-2] for s in users]
    valid_hist, valid_tgt = [s[:-2] for s in users], [s[-2] for s in users]
    prefixes = [(s[max(0, t - args.max_len):t], s[t]) for s in train for t in range(1, len(s))]
    seq, lengths = left_aligned([p for p, _ in prefixes], args.max_len)
    target = torch.tensor([t for _, t in prefixes])

    model = SASRec(n_items, args.max_len)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    curve, start = [], time.perf_counter()
    gen = torch.Generator().manual_seed(args.seed)
    for epoch in range(args.epochs):
        t0 = time.perf_counter()
        order = torch.randperm(len(target), generator=gen)
        total = 0.0
        for b in range(0, len(order), args.batch):
            idx = order[b : b + args.batch]
            out = model(seq[idx], lengths[idx])
            loss = F.cross_entropy(out @ model.item.weight.T, target[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        train_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        ndcg = ndcg_at_10(model, valid_hist, valid_tgt, args.max_len)
        eval_s = time.perf_counter() - t1
        curve.append({"epoch": epoch, "loss": total / len(target), "valid_ndcg10": ndcg,
                      "train_seconds": train_s, "eval_seconds": eval_s,
                      "elapsed": time.perf_counter() - start})
        print(json.dumps(curve[-1]), flush=True)
    print(json.dumps({"samples": len(target), "users": len(users), "items": n_items - 1,
                      "curve": curve}))


if __name__ == "__main__":
    main()
