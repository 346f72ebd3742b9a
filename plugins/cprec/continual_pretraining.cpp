// Continual pre-training with WSA, its stable-phase checkpoint and the shared-folder reuse.
#include "continual_pretraining.h"

#include <cstdio>
#include <sstream>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "behaviour_corpus.h"
#include "recbench/distributed.h"
#include "recbench/llm/backbone.h"
#include "recbench/llm/checkpoint.h"
#include "recbench/llm/tokenizer.h"
#include "recbench/llm/training.h"
#include "recbench/train_views.h"

namespace recbench::cprec {

std::string fingerprint_hex(const std::string& text) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) h = (h ^ c) * 0x100000001b3ULL;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::string pretrain_identity(const CprecOptions& o, const std::string& backbone_id,
                              const std::string& corpus_fingerprint, uint64_t seed,
                              bool with_anneal) {
  const PretrainOptions& p = o.pretrain;
  std::ostringstream s;
  s << "cprec continual pre-training v1\nbackbone " << backbone_id << "\ncorpus " << p.corpus << ' '
    << corpus_fingerprint << "\nseed " << seed << "\ntemplate " << o.prompt << "\nitem " << o.item
    << "\nmixed_item " << o.mixed_item << "\nseparator " << o.separator << "\nmixed_domain "
    << o.mixed_domain << "\ntokens " << p.tokens << "\nseq_len " << p.seq_len << "\nbatch "
    << p.batch_size << "\nlr " << p.peak_lr << "\nschedule " << p.schedule << "\nwarmup "
    << p.wsa.warmup_fraction << "\nstable " << p.wsa.stable_fraction << "\nanneal "
    << p.wsa.anneal_fraction << "\nmixed_share " << p.mixed_share << "\nmax_items " << p.max_items
    << "\nstride " << p.stride << "\nloss_span " << p.loss_span << "\nweight_decay "
    << p.weight_decay << '\n';
  if (with_anneal) {
    s << "shape " << static_cast<int>(p.wsa.shape) << "\nfloor " << p.wsa.floor_ratio << '\n';
  }
  return s.str();
}

namespace {

//! Writes a model folder (plus `extra`) under `dir`.tmp, then renames it to `dir`.
template <typename Extra>
void write_folder_atomically(const std::filesystem::path& dir, llm::CausalLm& model,
                             const std::string& tokenizer_json, const std::string& identity,
                             Extra extra) {
  auto tmp = dir;
  tmp += ".tmp";
  std::filesystem::remove_all(tmp);
  std::filesystem::create_directories(tmp);
  llm::save_model(model, tmp);
  llm::save_tokenizer(tmp, tokenizer_json);
  llm::write_text_file(tmp / "identity.txt", identity);
  extra(tmp);
  std::filesystem::remove_all(dir);
  std::filesystem::rename(tmp, dir);
}

//! One step's examples: prompts from the stream until the rows are full.
llm::LmBatch next_batch(PromptStream& stream, const PromptEncoder& enc, const PretrainOptions& o,
                        const torch::Device& device) {
  std::vector<llm::LmExample> examples;
  int64_t tokens = 0;
  const bool all = o.loss_span == "all";
  while (tokens < o.seq_len * o.batch_size) {
    const BehaviourPrompt& p = stream.next();
    examples.push_back(enc.example(p.items, p.mixed, all));
    tokens += std::min<int64_t>(static_cast<int64_t>(examples.back().ids.size()), o.seq_len);
  }
  llm::LmBatch b = llm::pack_examples(examples, o.seq_len, enc.eos());
  return {b.input_ids.to(device), b.loss_mask.to(device), b.attention_mask.to(device)};
}

}  // namespace

PretrainOutcome continual_pretrain(llm::CausalLm& model, const std::string& tokenizer_json,
                                   const PromptEncoder& enc, const SequenceSet& corpus,
                                   const CprecOptions& options, const std::string& identity,
                                   const std::string& stable_identity, TrainContext& ctx) {
  const PretrainOptions& o = options.pretrain;
  PretrainOutcome out;
  out.steps = std::max<int64_t>(1, o.tokens / (o.seq_len * o.batch_size));
  out.folder = ctx.shared_dir("cprec-" + fingerprint_hex(identity)) / "model";
  if (std::filesystem::exists(out.folder / "config.json")) {
    llm::load_weights(model, out.folder);
    out.reused = true;
    ctx.log().info("cprec: reusing continual pre-training from {}", out.folder.string());
    return out;
  }
  const bool wsa = o.schedule == "wsa";
  const auto stable_dir =
      wsa ? ctx.shared_dir("cprec-stable-" + fingerprint_hex(stable_identity)) / "checkpoint"
          : std::filesystem::path();
  LrSchedule schedule = pretrain_schedule(o, out.steps);
  auto optimizer = llm::make_adamw(model, {o.peak_lr, o.weight_decay, 0.9, 0.95, 1e-8});
  if (wsa && std::filesystem::exists(stable_dir / "schedule.json")) {
    llm::load_weights(model, stable_dir);
    const LrSchedule stored = llm::load_training_state(stable_dir, *optimizer);
    schedule = LrSchedule::wsa(o.peak_lr, out.steps, o.wsa);  // this variant's anneal shape
    while (schedule.step() < stored.step()) schedule.advance();
    out.resumed_from_stable = true;
    ctx.log().info("cprec: annealing from the stable checkpoint {} (step {})", stable_dir.string(),
                   stored.step());
  }
  const BehaviourCorpus prompts = build_behaviour_corpus(corpus, o.max_items, o.stride);
  PromptStream stream(prompts, o.mixed_share, mix_seed(ctx.seed(Stream::shuffle), 0xC0DE));
  for (int64_t s = 0; s < schedule.step(); ++s)
    next_batch(stream, enc, o, torch::kCPU);  // same data
  DataParallel* dp = ctx.data_parallel();
  if (dp != nullptr) dp->broadcast(model->parameters());  // all ranks start from rank 0's weights
  llm::GradientAccumulator acc(*optimizer, schedule, 1, 1.0, dp);
  model->train();
  std::vector<double> losses;
  const int64_t report = std::max<int64_t>(1, out.steps / 10);
  while (schedule.step() < out.steps) {
    llm::LmBatch b = next_batch(stream, enc, o, ctx.device());
    double share = 1.0;
    if (dp != nullptr) {  // this rank's rows, weighted by their share of the target tokens
      const double all = llm::lm_loss_terms(b.loss_mask);
      const RowRange r = dp->rows(b.input_ids.size(0));
      b = {b.input_ids.slice(0, r.begin, r.end), b.loss_mask.slice(0, r.begin, r.end),
           b.attention_mask.slice(0, r.begin, r.end)};
      share = all > 0 ? llm::lm_loss_terms(b.loss_mask) / all : 0.0;
    }
    torch::Tensor loss;
    if (b.input_ids.size(0) > 0) {
      llm::ForwardOptions fwd;
      fwd.attention_mask = b.attention_mask;
      loss = llm::causal_lm_loss(model->forward(b.input_ids, fwd).logits, b.input_ids, b.loss_mask);
    }
    acc.backward(loss, share);
    // The global batch's loss (one small all-reduce a step; the logged tail needs every step).
    const double local = loss.defined() ? share * loss.item<double>() : 0.0;
    losses.push_back(dp != nullptr ? dp->sum(local) : loss.item<double>());
    ++out.trained_steps;
    if (ctx.stop_requested()) {  // nothing is written: a stopped pre-training is never reused
      ctx.log().info("cprec: pre-training stopped at step {}/{}", schedule.step(), out.steps);
      return out;
    }
    if (schedule.step() % report == 0) {
      ctx.log().info("cprec: pre-training step {}/{} loss {:.4f} lr {:.2e}", schedule.step(),
                     out.steps, losses.back(), schedule.lr_at(schedule.step() - 1));
    }
    const bool root = dp == nullptr || dp->rank() == 0;  // rank 0 writes the shared folders
    if (root && wsa && schedule.step() == schedule.anneal_start() && !out.resumed_from_stable) {
      write_folder_atomically(
          stable_dir, model, tokenizer_json, stable_identity,
          [&](const auto& dir) { llm::save_training_state(dir, *optimizer, schedule); });
    }
  }
  model->eval();
  const size_t tail = std::min(losses.size(), std::max<size_t>(1, losses.size() / 10));
  for (size_t i = losses.size() - tail; i < losses.size(); ++i) out.final_loss += losses[i];
  out.final_loss /= static_cast<double>(std::max<size_t>(1, tail));
  if (dp == nullptr || dp->rank() == 0) {
    write_folder_atomically(out.folder, model, tokenizer_json, identity, [](const auto&) {});
  }
  if (dp != nullptr) dp->barrier();  // no rank looks for the artefact before it exists
  ctx.log().info("cprec: continual pre-training done: {} steps, final loss {:.4f} -> {}", out.steps,
                 out.final_loss, out.folder.string());
  return out;
}

}  // namespace recbench::cprec
