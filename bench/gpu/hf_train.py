#!/usr/bin/env python3
"""The transformers-eager side of the fine-tuning timing in bench/gpu/check.sh.

A random Qwen2.5-0.5B-shaped Qwen2ForCausalLM (the shape of recbench_llm_bench --size
qwen2.5-0.5b) trains with AdamW under bf16 autocast (float32 master weights), full or LoRA on
every linear (peft, base in bfloat16 as recbench keeps it), on random tokens with the loss on every
position; prints tokens/s, MFU and peak memory as one JSON line.

Usage: python3 bench/gpu/hf_train.py --lora 0|R --batch B --seq-len L --steps N --warmup W
       [--peak-tflops T]
"""
import argparse
import json
import time

import torch
import transformers


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--lora", type=int, default=0)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--seq-len", type=int, default=512)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--peak-tflops", type=float, default=0.0)
    a = p.parse_args()
    config = transformers.Qwen2Config(
        vocab_size=151936, hidden_size=896, intermediate_size=4864, num_hidden_layers=24,
        num_attention_heads=14, num_key_value_heads=2, max_position_embeddings=32768,
        rope_theta=1000000.0, rms_norm_eps=1e-6, tie_word_embeddings=True)
    config._attn_implementation = "eager"
    torch.manual_seed(0)
    model = transformers.AutoModelForCausalLM.from_config(config).cuda()
    params = sum(t.numel() for t in model.parameters())
    if a.lora > 0:
        import peft
        model = model.to(torch.bfloat16)
        model = peft.get_peft_model(model, peft.LoraConfig(
            r=a.lora, lora_alpha=2 * a.lora, lora_dropout=0.0,
            target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj",
                            "down_proj"]))
        for n, t in model.named_parameters():
            if t.requires_grad:
                t.data = t.data.float()
    model.train()
    opt = torch.optim.AdamW([t for t in model.parameters() if t.requires_grad], lr=1e-4,
                            betas=(0.9, 0.95), weight_decay=0.01)
    ids = torch.randint(0, config.vocab_size, (a.warmup + a.steps, a.batch, a.seq_len),
                        device="cuda")
    torch.cuda.reset_peak_memory_stats()
    losses = []
    for s in range(a.warmup + a.steps):
        if s == a.warmup:
            torch.cuda.synchronize()
            start = time.perf_counter()
        with torch.autocast("cuda", dtype=torch.bfloat16):
            loss = model(input_ids=ids[s], labels=ids[s]).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_([t for t in model.parameters() if t.requires_grad], 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        losses.append(loss.item())
    torch.cuda.synchronize()
    seconds = time.perf_counter() - start
    tokens = a.batch * a.seq_len * a.steps
    r = {"impl": "transformers-eager", "lora": a.lora, "tokens_per_s": tokens / seconds,
         "seconds": seconds, "first_loss": losses[0], "last_loss": losses[-1],
         "peak_device_memory_mb": torch.cuda.max_memory_allocated() / 2**20,
         "parameters": params, "transformers": transformers.__version__,
         "torch": torch.__version__}
    if a.peak_tflops > 0:
        r["mfu"] = (4 if a.lora else 6) * params * tokens / seconds / (a.peak_tflops * 1e12)
    print(json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
