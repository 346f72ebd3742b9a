// CPRec: backbone, continual pre-training, target adaptation and the three scoring rules.
#include "cprec.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "behaviour_corpus.h"
#include "recbench/distributed.h"
#include "recbench/error.h"
#include "recbench/llm/bpe_trainer.h"
#include "recbench/llm/checkpoint.h"
#include "recbench/llm/training.h"
#include "recbench/train_views.h"

namespace recbench::cprec {

namespace {

constexpr double kNoScore = -1e9;  //!< score of items a rule does not rank (all tie last)

PromptTemplate make_template(const CprecOptions& o, const std::string& owner) {
  return PromptTemplate(owner, o.prompt, o.item, o.mixed_item, o.separator);
}

const DatasetView& require_data(const PluginContext& context) {
  if (context.data == nullptr) throw PluginError("cprec: constructed without a dataset");
  return *context.data;
}

//! Right-padded ids and mask of `texts`.
std::pair<torch::Tensor, torch::Tensor> pad_right(const std::vector<std::vector<int64_t>>& texts,
                                                  int64_t pad, const torch::Device& device) {
  size_t width = 1;
  for (const auto& t : texts) width = std::max(width, t.size());
  const auto rows = static_cast<int64_t>(texts.size()), w = static_cast<int64_t>(width);
  auto ids = torch::full({rows, w}, pad, torch::kInt64);
  auto mask = torch::zeros({rows, w}, torch::kInt64);
  for (int64_t r = 0; r < rows; ++r) {
    const auto& t = texts[static_cast<size_t>(r)];
    const auto n = static_cast<int64_t>(t.size());
    ids[r].slice(0, 0, n).copy_(torch::tensor(t, torch::kInt64));
    mask[r].slice(0, 0, n).fill_(1);
  }
  return {ids.to(device), mask.to(device)};
}

//! Likelihood scoring: (prompt, candidate) pairs per forward pass. Several users' pairs share a
//! pass, so a small model runs few, large matrix products.
llm::ScoreOptions score_options() {
  llm::ScoreOptions o;
  o.batch_size = 256;
  return o;
}

}  // namespace

Cprec::Cprec(Params& params, const PluginContext& context)
    : options_(read_options(params, context.corpora)),
      prompt_(make_template(options_, params.owner())),
      device_(context.device),
      precision_(context.precision),
      scaler_(LossScaler::for_policy(context.precision)),
      items_(item_texts(*require_data(context).items)) {
  if (options_.backbone != "tiny") {
    llm::check_model_folder(options_.backbone, params.owner() + ".backbone");
  }
  if (options_.adapt.scoring == "embedding" && options_.adapt.mode == "lora" &&
      options_.adapt.lora_rank < 1) {
    throw ConfigError(params.owner() + ".lora_rank: expected >= 1");
  }
}

void Cprec::set_backbone(llm::Backbone backbone) {
  model_ = std::move(backbone.model);
  tokenizer_json_ = std::move(backbone.tokenizer_json);
  tokenizer_.emplace(std::move(backbone.tokenizer));
  encoder_ = std::make_unique<PromptEncoder>(*tokenizer_, prompt_, items_, options_.mixed_domain,
                                             backbone.eos_token_id);
  item_cache_ = torch::Tensor();
  trie_.reset();
}

void Cprec::build_backbone(TrainContext& ctx) {
  const PretrainOptions& p = options_.pretrain;
  const bool pretrains = !p.corpus.empty() && p.tokens > 0;
  const PretrainSeeds seeds =
      pretrains ? pretrain_seeds(p, ctx) : PretrainSeeds{ctx.seed(Stream::init), 0};
  torch::manual_seed(seeds.init);
  std::string backbone_id;
  if (options_.backbone == "tiny") {
    // One tokenizer per corpus (not per target), so the pre-trained artefact is shared.
    const ItemCatalog& source = p.corpus.empty() ? *ctx.data().items : *ctx.corpus(p.corpus).items;
    std::vector<std::string> docs{prompt_.render(options_.mixed_domain, {"a", "b"}, nullptr)};
    for (const ItemText& it : item_texts(source)) {
      if (it.title.empty()) continue;
      docs.push_back(prompt_.item(it, false));
      docs.push_back(prompt_.item(it, true));
    }
    llm::BpeTrainerOptions bpe;
    bpe.vocab_size = options_.vocab_size;
    std::string json = llm::train_bpe(docs, bpe);
    const auto tokenizer = llm::Tokenizer::from_json(json, "cprec tokenizer");
    llm::ModelConfig config = llm::ModelConfig::tiny(tokenizer.vocab_size());
    config.eos_token_id = tokenizer.token_to_id(llm::kEndOfText);
    llm::CausalLm model(config, llm::ModelInit{torch::kFloat, device_, true});
    set_backbone(llm::make_backbone(std::move(model), std::move(json), "cprec tokenizer"));
    backbone_id = "tiny vocab " + std::to_string(options_.vocab_size) + " tokenizer " +
                  fingerprint_hex(tokenizer_json_);
  } else {
    const std::filesystem::path dir = options_.backbone;
    // Pre-training trains every weight: loaded straight into the master dtype.
    set_backbone(llm::load_backbone(dir, device_, "cprec tokenizer", master_dtype(precision_)));
    backbone_id = "hf " + std::filesystem::absolute(dir).string() + " config " +
                  fingerprint_hex(llm::read_text_file(dir / "config.json"));
  }
  llm::cast_for_training(model_, precision_);
  pretraining_.reset();
  if (!pretrains) return;
  const DatasetView& corpus = ctx.corpus(p.corpus);
  PromptEncoder corpus_encoder(*tokenizer_, prompt_, item_texts(*corpus.items),
                               options_.mixed_domain, encoder_->eos());
  // The policy changes the artefact (bfloat16 products train other weights than float32 ones).
  const std::string precision = "precision " + precision_name(precision_) + "\n";
  pretraining_ = continual_pretrain(
      model_, tokenizer_json_, corpus_encoder, *corpus.train, options_,
      pretrain_identity(options_, backbone_id, corpus.fingerprint, seeds.init, true) + precision,
      pretrain_identity(options_, backbone_id, corpus.fingerprint, seeds.init, false) + precision,
      seeds.data, ctx, precision_);
  // A shared artefact was built with seed 0's stream: adaptation (e.g. LoRA's initialisation)
  // draws from this cell's own.
  if (p.share_across_seeds) torch::manual_seed(ctx.seed(Stream::init));
}

void Cprec::fit(TrainContext& ctx) {
  build_backbone(ctx);
  if (ctx.stop_requested()) return;  // the cell starts again on --resume
  adapt(ctx);
  model_->eval();
  item_cache_ = torch::Tensor();
}

void Cprec::adapt(TrainContext& ctx) {
  const AdaptOptions& a = options_.adapt;
  if (a.mode == "none") {
    ctx.log().info("cprec: zero-shot (no target adaptation)");
    return;
  }
  if (a.mode == "lora") {
    model_->add_lora({a.lora_rank, a.lora_alpha, 0.0}, {"q_proj", "k_proj", "v_proj", "o_proj"});
    llm::cast_for_training(model_, precision_);  // the frozen base in the compute dtype
  }
  const SequenceSet& train = *ctx.data().train;
  if (train.size() == 0) throw DataError("cprec: the target dataset has no training sequence");
  std::vector<size_t> rows(train.size());
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = i;
  std::mt19937_64 pick(ctx.seed(Stream::sampling));
  for (size_t i = rows.size(); i > 1; --i) std::swap(rows[i - 1], rows[pick() % i]);
  rows.resize(std::max<size_t>(1, static_cast<size_t>(std::ceil(a.few_shot * rows.size()))));
  std::sort(rows.begin(), rows.end());
  const auto samples = target_prompts(train, rows, a.max_items);  // history then target
  if (samples.empty()) throw DataError("cprec: no training transition in the target data");
  ctx.log().info("cprec: adapting on {} prompts of {} users ({} scoring)", samples.size(),
                 rows.size(), a.scoring);
  auto optimizer = llm::make_adamw(model_, {a.lr, 0.01, 0.9, 0.95, 1e-8});
  if (DataParallel* dp = ctx.data_parallel()) {  // every rank starts from rank 0's weights
    dp->broadcast(model_->parameters());
  }
  for (int epoch = 0; epoch < a.epochs; ++epoch) {
    const double loss = adapt_epoch(samples, ctx, *optimizer, epoch);
    if (ctx.stop_requested()) return;
    model_->eval();
    item_cache_ = torch::Tensor();
    if (ctx.validate(*this, epoch, loss).should_stop) break;
  }
}

double Cprec::adapt_epoch(const std::vector<std::vector<ItemId>>& samples, TrainContext& ctx,
                          torch::optim::Optimizer& optimizer, int epoch) {
  std::vector<size_t> order(samples.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::mt19937_64 rng(mix_seed(ctx.seed(Stream::shuffle), static_cast<uint64_t>(epoch)));
  for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng() % i]);
  std::vector<std::vector<ItemId>> shuffled;
  for (size_t i : order) shuffled.push_back(samples[i]);
  model_->train();
  DataParallel* dp = ctx.data_parallel();
  double total = 0;
  int64_t batches = 0;
  const auto step = static_cast<size_t>(options_.adapt.batch_size);
  for (size_t begin = 0; begin < shuffled.size(); begin += step) {
    const size_t end = std::min(shuffled.size(), begin + step);
    optimizer.zero_grad();
    // Under data parallelism the loss of this rank's rows, weighted by their share.
    torch::Tensor loss = batch_loss(shuffled, begin, end, rng(), dp);
    if (loss.defined()) scaler_.scale(loss).backward();
    std::vector<torch::Tensor> params;
    for (const auto& group : optimizer.param_groups()) {
      for (const auto& t : group.params()) params.push_back(t);
    }
    if (dp != nullptr) dp->reduce_gradients(params, 1.0);
    const bool finite = scaler_.unscale(params);  // every rank holds the same sums
    if (finite) {
      torch::nn::utils::clip_grad_norm_(params, 1.0);
      optimizer.step();
    }
    scaler_.update(finite);
    if (loss.defined()) total += loss.item<double>();
    ++batches;
    if (ctx.stop_requested()) break;
  }
  if (dp != nullptr) total = dp->sum(total);  // the global batches' losses
  return total / static_cast<double>(std::max<int64_t>(1, batches));
}

torch::Tensor Cprec::batch_loss(const std::vector<std::vector<ItemId>>& samples, size_t begin,
                                size_t end, uint64_t seed, DataParallel* dp) {
  const AdaptOptions& a = options_.adapt;
  // Under data parallelism this rank computes rows [mine.begin, mine.end) of the batch.
  RowRange mine{0, static_cast<int64_t>(end - begin)};
  if (dp != nullptr) mine = dp->rows(mine.end);
  if (mine.size() == 0) return {};
  const size_t first = begin + static_cast<size_t>(mine.begin);
  const size_t last = begin + static_cast<size_t>(mine.end);
  if (a.scoring != "embedding") {  // language modelling of the target's title
    std::vector<std::vector<int64_t>> ids;
    std::vector<std::vector<int64_t>> masks;
    double all_terms = 0.0;  // target tokens of the whole batch (their loss is a token mean)
    for (size_t i = begin; i < end; ++i) {
      llm::LmExample ex = encoder_->example(samples[i], false, false);
      for (size_t t = 1; t < ex.targets.size(); ++t) all_terms += ex.targets[t];
      if (i < first || i >= last) continue;
      ids.push_back(ex.ids);
      masks.emplace_back(ex.targets.begin(), ex.targets.end());
    }
    auto [input, attention] = pad_right(ids, encoder_->eos(), device_);
    auto loss_mask = pad_right(masks, 0, device_).first.to(torch::kFloat);
    AutocastScope autocast(precision_, device_);
    llm::ForwardOptions fwd;
    fwd.attention_mask = attention;
    fwd.compute_logits = false;  // the head runs at the target title's positions only
    auto loss =
        llm::supervised_lm_loss(model_, model_->forward(input, fwd).hidden, input, loss_mask);
    if (dp == nullptr) return loss;
    return all_terms > 0 ? loss * (llm::lm_loss_terms(loss_mask) / all_terms) : loss * 0.0;
  }
  std::vector<std::vector<ItemId>> histories;
  std::vector<ItemId> targets;
  for (size_t i = begin; i < end; ++i) {  // the softmax's items come from the whole batch
    histories.emplace_back(samples[i].begin(), samples[i].end() - 1);
    targets.push_back(samples[i].back());
  }
  std::vector<ItemId> set;  // the items of the softmax
  const int32_t n = encoder_->num_items();
  if (n - 1 <= a.softmax_items) {
    for (ItemId i = 1; i < n; ++i) set.push_back(i);
  } else {  // the batch's targets plus uniform negatives
    std::set<ItemId> chosen(targets.begin(), targets.end());
    std::mt19937_64 rng(seed);
    while (static_cast<int64_t>(chosen.size()) < a.softmax_items) {
      chosen.insert(static_cast<ItemId>(1 + rng() % static_cast<uint64_t>(n - 1)));
    }
    set.assign(chosen.begin(), chosen.end());
  }
  std::vector<int64_t> labels;
  for (size_t i = first; i < last; ++i) {
    labels.push_back(std::lower_bound(set.begin(), set.end(), targets[i - begin]) - set.begin());
  }
  histories = {histories.begin() + mine.begin, histories.begin() + mine.end};
  const torch::Tensor logits =
      user_vectors(histories).matmul(item_vectors(set).t()) / a.temperature;
  auto loss = torch::nn::functional::cross_entropy(
      logits, torch::tensor(labels, torch::kInt64).to(device_));
  if (dp == nullptr) return loss;
  return loss * (static_cast<double>(mine.size()) / static_cast<double>(end - begin));
}

torch::Tensor Cprec::user_vectors(const std::vector<std::vector<ItemId>>& histories) {
  std::vector<std::vector<int64_t>> texts;
  for (const auto& h : histories) texts.push_back(encoder_->prefix(h, false));
  auto [ids, mask] = pad_right(texts, encoder_->eos(), device_);
  llm::ForwardOptions fwd;
  fwd.attention_mask = mask;
  fwd.compute_logits = false;
  torch::Tensor hidden;
  {
    AutocastScope autocast(precision_, device_);
    hidden = model_->forward(ids, fwd).hidden.to(torch::kFloat);
  }
  const torch::Tensor last = (mask.sum(1) - 1).view({-1, 1, 1}).expand({-1, 1, hidden.size(2)});
  return torch::nn::functional::normalize(hidden.gather(1, last).squeeze(1),
                                          torch::nn::functional::NormalizeFuncOptions().dim(1));
}

torch::Tensor Cprec::item_vectors(const std::vector<ItemId>& items) {
  std::vector<std::vector<int64_t>> texts;
  for (ItemId i : items) texts.push_back(encoder_->item_ids(i));
  auto [ids, mask] = pad_right(texts, encoder_->eos(), device_);
  llm::ForwardOptions fwd;
  fwd.attention_mask = mask;
  fwd.compute_logits = false;
  torch::Tensor hidden;
  {
    AutocastScope autocast(precision_, device_);
    hidden = model_->forward(ids, fwd).hidden.to(torch::kFloat);
  }
  const torch::Tensor m = mask.to(torch::kFloat).unsqueeze(-1);
  return torch::nn::functional::normalize((hidden * m).sum(1) / m.sum(1),
                                          torch::nn::functional::NormalizeFuncOptions().dim(1));
}

const torch::Tensor& Cprec::all_item_vectors() {
  if (!item_cache_.defined()) {
    torch::NoGradGuard no_grad;
    std::vector<torch::Tensor> parts;
    const int32_t n = encoder_->num_items();
    for (ItemId begin = 1; begin < n; begin += 256) {
      std::vector<ItemId> chunk;
      for (ItemId i = begin; i < std::min<ItemId>(n, begin + 256); ++i) chunk.push_back(i);
      parts.push_back(item_vectors(chunk));
    }
    item_cache_ = torch::cat(parts, 0);
  }
  return item_cache_;
}

std::vector<std::vector<ItemId>> Cprec::histories(const HistoryBatch& batch) const {
  const torch::Tensor items = batch.items.to(torch::kCPU, torch::kInt64).contiguous();
  const torch::Tensor lengths = batch.lengths.to(torch::kCPU, torch::kInt64).contiguous();
  const auto acc = items.accessor<int64_t, 2>();
  std::vector<std::vector<ItemId>> out(static_cast<size_t>(batch.size()));
  for (int64_t b = 0; b < batch.size(); ++b) {
    const int64_t len = lengths[b].item<int64_t>();
    for (int64_t p = std::max<int64_t>(0, len - options_.adapt.max_items); p < len; ++p) {
      out[static_cast<size_t>(b)].push_back(static_cast<ItemId>(acc[b][p]));
    }
  }
  return out;
}

torch::Tensor Cprec::score_all(const HistoryBatch& batch) {
  if (!model_) throw PluginError("cprec: score_all before fit() or load()");
  torch::NoGradGuard no_grad;
  const auto hist = histories(batch);
  const int32_t n = encoder_->num_items();
  const auto rows = static_cast<int64_t>(hist.size());
  if (options_.adapt.scoring == "embedding") {
    const torch::Tensor s =
        user_vectors(hist).matmul(all_item_vectors().t()) / options_.adapt.temperature;
    return torch::cat({torch::full({rows, 1}, kNoScore, s.options()), s}, 1);
  }
  AutocastScope autocast(precision_, device_);  // log-probabilities are float32 whatever it casts
  std::vector<std::vector<int64_t>> prompts;
  for (const auto& h : hist) prompts.push_back(encoder_->prefix(h, false));
  torch::Tensor out = torch::full({rows, n}, kNoScore, torch::kFloat);
  if (options_.adapt.scoring == "likelihood") {
    std::vector<std::vector<int64_t>> cands;
    for (ItemId i = 1; i < n; ++i) {
      cands.push_back(encoder_->item_ids(i));
      cands.back().push_back(encoder_->eos());
    }
    const auto lp = llm::score_continuations_batch(model_, prompts, cands, score_options());
    for (int64_t r = 0; r < rows; ++r) {
      out[r].slice(0, 1, n).copy_(torch::tensor(lp[r], torch::kDouble).to(torch::kFloat));
    }
    return out.to(device_);
  }
  if (!trie_) {
    trie_.emplace(encoder_->eos());
    for (ItemId i = 1; i < n; ++i) trie_->add(encoder_->item_ids(i), i);
  }
  const auto beams =
      llm::constrained_beam_search_batch(model_, prompts, *trie_, options_.adapt.beams);
  auto acc = out.accessor<float, 2>();
  for (int64_t r = 0; r < rows; ++r) {
    for (const auto& h : beams[r]) {  // best first: an item keeps its best title's score
      if (h.item > 0 && acc[r][h.item] == static_cast<float>(kNoScore)) {
        acc[r][h.item] = static_cast<float>(h.log_prob);
      }
    }
  }
  return out.to(device_);
}

torch::Tensor Cprec::score_candidates(const HistoryBatch& batch, const torch::Tensor& cand) {
  if (options_.adapt.scoring != "likelihood") return score_all(batch).gather(1, cand);
  torch::NoGradGuard no_grad;
  AutocastScope autocast(precision_, device_);
  const auto hist = histories(batch);
  const torch::Tensor c = cand.to(torch::kCPU, torch::kInt64).contiguous();
  const auto ids = c.accessor<int64_t, 2>();
  std::vector<std::vector<int64_t>> prompts;
  std::vector<std::vector<std::vector<int64_t>>> cands(static_cast<size_t>(c.size(0)));
  for (int64_t r = 0; r < c.size(0); ++r) {
    prompts.push_back(encoder_->prefix(hist[r], false));
    for (int64_t j = 0; j < c.size(1); ++j) {
      const auto item = static_cast<ItemId>(ids[r][j]);
      auto& ids_of =
          cands[r].emplace_back(item > 0 ? encoder_->item_ids(item) : std::vector<int64_t>{});
      ids_of.push_back(encoder_->eos());
    }
  }
  const auto lp = llm::score_continuations_batch(model_, prompts, cands, score_options());
  torch::Tensor out = torch::full({c.size(0), c.size(1)}, kNoScore, torch::kFloat);
  for (int64_t r = 0; r < c.size(0); ++r) {
    out[r].copy_(torch::tensor(lp[r], torch::kDouble).to(torch::kFloat));
  }
  return out.to(device_);
}

void Cprec::save(const std::filesystem::path& dir) const {
  if (!model_) throw PluginError("cprec: save before fit() or load()");
  llm::save_model(model_, dir);
  llm::save_tokenizer(dir, tokenizer_json_);
  if (model_->lora_spec()) llm::save_lora_adapter(model_, dir / "lora");
}

void Cprec::load(const std::filesystem::path& dir) {
  set_backbone(llm::load_backbone(dir, device_, "cprec tokenizer"));
  if (std::filesystem::exists(dir / "lora")) llm::load_lora_adapter(model_, dir / "lora");
  model_->eval();
}

}  // namespace recbench::cprec

RECBENCH_PLUGIN(cprec, recbench::cprec::Cprec, "1.0",
                "CPRec: LLM continually pre-trained on all-domain behaviour text with a WSA "
                "schedule, adapted to the target (arXiv 2504.08949)")
