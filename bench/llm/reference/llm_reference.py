#!/usr/bin/python3
"""PyTorch-eager reference for bench/llm: the same decoder, workload and shapes as llm_bench.

The model is a plain re-implementation of the HF Qwen2 modelling code (RMSNorm in float32, RoPE
from positions, grouped-query attention by repeat_interleave, fp32 softmax, SwiGLU), loaded from
the folder that `recbench_llm_bench --write-model DIR` writes (config.json + model.safetensors),
so both sides start from identical weights and, with the same seed, see identical random tokens.

  train: `steps` AdamW steps (two groups, decay on matrices; clip 1.0) on [batch, seq_len]
         random tokens; reports tokens/s = batch * seq_len * steps / seconds.
  score: one prompt of prompt_len tokens runs once into a KV cache; `candidates` continuations of
         candidate_len tokens are scored in batches of `batch` (the cache broadcast to each
         batch); reports candidates/s.

Prints one JSON line. Run: /usr/bin/python3 bench/llm/reference/llm_reference.py --help
"""
import argparse
import json
import math
import os
import struct
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

DTYPES = {"F32": torch.float32, "BF16": torch.bfloat16, "F16": torch.float16}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        begin, end = e["data_offsets"]
        buf = bytearray(data[8 + n + begin:8 + n + end])
        out[name] = torch.frombuffer(buf, dtype=DTYPES[e["dtype"]]).reshape(e["shape"]).clone()
    return out


class RmsNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        h = x.to(torch.float32)
        h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * h.to(x.dtype)


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.h, self.kv, self.d = c["num_attention_heads"], c["num_key_value_heads"], c["head_dim"]
        bias = c["model_type"] == "qwen2"
        hid = c["hidden_size"]
        self.q_proj = nn.Linear(hid, self.h * self.d, bias=bias)
        self.k_proj = nn.Linear(hid, self.kv * self.d, bias=bias)
        self.v_proj = nn.Linear(hid, self.kv * self.d, bias=bias)
        self.o_proj = nn.Linear(self.h * self.d, hid, bias=False)

    def forward(self, x, cos, sin, bias, cache):
        b, t, _ = x.shape
        q = self.q_proj(x).view(b, t, self.h, self.d).transpose(1, 2)
        k = self.k_proj(x).view(b, t, self.kv, self.d).transpose(1, 2)
        v = self.v_proj(x).view(b, t, self.kv, self.d).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if cache is not None:
            if cache[0] is not None:
                k = torch.cat((cache[0], k), 2)
                v = torch.cat((cache[1], v), 2)
            cache[0], cache[1] = k, v
        if self.h != self.kv:
            k = k.repeat_interleave(self.h // self.kv, 1)
            v = v.repeat_interleave(self.h // self.kv, 1)
        scores = torch.matmul(q, k.transpose(-2, -1)).float() / math.sqrt(self.d)
        probs = torch.softmax(scores + bias, -1).to(q.dtype)
        return self.o_proj(torch.matmul(probs, v).transpose(1, 2).reshape(b, t, self.h * self.d))


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        hid, inter, eps = c["hidden_size"], c["intermediate_size"], c["rms_norm_eps"]
        self.input_layernorm = RmsNorm(hid, eps)
        self.self_attn = Attention(c)
        self.post_attention_layernorm = RmsNorm(hid, eps)
        self.mlp = nn.Module()
        self.mlp.gate_proj = nn.Linear(hid, inter, bias=False)
        self.mlp.up_proj = nn.Linear(hid, inter, bias=False)
        self.mlp.down_proj = nn.Linear(inter, hid, bias=False)

    def forward(self, x, cos, sin, bias, cache):
        h = x + self.self_attn(self.input_layernorm(x), cos, sin, bias, cache)
        m = self.mlp
        y = self.post_attention_layernorm(h)
        return h + m.down_proj(F.silu(m.gate_proj(y)) * m.up_proj(y))


class CausalLm(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.model = nn.Module()
        self.model.embed_tokens = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.model.layers = nn.ModuleList(Layer(c) for _ in range(c["num_hidden_layers"]))
        self.model.norm = RmsNorm(c["hidden_size"], c["rms_norm_eps"])
        self.lm_head = nn.Linear(c["hidden_size"], c["vocab_size"], bias=False)
        d = c["head_dim"]
        freq = 1.0 / (c["rope_theta"] ** (torch.arange(0, d, 2, dtype=torch.float64) / d))
        self.inv_freq = freq.float()

    def forward(self, ids, mask=None, cache=None):
        b, t = ids.shape
        past = 0 if cache is None or cache[0][0] is None else cache[0][0].shape[2]
        if mask is None:
            mask = torch.ones(b, past + t, dtype=torch.long)
        positions = (mask.cumsum(1) - 1).clamp_min(0)[:, past:]
        freqs = positions.float().unsqueeze(-1) * self.inv_freq
        angles = torch.cat((freqs, freqs), -1).unsqueeze(1)
        cos, sin = angles.cos(), angles.sin()
        allowed = (torch.arange(past + t).unsqueeze(0) <= torch.arange(past, past + t).unsqueeze(1))
        allowed = allowed.view(1, 1, t, past + t) & mask.bool().view(b, 1, 1, past + t)
        bias = torch.where(allowed, torch.zeros(()), torch.full((), torch.finfo(torch.float).min))
        h = self.model.embed_tokens(ids)
        for i, layer in enumerate(self.model.layers):
            h = layer(h, cos, sin, bias, None if cache is None else cache[i])
        return self.lm_head(self.model.norm(h))


def load(folder):
    with open(os.path.join(folder, "config.json")) as f:
        c = json.load(f)
    c.setdefault("head_dim", c["hidden_size"] // c["num_attention_heads"])
    model = CausalLm(c)
    weights = read_safetensors(os.path.join(folder, "model.safetensors"))
    missing, unexpected = model.load_state_dict(weights, strict=False)
    if missing or unexpected:
        raise SystemExit(f"{folder}: missing {missing}, unexpected {unexpected}")
    return model


def causal_lm_loss(logits, ids):
    return F.cross_entropy(logits[:, :-1].float().reshape(-1, logits.shape[-1]),
                           ids[:, 1:].reshape(-1))


def train(model, a):
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=1e-4, betas=(0.9, 0.95), eps=1e-8)
    torch.manual_seed(a.seed)
    ids = torch.randint(0, model.c["vocab_size"], (a.warmup + a.steps, a.batch, a.seq_len))
    model.train()
    losses, start, cpu = [], 0.0, 0.0
    for s in range(a.warmup + a.steps):
        if s == a.warmup:
            start, cpu = time.perf_counter(), time.process_time()
        loss = causal_lm_loss(model(ids[s]), ids[s])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad()
        losses.append(loss.item())
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    tokens = a.batch * a.seq_len * a.steps
    return {"tokens_per_s": tokens / seconds, "tokens_per_cpu_s": tokens / cpu,
            "seconds": seconds, "cpu_seconds": cpu,
            "first_loss": losses[0], "last_loss": losses[-1]}


def score(model, a):
    torch.manual_seed(a.seed)
    v = model.c["vocab_size"]
    prompt = torch.randint(0, v, (1, a.prompt_len))
    cands = torch.randint(0, v, (a.candidates, a.candidate_len))
    model.eval()
    total, start, cpu = 0.0, 0.0, 0.0
    with torch.no_grad():
        for rep in range(a.warmup + a.steps):
            if rep == a.warmup:
                start, cpu = time.perf_counter(), time.process_time()
            cache = [[None, None] for _ in model.model.layers]
            first = torch.log_softmax(model(prompt, cache=cache)[:, -1].float(), -1)
            sums = []
            for b0 in range(0, a.candidates, a.batch):
                c = cands[b0:b0 + a.batch]
                n = c.shape[0]
                shared = [[k.expand(n, -1, -1, -1), w.expand(n, -1, -1, -1)] for k, w in cache]
                mask = torch.ones(n, a.prompt_len + a.candidate_len - 1, dtype=torch.long)
                logits = model(c[:, :-1], mask=mask, cache=shared)
                pred = torch.cat((first.unsqueeze(1).expand(n, 1, v),
                                  torch.log_softmax(logits.float(), -1)), 1)
                sums.append(pred.gather(-1, c.unsqueeze(-1)).squeeze(-1).sum(1).double())
            total = torch.cat(sums).mean().item()
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    scored = a.candidates * a.steps
    return {"candidates_per_s": scored / seconds, "candidates_per_cpu_s": scored / cpu,
            "seconds": seconds, "cpu_seconds": cpu,
            "mean_score": total}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", required=True, help="folder written by recbench_llm_bench")
    p.add_argument("--task", choices=["train", "score"], required=True)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--steps", type=int, default=10, help="timed steps (score: repetitions)")
    p.add_argument("--warmup", type=int, default=2, help="untimed steps first")
    p.add_argument("--batch", type=int, default=8, help="train rows / score candidates per batch")
    p.add_argument("--seq-len", type=int, default=128)
    p.add_argument("--prompt-len", type=int, default=128)
    p.add_argument("--candidates", type=int, default=64)
    p.add_argument("--candidate-len", type=int, default=8)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    model = load(a.model)
    result = train(model, a) if a.task == "train" else score(model, a)
    result.update({"impl": "pytorch-eager", "task": a.task, "threads": a.threads,
                   "torch": torch.__version__,
                   "parameters": sum(t.numel() for t in model.parameters())})
    print(json.dumps(result))


if __name__ == "__main__":
    main()
