// The functions behind `recbench llm info/tokenize/logprobs/pretrain`.
#include "recbench/llm/tools.h"

#include <torch/torch.h>

#include <fmt/format.h>
#include <algorithm>
#include <chrono>
#include <fstream>
#include <istream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <ostream>
#include <random>

#include "recbench/error.h"
#include "recbench/llm/backbone.h"
#include "recbench/llm/bpe_trainer.h"
#include "recbench/llm/checkpoint.h"
#include "recbench/llm/training.h"
#include "recbench/threads.h"

namespace recbench::llm {

void tokenize_lines(const Tokenizer& tokenizer, std::istream& in, std::ostream& out) {
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<int64_t> ids = tokenizer.encode(line);
    for (size_t i = 0; i < ids.size(); ++i) out << (i ? " " : "") << ids[i];
    out << "\n";
  }
}

std::string next_token_logprobs_json(const std::filesystem::path& dir,
                                     const std::vector<int64_t>& ids, const torch::Device& device,
                                     torch::ScalarType dtype) {
  CausalLm model = load_model(dir, device, dtype);
  for (int64_t id : ids) {
    if (id < 0 || id >= model->config().vocab_size) {
      throw DataError("token id " + std::to_string(id) + " outside the vocabulary of " +
                      dir.string() + " (" + std::to_string(model->config().vocab_size) + ")");
    }
  }
  std::vector<double> logprobs;
  if (ids.size() > 1) {
    torch::NoGradGuard no_grad;
    torch::Tensor input = torch::tensor(ids, torch::kLong).unsqueeze(0).to(device);
    torch::Tensor lp =
        torch::log_softmax(model->forward(input).logits[0].to(torch::kFloat), -1).cpu();
    for (size_t i = 1; i < ids.size(); ++i) {
      logprobs.push_back(lp[static_cast<int64_t>(i) - 1][ids[i]].item<double>());
    }
  }
  return nlohmann::json({{"ids", ids}, {"logprobs", logprobs}}).dump();
}

PretrainOptions read_pretrain_options(Params& p) {
  PretrainOptions o;
  o.corpus = p.text("corpus", "", "UTF-8 text file, one document per line (required)");
  o.output = p.text("output", "", "model folder to write (required)");
  if (std::string t =
          p.text("tokenizer", "", "tokenizer.json or tokenizer.model to use (default: train one)");
      !t.empty()) {
    o.tokenizer = t;
  }
  o.vocab_size =
      p.integer("vocab_size", o.vocab_size, "BPE vocabulary when training one", 257, 1 << 20);
  o.eos_token = p.text("eos_token", o.eos_token, "token ending every document (and padding)");
  o.hidden_size = p.integer("hidden_size", o.hidden_size, "model width", 2);
  o.layers = p.integer("layers", o.layers, "decoder blocks", 1);
  o.heads = p.integer("heads", o.heads, "query heads", 1);
  o.kv_heads = p.integer("kv_heads", o.kv_heads, "key/value heads (divides heads)", 1);
  o.intermediate_size = p.integer("intermediate_size", o.intermediate_size, "SwiGLU width", 1);
  o.seq_len = p.integer("seq_len", o.seq_len, "packed row length in tokens", 2);
  o.batch_size = p.integer("batch_size", o.batch_size, "rows per micro-batch", 1);
  o.accumulation_steps =
      p.integer("accumulation_steps", o.accumulation_steps, "micro-batches per step", 1);
  o.steps = p.integer("steps", o.steps, "optimiser steps", 1);
  o.lr = p.real("lr", o.lr, "peak learning rate", 0.0);
  o.weight_decay = p.real("weight_decay", o.weight_decay, "AdamW weight decay of matrices", 0.0);
  o.max_grad_norm = p.real("max_grad_norm", o.max_grad_norm, "gradient clipping (0 = none)", 0.0);
  o.schedule_type = p.choice("schedule", o.schedule_type, {"wsa", "cosine"},
                             "Warmup-Stable-Annealing, or warmup then cosine decay");
  WsaOptions& w = o.schedule;
  w.warmup_fraction = p.real("warmup_fraction", w.warmup_fraction, "warmup share of steps", 0, 1);
  w.stable_fraction = p.real("stable_fraction", w.stable_fraction, "wsa: constant share", 0, 1);
  w.anneal_fraction = p.real("anneal_fraction", w.anneal_fraction, "wsa: decay share", 0, 1);
  w.shape = parse_anneal_shape(
      p.choice("anneal_shape", "cosine", {"cosine", "linear", "exponential"}, "wsa: decay shape"));
  w.floor_ratio = p.real("floor_ratio", w.floor_ratio, "final lr / peak lr", 0, 1);
  o.seed = static_cast<uint64_t>(p.integer("seed", 0, "initialisation and shuffling seed", 0));
  o.device = p.choice("device", o.device, {"cpu", "cuda"}, "training device");
  o.precision =
      p.choice("precision", o.precision, {"auto", "fp32", "bf16-mixed", "fp16-mixed", "bf16"},
               "precision policy (auto: fp32 on CPU, bf16-mixed on CUDA)");
  o.threads =
      p.integer("threads", o.threads,
                "LibTorch and OpenBLAS threads (0 = the CPUs this process may use)", 0, 1024);
  o.checkpoint_every =
      p.integer("checkpoint_every", o.checkpoint_every, "steps between checkpoints (0 = none)", 0);
  o.stop_after = p.integer("stop_after", o.stop_after, "stop after N steps, resumable", 0);
  o.resume = p.flag("resume", o.resume, "continue from output/checkpoint");
  o.log_every = p.integer("log_every", o.log_every, "steps between progress lines (0 = auto)", 0);
  return o;
}

namespace {

//! Checks what read_pretrain_options cannot check key by key.
void validate(const PretrainOptions& o) {
  if (o.corpus.empty()) throw ConfigError("pretrain: corpus is required");
  if (o.output.empty()) throw ConfigError("pretrain: output is required");
  if (o.hidden_size % o.heads != 0 || (o.hidden_size / o.heads) % 2 != 0) {
    throw ConfigError("pretrain: hidden_size (" + std::to_string(o.hidden_size) +
                      ") must be heads (" + std::to_string(o.heads) + ") x an even head size");
  }
  if (o.heads % o.kv_heads != 0) {
    throw ConfigError("pretrain: heads (" + std::to_string(o.heads) +
                      ") must be a multiple of kv_heads (" + std::to_string(o.kv_heads) + ")");
  }
}

std::vector<std::string> read_corpus(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw DataError(path.string() + ": cannot open corpus");
  std::vector<std::string> docs;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) docs.push_back(line + "\n");
  }
  if (docs.empty()) throw DataError(path.string() + ": corpus has no non-empty line");
  return docs;
}

Tokenizer pretrain_tokenizer(const PretrainOptions& o, const std::vector<std::string>& docs,
                             std::ostream& log) {
  const std::filesystem::path existing = tokenizer_file(o.output);  // .model or .json
  if (o.resume && std::filesystem::exists(existing)) return Tokenizer::from_file(existing);
  if (o.tokenizer) {
    Tokenizer given = Tokenizer::from_file(*o.tokenizer);   // validates before copying
    const std::string text = read_text_file(*o.tokenizer);  // .gz is stored uncompressed
    const std::filesystem::path target = o.output / given.file_name();
    if (!std::filesystem::exists(target) || !std::filesystem::equivalent(*o.tokenizer, target)) {
      std::ofstream out(target, std::ios::binary);
      out << text;
      if (!out) throw DataError(target.string() + ": cannot write");
    }
    return given;
  }
  BpeTrainerOptions bpe;
  bpe.vocab_size = o.vocab_size;
  bpe.special_tokens = {o.eos_token};
  const std::filesystem::path target = o.output / "tokenizer.json";
  std::ofstream out(target);
  out << train_bpe(docs, bpe);
  if (!out) throw DataError(target.string() + ": cannot write");
  log << "trained a BPE tokenizer on " << docs.size() << " documents\n";
  return Tokenizer::from_file(target);
}

ModelConfig pretrain_config(const PretrainOptions& o, const Tokenizer& tok) {
  ModelConfig c = ModelConfig::tiny(tok.vocab_size());
  c.hidden_size = o.hidden_size;
  c.num_hidden_layers = o.layers;
  c.num_attention_heads = o.heads;
  c.num_key_value_heads = o.kv_heads;
  c.intermediate_size = o.intermediate_size;
  c.head_dim = o.hidden_size / o.heads;
  c.max_position_embeddings = std::max<int64_t>(o.seq_len, 512);
  std::optional<int64_t> eos = tok.token_to_id(o.eos_token);
  if (!eos) {
    throw ConfigError("pretrain: the tokenizer has no token '" + o.eos_token +
                      "' (option eos_token)");
  }
  c.eos_token_id = c.pad_token_id = *eos;
  c.validate("pretrain options");
  return c;
}

LmBatch pack_corpus(const std::vector<std::string>& docs, const Tokenizer& tok, int64_t eos,
                    int64_t seq_len, int64_t& tokens) {
  std::vector<LmExample> examples;
  for (const std::string& doc : docs) {
    LmExample e;
    e.ids = tok.encode(doc);
    e.ids.push_back(eos);
    e.targets.assign(e.ids.size(), 1);
    tokens += static_cast<int64_t>(e.ids.size());
    examples.push_back(std::move(e));
  }
  return pack_examples(examples, seq_len, eos);
}

//! Row k of the training stream: epoch k / rows is a seeded permutation, so any step is
//! reproducible without replaying the ones before it.
class RowStream {
 public:
  RowStream(int64_t rows, uint64_t seed) : rows_(rows), seed_(seed) {}
  int64_t row(int64_t k) {
    int64_t epoch = k / rows_;
    if (epoch != epoch_) {
      order_.resize(static_cast<size_t>(rows_));
      std::iota(order_.begin(), order_.end(), 0);
      std::mt19937_64 rng(seed_ * 1000003ULL + static_cast<uint64_t>(epoch));
      std::shuffle(order_.begin(), order_.end(), rng);
      epoch_ = epoch;
    }
    return order_[static_cast<size_t>(k % rows_)];
  }

 private:
  int64_t rows_, epoch_ = -1;
  uint64_t seed_;
  std::vector<int64_t> order_;
};

//! FNV-1a of the corpus documents, to recognise the corpus a checkpoint was trained on.
std::string corpus_hash(const std::vector<std::string>& docs) {
  uint64_t h = 14695981039346656037ULL;
  for (const std::string& doc : docs) {
    for (unsigned char c : doc) h = (h ^ c) * 1099511628211ULL;
  }
  return fmt::format("{:016x}", h);
}

//! What must agree between a checkpoint and the options that resume it.
nlohmann::json run_identity(const PretrainOptions& o, const std::vector<std::string>& docs) {
  return {{"steps", o.steps},           {"seed", o.seed},
          {"batch_size", o.batch_size}, {"accumulation_steps", o.accumulation_steps},
          {"seq_len", o.seq_len},       {"corpus_fnv1a", corpus_hash(docs)}};
}

void save_checkpoint(const PretrainOptions& o, CausalLm& model, torch::optim::Optimizer& opt,
                     const LrSchedule& schedule, nlohmann::json identity) {
  std::filesystem::path dir = o.output / "checkpoint";
  save_model(model, dir);
  save_training_state(dir, opt, schedule);
  identity["step"] = schedule.step();
  std::ofstream out(dir / "trainer.json");
  out << identity.dump(2) << "\n";
  if (!out) throw DataError((dir / "trainer.json").string() + ": cannot write");
}

//! Restores model, optimiser and schedule from output/checkpoint (the schedule knows the step).
LrSchedule resume_checkpoint(const PretrainOptions& o, CausalLm& model,
                             torch::optim::Optimizer& opt, const nlohmann::json& identity) {
  std::filesystem::path dir = o.output / "checkpoint", file = dir / "trainer.json";
  if (!std::filesystem::exists(file)) {
    throw DataError(dir.string() + ": no checkpoint to resume (trainer.json missing)");
  }
  nlohmann::json saved;
  try {
    saved = nlohmann::json::parse(read_text_file(file));
  } catch (const nlohmann::json::exception& e) {
    throw DataError(file.string() + ": invalid JSON (" + e.what() + ")");
  }
  for (const auto& [key, value] : identity.items()) {
    if (!saved.contains(key) || saved[key] != value) {
      throw ConfigError(file.string() + ": checkpoint has " + key + " = " +
                        saved.value(key, nlohmann::json()).dump() + ", the options give " +
                        value.dump());
    }
  }
  load_weights(model, dir);
  return load_training_state(dir, opt);
}

LrSchedule make_schedule(const PretrainOptions& o) {
  if (o.schedule_type == "cosine") {
    auto warmup = std::llround(o.schedule.warmup_fraction * static_cast<double>(o.steps));
    return LrSchedule::warmup_cosine(o.lr, o.steps, warmup, o.schedule.floor_ratio);
  }
  if (o.schedule_type != "wsa") {
    throw ConfigError("pretrain: schedule '" + o.schedule_type + "' is unknown (wsa, cosine)");
  }
  return LrSchedule::wsa(o.lr, o.steps, o.schedule);
}

}  // namespace

PretrainSummary pretrain(const PretrainOptions& o, std::ostream& log) {
  validate(o);
  set_cpu_threads(o.threads > 0 ? static_cast<int>(o.threads) : usable_cpus().count);
  std::vector<std::string> docs = read_corpus(o.corpus);
  std::filesystem::create_directories(o.output);
  Tokenizer tok = pretrain_tokenizer(o, docs, log);
  ModelConfig config = pretrain_config(o, tok);
  PretrainSummary summary;
  LmBatch data = pack_corpus(docs, tok, *config.eos_token_id, o.seq_len, summary.tokens);
  summary.rows = data.input_ids.size(0);

  torch::manual_seed(o.seed);
  torch::Device device(o.device);
  const Precision precision = o.precision == "auto"
                                  ? default_precision(device)
                                  : parse_precision(o.precision, "pretrain.precision");
  check_precision(precision, device, "pretrain.precision");
  CausalLm model(config, ModelInit{master_dtype(precision), device, true});
  for (const auto& p : model->parameters()) summary.parameters += p.numel();
  auto optimizer = make_adamw(model, {o.lr, o.weight_decay, 0.9, 0.95, 1e-8});
  const nlohmann::json identity = run_identity(o, docs);
  LrSchedule schedule =
      o.resume ? resume_checkpoint(o, model, *optimizer, identity) : make_schedule(o);
  GradientAccumulator acc(*optimizer, schedule, o.accumulation_steps, o.max_grad_norm, nullptr,
                          precision);
  log << "model: " << summary.parameters << " parameters; corpus: " << summary.tokens
      << " tokens in " << summary.rows << " rows of " << o.seq_len << "\n";

  summary.first_step = schedule.step();
  int64_t end = o.stop_after > 0 ? std::min(o.steps, summary.first_step + o.stop_after) : o.steps;
  int64_t every = o.log_every > 0 ? o.log_every : std::max<int64_t>(1, o.steps / 10);
  int64_t tail_from = std::max(summary.first_step, end - std::max<int64_t>(1, o.steps / 10));
  double tail_sum = 0;
  RowStream stream(summary.rows, o.seed);
  auto start = std::chrono::steady_clock::now();
  model->train();
  for (int64_t step = summary.first_step; step < end; ++step) {
    double step_loss = 0;
    for (int64_t m = 0; m < o.accumulation_steps; ++m) {
      int64_t first = (step * o.accumulation_steps + m) * o.batch_size;
      std::vector<int64_t> picks;
      for (int64_t r = 0; r < o.batch_size; ++r) picks.push_back(stream.row(first + r));
      torch::Tensor pick = torch::tensor(picks, torch::kLong);
      torch::Tensor ids = data.input_ids.index_select(0, pick).to(device);
      ForwardOptions fwd;
      fwd.attention_mask = data.attention_mask.index_select(0, pick).to(device);
      fwd.compute_logits = false;
      torch::Tensor loss;
      {
        AutocastScope autocast(precision, device);
        loss = supervised_lm_loss(model, model->forward(ids, fwd).hidden, ids,
                                  data.loss_mask.index_select(0, pick).to(device));
      }
      step_loss += loss.item<double>() / static_cast<double>(o.accumulation_steps);
      acc.backward(loss);
    }
    if (step == summary.first_step) summary.first_loss = step_loss;
    if (step >= tail_from) tail_sum += step_loss;
    if ((step + 1) % every == 0 || step == summary.first_step || step + 1 == end) {
      log << "step " << step + 1 << "/" << o.steps << " loss " << step_loss << " lr "
          << schedule.lr_at(step) << " grad norm " << acc.last_grad_norm() << "\n";
    }
    bool checkpoint = o.checkpoint_every > 0 && (step + 1) % o.checkpoint_every == 0;
    if (checkpoint || (step + 1 == end && end < o.steps)) {
      save_checkpoint(o, model, *optimizer, schedule, identity);
    }
  }
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  summary.last_step = end;
  summary.final_loss = end > tail_from ? tail_sum / static_cast<double>(end - tail_from) : 0.0;
  model->eval();
  if (end == o.steps) {
    save_model(model, o.output);
    log << "saved " << o.output.string() << "\n";
  } else {
    log << "stopped at step " << end << "; resume with resume = true\n";
  }
  return summary;
}

}  // namespace recbench::llm
