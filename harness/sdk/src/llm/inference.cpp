// Shared-prompt likelihood scoring, trie-constrained beam search, greedy decoding, pooling.
#include "recbench/llm/inference.h"

#include <torch/torch.h>

#include <algorithm>

#include "recbench/error.h"

namespace recbench::llm {

namespace {

torch::Device device_of(CausalLm& model) { return model->parameters().front().device(); }

//! Right-padded [N, L] ids and 0/1 mask of `texts[begin, end)` on `device`.
std::pair<torch::Tensor, torch::Tensor> pad_right(const std::vector<std::vector<int64_t>>& texts,
                                                  size_t begin, size_t end,
                                                  const torch::Device& device) {
  size_t len = 0;
  for (size_t i = begin; i < end; ++i) len = std::max(len, texts[i].size());
  auto n = static_cast<int64_t>(end - begin);
  torch::Tensor ids = torch::zeros({n, static_cast<int64_t>(len)}, torch::kLong);
  torch::Tensor mask = torch::zeros({n, static_cast<int64_t>(len)}, torch::kLong);
  auto id = ids.accessor<int64_t, 2>();
  auto m = mask.accessor<int64_t, 2>();
  for (size_t i = begin; i < end; ++i) {
    for (size_t j = 0; j < texts[i].size(); ++j) {
      id[i - begin][j] = texts[i][j];
      m[i - begin][j] = 1;
    }
  }
  return {ids.to(device), mask.to(device)};
}

torch::Tensor ids_tensor(const std::vector<int64_t>& ids, const torch::Device& device) {
  return torch::tensor(ids, torch::kLong).unsqueeze(0).to(device);
}

//! Runs `prompt_embeds` [1, P, H] into `cache`; returns the next-token log-probs [1, V] (float).
torch::Tensor run_prompt(CausalLm& model, const torch::Tensor& prompt_embeds, KvCache& cache) {
  if (prompt_embeds.dim() != 3 || prompt_embeds.size(0) != 1 || prompt_embeds.size(1) == 0) {
    throw DataError("prompt must be one non-empty sequence ([1, P, hidden] embeddings)");
  }
  ForwardOptions options;
  options.cache = &cache;
  options.logits_last = 1;
  LmOutput out = model->forward_embeds(prompt_embeds, options);
  return torch::log_softmax(out.logits.select(1, -1).to(torch::kFloat), -1);
}

void reorder_cache(KvCache& cache, const torch::Tensor& rows) {
  for (auto& k : cache.keys) k = k.index_select(0, rows);
  for (auto& v : cache.values) v = v.index_select(0, rows);
  if (cache.attention_mask.defined()) {
    cache.attention_mask = cache.attention_mask.index_select(0, rows);
  }
}

}  // namespace

std::vector<double> score_continuations(CausalLm& model, const std::vector<int64_t>& prompt,
                                        const std::vector<std::vector<int64_t>>& candidates,
                                        const ScoreOptions& options) {
  torch::NoGradGuard no_grad;
  if (prompt.empty()) throw DataError("score_continuations: the prompt is empty");
  return score_continuations_embeds(model, model->embed(ids_tensor(prompt, device_of(model))),
                                    candidates, options);
}

std::vector<double> score_continuations_embeds(CausalLm& model, const torch::Tensor& prompt_embeds,
                                               const std::vector<std::vector<int64_t>>& candidates,
                                               const ScoreOptions& options) {
  torch::NoGradGuard no_grad;
  torch::Device device = device_of(model);
  KvCache cache = model->new_cache();
  torch::Tensor first = run_prompt(model, prompt_embeds, cache);  // [1, V]
  std::vector<double> scores(candidates.size(), 0.0);
  auto step = static_cast<size_t>(std::max<int64_t>(1, options.batch_size));
  for (size_t begin = 0; begin < candidates.size(); begin += step) {
    size_t end = std::min(candidates.size(), begin + step);
    auto [ids, mask] = pad_right(candidates, begin, end, device);
    int64_t c = ids.size(0), len = ids.size(1);
    if (len == 0) continue;
    KvCache shared = cache.repeat_batch(c);
    ForwardOptions fwd;
    fwd.cache = &shared;
    torch::Tensor pred = first.unsqueeze(1).expand({c, 1, first.size(-1)});
    if (len > 1) {  // token j > 0 is predicted at position j - 1 of the candidate
      fwd.attention_mask = mask.slice(1, 0, len - 1);
      torch::Tensor logits = model->forward(ids.slice(1, 0, len - 1), fwd).logits;
      pred = torch::cat({pred, torch::log_softmax(logits.to(torch::kFloat), -1)}, 1);
    }
    torch::Tensor token_lp = pred.gather(-1, ids.unsqueeze(-1)).squeeze(-1) * mask;
    torch::Tensor sums = token_lp.sum(1).to(torch::kDouble);
    if (options.length_normalize) sums = sums / mask.sum(1).clamp_min(1).to(torch::kDouble);
    sums = sums.cpu();
    for (int64_t i = 0; i < c; ++i) scores[begin + i] = sums[i].item<double>();
  }
  return scores;
}

// ---------------------------------------------------------------------------------------------
// TitleTrie

TitleTrie::TitleTrie(int64_t terminator) : nodes_(1), terminator_(terminator) {}

void TitleTrie::add(const std::vector<int64_t>& ids, int64_t item) {
  int32_t node = 0;
  std::vector<int64_t> path = ids;
  path.push_back(terminator_);
  for (int64_t token : path) {
    auto it = nodes_[node].children.find(token);
    if (it == nodes_[node].children.end()) {
      nodes_.emplace_back();
      it = nodes_[node].children.emplace(token, static_cast<int32_t>(nodes_.size() - 1)).first;
    }
    node = it->second;
  }
  if (nodes_[node].item < 0) ++items_;
  nodes_[node].item = item;
}

const TitleTrie::Node* TitleTrie::walk(const std::vector<int64_t>& ids) const {
  const Node* node = &nodes_[0];
  for (int64_t token : ids) {
    auto it = node->children.find(token);
    if (it == node->children.end()) return nullptr;
    node = &nodes_[it->second];
  }
  return node;
}

std::vector<int64_t> TitleTrie::allowed(const std::vector<int64_t>& prefix) const {
  std::vector<int64_t> out;
  if (const Node* node = walk(prefix)) {
    for (const auto& child : node->children) out.push_back(child.first);
  }
  return out;
}

std::optional<int64_t> TitleTrie::find(std::vector<int64_t> ids) const {
  if (ids.empty() || ids.back() != terminator_) ids.push_back(terminator_);
  const Node* node = walk(ids);
  if (node == nullptr || node->item < 0) return std::nullopt;
  return node->item;
}

// ---------------------------------------------------------------------------------------------
// Generation

std::vector<Hypothesis> constrained_beam_search(CausalLm& model, const std::vector<int64_t>& prompt,
                                                const TitleTrie& trie, int64_t num_beams,
                                                bool length_normalize) {
  torch::NoGradGuard no_grad;
  if (num_beams <= 0) throw ConfigError("constrained_beam_search: num_beams must be positive");
  if (prompt.empty()) throw DataError("constrained_beam_search: the prompt is empty");
  torch::Device device = device_of(model);
  KvCache cache = model->new_cache();
  torch::Tensor logp = run_prompt(model, model->embed(ids_tensor(prompt, device)), cache);
  auto final_score = [&](const Hypothesis& h) {
    return length_normalize ? h.log_prob / static_cast<double>(h.ids.size()) : h.log_prob;
  };
  std::vector<Hypothesis> beams{Hypothesis{}}, finished;
  while (!beams.empty()) {
    torch::Tensor lp = logp.cpu();
    struct Candidate {
      double score;
      size_t beam;
      int64_t token;
    };
    std::vector<Candidate> candidates;
    for (size_t b = 0; b < beams.size(); ++b) {
      for (int64_t token : trie.allowed(beams[b].ids)) {
        candidates.push_back({beams[b].log_prob + lp[b][token].item<double>(), b, token});
      }
    }
    std::sort(candidates.begin(), candidates.end(),
              [](const Candidate& x, const Candidate& y) { return x.score > y.score; });
    std::vector<Hypothesis> next;
    std::vector<int64_t> rows, tokens;
    for (const Candidate& c : candidates) {
      if (next.size() == static_cast<size_t>(num_beams)) break;
      Hypothesis h{beams[c.beam].ids, -1, c.score};
      h.ids.push_back(c.token);
      if (c.token == trie.terminator()) {
        h.item = trie.find(h.ids).value_or(-1);
        finished.push_back(std::move(h));
      } else {
        next.push_back(std::move(h));
        rows.push_back(static_cast<int64_t>(c.beam));
        tokens.push_back(c.token);
      }
    }
    std::sort(finished.begin(), finished.end(), [&](const Hypothesis& x, const Hypothesis& y) {
      return final_score(x) > final_score(y);
    });
    if (finished.size() > static_cast<size_t>(num_beams)) finished.resize(num_beams);
    bool full = finished.size() == static_cast<size_t>(num_beams);
    // Without normalisation, scores only fall: stop once no live beam can beat the kept ones.
    if (next.empty() ||
        (full && (length_normalize || next.front().log_prob <= finished.back().log_prob))) {
      break;
    }
    reorder_cache(cache, torch::tensor(rows, torch::kLong).to(device));
    ForwardOptions fwd;
    fwd.cache = &cache;
    torch::Tensor step = torch::tensor(tokens, torch::kLong).unsqueeze(1).to(device);
    logp = torch::log_softmax(model->forward(step, fwd).logits.select(1, -1).to(torch::kFloat), -1);
    beams = std::move(next);
  }
  return finished;
}

Hypothesis greedy_generate(CausalLm& model, const std::vector<int64_t>& prompt,
                           int64_t max_new_tokens, std::optional<int64_t> stop_token,
                           bool use_cache) {
  torch::NoGradGuard no_grad;
  if (prompt.empty()) throw DataError("greedy_generate: the prompt is empty");
  torch::Device device = device_of(model);
  KvCache cache = model->new_cache();
  std::vector<int64_t> sequence = prompt;
  Hypothesis out;
  torch::Tensor input = ids_tensor(prompt, device);
  for (int64_t step = 0; step < max_new_tokens; ++step) {
    ForwardOptions fwd;
    fwd.logits_last = 1;
    if (use_cache) fwd.cache = &cache;
    torch::Tensor logits = model->forward(input, fwd).logits.select(1, -1).to(torch::kFloat);
    torch::Tensor lp = torch::log_softmax(logits, -1)[0].cpu();
    int64_t token = lp.argmax().item<int64_t>();
    out.ids.push_back(token);
    out.log_prob += lp[token].item<double>();
    sequence.push_back(token);
    if (stop_token && token == *stop_token) break;
    input = use_cache ? ids_tensor({token}, device) : ids_tensor(sequence, device);
  }
  return out;
}

torch::Tensor pooled_embeddings(CausalLm& model, const std::vector<std::vector<int64_t>>& texts,
                                Pooling pooling, int64_t batch_size) {
  torch::NoGradGuard no_grad;
  torch::Device device = device_of(model);
  std::vector<torch::Tensor> parts;
  auto step = static_cast<size_t>(std::max<int64_t>(1, batch_size));
  for (size_t begin = 0; begin < texts.size(); begin += step) {
    size_t end = std::min(texts.size(), begin + step);
    for (size_t i = begin; i < end; ++i) {
      if (texts[i].empty())
        throw DataError("pooled_embeddings: text " + std::to_string(i) + " is empty");
    }
    auto [ids, mask] = pad_right(texts, begin, end, device);
    ForwardOptions fwd;
    fwd.attention_mask = mask;
    fwd.compute_logits = false;
    torch::Tensor hidden = model->forward(ids, fwd).hidden.to(torch::kFloat);
    torch::Tensor m = mask.to(torch::kFloat).unsqueeze(-1);
    if (pooling == Pooling::kMean) {
      parts.push_back((hidden * m).sum(1) / m.sum(1));
    } else {
      torch::Tensor last = (mask.sum(1) - 1).view({-1, 1, 1}).expand({-1, 1, hidden.size(2)});
      parts.push_back(hidden.gather(1, last).squeeze(1));
    }
  }
  if (parts.empty()) return torch::empty({0, model->config().hidden_size}, device);
  return torch::cat(parts, 0);
}

}  // namespace recbench::llm
