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

/// Each candidate's score on the host ([C] float64): the sum of its tokens' log-probs `pred`
/// [C, L, V] at `ids` [C, L] where `mask` is 1, divided by its length when `length_normalize`.
torch::Tensor candidate_scores(const torch::Tensor& pred, const torch::Tensor& ids,
                               const torch::Tensor& mask, bool length_normalize) {
  torch::Tensor token_lp = pred.gather(-1, ids.unsqueeze(-1)).squeeze(-1) * mask;
  torch::Tensor sums = token_lp.sum(1).to(torch::kDouble);
  if (length_normalize) sums = sums / mask.sum(1).clamp_min(1).to(torch::kDouble);
  return sums.cpu().contiguous();
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

//! Left-padded [N, P] ids and 0/1 mask of `prompts` (none may be empty) on `device`.
std::pair<torch::Tensor, torch::Tensor> pad_left(const std::vector<std::vector<int64_t>>& prompts,
                                                 const torch::Device& device, const char* who) {
  size_t len = 0;
  for (size_t i = 0; i < prompts.size(); ++i) {
    if (prompts[i].empty()) {
      throw DataError(std::string(who) + ": prompt " + std::to_string(i) + " is empty");
    }
    len = std::max(len, prompts[i].size());
  }
  auto n = static_cast<int64_t>(prompts.size());
  torch::Tensor ids = torch::zeros({n, static_cast<int64_t>(len)}, torch::kLong);
  torch::Tensor mask = torch::zeros({n, static_cast<int64_t>(len)}, torch::kLong);
  auto id = ids.accessor<int64_t, 2>();
  auto m = mask.accessor<int64_t, 2>();
  for (size_t i = 0; i < prompts.size(); ++i) {
    const size_t pad = len - prompts[i].size();
    for (size_t j = 0; j < prompts[i].size(); ++j) {
      id[i][pad + j] = prompts[i][j];
      m[i][pad + j] = 1;
    }
  }
  return {ids.to(device), mask.to(device)};
}

//! Runs left-padded `prompts` into `cache`; returns the next-token log-probs [N, V] (float).
torch::Tensor run_prompts(CausalLm& model, const std::vector<std::vector<int64_t>>& prompts,
                          KvCache& cache, const char* who) {
  auto [ids, mask] = pad_left(prompts, device_of(model), who);
  ForwardOptions options;
  options.cache = &cache;
  options.attention_mask = mask;
  options.logits_last = 1;
  LmOutput out = model->forward(ids, options);
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
    const torch::Tensor sums = candidate_scores(pred, ids, mask, options.length_normalize);
    const auto s = sums.accessor<double, 1>();
    for (int64_t i = 0; i < c; ++i) scores[begin + i] = s[i];
  }
  return scores;
}

namespace {

/// Scores pair (r, j) for j < counts[r] as log P(candidate(r, j) | prompts[r]): the prompts run
/// once as a batch, then the pairs in batches of options.batch_size, each pair reading its
/// prompt's rows of the cache (an empty candidate scores 0).
template <typename Candidate>
std::vector<std::vector<double>> score_pairs(CausalLm& model,
                                             const std::vector<std::vector<int64_t>>& prompts,
                                             const std::vector<size_t>& counts,
                                             const Candidate& candidate,
                                             const ScoreOptions& options) {
  torch::NoGradGuard no_grad;
  std::vector<std::vector<double>> scores(prompts.size());
  if (prompts.empty()) return scores;
  torch::Device device = device_of(model);
  KvCache cache = model->new_cache();
  torch::Tensor first = run_prompts(model, prompts, cache, "score_continuations_batch");
  std::vector<std::pair<size_t, size_t>> pairs;  // (prompt, candidate) with a non-empty candidate
  for (size_t r = 0; r < prompts.size(); ++r) {
    scores[r].assign(counts[r], 0.0);
    for (size_t j = 0; j < counts[r]; ++j) {
      if (!candidate(r, j).empty()) pairs.emplace_back(r, j);
    }
  }
  auto step = static_cast<size_t>(std::max<int64_t>(1, options.batch_size));
  for (size_t begin = 0; begin < pairs.size(); begin += step) {
    const size_t end = std::min(pairs.size(), begin + step);
    std::vector<std::vector<int64_t>> texts;
    std::vector<int64_t> owners;
    for (size_t i = begin; i < end; ++i) {
      texts.push_back(candidate(pairs[i].first, pairs[i].second));
      owners.push_back(static_cast<int64_t>(pairs[i].first));
    }
    auto [ids, mask] = pad_right(texts, 0, texts.size(), device);
    const int64_t c = ids.size(0), len = ids.size(1);
    const torch::Tensor rows = torch::tensor(owners, torch::kLong).to(device);
    torch::Tensor pred = first.index_select(0, rows).unsqueeze(1);  // predicts token 0
    if (len > 1) {          // token j > 0 is predicted at position j - 1 of the candidate
      KvCache own = cache;  // index_select copies: the shared cache stays as it is
      reorder_cache(own, rows);
      ForwardOptions fwd;
      fwd.cache = &own;
      fwd.attention_mask = mask.slice(1, 0, len - 1);
      torch::Tensor logits = model->forward(ids.slice(1, 0, len - 1), fwd).logits;
      pred = torch::cat({pred, torch::log_softmax(logits.to(torch::kFloat), -1)}, 1);
    }
    const torch::Tensor sums = candidate_scores(pred, ids, mask, options.length_normalize);
    const auto s = sums.accessor<double, 1>();
    for (int64_t i = 0; i < c; ++i) {
      const auto& [r, j] = pairs[begin + static_cast<size_t>(i)];
      scores[r][j] = s[i];
    }
  }
  return scores;
}

}  // namespace

std::vector<std::vector<double>> score_continuations_batch(
    CausalLm& model, const std::vector<std::vector<int64_t>>& prompts,
    const std::vector<std::vector<int64_t>>& candidates, const ScoreOptions& options) {
  const std::vector<size_t> counts(prompts.size(), candidates.size());
  return score_pairs(
      model, prompts, counts,
      [&](size_t, size_t j) -> const std::vector<int64_t>& { return candidates[j]; }, options);
}

std::vector<std::vector<double>> score_continuations_batch(
    CausalLm& model, const std::vector<std::vector<int64_t>>& prompts,
    const std::vector<std::vector<std::vector<int64_t>>>& candidates, const ScoreOptions& options) {
  if (candidates.size() != prompts.size()) {
    throw DataError("score_continuations_batch: " + std::to_string(prompts.size()) +
                    " prompts but " + std::to_string(candidates.size()) + " candidate lists");
  }
  std::vector<size_t> counts;
  for (const auto& c : candidates) counts.push_back(c.size());
  return score_pairs(
      model, prompts, counts,
      [&](size_t r, size_t j) -> const std::vector<int64_t>& { return candidates[r][j]; }, options);
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

namespace {

//! Beam search state of one prompt.
struct BeamState {
  std::vector<Hypothesis> beams{Hypothesis{}};  //!< live (incomplete) titles
  std::vector<Hypothesis> finished;             //!< complete titles, best first
  int64_t first_row = 0;                        //!< row of beams[0] in the cache and `lp`
};

/// The (row, token) pairs every live beam may extend by, in the order beam_step reads them.
void allowed_pairs(const std::vector<BeamState>& states, const TitleTrie& trie,
                   std::vector<int64_t>& rows, std::vector<int64_t>& tokens) {
  for (const BeamState& s : states) {
    for (size_t b = 0; b < s.beams.size(); ++b) {
      for (int64_t token : trie.allowed(s.beams[b].ids)) {
        rows.push_back(s.first_row + static_cast<int64_t>(b));
        tokens.push_back(token);
      }
    }
  }
}

/// One step of one prompt's search: extends its beams by the tokens the trie allows, whose
/// log-probs `picked` yields in allowed_pairs() order, keeps the best, moves complete titles to
/// `finished`. The surviving beams' parent rows and new tokens are appended to `rows` and
/// `tokens`; none when the search of this prompt is over.
void beam_step(BeamState& s, const float*& picked, const TitleTrie& trie, int64_t num_beams,
               bool length_normalize, std::vector<int64_t>& rows, std::vector<int64_t>& tokens) {
  auto final_score = [&](const Hypothesis& h) {
    return length_normalize ? h.log_prob / static_cast<double>(h.ids.size()) : h.log_prob;
  };
  struct Candidate {
    double score;
    size_t beam;
    int64_t token;
  };
  std::vector<Candidate> candidates;
  for (size_t b = 0; b < s.beams.size(); ++b) {
    for (int64_t token : trie.allowed(s.beams[b].ids)) {
      candidates.push_back({s.beams[b].log_prob + static_cast<double>(*picked++), b, token});
    }
  }
  std::sort(candidates.begin(), candidates.end(),
            [](const Candidate& x, const Candidate& y) { return x.score > y.score; });
  std::vector<Hypothesis> next;
  std::vector<int64_t> parents, next_tokens;
  for (const Candidate& c : candidates) {
    if (next.size() == static_cast<size_t>(num_beams)) break;
    Hypothesis h{s.beams[c.beam].ids, -1, c.score};
    h.ids.push_back(c.token);
    if (c.token == trie.terminator()) {
      h.item = trie.find(h.ids).value_or(-1);
      s.finished.push_back(std::move(h));
    } else {
      next.push_back(std::move(h));
      parents.push_back(s.first_row + static_cast<int64_t>(c.beam));
      next_tokens.push_back(c.token);
    }
  }
  std::sort(s.finished.begin(), s.finished.end(), [&](const Hypothesis& x, const Hypothesis& y) {
    return final_score(x) > final_score(y);
  });
  if (s.finished.size() > static_cast<size_t>(num_beams)) s.finished.resize(num_beams);
  const bool full = s.finished.size() == static_cast<size_t>(num_beams);
  // Without normalisation, scores only fall: stop once no live beam can beat the kept ones.
  if (next.empty() ||
      (full && (length_normalize || next.front().log_prob <= s.finished.back().log_prob))) {
    s.beams.clear();
    return;
  }
  s.beams = std::move(next);
  s.first_row = static_cast<int64_t>(rows.size());
  rows.insert(rows.end(), parents.begin(), parents.end());
  tokens.insert(tokens.end(), next_tokens.begin(), next_tokens.end());
}

}  // namespace

std::vector<Hypothesis> constrained_beam_search(CausalLm& model, const std::vector<int64_t>& prompt,
                                                const TitleTrie& trie, int64_t num_beams,
                                                bool length_normalize) {
  if (prompt.empty()) throw DataError("constrained_beam_search: the prompt is empty");
  return constrained_beam_search_batch(model, {prompt}, trie, num_beams, length_normalize)[0];
}

std::vector<std::vector<Hypothesis>> constrained_beam_search_batch(
    CausalLm& model, const std::vector<std::vector<int64_t>>& prompts, const TitleTrie& trie,
    int64_t num_beams, bool length_normalize) {
  torch::NoGradGuard no_grad;
  if (num_beams <= 0) throw ConfigError("constrained_beam_search: num_beams must be positive");
  std::vector<BeamState> states(prompts.size());
  if (prompts.empty()) return {};
  torch::Device device = device_of(model);
  KvCache cache = model->new_cache();
  torch::Tensor logp = run_prompts(model, prompts, cache, "constrained_beam_search");
  for (size_t r = 0; r < states.size(); ++r) states[r].first_row = static_cast<int64_t>(r);
  const auto on_device = [&](const std::vector<int64_t>& v) {
    return torch::tensor(v, torch::kLong).to(device);
  };
  for (;;) {
    // Only the allowed tokens' log-probs leave the device: the whole [rows, vocab] matrix would
    // be rows x 150k floats a step for a Qwen vocabulary.
    std::vector<int64_t> at_rows, at_tokens;
    allowed_pairs(states, trie, at_rows, at_tokens);
    const torch::Tensor lp =
        at_rows.empty() ? torch::empty({0})
                        : logp.index({on_device(at_rows), on_device(at_tokens)}).cpu().contiguous();
    const float* picked = lp.data_ptr<float>();
    std::vector<int64_t> rows, tokens;  // the next step's beams of every prompt, in one batch
    for (BeamState& s : states) {
      if (!s.beams.empty()) beam_step(s, picked, trie, num_beams, length_normalize, rows, tokens);
    }
    if (rows.empty()) break;
    reorder_cache(cache, on_device(rows));
    ForwardOptions fwd;
    fwd.cache = &cache;  // the cache's mask (the prompts' padding) is extended by the new token
    torch::Tensor step = torch::tensor(tokens, torch::kLong).unsqueeze(1).to(device);
    logp = torch::log_softmax(model->forward(step, fwd).logits.select(1, -1).to(torch::kFloat), -1);
  }
  std::vector<std::vector<Hypothesis>> out;
  for (BeamState& s : states) out.push_back(std::move(s.finished));
  return out;
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
