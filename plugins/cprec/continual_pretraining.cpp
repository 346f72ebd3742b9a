// Continual pre-training with WSA, its stable-phase checkpoint and the shared-folder reuse.
#include "continual_pretraining.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <sstream>
#include <string_view>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "behaviour_corpus.h"
#include "recbench/distributed.h"
#include "recbench/error.h"
#include "recbench/llm/backbone.h"
#include "recbench/llm/checkpoint.h"
#include "recbench/llm/tokenizer.h"
#include "recbench/llm/training.h"
#include "recbench/random.h"
#include "recbench/train_views.h"

namespace recbench::cprec {

std::string fingerprint_hex(const std::string& text) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) h = (h ^ c) * 0x100000001b3ULL;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

PretrainSeeds pretrain_seeds(const PretrainOptions& o, const TrainContext& ctx) {
  if (!o.share_across_seeds) {
    return {ctx.seed(Stream::init), mix_seed(ctx.seed(Stream::shuffle), 0xC0DE)};
  }
  return {stream_seed(0, static_cast<int>(Stream::init)),
          mix_seed(stream_seed(0, static_cast<int>(Stream::shuffle)), 0xC0DE)};
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
    << p.batch_size << "\naccumulation " << p.accumulation_steps << "\nlr " << p.peak_lr
    << "\nschedule " << p.schedule << "\nwarmup " << p.wsa.warmup_fraction << "\nstable "
    << p.wsa.stable_fraction << "\nanneal " << p.wsa.anneal_fraction << "\nmixed_share "
    << p.mixed_share << "\nmax_items " << p.max_items << "\nstride " << p.stride << "\nloss_span "
    << p.loss_span << "\nweight_decay " << p.weight_decay << '\n';
  if (with_anneal) {
    s << "shape " << static_cast<int>(p.wsa.shape) << "\nfloor " << p.wsa.floor_ratio << '\n';
  }
  return s.str();
}

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kCheckpointPrefix = "checkpoint-";

//! Where a run is besides weights, optimiser and schedule (progress.txt of a checkpoint).
struct Progress {
  int64_t step = 0;            //!< optimiser steps taken
  uint64_t prompts_drawn = 0;  //!< the PromptStream's position
  std::vector<double> losses;  //!< loss of every step taken by the runs so far
};

void write_progress(const fs::path& dir, const Progress& p) {
  std::ostringstream s;
  s << "step " << p.step << "\nprompts_drawn " << p.prompts_drawn << "\nlosses";
  char buf[32];
  for (double l : p.losses) {
    std::snprintf(buf, sizeof buf, " %.17g", l);  // round-trips exactly
    s << buf;
  }
  llm::write_text_file(dir / "progress.txt", s.str() + "\n");
}

Progress read_progress(const fs::path& dir) {
  std::istringstream s(llm::read_text_file(dir / "progress.txt"));
  Progress p;
  std::string key, losses;
  s >> key >> p.step >> key >> p.prompts_drawn >> losses;
  if (!s || losses != "losses") throw DataError((dir / "progress.txt").string() + ": malformed");
  for (double l; s >> l;) p.losses.push_back(l);
  return p;
}

//! Writes a model folder (plus `extra`) under `dir`.tmp, then renames it to `dir`.
template <typename Extra>
void write_folder_atomically(const fs::path& dir, llm::CausalLm& model,
                             const std::string& tokenizer_json, const std::string& identity,
                             Extra extra) {
  auto tmp = dir;
  tmp += ".tmp";
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  llm::save_model(model, tmp);
  llm::save_tokenizer(tmp, tokenizer_json);
  llm::write_text_file(tmp / "identity.txt", identity);
  extra(tmp);
  fs::remove_all(dir);
  fs::rename(tmp, dir);
}

//! Complete periodic checkpoints under `root` (renamed into place), oldest first.
std::vector<fs::path> checkpoints(const fs::path& root) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(root)) {
    const std::string name = e.path().filename().string();
    if (name.starts_with(kCheckpointPrefix) && e.path().extension() != ".tmp") {
      out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());  // zero-padded step numbers sort by step
  return out;
}

/// Writes checkpoint-<step> under `root` through a temporary folder, then removes the older
/// ones: a kill at any point leaves at least one complete checkpoint.
void write_checkpoint(const fs::path& root, llm::CausalLm& model,
                      torch::optim::Optimizer& optimizer, const LrSchedule& schedule,
                      const Progress& progress, const std::string& identity) {
  char name[48];
  std::snprintf(name, sizeof name, "%s%012lld", kCheckpointPrefix.data(),
                static_cast<long long>(progress.step));
  const fs::path dir = root / name;
  if (fs::exists(dir)) return;  // this step is saved already (a stop right after a periodic one)
  for (const auto& e : fs::directory_iterator(root)) {  // leftovers of killed writes
    if (e.path().extension() == ".tmp") fs::remove_all(e.path());
  }
  auto tmp = dir;
  tmp += ".tmp";
  fs::create_directories(tmp);
  llm::save_model(model, tmp);
  llm::save_training_state(tmp, optimizer, schedule);
  write_progress(tmp, progress);
  llm::write_text_file(tmp / "identity.txt", identity);
  fs::rename(tmp, dir);
  for (const auto& old : checkpoints(root)) {
    if (old != dir) fs::remove_all(old);
  }
}

//! One step's examples: prompts from the stream until the rows are full.
llm::LmBatch next_batch(PromptStream& stream, const PromptEncoder& enc, const PretrainOptions& o,
                        const torch::Device& device) {
  std::vector<llm::LmExample> examples;
  int64_t tokens = 0;
  const bool all = o.loss_span == "all";
  while (tokens < o.seq_len * o.batch_size) {
    const BehaviourPrompt p = stream.next();
    examples.push_back(enc.example(p.items, p.mixed, all));
    tokens += std::min<int64_t>(static_cast<int64_t>(examples.back().ids.size()), o.seq_len);
  }
  llm::LmBatch b = llm::pack_examples(examples, o.seq_len, enc.eos());
  return {b.input_ids.to(device), b.loss_mask.to(device), b.attention_mask.to(device)};
}

llm::LmBatch rows(const llm::LmBatch& b, const RowRange& r) {
  return {b.input_ids.slice(0, r.begin, r.end), b.loss_mask.slice(0, r.begin, r.end),
          b.attention_mask.slice(0, r.begin, r.end)};
}

/// One optimiser step over batch `b`: its rows split into accumulation_steps micro-batches (and,
/// under data parallelism, each micro-batch into the ranks' rows), each loss weighted by its
/// share of the batch's target tokens, so the gradient is that of the whole batch's mean loss.
/// Returns that loss (summed over ranks).
double train_step(llm::CausalLm& model, const llm::LmBatch& b, int64_t accumulation,
                  llm::GradientAccumulator& acc, DataParallel* dp, Precision precision) {
  const double all = llm::lm_loss_terms(b.loss_mask);
  const int64_t total_rows = b.input_ids.size(0);
  double step_loss = 0.0;
  for (int64_t m = 0; m < accumulation; ++m) {
    RowRange r = rows_of_rank(total_rows, static_cast<int>(m), static_cast<int>(accumulation));
    if (dp != nullptr) {
      const RowRange mine = dp->rows(r.size());
      r = {r.begin + mine.begin, r.begin + mine.end};
    }
    torch::Tensor loss;
    double share = 0.0;
    if (r.size() > 0) {
      const llm::LmBatch micro = rows(b, r);
      // One process without accumulation keeps share = 1 exactly (bit-identical to no weighting).
      share = accumulation == 1 && dp == nullptr
                  ? 1.0
                  : (all > 0 ? llm::lm_loss_terms(micro.loss_mask) / all * accumulation : 0.0);
      AutocastScope autocast(precision, micro.input_ids.device());
      llm::ForwardOptions fwd;
      fwd.attention_mask = micro.attention_mask;
      fwd.compute_logits = false;  // the head runs at supervised positions only
      loss = llm::supervised_lm_loss(model, model->forward(micro.input_ids, fwd).hidden,
                                     micro.input_ids, micro.loss_mask);
      step_loss += share / static_cast<double>(accumulation) * loss.item<double>();
    }
    acc.backward(loss, share);
  }
  // The global batch's loss (one small all-reduce a step; the logged tail needs every step).
  return dp != nullptr ? dp->sum(step_loss) : step_loss;
}

}  // namespace

PretrainOutcome continual_pretrain(llm::CausalLm& model, const std::string& tokenizer_json,
                                   const PromptEncoder& enc, const SequenceSet& corpus,
                                   const CprecOptions& options, const std::string& identity,
                                   const std::string& stable_identity, uint64_t data_seed,
                                   TrainContext& ctx, Precision precision) {
  const PretrainOptions& o = options.pretrain;
  PretrainOutcome out;
  out.steps = std::max<int64_t>(1, o.tokens / (o.seq_len * o.batch_size));
  const fs::path root = ctx.shared_dir("cprec-" + fingerprint_hex(identity));
  out.folder = root / "model";
  if (fs::exists(out.folder / "config.json")) {
    llm::load_weights(model, out.folder);
    out.reused = true;
    ctx.log().info("cprec: reusing continual pre-training from {}", out.folder.string());
    return out;
  }
  const bool wsa = o.schedule == "wsa";
  const auto stable_dir =
      wsa ? ctx.shared_dir("cprec-stable-" + fingerprint_hex(stable_identity)) / "checkpoint"
          : fs::path();
  LrSchedule schedule = pretrain_schedule(o, out.steps);
  auto optimizer = llm::make_adamw(model, {o.peak_lr, o.weight_decay, 0.9, 0.95, 1e-8});
  const BehaviourCorpus prompts(corpus, o.max_items, o.stride);
  PromptStream stream(prompts, o.mixed_share, data_seed);
  Progress progress;
  const auto saved = checkpoints(root);
  const bool stable = wsa && fs::exists(stable_dir / "progress.txt");
  const int64_t stable_step = stable ? read_progress(stable_dir).step : -1;
  fs::path from;  // the state to resume: this run's latest checkpoint, or the stable phase's end
  if (!saved.empty() && read_progress(saved.back()).step >= stable_step) {
    from = saved.back();
  } else if (stable) {
    from = stable_dir;
    out.resumed_from_stable = true;
  }
  if (!from.empty()) {
    llm::load_weights(model, from);
    llm::load_training_state(from, *optimizer);
    progress = read_progress(from);
    while (schedule.step() < progress.step) schedule.advance();  // this variant's schedule
    stream.skip(progress.prompts_drawn);                         // same data from here on
    if (out.resumed_from_stable) {
      progress.losses.clear();  // the stable run's losses are not this variant's
      ctx.log().info("cprec: annealing from the stable checkpoint {} (step {})",
                     stable_dir.string(), progress.step);
    } else {
      out.resumed_from_step = progress.step;
      ctx.log().info("cprec: resuming continual pre-training from {} (step {}/{})", from.string(),
                     progress.step, out.steps);
    }
  }
  DataParallel* dp = ctx.data_parallel();
  if (dp != nullptr) dp->broadcast(model->parameters());    // all ranks start from rank 0's weights
  const bool root_rank = dp == nullptr || dp->rank() == 0;  // rank 0 writes the shared folders
  llm::GradientAccumulator acc(*optimizer, schedule, o.accumulation_steps, 1.0, dp, precision);
  model->train();
  // Same gradients (LlmScale.ActivationCheckpointingGivesTheSameGradients), so not in the identity.
  model->set_activation_checkpointing(o.activation_checkpointing);
  const int64_t report = std::max<int64_t>(1, out.steps / 10);
  const auto started = std::chrono::steady_clock::now();
  while (schedule.step() < out.steps) {
    const llm::LmBatch b = next_batch(stream, enc, o, ctx.device());
    progress.losses.push_back(train_step(model, b, o.accumulation_steps, acc, dp, precision));
    progress.step = schedule.step();
    progress.prompts_drawn = stream.drawn();
    ++out.trained_steps;
    if (schedule.step() % report == 0) {
      ctx.log().info("cprec: pre-training step {}/{} loss {:.4f} lr {:.2e}", schedule.step(),
                     out.steps, progress.losses.back(), schedule.lr_at(schedule.step() - 1));
    }
    if (root_rank && wsa && schedule.step() == schedule.anneal_start() &&
        !fs::exists(stable_dir / "progress.txt")) {
      write_folder_atomically(stable_dir, model, tokenizer_json, stable_identity,
                              [&](const fs::path& dir) {
                                llm::save_training_state(dir, *optimizer, schedule);
                                write_progress(dir, {progress.step, progress.prompts_drawn, {}});
                              });
    }
    if (schedule.step() == out.steps) break;  // a stop now still writes the artefact below
    const bool stop = ctx.stop_requested();
    const bool periodic = o.checkpoint_every > 0 && schedule.step() % o.checkpoint_every == 0;
    if (root_rank && (stop || periodic)) {
      write_checkpoint(root, model, *optimizer, schedule, progress, identity);
    }
    if (stop) {
      if (dp != nullptr) dp->barrier();  // the checkpoint is complete before any rank leaves
      out.stopped = true;
      ctx.log().info("cprec: pre-training stopped at step {}/{}; its checkpoint is in {}",
                     schedule.step(), out.steps, root.string());
      return out;
    }
  }
  model->eval();
  model->set_activation_checkpointing(false);  // adaptation chooses its own
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const auto& losses = progress.losses;
  const size_t tail = std::min(losses.size(), std::max<size_t>(1, losses.size() / 10));
  for (size_t i = losses.size() - tail; i < losses.size(); ++i) out.final_loss += losses[i];
  out.final_loss /= static_cast<double>(std::max<size_t>(1, tail));
  if (root_rank) {
    write_folder_atomically(out.folder, model, tokenizer_json, identity, [](const auto&) {});
    for (const auto& c : checkpoints(root)) fs::remove_all(c);  // the artefact supersedes them
  }
  if (dp != nullptr) dp->barrier();  // no rank looks for the artefact before it exists
  ctx.log().info(
      "cprec: continual pre-training done: {} steps ({} in this run, {:.3f} s/step), final loss "
      "{:.4f} -> {}",
      out.steps, out.trained_steps,
      seconds / static_cast<double>(std::max<int64_t>(1, out.trained_steps)), out.final_loss,
      out.folder.string());
  return out;
}

}  // namespace recbench::cprec
