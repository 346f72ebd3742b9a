// Hugging Face model folders: load a CausalLm (config.json + safetensors), save it, LoRA adapters.
#pragma once

#include <torch/types.h>

#include <filesystem>
#include <optional>
#include <ostream>

#include "recbench/export.h"
#include "recbench/llm/model.h"
#include "recbench/precision.h"

namespace recbench::llm {

//! Precision a device runs in by default: float32 on CPU, bfloat16 on CUDA.
RECBENCH_API torch::ScalarType default_dtype(const torch::Device& device);

/// Builds the model of `dir/config.json` and loads its weights (model.safetensors or the sharded
/// index) onto `device` in `dtype` (default: default_dtype(device)). Every parameter must be
/// present with the right shape; a missing or unexpected tensor is a DataError naming it.
RECBENCH_API CausalLm load_model(const std::filesystem::path& dir, const torch::Device& device,
                                 std::optional<torch::ScalarType> dtype = std::nullopt);

/// Puts `model`'s weights in the dtypes `precision` keeps them in: trainable ones (all, or the
/// LoRA adapters) in master_dtype (float32 except pure bf16), frozen ones in frozen_dtype (the
/// compute dtype: a LoRA base under bf16-mixed takes half the memory). Call after add_lora.
RECBENCH_API void cast_for_training(CausalLm& model, Precision precision);

//! Copies the tensors of `dir`'s checkpoint into `model` (shapes checked, dtype converted).
RECBENCH_API void load_weights(CausalLm& model, const std::filesystem::path& dir);

/// Writes config.json and the weights (LoRA adapters excluded; merge them first to keep them)
/// so that HF transformers loads the folder; shards above `max_shard_bytes`.
RECBENCH_API void save_model(const CausalLm& model, const std::filesystem::path& dir,
                             uint64_t max_shard_bytes = 5ull << 30);

//! Writes the attached LoRA adapter as PEFT does: adapter_config.json + adapter_model.safetensors.
RECBENCH_API void save_lora_adapter(const CausalLm& model, const std::filesystem::path& dir);

//! Attaches the adapter saved in `dir` (by save_lora_adapter or PEFT) to `model`.
RECBENCH_API void load_lora_adapter(CausalLm& model, const std::filesystem::path& dir);

/// Prints the architecture, sizes and parameter count of the model folder `dir` (config.json
/// and, when present, the tensors' dtypes and stored parameter count) — `recbench llm info`.
RECBENCH_API void print_model_info(const std::filesystem::path& dir, std::ostream& out);

}  // namespace recbench::llm
