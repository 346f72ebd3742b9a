// Llama/Qwen2/Qwen3 decoder: RMSNorm, RoPE, GQA attention with KV cache, SwiGLU MLP, LoRA linears.
#include "recbench/llm/model.h"

#include <torch/torch.h>

#include <cmath>
#include <mutex>
#include <numbers>

#include "autocast_state.h"
#include "recbench/error.h"

namespace recbench::llm {

namespace {

//! A bare module holding one "weight" parameter (so names read "lm_head.weight", "lora_A.weight").
std::shared_ptr<torch::nn::Module> weight_holder(const torch::Tensor& weight, bool grad = true) {
  auto holder = std::make_shared<torch::nn::Module>();
  holder->register_parameter("weight", weight, grad);
  return holder;
}

//! How a weight starts when it is drawn: N(0, 0.02), ones (norms) or zeros (biases).
enum class Fill { normal, ones, zeros };

//! A new weight of `shape` as `init` asks: drawn in float32 on the CPU (the same numbers whatever
//! the target dtype and device) and converted, or left uninitialised for a load to fill.
torch::Tensor new_weight(torch::IntArrayRef shape, const ModelInit& init, Fill fill) {
  auto target = torch::TensorOptions().dtype(init.dtype).device(init.device);
  if (!init.random) return torch::empty(shape, target);
  torch::Tensor t = fill == Fill::normal ? torch::randn(shape) * 0.02
                    : fill == Fill::ones ? torch::ones(shape)
                                         : torch::zeros(shape);
  return t.to(target);
}

torch::Tensor rotate_half(const torch::Tensor& x) {
  int64_t half = x.size(-1) / 2;
  return torch::cat({-x.slice(-1, half), x.slice(-1, 0, half)}, -1);
}

torch::Tensor inverse_frequencies(const ModelConfig& c) {
  std::vector<double> freqs;
  for (int64_t i = 0; i < c.head_dim; i += 2) {
    freqs.push_back(1.0 / std::pow(c.rope_theta, static_cast<double>(i) / c.head_dim));
  }
  const RopeScaling& s = c.rope_scaling;
  for (double& f : freqs) {
    if (s.type == "linear") {
      f /= s.factor;
    } else if (s.type == "llama3") {
      double old = static_cast<double>(s.original_max_position);
      double low_wavelen = old / s.low_freq_factor, high_wavelen = old / s.high_freq_factor;
      double wavelen = 2 * std::numbers::pi / f;
      if (wavelen > low_wavelen) {
        f /= s.factor;
      } else if (wavelen >= high_wavelen) {
        double smooth =
            (old / wavelen - s.low_freq_factor) / (s.high_freq_factor - s.low_freq_factor);
        f = (1 - smooth) * f / s.factor + smooth * f;
      }
    }
  }
  return torch::tensor(freqs, torch::kDouble).to(torch::kFloat);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// KvCache

int64_t KvCache::length() const { return keys.empty() || !keys[0].defined() ? 0 : keys[0].size(2); }

KvCache KvCache::repeat_batch(int64_t repeats) const {
  KvCache out;
  auto rep = [&](const torch::Tensor& t) {
    if (!t.defined()) return t;
    if (t.size(0) == 1) {  // a view: the next torch::cat in attention materialises it
      std::vector<int64_t> sizes = t.sizes().vec();
      sizes[0] = repeats;
      return t.expand(sizes);
    }
    return t.repeat_interleave(repeats, 0);
  };
  for (const auto& k : keys) out.keys.push_back(rep(k));
  for (const auto& v : values) out.values.push_back(rep(v));
  out.attention_mask = rep(attention_mask);
  return out;
}

// ---------------------------------------------------------------------------------------------
// LoraLinear and RmsNorm

LoraLinearImpl::LoraLinearImpl(int64_t in_features, int64_t out_features, bool with_bias,
                               const ModelInit& init) {
  weight =
      register_parameter("weight", new_weight({out_features, in_features}, init, Fill::normal));
  if (with_bias) bias = register_parameter("bias", new_weight({out_features}, init, Fill::zeros));
}

torch::Tensor LoraLinearImpl::forward(const torch::Tensor& x) {
  // at::linear (what Python's F.linear calls) fuses the bias into one addmm over the flattened
  // batch; torch::nn::functional::linear does matmul + add for 3-d inputs.
  torch::Tensor y = torch::linear(x, weight, bias);
  if (!lora_a_.defined()) return y;
  torch::Tensor in = lora_dropout_ > 0 ? torch::dropout(x, lora_dropout_, is_training()) : x;
  return y + torch::linear(torch::linear(in, lora_a_), lora_b_) * lora_scale_;
}

void LoraLinearImpl::add_lora(const LoraSpec& spec) {
  if (spec.rank <= 0) throw ConfigError("lora rank must be positive");
  if (lora_a_.defined()) throw ConfigError("a LoRA adapter is already attached");
  torch::NoGradGuard no_grad;
  // Adapters are trained: float32 master weights whatever the (possibly frozen bf16) base.
  const auto dtype = weight.scalar_type() == torch::kDouble ? torch::kDouble : torch::kFloat;
  auto options = weight.options().dtype(dtype).requires_grad(false);
  torch::Tensor a = torch::empty({spec.rank, weight.size(1)}, options);
  torch::nn::init::kaiming_uniform_(a, std::sqrt(5.0));
  lora_a_ = register_module("lora_A", weight_holder(a))->named_parameters()["weight"];
  lora_b_ =
      register_module("lora_B", weight_holder(torch::zeros({weight.size(0), spec.rank}, options)))
          ->named_parameters()["weight"];
  lora_scale_ = spec.alpha / static_cast<double>(spec.rank);
  lora_dropout_ = spec.dropout;
}

void LoraLinearImpl::merge_lora() {
  if (!lora_a_.defined()) return;
  {
    torch::NoGradGuard no_grad;
    weight.add_(torch::matmul(lora_b_.to(torch::kFloat), lora_a_.to(torch::kFloat))
                    .mul(lora_scale_)
                    .to(weight.scalar_type()));
  }
  unregister_module("lora_A");
  unregister_module("lora_B");
  lora_a_ = lora_b_ = torch::Tensor();
}

RmsNormImpl::RmsNormImpl(int64_t dim, double eps, const ModelInit& init) : eps_(eps) {
  weight = register_parameter("weight", new_weight({dim}, init, Fill::ones));
}

torch::Tensor RmsNormImpl::forward(const torch::Tensor& x) {
  torch::Tensor h = x.to(torch::kFloat);
  h = h * torch::rsqrt(h.pow(2).mean(-1, true) + eps_);
  return weight * h.to(x.scalar_type());
}

// ---------------------------------------------------------------------------------------------
// Decoder blocks

namespace {

//! Per-forward tensors shared by every layer.
struct StepContext {
  torch::Tensor cos, sin;    //!< [B, 1, T, head_dim]
  torch::Tensor bias;        //!< [B, 1, T, S] additive attention bias (float32; explicit path)
  torch::Tensor allowed;     //!< [B, 1, T, S] bool: which keys each query sees (fused path)
  bool fused = false;        //!< attention through scaled_dot_product_attention
  bool causal_only = false;  //!< no padding and no cache: the plain causal mask
};

class AttentionImpl : public torch::nn::Module {
 public:
  AttentionImpl(const ModelConfig& c, const ModelInit& init)
      : heads_(c.num_attention_heads), kv_heads_(c.num_key_value_heads), head_dim_(c.head_dim) {
    q_proj =
        register_module("q_proj", LoraLinear(c.hidden_size, heads_ * head_dim_, c.qkv_bias, init));
    k_proj = register_module("k_proj",
                             LoraLinear(c.hidden_size, kv_heads_ * head_dim_, c.qkv_bias, init));
    v_proj = register_module("v_proj",
                             LoraLinear(c.hidden_size, kv_heads_ * head_dim_, c.qkv_bias, init));
    o_proj =
        register_module("o_proj", LoraLinear(heads_ * head_dim_, c.hidden_size, c.o_bias, init));
    if (c.qk_norm) {
      q_norm = register_module("q_norm", RmsNorm(head_dim_, c.rms_norm_eps, init));
      k_norm = register_module("k_norm", RmsNorm(head_dim_, c.rms_norm_eps, init));
    }
  }

  torch::Tensor forward(const torch::Tensor& x, const StepContext& step, KvCache* cache,
                        size_t layer) {
    int64_t b = x.size(0), t = x.size(1);
    torch::Tensor q = q_proj(x).view({b, t, heads_, head_dim_});
    torch::Tensor k = k_proj(x).view({b, t, kv_heads_, head_dim_});
    torch::Tensor v = v_proj(x).view({b, t, kv_heads_, head_dim_}).transpose(1, 2);
    if (q_norm) {
      q = q_norm(q);
      k = k_norm(k);
    }
    q = q.transpose(1, 2);
    k = k.transpose(1, 2);
    q = q * step.cos + rotate_half(q) * step.sin;
    k = k * step.cos + rotate_half(k) * step.sin;
    if (cache != nullptr) {
      if (cache->keys[layer].defined()) {
        k = torch::cat({cache->keys[layer], k}, 2);
        v = torch::cat({cache->values[layer], v}, 2);
      }
      cache->keys[layer] = k;
      cache->values[layer] = v;
    }
    torch::Tensor out =
        step.fused ? fused_attention(q, k, v, step) : explicit_attention(q, k, v, step);
    return o_proj(out.transpose(1, 2).reshape({b, t, heads_ * head_dim_}));
  }

  LoraLinear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, o_proj{nullptr};
  RmsNorm q_norm{nullptr}, k_norm{nullptr};

 private:
  /// softmax(QK^T / sqrt(d) + bias) V in float32 scores. Query head h uses key/value head
  /// h / groups (HF's repeat_kv order); folding each kv head's query heads into its query rows
  /// ([B, kv, groups*T, d]) lets one product serve them all, so K and V are never repeated.
  torch::Tensor explicit_attention(const torch::Tensor& q, const torch::Tensor& k,
                                   const torch::Tensor& v, const StepContext& step) const {
    const int64_t b = q.size(0), t = q.size(2), s = k.size(2), groups = heads_ / kv_heads_;
    torch::Tensor folded = q.reshape({b, kv_heads_, groups * t, head_dim_});
    torch::Tensor scores = torch::matmul(folded, k.transpose(-2, -1)).to(torch::kFloat) /
                           std::sqrt(static_cast<double>(head_dim_));
    scores = scores.view({b, kv_heads_, groups, t, s}) + step.bias.unsqueeze(2);
    torch::Tensor probs =
        torch::softmax(scores, -1).to(q.scalar_type()).view({b, kv_heads_, groups * t, s});
    return torch::matmul(probs, v).view({b, heads_, t, head_dim_});
  }

  //! The same through LibTorch's fused kernels (flash / memory-efficient / math, LibTorch >= 2.5).
  torch::Tensor fused_attention(const torch::Tensor& q, const torch::Tensor& k,
                                const torch::Tensor& v, const StepContext& step) const {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 5)
    // Matching dtypes (autocast does not cast for this op); causal without a mask lets the
    // flash kernel run.
    const auto dtype = v.scalar_type();
    std::optional<torch::Tensor> mask;
    if (!step.causal_only) mask = step.allowed;
    return at::scaled_dot_product_attention(q.to(dtype), k.to(dtype), v, mask, 0.0,
                                            step.causal_only, std::nullopt,
                                            /*enable_gqa=*/heads_ != kv_heads_);
#else
    (void)k;
    (void)v;
    (void)step;
    throw Error("fused attention needs LibTorch 2.5 or later");
    return q;
#endif
  }

  int64_t heads_, kv_heads_, head_dim_;
};
TORCH_MODULE(Attention);

class MlpImpl : public torch::nn::Module {
 public:
  MlpImpl(const ModelConfig& c, const ModelInit& init) {
    gate_proj = register_module("gate_proj",
                                LoraLinear(c.hidden_size, c.intermediate_size, c.mlp_bias, init));
    up_proj = register_module("up_proj",
                              LoraLinear(c.hidden_size, c.intermediate_size, c.mlp_bias, init));
    down_proj = register_module("down_proj",
                                LoraLinear(c.intermediate_size, c.hidden_size, c.mlp_bias, init));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    return down_proj(torch::silu(gate_proj(x)) * up_proj(x));
  }
  LoraLinear gate_proj{nullptr}, up_proj{nullptr}, down_proj{nullptr};
};
TORCH_MODULE(Mlp);

class DecoderLayerImpl : public torch::nn::Module {
 public:
  DecoderLayerImpl(const ModelConfig& c, const ModelInit& init) {
    input_layernorm =
        register_module("input_layernorm", RmsNorm(c.hidden_size, c.rms_norm_eps, init));
    self_attn = register_module("self_attn", Attention(c, init));
    post_attention_layernorm =
        register_module("post_attention_layernorm", RmsNorm(c.hidden_size, c.rms_norm_eps, init));
    mlp = register_module("mlp", Mlp(c, init));
  }
  torch::Tensor forward(const torch::Tensor& x, const StepContext& step, KvCache* cache,
                        size_t layer) {
    torch::Tensor h = x + self_attn(input_layernorm(x), step, cache, layer);
    return h + mlp(post_attention_layernorm(h));
  }
  RmsNorm input_layernorm{nullptr}, post_attention_layernorm{nullptr};
  Attention self_attn{nullptr};
  Mlp mlp{nullptr};
};
TORCH_MODULE(DecoderLayer);

/// A decoder layer whose activations are recomputed in backward (activation checkpointing).
/// The layer's trainable weights are inputs of the function, so gradients reach them even when
/// the hidden state does not need one (LoRA's frozen embeddings). The forward's RNG state and
/// autocast setting are restored for the recomputation, so dropout masks and casts repeat.
struct CheckpointedLayer : torch::autograd::Function<CheckpointedLayer> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, int64_t layer_address,
                               const torch::Tensor& x, const torch::Tensor& cos,
                               const torch::Tensor& sin, const torch::Tensor& bias,
                               const torch::Tensor& allowed, bool fused, bool causal_only,
                               torch::TensorList /*weights: inputs only so gradients reach them*/) {
    auto* layer =
        reinterpret_cast<DecoderLayerImpl*>(layer_address);  // NOLINT(performance-no-int-to-ptr)
    at::Generator gen = at::globalContext().defaultGenerator(x.device());
    {
      std::lock_guard<std::mutex> lock(gen.mutex());
      ctx->saved_data["rng"] = gen.get_state();
    }
    ctx->saved_data["layer"] = layer_address;
    ctx->saved_data["fused"] = fused;
    ctx->saved_data["causal_only"] = causal_only;
    const auto autocast = detail::AutocastState::of(x.device());
    ctx->saved_data["autocast"] = autocast.enabled;
    ctx->saved_data["autocast_dtype"] = static_cast<int64_t>(autocast.dtype);
    ctx->save_for_backward({x, cos, sin, bias, allowed});
    return layer->forward(x, {cos, sin, bias, allowed, fused, causal_only}, nullptr, 0);
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_out) {
    auto saved = ctx->get_saved_variables();
    auto* layer = reinterpret_cast<DecoderLayerImpl*>(  // NOLINT(performance-no-int-to-ptr)
        ctx->saved_data["layer"].toInt());
    torch::Tensor x = saved[0].detach().requires_grad_(saved[0].requires_grad());
    std::vector<torch::Tensor> weights;
    for (const auto& p : layer->parameters()) {
      if (p.requires_grad()) weights.push_back(p);
    }
    at::Generator gen = at::globalContext().defaultGenerator(x.device());
    torch::Tensor rng_after;
    torch::Tensor y;
    {
      std::lock_guard<std::mutex> lock(gen.mutex());
      rng_after = gen.get_state();
      gen.set_state(ctx->saved_data["rng"].toTensor());
    }
    {
      torch::AutoGradMode grad_on(true);
      const auto was = detail::AutocastState::of(x.device());
      detail::AutocastState{
          ctx->saved_data["autocast"].toBool(),
          static_cast<torch::ScalarType>(ctx->saved_data["autocast_dtype"].toInt())}
          .apply(x.device());
      y = layer->forward(x,
                         {saved[1], saved[2], saved[3], saved[4], ctx->saved_data["fused"].toBool(),
                          ctx->saved_data["causal_only"].toBool()},
                         nullptr, 0);
      was.apply(x.device());
    }
    {
      std::lock_guard<std::mutex> lock(gen.mutex());
      gen.set_state(rng_after);
    }
    std::vector<torch::Tensor> inputs;
    if (x.requires_grad()) inputs.push_back(x);
    inputs.insert(inputs.end(), weights.begin(), weights.end());
    std::vector<torch::Tensor> grads;
    if (!inputs.empty() && y.requires_grad()) {
      grads = torch::autograd::grad({y}, inputs, {grad_out[0]}, /*retain_graph=*/false,
                                    /*create_graph=*/false, /*allow_unused=*/true);
    }
    // One entry per forward argument: layer, x, cos, sin, bias, allowed, fused, causal_only,
    // then one per weight.
    torch::autograd::variable_list out(8);
    size_t next = 0;
    if (x.requires_grad() && !grads.empty()) out[1] = grads[next++];
    for (size_t i = 0; i < weights.size(); ++i) {
      out.push_back(grads.empty() ? torch::Tensor() : grads[next++]);
    }
    return out;
  }
};

}  // namespace

struct CausalLmImpl::Decoder : torch::nn::Module {
  Decoder(const ModelConfig& c, const ModelInit& init) {
    embed_tokens = register_module(
        "embed_tokens",
        weight_holder(new_weight({c.vocab_size, c.hidden_size}, init, Fill::normal)));
    layers = register_module("layers", torch::nn::ModuleList());
    for (int64_t i = 0; i < c.num_hidden_layers; ++i) {
      blocks.push_back(DecoderLayer(c, init));
      layers->push_back(blocks.back());
    }
    norm = register_module("norm", RmsNorm(c.hidden_size, c.rms_norm_eps, init));
  }
  std::shared_ptr<torch::nn::Module> embed_tokens;
  torch::nn::ModuleList layers{nullptr};
  std::vector<DecoderLayer> blocks;
  RmsNorm norm{nullptr};
};

// ---------------------------------------------------------------------------------------------
// CausalLm

CausalLmImpl::CausalLmImpl(const ModelConfig& config, const ModelInit& init) : config_(config) {
  config_.validate("model config");
  decoder_ = register_module("model", std::make_shared<Decoder>(config_, init));
  if (!config_.tie_word_embeddings) {
    auto head = register_module(
        "lm_head",
        weight_holder(new_weight({config_.vocab_size, config_.hidden_size}, init, Fill::normal)));
    lm_head_ = head->named_parameters()["weight"];
  }
  inv_freq_ = inverse_frequencies(config_);
}

torch::Tensor CausalLmImpl::embed(const torch::Tensor& input_ids) {
  return torch::embedding(decoder_->embed_tokens->named_parameters()["weight"], input_ids);
}

torch::Tensor CausalLmImpl::logits(const torch::Tensor& hidden) {
  torch::Tensor head =
      lm_head_.defined() ? lm_head_ : decoder_->embed_tokens->named_parameters()["weight"];
  return torch::linear(hidden, head);
}

KvCache CausalLmImpl::new_cache() const {
  KvCache cache;
  cache.keys.resize(config_.num_hidden_layers);
  cache.values.resize(config_.num_hidden_layers);
  return cache;
}

LmOutput CausalLmImpl::forward(const torch::Tensor& input_ids, const ForwardOptions& options) {
  if (input_ids.dim() != 2) throw DataError("CausalLm::forward: input_ids must be [B, T]");
  return forward_embeds(embed(input_ids), options);
}

LmOutput CausalLmImpl::forward_embeds(const torch::Tensor& embeds, const ForwardOptions& options) {
  if (embeds.dim() != 3 || embeds.size(2) != config_.hidden_size) {
    throw DataError("CausalLm::forward_embeds: embeddings must be [B, T, " +
                    std::to_string(config_.hidden_size) + "]");
  }
  int64_t b = embeds.size(0), t = embeds.size(1);
  KvCache* cache = options.cache;
  int64_t past = cache != nullptr ? cache->length() : 0;
  torch::Device device = embeds.device();
  auto long_opts = torch::TensorOptions().dtype(torch::kLong).device(device);

  // Full [B, past + T] mask: the caller's, or the cache's extended with the new tokens.
  torch::Tensor mask = options.attention_mask;
  if (mask.defined()) mask = mask.to(long_opts);
  if (mask.defined() && mask.size(1) == t && past > 0) {
    torch::Tensor old = cache->attention_mask.defined() ? cache->attention_mask.to(long_opts)
                                                        : torch::ones({b, past}, long_opts);
    mask = torch::cat({old, mask}, 1);
  } else if (!mask.defined() && cache != nullptr && cache->attention_mask.defined()) {
    mask = torch::cat({cache->attention_mask.to(long_opts), torch::ones({b, t}, long_opts)}, 1);
  }
  if (mask.defined() && (mask.size(0) != b || mask.size(1) != past + t)) {
    throw DataError("CausalLm::forward: attention_mask must be [B, past + T] = [" +
                    std::to_string(b) + ", " + std::to_string(past + t) + "]");
  }
  if (cache != nullptr && mask.defined()) cache->attention_mask = mask;
  if (config_.sliding_window && past + t > *config_.sliding_window) {
    throw DataError("CausalLm::forward: " + std::to_string(past + t) +
                    " tokens exceed the model's sliding_window of " +
                    std::to_string(*config_.sliding_window) +
                    " (config.json sliding_window); recbench attends to the whole sequence, "
                    "which equals the windowed model only within the window");
  }

  StepContext step;
  torch::Tensor positions =
      mask.defined() ? (mask.cumsum(1) - 1).clamp_min(0).slice(1, past)
                     : torch::arange(past, past + t, long_opts).unsqueeze(0).expand({b, t});
  torch::Tensor freqs = positions.to(torch::kFloat).unsqueeze(-1) * inv_freq_.to(device);
  torch::Tensor angles = torch::cat({freqs, freqs}, -1).unsqueeze(1);  // [B, 1, T, head_dim]
  step.cos = angles.cos().to(embeds.scalar_type());
  step.sin = angles.sin().to(embeds.scalar_type());
  torch::Tensor key_pos = torch::arange(past + t, long_opts);
  torch::Tensor query_pos = torch::arange(past, past + t, long_opts).unsqueeze(1);
  torch::Tensor allowed = (key_pos.unsqueeze(0) <= query_pos).view({1, 1, t, past + t});
  if (mask.defined()) allowed = allowed & mask.to(torch::kBool).view({b, 1, 1, past + t});
  step.fused = fused_attention_;
  if (step.fused) {
    // A query that sees no key (a padding row) sees all instead, as the explicit path's uniform
    // softmax does: fused kernels return NaN for empty rows, which would reach real rows.
    step.allowed = allowed | ~allowed.any(-1, true);
    step.causal_only = !mask.defined() && past == 0;
  } else {
    auto float_opts = torch::TensorOptions().dtype(torch::kFloat).device(device);
    step.bias = torch::where(allowed, torch::zeros({}, float_opts),
                             torch::full({}, std::numeric_limits<float>::lowest(), float_opts));
  }

  torch::Tensor h = embeds;
  const bool recompute =
      checkpoint_layers_ && is_training() && cache == nullptr && torch::GradMode::is_enabled();
  for (size_t i = 0; i < decoder_->blocks.size(); ++i) {
    if (!recompute) {
      h = decoder_->blocks[i](h, step, cache, i);
      continue;
    }
    DecoderLayerImpl* layer = decoder_->blocks[i].get();
    std::vector<torch::Tensor> weights;
    for (const auto& p : layer->parameters()) {
      if (p.requires_grad()) weights.push_back(p);
    }
    // Autograd functions take defined tensors: an empty one stands for the unused mask.
    const auto defined = [](const torch::Tensor& t) { return t.defined() ? t : torch::empty({0}); };
    h = CheckpointedLayer::apply(reinterpret_cast<int64_t>(layer), h, step.cos, step.sin,
                                 defined(step.bias), defined(step.allowed), step.fused,
                                 step.causal_only, torch::TensorList(weights));
  }
  LmOutput out;
  out.hidden = decoder_->norm(h);
  if (options.compute_logits) {
    torch::Tensor last = options.logits_last > 0 && options.logits_last < t
                             ? out.hidden.slice(1, t - options.logits_last)
                             : out.hidden;
    out.logits = logits(last);
  }
  return out;
}

int64_t CausalLmImpl::add_lora(const LoraSpec& spec, const std::vector<std::string>& targets) {
  for (auto& p : parameters()) p.set_requires_grad(false);
  int64_t added = 0;
  for (auto& item : named_modules()) {
    auto linear = std::dynamic_pointer_cast<LoraLinearImpl>(item.value());
    if (!linear) continue;
    for (const std::string& target : targets) {
      const std::string& name = item.key();
      if (name.size() >= target.size() &&
          name.compare(name.size() - target.size(), target.size(), target) == 0) {
        linear->add_lora(spec);
        linear->named_parameters()["lora_A.weight"].set_requires_grad(true);
        linear->named_parameters()["lora_B.weight"].set_requires_grad(true);
        ++added;
        break;
      }
    }
  }
  if (added == 0) throw ConfigError("lora target modules matched no linear layer");
  lora_spec_ = spec;
  lora_targets_ = targets;
  return added;
}

void CausalLmImpl::merge_lora() {
  for (auto& module : modules()) {
    if (auto linear = std::dynamic_pointer_cast<LoraLinearImpl>(module)) linear->merge_lora();
  }
  lora_spec_.reset();
  lora_targets_.clear();
}

std::vector<std::pair<std::string, torch::Tensor>> CausalLmImpl::hf_state() const {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const auto& item : named_parameters()) {
    if (item.key().find("lora_") == std::string::npos) out.emplace_back(item.key(), item.value());
  }
  return out;
}

std::vector<std::pair<std::string, torch::Tensor>> CausalLmImpl::lora_state() const {
  std::vector<std::pair<std::string, torch::Tensor>> out;
  for (const auto& item : named_parameters()) {
    if (item.key().find("lora_") != std::string::npos) out.emplace_back(item.key(), item.value());
  }
  return out;
}

}  // namespace recbench::llm
