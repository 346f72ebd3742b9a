#!/usr/bin/python3
"""PyTorch eager reference of SASRec trained RecBole's way, for bench/sasrec.

Same data (the RecBole atomic .inter file the C++ side reads), the same leave-one-out split as
recbench (last item test, second to last validation, the rest training), prefix augmentation (one
sample per prefix t >= 1 of each training sequence, the max_len items before t), last-position
cross-entropy over all items, RecBole's SASRec and its default hyper-parameters (2 layers, 2
heads, hidden 64, inner 256, dropout 0.5 on sublayers and attention, LayerNorm eps 1e-12,
N(0, 0.02) init, Adam lr 1e-3, batch 2048). The Transformer layer is written out as RecBole's
(post-LN, no dropout inside the feed-forward network), not torch.nn.TransformerEncoderLayer,
which has an extra dropout and Xavier-initialised attention projections. Validation: NDCG@10 by
full ranking (pessimistic ties, history not masked) after every epoch. Prints one JSON line per
epoch and a final JSON summary. Runs on Debian's python3-torch (the same LibTorch 1.13).
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def read_inter(path):
    """User sequences from a RecBole .inter file, time-sorted (file order breaks ties)."""
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


class Layer(nn.Module):
    """RecBole's TransformerLayer: LayerNorm(x + Dropout(MHA(x))), LayerNorm(h + Dropout(FFN(h)))."""

    def __init__(self, hidden, heads, inner, dropout, attn_dropout, eps):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(hidden, 3 * hidden)
        self.out = nn.Linear(hidden, hidden)
        self.ff1 = nn.Linear(hidden, inner)
        self.ff2 = nn.Linear(inner, hidden)
        self.norm1 = nn.LayerNorm(hidden, eps=eps)
        self.norm2 = nn.LayerNorm(hidden, eps=eps)
        self.attn_drop = nn.Dropout(attn_dropout)
        self.drop = nn.Dropout(dropout)

    def forward(self, x, mask):
        b, length, d = x.shape
        q, k, v = self.qkv(x).view(b, length, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        scores = q @ k.transpose(-1, -2) / math.sqrt(d // self.heads) + mask
        context = self.attn_drop(torch.softmax(scores, -1)) @ v
        h = self.norm1(x + self.drop(self.out(context.permute(0, 2, 1, 3).reshape(b, length, d))))
        return self.norm2(h + self.drop(self.ff2(F.gelu(self.ff1(h)))))


class SASRec(nn.Module):
    def __init__(self, n_items, max_len, hidden=64, inner=256, layers=2, heads=2, dropout=0.5,
                 attn_dropout=0.5, eps=1e-12):
        super().__init__()
        self.item = nn.Embedding(n_items, hidden, padding_idx=0)
        self.pos = nn.Embedding(max_len, hidden)
        self.norm = nn.LayerNorm(hidden, eps=eps)
        self.drop = nn.Dropout(dropout)
        self.layers = nn.ModuleList(
            Layer(hidden, heads, inner, dropout, attn_dropout, eps) for _ in range(layers))
        self.apply(self._init)

    @staticmethod
    def _init(m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            m.weight.data.normal_(0.0, 0.02)
        if isinstance(m, nn.Linear) and m.bias is not None:
            m.bias.data.zero_()
        if isinstance(m, nn.LayerNorm):
            m.weight.data.fill_(1.0)
            m.bias.data.zero_()

    def forward(self, seq, lengths):
        length = seq.size(1)
        x = self.item(seq) + self.pos(torch.arange(length, device=seq.device))[None]
        x = self.drop(self.norm(x))
        # RecBole's get_attention_mask: causal and key-not-padding, else -10000.
        allowed = torch.tril((seq != 0)[:, None, None, :].expand(-1, 1, length, -1))
        mask = torch.where(allowed, 0.0, -10000.0)
        for layer in self.layers:
            x = layer(x, mask)
        return x[torch.arange(seq.size(0)), lengths - 1]


def left_aligned(seqs, max_len):
    out = torch.zeros(len(seqs), max_len, dtype=torch.long)
    lengths = torch.zeros(len(seqs), dtype=torch.long)
    for r, s in enumerate(seqs):
        s = s[-max_len:]
        out[r, : len(s)] = torch.tensor(s)
        lengths[r] = len(s)
    return out, lengths


def ndcg_at_10(model, seq, lengths, targets):
    model.eval()
    with torch.no_grad():
        scores = model(seq, lengths) @ model.item.weight.T
        scores[:, 0] = -math.inf
        target = scores[torch.arange(len(targets)), targets]
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
    ap.add_argument("--time-limit", type=float, default=0.0,
                    help="stop after the epoch that passes this many seconds (0: no limit)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    users, n_items = read_inter(args.inter)
    train = [s[:-2] for s in users]
    valid_seq, valid_len = left_aligned(train, args.max_len)
    valid_tgt = torch.tensor([s[-2] for s in users])
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
        ndcg = ndcg_at_10(model, valid_seq, valid_len, valid_tgt)
        eval_s = time.perf_counter() - t1
        curve.append({"epoch": epoch, "loss": total / len(target), "valid_ndcg10": ndcg,
                      "train_seconds": train_s, "eval_seconds": eval_s,
                      "elapsed": time.perf_counter() - start})
        print(json.dumps(curve[-1]), flush=True)
        if args.time_limit > 0 and curve[-1]["elapsed"] > args.time_limit:
            break
    best = max(curve, key=lambda c: c["valid_ndcg10"])
    print(json.dumps({"samples": len(target), "users": len(users), "items": n_items - 1,
                      "best_epoch": best["epoch"], "best_valid_ndcg10": best["valid_ndcg10"],
                      "seconds_to_best": best["elapsed"], "curve": curve}))


if __name__ == "__main__":
    main()
