// The functions behind `recbench llm info/tokenize/logprobs/pretrain`.
#include "recbench/llm/tools.h"

#include <torch/torch.h>

#include <chrono>
#include <fstream>
#include <istream>
#include <nlohmann/json.hpp>
#include <ostream>

#include "recbench/error.h"
#include "recbench/llm/bpe_trainer.h"
#include "recbench/llm/checkpoint.h"
#include "recbench/llm/training.h"

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
                                     const std::vector<int64_t>& ids, const torch::Device& device) {
  CausalLm model = load_model(dir, device);
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

namespace {

Tokenizer pretrain_tokenizer(const PretrainOptions& o, const std::vector<std::string>& docs,
                             std::ostream& log) {
  std::filesystem::path target = o.output / "tokenizer.json";
  if (o.tokenizer) {
    std::filesystem::copy_file(*o.tokenizer, target,
                               std::filesystem::copy_options::overwrite_existing);
  } else {
    BpeTrainerOptions bpe;
    bpe.vocab_size = o.vocab_size;
    std::ofstream(target) << train_bpe(docs, bpe);
    log << "trained a BPE tokenizer on " << docs.size() << " documents\n";
  }
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
  if (auto eos = tok.token_to_id("<|endoftext|>")) c.eos_token_id = c.pad_token_id = *eos;
  c.validate("pretrain options");
  return c;
}

}  // namespace

PretrainSummary pretrain(const PretrainOptions& o, std::ostream& log) {
  std::vector<std::string> docs;
  {
    std::ifstream in(o.corpus);
    if (!in) throw DataError(o.corpus.string() + ": cannot open corpus");
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) docs.push_back(line + "\n");
    }
  }
  if (docs.empty()) throw DataError(o.corpus.string() + ": corpus is empty");
  std::filesystem::create_directories(o.output);
  torch::manual_seed(o.seed);
  Tokenizer tok = pretrain_tokenizer(o, docs, log);
  ModelConfig config = pretrain_config(o, tok);
  int64_t eos = config.eos_token_id.value_or(0);
  std::vector<LmExample> examples;
  PretrainSummary summary;
  for (const std::string& doc : docs) {
    LmExample e;
    e.ids = tok.encode(doc);
    e.ids.push_back(eos);
    e.targets.assign(e.ids.size(), 1);
    summary.tokens += static_cast<int64_t>(e.ids.size());
    examples.push_back(std::move(e));
  }
  LmBatch data = pack_examples(examples, o.seq_len, eos);
  torch::Device device(o.device);
  CausalLm model(config);
  model->to(device, default_dtype(device));
  for (const auto& p : model->parameters()) summary.parameters += p.numel();
  auto optimizer = make_adamw(model, {o.lr, 0.01, 0.9, 0.95, 1e-8});
  LrSchedule schedule = LrSchedule::wsa(o.lr, o.steps, o.schedule);
  GradientAccumulator acc(*optimizer, schedule, 1, 1.0);
  log << "model: " << summary.parameters << " parameters, corpus: " << summary.tokens
      << " tokens in " << data.input_ids.size(0) << " rows of " << o.seq_len << "\n";
  auto start = std::chrono::steady_clock::now();
  int64_t rows = data.input_ids.size(0), tail = std::max<int64_t>(1, o.steps / 10);
  double tail_sum = 0;
  model->train();
  for (int64_t step = 0; step < o.steps; ++step) {
    torch::Tensor pick = torch::randint(0, rows, {std::min(o.batch_size, rows)}, torch::kLong);
    torch::Tensor ids = data.input_ids.index_select(0, pick).to(device);
    torch::Tensor mask = data.attention_mask.index_select(0, pick).to(device);
    ForwardOptions fwd;
    fwd.attention_mask = mask;
    torch::Tensor loss = causal_lm_loss(model->forward(ids, fwd).logits, ids,
                                        data.loss_mask.index_select(0, pick).to(device));
    acc.backward(loss);
    double value = loss.item<double>();
    if (step == 0) summary.first_loss = value;
    if (step >= o.steps - tail) tail_sum += value;
    if (step % std::max<int64_t>(1, o.steps / 10) == 0 || step == o.steps - 1) {
      log << "step " << step << " loss " << value << " lr " << schedule.lr_at(step) << "\n";
    }
  }
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  summary.final_loss = tail_sum / static_cast<double>(std::min(tail, o.steps));
  model->eval();
  save_model(model, o.output);
  log << "saved " << o.output.string() << "\n";
  return summary;
}

}  // namespace recbench::llm
