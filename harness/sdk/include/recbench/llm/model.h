// Decoder-only causal LM (Llama/Qwen2/Qwen3 architecture) in LibTorch, with KV cache and LoRA
// hooks.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>
#include <torch/version.h>

#include <optional>
#include <string>
#include <vector>

#include "recbench/export.h"
#include "recbench/llm/config.h"

namespace recbench::llm {

//! Keys and values of every layer for the tokens seen so far ([B, kv_heads, S, head_dim] each).
struct RECBENCH_API KvCache {
  std::vector<torch::Tensor> keys;    //!< one per layer (undefined until the first forward)
  std::vector<torch::Tensor> values;  //!< one per layer
  torch::Tensor attention_mask;       //!< [B, S] 1 = real token, 0 = padding (may be undefined)

  //! Tokens cached so far (S).
  int64_t length() const;
  //! The cache repeated along the batch: row b of the result is row b / repeats of this one.
  KvCache repeat_batch(int64_t repeats) const;
};

//! How a new model's weights are created.
struct RECBENCH_API ModelInit {
  torch::ScalarType dtype = torch::kFloat;  //!< dtype of every weight
  torch::Device device = torch::kCPU;       //!< where the weights live
  /// true: random weights (drawn in float32 on the CPU, as always, then converted one tensor at a
  /// time); false: uninitialised memory, for a load that overwrites every weight — no random
  /// float32 model is ever built (load_model).
  bool random = true;
};

//! Options of the low-rank adapter put on a linear layer.
struct LoraSpec {
  int64_t rank = 8;      //!< r
  double alpha = 16.0;   //!< scaling = alpha / rank
  double dropout = 0.0;  //!< dropout on the adapter's input (training only)
};

/// A linear layer (y = x W^T + b) that can carry a LoRA adapter: y += scale * B(A(dropout(x))).
/// Parameter names follow HF ("weight", "bias") and PEFT ("lora_A.weight", "lora_B.weight").
class RECBENCH_API LoraLinearImpl : public torch::nn::Module {
 public:
  LoraLinearImpl(int64_t in_features, int64_t out_features, bool bias, const ModelInit& init = {});
  torch::Tensor forward(const torch::Tensor& x);
  /// Adds an adapter; A is Kaiming-uniform, B is zero (so the output is unchanged at first). The
  /// adapter is float32 unless the weight is float64 (a bfloat16 base under bf16-mixed keeps
  /// float32 adapters, which the optimizer updates).
  void add_lora(const LoraSpec& spec);
  //! Folds the adapter into the weight (W += scale * B A) and removes it.
  void merge_lora();
  //! Whether an adapter is attached.
  bool has_lora() const { return lora_a_.defined(); }

  torch::Tensor weight;  //!< [out, in]
  torch::Tensor bias;    //!< [out] or undefined

 private:
  torch::Tensor lora_a_, lora_b_;  //!< [rank, in], [out, rank] (submodules lora_A, lora_B)
  double lora_scale_ = 0.0;
  double lora_dropout_ = 0.0;
};
TORCH_MODULE(LoraLinear);

//! Root-mean-square layer norm, computed in float32 like HF.
class RECBENCH_API RmsNormImpl : public torch::nn::Module {
 public:
  RmsNormImpl(int64_t dim, double eps, const ModelInit& init = {});
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight;  //!< [dim], initialised to 1

 private:
  double eps_;
};
TORCH_MODULE(RmsNorm);

//! Result of a forward pass.
struct RECBENCH_API LmOutput {
  torch::Tensor logits;  //!< [B, T, vocab] in the model's dtype (undefined if not asked for)
  torch::Tensor hidden;  //!< [B, T, hidden] after the final norm
};

//! Inputs of a forward pass beyond the token ids / embeddings.
struct RECBENCH_API ForwardOptions {
  /// [B, S_past + T]: 1 for real tokens, 0 for padding (left or right). Undefined: all real.
  /// With a cache, the cache's own mask is prepended when this covers only the new T tokens.
  torch::Tensor attention_mask;
  KvCache* cache = nullptr;    //!< when set, attends to and appends to this cache
  bool compute_logits = true;  //!< false skips the output head (embeddings only)
  /// Only the last `logits_last` positions get logits (0 = all); saves memory for scoring.
  int64_t logits_last = 0;
};

/// Llama/Qwen2/Qwen3 decoder with HF parameter names: model.embed_tokens.weight,
/// model.layers.N.{input_layernorm,self_attn.{q,k,v,o}_proj,post_attention_layernorm,
/// mlp.{gate,up,down}_proj}, model.norm.weight, lm_head.weight (absent when tied).
/// Runs in the dtype and on the device of its parameters (move it with ->to(device, dtype)).
class RECBENCH_API CausalLmImpl : public torch::nn::Module {
 public:
  explicit CausalLmImpl(const ModelConfig& config, const ModelInit& init = {});

  //! Forward from token ids [B, T].
  LmOutput forward(const torch::Tensor& input_ids, const ForwardOptions& options = {});
  //! Forward from input embeddings [B, T, hidden] (e.g. with placeholder rows replaced).
  LmOutput forward_embeds(const torch::Tensor& embeds, const ForwardOptions& options = {});
  //! Input embeddings of token ids: [B, T] -> [B, T, hidden].
  torch::Tensor embed(const torch::Tensor& input_ids);
  //! Output-head logits of final hidden states.
  torch::Tensor logits(const torch::Tensor& hidden);
  //! A fresh cache for this model.
  KvCache new_cache() const;

  /// Adds LoRA adapters to every linear whose name ends with one of `targets`
  /// (e.g. "q_proj", "v_proj"); freezes all other parameters. Returns how many were added.
  int64_t add_lora(const LoraSpec& spec, const std::vector<std::string>& targets);
  //! Merges every adapter into its base weight (then the model saves as a plain checkpoint).
  void merge_lora();
  /// Training forwards recompute each decoder layer's activations in backward instead of keeping
  /// them (activation checkpointing): memory of one layer's activations instead of all, for about
  /// one more forward pass of compute. Dropout draws the same masks in both passes.
  void set_activation_checkpointing(bool on) { checkpoint_layers_ = on; }
  bool activation_checkpointing() const { return checkpoint_layers_; }
  /// Attention through at::scaled_dot_product_attention (flash / memory-efficient kernels) when
  /// this LibTorch has it (2.5 or later: kHasSdpa); otherwise, or when off, the explicit
  /// softmax(QK^T)V path. Both give the same outputs (tested where SDPA exists).
  void set_fused_attention(bool on) { fused_attention_ = on && kHasSdpa; }
  bool fused_attention() const { return fused_attention_; }
  //! Whether this build's LibTorch offers scaled_dot_product_attention with grouped-query support.
  static constexpr bool kHasSdpa = TORCH_VERSION_MAJOR > 2 ||
                                   (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 5);

  const ModelConfig& config() const { return config_; }
  //! The adapter settings of the last add_lora (empty when none is attached).
  const std::optional<LoraSpec>& lora_spec() const { return lora_spec_; }
  //! The target module suffixes of the last add_lora.
  const std::vector<std::string>& lora_targets() const { return lora_targets_; }
  //! Parameters by HF name, excluding LoRA adapters and the tied head.
  std::vector<std::pair<std::string, torch::Tensor>> hf_state() const;
  //! The LoRA parameters by name ("...q_proj.lora_A.weight").
  std::vector<std::pair<std::string, torch::Tensor>> lora_state() const;

 private:
  struct Decoder;  //!< the "model" submodule: embed_tokens, layers, norm
  ModelConfig config_;
  std::shared_ptr<Decoder> decoder_;
  torch::Tensor lm_head_;   //!< lm_head.weight (undefined when tied)
  torch::Tensor inv_freq_;  //!< RoPE inverse frequencies (float32, not a parameter)
  std::optional<LoraSpec> lora_spec_;
  std::vector<std::string> lora_targets_;
  bool checkpoint_layers_ = false;
  bool fused_attention_ = kHasSdpa;
};
TORCH_MODULE(CausalLm);

}  // namespace recbench::llm
