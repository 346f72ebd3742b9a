#!/usr/bin/python3
"""Independent reference for recbench's LLM decoder (Debian's python3-torch, no transformers).

Writes tiny Qwen2- and Qwen3-style checkpoints (config.json + model.safetensors, serialised here by
hand, not with recbench's writer) and the logits of a padded batch computed by a plain PyTorch
re-implementation of the HF modelling code, into tests/fixtures/llm/<name>/. The C++ test loads the
same files and compares its logits to 1e-4.

Run:  /usr/bin/python3 tests/reference/llm_reference.py
"""
import json
import math
import os
import struct

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "llm")

CONFIGS = {
    # Qwen2: q/k/v bias, untied head, GQA (4 query heads share 2 kv heads).
    "tiny_qwen2": dict(model_type="qwen2", vocab_size=96, hidden_size=32, intermediate_size=64,
                       num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                       head_dim=8, rope_theta=1000000.0, rms_norm_eps=1e-6,
                       tie_word_embeddings=False, max_position_embeddings=128),
    # Qwen3: per-head q/k RMSNorm, tied head, head_dim != hidden/heads, llama3 rope scaling.
    "tiny_qwen3": dict(model_type="qwen3", vocab_size=96, hidden_size=32, intermediate_size=48,
                       num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=1,
                       head_dim=16, rope_theta=10000.0, rms_norm_eps=1e-6,
                       tie_word_embeddings=True, max_position_embeddings=128, attention_bias=False,
                       rope_scaling=dict(rope_type="llama3", factor=8.0, low_freq_factor=1.0,
                                         high_freq_factor=4.0,
                                         original_max_position_embeddings=16)),
}

INPUT_IDS = [[0, 0, 5, 17, 33, 2, 91, 40], [1, 2, 3, 4, 5, 6, 7, 8], [0, 0, 0, 0, 0, 60, 61, 95]]
ATTENTION_MASK = [[0, 0, 1, 1, 1, 1, 1, 1], [1] * 8, [0, 0, 0, 0, 0, 1, 1, 1]]


def make_weights(cfg, seed):
    """Random weights with HF names; norms and biases non-trivial so that they are exercised."""
    g = torch.Generator().manual_seed(seed)
    h, i, d = cfg["hidden_size"], cfg["intermediate_size"], cfg["head_dim"]
    nq, nkv, v = cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["vocab_size"]

    def rnd(*shape, scale=0.2):
        return torch.randn(*shape, generator=g) * scale

    w = {"model.embed_tokens.weight": rnd(v, h, scale=1.0)}
    for layer in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{layer}."
        w[p + "input_layernorm.weight"] = 1 + rnd(h, scale=0.1)
        w[p + "post_attention_layernorm.weight"] = 1 + rnd(h, scale=0.1)
        w[p + "self_attn.q_proj.weight"] = rnd(nq * d, h)
        w[p + "self_attn.k_proj.weight"] = rnd(nkv * d, h)
        w[p + "self_attn.v_proj.weight"] = rnd(nkv * d, h)
        w[p + "self_attn.o_proj.weight"] = rnd(h, nq * d)
        if cfg["model_type"] == "qwen2":
            w[p + "self_attn.q_proj.bias"] = rnd(nq * d)
            w[p + "self_attn.k_proj.bias"] = rnd(nkv * d)
            w[p + "self_attn.v_proj.bias"] = rnd(nkv * d)
        if cfg["model_type"] == "qwen3":
            w[p + "self_attn.q_norm.weight"] = 1 + rnd(d, scale=0.1)
            w[p + "self_attn.k_norm.weight"] = 1 + rnd(d, scale=0.1)
        w[p + "mlp.gate_proj.weight"] = rnd(i, h)
        w[p + "mlp.up_proj.weight"] = rnd(i, h)
        w[p + "mlp.down_proj.weight"] = rnd(h, i)
    w["model.norm.weight"] = 1 + rnd(h, scale=0.1)
    if not cfg["tie_word_embeddings"]:
        w["lm_head.weight"] = rnd(v, h)
    return w


def write_safetensors(path, tensors):
    """Minimal safetensors writer: 8-byte little-endian header length, JSON header, raw data."""
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in tensors.items():
        data = t.contiguous().to(torch.float32).numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def inv_freq(cfg):
    d, theta = cfg["head_dim"], cfg["rope_theta"]
    freq = 1.0 / (theta ** (torch.arange(0, d, 2, dtype=torch.float64) / d))
    s = cfg.get("rope_scaling")
    if s and s["rope_type"] == "llama3":
        old = s["original_max_position_embeddings"]
        low_wl, high_wl = old / s["low_freq_factor"], old / s["high_freq_factor"]
        wl = 2 * math.pi / freq
        smooth = (old / wl - s["low_freq_factor"]) / (s["high_freq_factor"] - s["low_freq_factor"])
        mid = (1 - smooth) * freq / s["factor"] + smooth * freq
        freq = torch.where(wl > low_wl, freq / s["factor"], torch.where(wl < high_wl, freq, mid))
    return freq.to(torch.float32)


def rms_norm(x, weight, eps):
    x32 = x.to(torch.float32)
    return weight * (x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + eps)).to(x.dtype)


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def forward(cfg, w, ids, mask):
    b, t = ids.shape
    nq, nkv, d, eps = (cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["head_dim"],
                       cfg["rms_norm_eps"])
    pos = (mask.cumsum(-1) - 1).clamp(min=0)
    freqs = pos[:, :, None].float() * inv_freq(cfg)[None, None, :]
    emb = torch.cat((freqs, freqs), dim=-1)[:, None]
    cos, sin = emb.cos(), emb.sin()
    causal = torch.tril(torch.ones(t, t, dtype=torch.bool))
    allowed = causal[None, None] & mask.bool()[:, None, None, :]
    bias = torch.zeros(b, 1, t, t).masked_fill(~allowed, torch.finfo(torch.float32).min)
    x = w["model.embed_tokens.weight"][ids]
    for layer in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{layer}."
        lin = lambda name, y: torch.nn.functional.linear(y, w[p + name + ".weight"],
                                                         w.get(p + name + ".bias"))
        hs = rms_norm(x, w[p + "input_layernorm.weight"], eps)
        q = lin("self_attn.q_proj", hs).view(b, t, nq, d)
        k = lin("self_attn.k_proj", hs).view(b, t, nkv, d)
        v = lin("self_attn.v_proj", hs).view(b, t, nkv, d).transpose(1, 2)
        if cfg["model_type"] == "qwen3":
            q = rms_norm(q, w[p + "self_attn.q_norm.weight"], eps)
            k = rms_norm(k, w[p + "self_attn.k_norm.weight"], eps)
        q, k = q.transpose(1, 2), k.transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        # HF repeat_kv: expand then reshape (kv head j serves query heads j*rep .. j*rep+rep-1)
        rep = nq // nkv
        k = k[:, :, None].expand(b, nkv, rep, t, d).reshape(b, nq, t, d)
        v = v[:, :, None].expand(b, nkv, rep, t, d).reshape(b, nq, t, d)
        scores = q @ k.transpose(2, 3) / math.sqrt(d) + bias
        attn = torch.softmax(scores, dim=-1) @ v
        x = x + lin("self_attn.o_proj", attn.transpose(1, 2).reshape(b, t, nq * d))
        hs = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        x = x + lin("mlp.down_proj", torch.nn.functional.silu(lin("mlp.gate_proj", hs)) *
                    lin("mlp.up_proj", hs))
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if cfg["tie_word_embeddings"] else w["lm_head.weight"]
    return x @ head.T


def main():
    for seed, (name, cfg) in enumerate(sorted(CONFIGS.items())):
        folder = os.path.join(OUT, name)
        os.makedirs(folder, exist_ok=True)
        weights = make_weights(cfg, seed + 1)
        write_safetensors(os.path.join(folder, "model.safetensors"), weights)
        with open(os.path.join(folder, "config.json"), "w") as f:
            json.dump(dict(cfg, architectures=[name.replace("tiny_", "").capitalize() +
                                               "ForCausalLM"], hidden_act="silu"), f, indent=2)
        ids, mask = torch.tensor(INPUT_IDS), torch.tensor(ATTENTION_MASK)
        with torch.no_grad():
            logits = forward(cfg, weights, ids, mask)
        ref = {"generator": "tests/reference/llm_reference.py, torch " + torch.__version__,
               "input_ids": INPUT_IDS, "attention_mask": ATTENTION_MASK,
               "logits": [[[round(float(x), 7) for x in row] for row in seq] for seq in logits]}
        with open(os.path.join(folder, "reference_logits.json"), "w") as f:
            json.dump(ref, f)
        print(f"wrote {folder}: logits {tuple(logits.shape)}")


if __name__ == "__main__":
    main()
