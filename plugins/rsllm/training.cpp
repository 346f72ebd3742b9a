// RSLLM's two training stages: text-only prompts with the LM loss, then unified prompts with the
// LM loss plus the user<->item and ID<->text InfoNCE losses (LLaRA: curriculum, LM loss only).
#include <algorithm>
#include <array>
#include <numeric>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "recbench/distributed.h"
#include "recbench/llm/training.h"
#include "recbench/schedule.h"
#include "recbench/train_context.h"
#include "rsllm/contrastive.h"
#include "rsllm/prompt_batch.h"
#include "rsllm/rsllm.h"

namespace recbench::rsllm {
namespace {

//! One training example: a user's sequence and the position of the target in it.
struct Sample {
  size_t user;
  int64_t position;  //!< >= 1
};

std::vector<Sample> draw_samples(const SequenceSet& train, int64_t per_user, std::mt19937_64& rng) {
  std::vector<Sample> out;
  std::vector<int64_t> positions;
  for (size_t u = 0; u < train.size(); ++u) {
    const auto n = static_cast<int64_t>(train.sequence(u).size());
    positions.resize(std::max<int64_t>(0, n - 1));
    std::iota(positions.begin(), positions.end(), 1);
    std::shuffle(positions.begin(), positions.end(), rng);
    const auto k = std::min<int64_t>(per_user, static_cast<int64_t>(positions.size()));
    for (int64_t i = 0; i < k; ++i) out.push_back({u, positions[i]});
  }
  std::shuffle(out.begin(), out.end(), rng);
  return out;
}

//! The target and `count - 1` distinct other items, in random order.
std::vector<int64_t> draw_candidates(int64_t target, int64_t count, int32_t num_items,
                                     std::mt19937_64& rng) {
  std::vector<int64_t> out{target};
  count = std::min<int64_t>(count, num_items - 1);
  std::uniform_int_distribution<int64_t> item(1, num_items - 1);
  while (static_cast<int64_t>(out.size()) < count) {
    const int64_t x = item(rng);
    if (std::find(out.begin(), out.end(), x) == out.end()) out.push_back(x);
  }
  std::shuffle(out.begin(), out.end(), rng);
  return out;
}

std::unique_ptr<torch::optim::AdamW> make_optimizer(RsllmNet& net, const Options& o) {
  std::vector<torch::Tensor> decay, no_decay;
  for (auto& p : net->parameters()) {
    if (p.requires_grad()) (p.dim() >= 2 ? decay : no_decay).push_back(p);
  }
  auto opts = [&](double wd) {
    return std::make_unique<torch::optim::AdamWOptions>(
        torch::optim::AdamWOptions(o.lr).betas({0.9, 0.95}).weight_decay(wd));
  };
  std::vector<torch::optim::OptimizerParamGroup> groups;
  if (!decay.empty()) groups.emplace_back(decay, opts(o.weight_decay));
  if (!no_decay.empty()) groups.emplace_back(no_decay, opts(0.0));
  return std::make_unique<torch::optim::AdamW>(groups, torch::optim::AdamWOptions(o.lr));
}

}  // namespace

torch::Tensor Rsllm::batch_loss(int stage, const std::vector<std::vector<int64_t>>& histories,
                                const std::vector<int64_t>& targets, double p_unified,
                                std::mt19937_64& rng, DataParallel* dp) {
  std::uniform_real_distribution<double> coin(0.0, 1.0);
  std::vector<Prompt> prompts;
  std::vector<std::vector<int64_t>> answers, titles;
  // Every rank draws for the whole global batch, so the draws stay those of one process.
  for (size_t i = 0; i < targets.size(); ++i) {
    std::vector<int64_t> cand;
    if (options_.train_candidates > 0) {
      cand = draw_candidates(targets[i], options_.train_candidates, items_->num_items(), rng);
    }
    const bool unified = stage == 2 && coin(rng) < p_unified;
    prompts.push_back(
        builder_->encode(histories[i], cand, unified ? PromptKind::unified : PromptKind::text));
    answers.push_back(builder_->answer(targets[i]));
    titles.push_back(builder_->title_ids(targets[i]));
  }
  // Under data parallelism: this rank's rows, each loss weighted by the rows' share of its terms
  // (target tokens for the LM loss, rows for the InfoNCE losses, whose in-batch negatives are
  // then this rank's rows only).
  double lm_share = 1.0, row_share = 1.0;
  std::vector<int64_t> rows_targets = targets;
  if (dp != nullptr) {
    const double all_terms =
        llm::lm_loss_terms(pad_prompts(prompts, answers, eos_, torch::kCPU).loss_mask);
    const RowRange r = dp->rows(static_cast<int64_t>(targets.size()));
    auto keep = [&](auto& v) {
      v = std::vector<typename std::decay_t<decltype(v)>::value_type>(v.begin() + r.begin,
                                                                      v.begin() + r.end);
    };
    keep(prompts);
    keep(answers);
    keep(titles);
    keep(rows_targets);
    row_share = static_cast<double>(r.size()) / static_cast<double>(targets.size());
    if (r.size() == 0) return {};
    lm_share =
        all_terms > 0
            ? llm::lm_loss_terms(pad_prompts(prompts, answers, eos_, torch::kCPU).loss_mask) /
                  all_terms
            : 0.0;
  }
  const auto batch = pad_prompts(prompts, answers, eos_, device_);
  AutocastScope autocast(precision_, device_);
  llm::ForwardOptions o;
  o.attention_mask = batch.attention;
  o.compute_logits = false;  // the head runs at the answer's positions only
  const auto out = net_->lm->forward_embeds(net_->input_embeds(batch), o);
  auto loss = llm::supervised_lm_loss(net_->lm, out.hidden, batch.ids, batch.loss_mask);
  if (dp != nullptr) loss = loss * lm_share;
  if (stage != 2 || !net_->has_ids()) return loss;
  const auto target = torch::tensor(rows_targets).to(device_);
  const auto item = net_->project(target);
  if (options_.lambda_user > 0) {
    loss = loss + options_.lambda_user * row_share *
                      info_nce(net_->user(out.hidden, batch.last), item, options_.tau, target);
  }
  if (options_.lambda_align > 0) {
    loss = loss + options_.lambda_align * row_share *
                      info_nce(item, net_->text_embedding(titles), options_.tau, target);
  }
  return loss;
}

double Rsllm::train_epoch(int stage, int64_t epoch_in_stage, int64_t stage_epochs,
                          TrainContext& ctx, torch::optim::Optimizer& opt, LrSchedule& schedule) {
  net_->train();
  std::mt19937_64 rng(ctx.seed(Stream::shuffle) + 1000 * stage + epoch_in_stage);
  const auto& train = *ctx.data().train;
  const auto samples = draw_samples(train, options_.samples_per_user, rng);
  DataParallel* dp = ctx.data_parallel();
  llm::GradientAccumulator acc(opt, schedule, options_.accumulation, options_.max_grad_norm, dp,
                               precision_);
  const auto b = static_cast<size_t>(options_.batch_size);
  const double steps = static_cast<double>(stage_epochs) * static_cast<double>(samples.size());
  double total = 0;
  int64_t batches = 0;
  for (size_t first = 0; first < samples.size(); first += b) {
    std::vector<std::vector<int64_t>> histories;
    std::vector<int64_t> targets;
    for (size_t i = first; i < std::min(samples.size(), first + b); ++i) {
      const auto seq = train.sequence(samples[i].user);
      const int64_t end = samples[i].position, begin = std::max<int64_t>(0, end - options_.history);
      histories.emplace_back(seq.begin() + begin, seq.begin() + end);
      targets.push_back(seq[end]);
    }
    // LLaRA's curriculum: the share of unified prompts rises linearly over the stage.
    const double progress = (static_cast<double>(epoch_in_stage) * samples.size() + first) / steps;
    // Under data parallelism the loss is already weighted by this rank's share.
    const auto loss =
        batch_loss(stage, histories, targets, options_.curriculum ? progress : 1.0, rng, dp);
    acc.backward(loss);
    if (loss.defined()) total += loss.item<double>();
    ++batches;
    if (ctx.stop_requested()) break;
  }
  if (dp != nullptr) total = dp->sum(total);  // the global batches' losses
  return batches > 0 ? total / static_cast<double>(batches) : 0.0;
}

void Rsllm::fit(TrainContext& ctx) {
  build_for_training(ctx);
  if (DataParallel* dp = ctx.data_parallel()) {  // every rank starts from rank 0's weights
    auto tensors = net_->parameters();
    for (const auto& b : net_->buffers()) tensors.push_back(b);
    dp->broadcast(tensors);
  }
  int epoch = 0;
  const std::array<int64_t, 2> epochs{options_.stage1_epochs, options_.stage2_epochs};
  const int last_stage = epochs[1] > 0 ? 2 : 1;
  for (int stage = 1; stage <= 2; ++stage) {
    const int64_t n = epochs[stage - 1];
    if (n == 0) continue;
    auto opt = make_optimizer(net_, options_);
    const int64_t per_epoch =
        (static_cast<int64_t>(ctx.data().train->size()) * options_.samples_per_user +
         options_.batch_size * options_.accumulation - 1) /
        (options_.batch_size * options_.accumulation);
    auto schedule = LrSchedule::warmup_cosine(
        options_.lr, n * per_epoch,
        static_cast<int64_t>(options_.warmup_fraction * static_cast<double>(n * per_epoch)), 0.1);
    for (int64_t e = 0; e < n; ++e) {
      const double loss = train_epoch(stage, e, n, ctx, *opt, schedule);
      if (ctx.stop_requested()) return;  // the cell starts again on --resume
      ctx.log().info("  rsllm stage {} epoch {} loss {:.4f}", stage, e + 1, loss);
      if (stage != last_stage) {
        ctx.record_epoch(++epoch, loss);
        continue;
      }
      net_->eval();
      if (ctx.validate(*this, ++epoch, loss).should_stop) break;
    }
  }
  net_->eval();
}

}  // namespace recbench::rsllm
