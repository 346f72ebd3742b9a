#!/usr/bin/env python3
"""Logits parity of recbench's decoder with Hugging Face transformers, on the GPU machine.

For tiny random Llama, Qwen2, Qwen3 and Mistral models (written by transformers itself), compares
next-token log-probabilities of `recbench llm logprobs` with transformers' on the same device:
float32 to 1e-4, bfloat16 within bfloat16's tolerance. Prints one JSON line per model and dtype;
exits 1 when a comparison fails.

Usage: python3 bench/gpu/hf_parity.py RECBENCH_BINARY WORK_DIR [--device cuda]
"""
import json
import subprocess
import sys

import torch
import transformers

FAMILIES = {
    "llama": (transformers.LlamaConfig, {}),
    "qwen2": (transformers.Qwen2Config, {}),
    "qwen3": (transformers.Qwen3Config, {"head_dim": 32}),
    "mistral": (transformers.MistralConfig, {"sliding_window": 4096}),
}
COMMON = dict(vocab_size=512, hidden_size=128, intermediate_size=256, num_hidden_layers=2,
              num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
              rms_norm_eps=1e-6, tie_word_embeddings=False)
TOLERANCE = {"float32": 1e-4, "bfloat16": 0.1}  # max |Δ log p|; bf16 keeps 8 significant bits


def hf_logprobs(model, ids, device):
    with torch.no_grad():
        logits = model(torch.tensor([ids], device=device)).logits[0].float()
    lp = torch.log_softmax(logits, -1)
    return [lp[i - 1, ids[i]].item() for i in range(1, len(ids))]


def main():
    binary, work = sys.argv[1], sys.argv[2]
    device = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--device" else "cuda"
    torch.manual_seed(0)
    ids = torch.randint(0, COMMON["vocab_size"], (48,)).tolist()
    failed = False
    for name, (config_class, extra) in FAMILIES.items():
        config = config_class(**COMMON, **extra)
        model = transformers.AutoModelForCausalLM.from_config(config).to(torch.float32)
        folder = f"{work}/{name}"
        model.save_pretrained(folder, safe_serialization=True)
        for dtype in ("float32", "bfloat16"):
            ref = hf_logprobs(model.to(device, getattr(torch, dtype)).eval(), ids, device)
            out = subprocess.run([binary, "llm", "logprobs", "--model", folder, "--ids",
                                  ",".join(map(str, ids)), "--device", device, "--dtype", dtype],
                                 check=True, capture_output=True, text=True).stdout
            got = json.loads(out)["logprobs"]
            diff = max(abs(a - b) for a, b in zip(ref, got))
            ok = diff <= TOLERANCE[dtype]
            failed |= not ok
            print(json.dumps({"model": name, "dtype": dtype, "max_abs_diff": diff,
                              "tolerance": TOLERANCE[dtype], "ok": ok,
                              "transformers": transformers.__version__}), flush=True)
            model.to(torch.float32)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
