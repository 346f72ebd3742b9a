// Batched inference from prompt embeddings: candidate likelihoods with a shared KV cache, and
// greedy decoding, free or constrained to a per-row title trie.
#pragma once

#include <cstdint>
#include <vector>

#include <torch/types.h>

#include "recbench/llm/inference.h"
#include "recbench/llm/model.h"

namespace recbench::rsllm {

/// log P(answer | prompt) of every answers[b][c] after left-padded prompt embeddings `embeds`
/// [B, P, H] with `attention` [B, P]; each prompt runs once and its cache is repeated for its
/// candidates. Divided by the answer's length when `length_normalize`. Returns [B, C] float32.
torch::Tensor answer_log_probs(llm::CausalLm& lm, const torch::Tensor& embeds,
                               const torch::Tensor& attention,
                               const std::vector<std::vector<std::vector<int64_t>>>& answers,
                               bool length_normalize);

/// Greedy decoding of up to `max_new` tokens after each prompt, stopping at `stop`. With
/// `tries` (one per row) each step is restricted to the tokens the row's trie allows, so every
/// finished row names one of its items. Returns the generated tokens of each row (stop included
/// when reached).
std::vector<std::vector<int64_t>> greedy_decode(llm::CausalLm& lm, const torch::Tensor& embeds,
                                                const torch::Tensor& attention, int64_t max_new,
                                                int64_t stop,
                                                const std::vector<llm::TitleTrie>* tries);

}  // namespace recbench::rsllm
