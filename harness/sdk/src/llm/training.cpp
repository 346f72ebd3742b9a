// Causal-LM loss, example packing, AdamW parameter groups, gradient accumulation, train state.
#include "recbench/llm/training.h"

#include <torch/torch.h>

#include <fstream>
#include <sstream>

#include "recbench/distributed.h"
#include "recbench/error.h"
#include "recbench/llm/tokenizer.h"

namespace recbench::llm {

torch::Tensor causal_lm_loss(const torch::Tensor& logits, const torch::Tensor& input_ids,
                             const torch::Tensor& loss_mask) {
  if (logits.dim() != 3 || input_ids.sizes() != logits.sizes().slice(0, 2) ||
      loss_mask.sizes() != input_ids.sizes()) {
    throw DataError("causal_lm_loss: need logits [B, T, V], input_ids and loss_mask [B, T]");
  }
  int64_t t = logits.size(1);
  torch::Tensor pred = logits.slice(1, 0, t - 1).to(torch::kFloat);
  torch::Tensor target = input_ids.slice(1, 1);
  torch::Tensor weight = loss_mask.slice(1, 1).to(torch::kFloat);
  torch::Tensor nll = -torch::log_softmax(pred, -1).gather(-1, target.unsqueeze(-1)).squeeze(-1);
  return (nll * weight).sum() / weight.sum().clamp_min(1.0);
}

torch::Tensor supervised_lm_loss(CausalLm& model, const torch::Tensor& hidden,
                                 const torch::Tensor& input_ids, const torch::Tensor& loss_mask) {
  if (hidden.dim() != 3 || input_ids.sizes() != hidden.sizes().slice(0, 2) ||
      loss_mask.sizes() != input_ids.sizes()) {
    throw DataError("supervised_lm_loss: need hidden [B, T, H], input_ids and loss_mask [B, T]");
  }
  const int64_t t = hidden.size(1);
  torch::Tensor weight = loss_mask.slice(1, 1).to(torch::kFloat);
  torch::Tensor supervised = weight.ne(0);  // [B, T-1]: position t predicts token t+1
  torch::Tensor rows = hidden.slice(1, 0, t - 1).index({supervised});  // [N, H]
  torch::Tensor target = input_ids.slice(1, 1).index({supervised});    // [N]
  torch::Tensor w = weight.index({supervised});
  torch::Tensor logits = model->logits(rows).to(torch::kFloat);
  torch::Tensor nll = -torch::log_softmax(logits, -1).gather(-1, target.unsqueeze(-1)).squeeze(-1);
  return (nll * w).sum() / w.sum().clamp_min(1.0);
}

double lm_loss_terms(const torch::Tensor& loss_mask) {
  return loss_mask.slice(1, 1).to(torch::kFloat).sum().item<double>();
}

LmBatch pack_examples(const std::vector<LmExample>& examples, int64_t seq_len, int64_t pad_id) {
  if (seq_len <= 0) throw ConfigError("pack_examples: seq_len must be positive");
  std::vector<std::vector<const LmExample*>> rows;
  int64_t used = seq_len;
  for (const LmExample& e : examples) {
    if (e.ids.size() != e.targets.size()) {
      throw DataError("pack_examples: ids and targets differ in length");
    }
    auto n = std::min<int64_t>(static_cast<int64_t>(e.ids.size()), seq_len);
    if (n == 0) continue;
    if (used + n > seq_len) {
      rows.emplace_back();
      used = 0;
    }
    rows.back().push_back(&e);
    used += n;
  }
  auto b = static_cast<int64_t>(rows.size());
  LmBatch batch;
  batch.input_ids = torch::full({b, seq_len}, pad_id, torch::kLong);
  batch.loss_mask = torch::zeros({b, seq_len}, torch::kFloat);
  batch.attention_mask = torch::zeros({b, seq_len}, torch::kLong);
  auto ids = batch.input_ids.accessor<int64_t, 2>();
  auto loss = batch.loss_mask.accessor<float, 2>();
  auto att = batch.attention_mask.accessor<int64_t, 2>();
  for (int64_t r = 0; r < b; ++r) {
    int64_t col = 0;
    for (const LmExample* e : rows[r]) {
      for (size_t i = 0; i < e->ids.size() && col < seq_len; ++i, ++col) {
        ids[r][col] = e->ids[i];
        loss[r][col] = e->targets[i] != 0 ? 1.0f : 0.0f;
        att[r][col] = 1;
      }
    }
  }
  return batch;
}

std::unique_ptr<torch::optim::AdamW> make_adamw(CausalLm& model, const AdamWOptions& o) {
  std::vector<torch::Tensor> decay, no_decay;
  for (auto& p : model->parameters()) {
    if (!p.requires_grad()) continue;
    (p.dim() >= 2 ? decay : no_decay).push_back(p);
  }
  if (decay.empty() && no_decay.empty()) throw ConfigError("make_adamw: no trainable parameters");
  auto options = [&](double wd) {
    return std::make_unique<torch::optim::AdamWOptions>(
        torch::optim::AdamWOptions(o.lr).betas({o.beta1, o.beta2}).eps(o.eps).weight_decay(wd));
  };
  std::vector<torch::optim::OptimizerParamGroup> groups;
  if (!decay.empty()) groups.emplace_back(decay, options(o.weight_decay));
  if (!no_decay.empty()) groups.emplace_back(no_decay, options(0.0));
  return std::make_unique<torch::optim::AdamW>(groups, torch::optim::AdamWOptions(o.lr));
}

void set_learning_rate(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);
}

GradientAccumulator::GradientAccumulator(torch::optim::Optimizer& optimizer, LrSchedule& schedule,
                                         int64_t accumulation_steps, double max_grad_norm,
                                         DataParallel* dp, Precision precision)
    : optimizer_(optimizer),
      schedule_(schedule),
      accumulation_steps_(accumulation_steps),
      max_grad_norm_(max_grad_norm),
      dp_(dp),
      scaler_(LossScaler::for_policy(precision)) {
  if (accumulation_steps <= 0) throw ConfigError("accumulation_steps must be positive");
}

bool GradientAccumulator::backward(const torch::Tensor& loss, double share) {
  if (loss.defined()) {
    torch::Tensor scaled = loss / static_cast<double>(accumulation_steps_);
    if (share != 1.0) scaled = scaled * share;  // one process stays bit-identical
    scaler_.scale(scaled).backward();
  }
  if (++micro_ < accumulation_steps_) return false;
  micro_ = 0;
  if (dp_ != nullptr) {  // the shares are in the gradients already: a plain sum over ranks
    std::vector<torch::Tensor> all;
    for (auto& group : optimizer_.param_groups()) {
      for (auto& p : group.params()) all.push_back(p);
    }
    dp_->reduce_gradients(all, 1.0);
  }
  std::vector<torch::Tensor> params;
  for (auto& group : optimizer_.param_groups()) {
    for (auto& p : group.params()) {
      if (p.grad().defined()) params.push_back(p);
    }
  }
  // Unscaled before clipping, so max_grad_norm means the same under every policy.
  const bool finite = scaler_.unscale(params);
  if (finite) {
    double limit = max_grad_norm_ > 0 ? max_grad_norm_ : std::numeric_limits<double>::infinity();
    last_norm_ = torch::nn::utils::clip_grad_norm_(params, limit);
    set_learning_rate(optimizer_, schedule_.current());
    optimizer_.step();
  }
  scaler_.update(finite);
  optimizer_.zero_grad();
  schedule_.advance();
  return true;
}

void save_training_state(const std::filesystem::path& dir, torch::optim::Optimizer& optimizer,
                         const LrSchedule& schedule) {
  std::filesystem::create_directories(dir);
  torch::save(optimizer, (dir / "optimizer.pt").string());
  std::ofstream out(dir / "schedule.json");
  out << schedule.state() << "\n";
  if (!out) throw DataError((dir / "schedule.json").string() + ": cannot write");
}

LrSchedule load_training_state(const std::filesystem::path& dir,
                               torch::optim::Optimizer& optimizer) {
  torch::load(optimizer, (dir / "optimizer.pt").string());
  return LrSchedule::from_state(read_text_file(dir / "schedule.json"));
}

}  // namespace recbench::llm
