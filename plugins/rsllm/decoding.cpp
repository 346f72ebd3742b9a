// Shared-cache candidate scoring and greedy (optionally trie-constrained) decoding, batched over
// prompts given as embeddings.
#include "rsllm/decoding.h"

#include <algorithm>

#include <torch/torch.h>

namespace recbench::rsllm {
namespace {

//! Runs the prompts into `cache`; returns log-probabilities of the next token [B, V] float32.
torch::Tensor run_prompts(llm::CausalLm& lm, const torch::Tensor& embeds,
                          const torch::Tensor& attention, llm::KvCache& cache) {
  llm::ForwardOptions o;
  o.attention_mask = attention;
  o.cache = &cache;
  o.logits_last = 1;
  const auto logits = lm->forward_embeds(embeds, o).logits;
  return torch::log_softmax(logits.select(1, logits.size(1) - 1).to(torch::kFloat), -1);
}

}  // namespace

torch::Tensor answer_log_probs(llm::CausalLm& lm, const torch::Tensor& embeds,
                               const torch::Tensor& attention,
                               const std::vector<std::vector<std::vector<int64_t>>>& answers,
                               bool length_normalize) {
  torch::NoGradGuard no_grad;
  const auto b = embeds.size(0);
  const auto c = static_cast<int64_t>(answers.at(0).size());
  llm::KvCache cache = lm->new_cache();
  const auto first = run_prompts(lm, embeds, attention, cache);  // [B, V]
  int64_t width = 1;
  for (const auto& row : answers) {
    for (const auto& a : row) width = std::max<int64_t>(width, a.size());
  }
  std::vector<int64_t> ids(b * c * width, 0);
  std::vector<float> mask(b * c * width, 0.0f);
  for (int64_t i = 0; i < b; ++i) {
    for (int64_t j = 0; j < c; ++j) {
      const auto& a = answers[i][j];
      for (size_t k = 0; k < a.size(); ++k) {
        ids[(i * c + j) * width + k] = a[k];
        mask[(i * c + j) * width + k] = 1.0f;
      }
    }
  }
  const auto device = embeds.device();
  const auto id_t = torch::tensor(ids).to(device).view({b * c, width});
  const auto mask_t = torch::tensor(mask).to(device).view({b * c, width});
  auto pred = first.repeat_interleave(c, 0).unsqueeze(1);  // [B*C, 1, V]
  if (width > 1) {  // token k > 0 is predicted at position k - 1 of the answer
    llm::KvCache shared = cache.repeat_batch(c);
    llm::ForwardOptions o;
    o.cache = &shared;
    o.attention_mask = mask_t.slice(1, 0, width - 1).to(torch::kLong);
    const auto logits = lm->forward(id_t.slice(1, 0, width - 1), o).logits;
    pred = torch::cat({pred, torch::log_softmax(logits.to(torch::kFloat), -1)}, 1);
  }
  auto sums = (pred.gather(-1, id_t.unsqueeze(-1)).squeeze(-1) * mask_t).sum(1);
  if (length_normalize) sums = sums / mask_t.sum(1).clamp_min(1.0);
  return sums.view({b, c});
}

std::vector<std::vector<int64_t>> greedy_decode(llm::CausalLm& lm, const torch::Tensor& embeds,
                                                const torch::Tensor& attention, int64_t max_new,
                                                int64_t stop,
                                                const std::vector<llm::TitleTrie>* tries) {
  torch::NoGradGuard no_grad;
  const auto b = embeds.size(0);
  llm::KvCache cache = lm->new_cache();
  auto logp = run_prompts(lm, embeds, attention, cache);
  std::vector<std::vector<int64_t>> out(b);
  std::vector<bool> done(b, false);
  for (int64_t step = 0; step < max_new; ++step) {
    if (tries != nullptr) {  // keep only the tokens each row's trie allows
      // The mask is built on the device from the few (row, token) pairs: a [B, vocab] host mask
      // would cross to the GPU at every step (150k vocabulary: 150 kB a row).
      std::vector<int64_t> rows, tokens;
      for (int64_t i = 0; i < b; ++i) {
        for (int64_t t : (*tries)[i].allowed(out[i])) {
          rows.push_back(i);
          tokens.push_back(t);
        }
      }
      auto allowed = torch::zeros(logp.sizes(), logp.options().dtype(torch::kBool));
      const auto on = [&](const std::vector<int64_t>& v) {
        return torch::tensor(v, torch::kLong).to(logp.device());
      };
      if (!rows.empty()) allowed.index_put_({on(rows), on(tokens)}, true);
      logp = logp.masked_fill(allowed.logical_not(), -INFINITY);
    }
    const auto next = logp.argmax(-1).cpu();
    std::vector<int64_t> feed(b, stop);
    bool all_done = true;
    for (int64_t i = 0; i < b; ++i) {
      if (done[i]) continue;
      feed[i] = next[i].item<int64_t>();
      out[i].push_back(feed[i]);
      done[i] = feed[i] == stop;
      all_done = all_done && done[i];
    }
    if (all_done || step + 1 == max_new) break;
    llm::ForwardOptions o;
    o.cache = &cache;
    const auto ids = torch::tensor(feed).to(embeds.device()).view({b, 1});
    const auto logits = lm->forward(ids, o).logits;
    logp = torch::log_softmax(logits.select(1, 0).to(torch::kFloat), -1);
  }
  return out;
}

}  // namespace recbench::rsllm
