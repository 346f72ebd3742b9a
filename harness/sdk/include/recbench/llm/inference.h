// Inference for recommendation: shared-prompt likelihood scoring, title-trie constrained beam
// search (one prompt or a batch of prompts), greedy generation, pooled hidden-state embeddings.
#pragma once

#include <torch/types.h>

#include <map>
#include <optional>
#include <vector>

#include "recbench/export.h"
#include "recbench/llm/model.h"

namespace recbench::llm {

//! Options of score_continuations.
struct ScoreOptions {
  bool length_normalize = false;  //!< divide each sum by the candidate's token count
  int64_t batch_size = 64;        //!< candidates scored per forward pass
};

/// Log-likelihood log P(candidate | prompt) of each candidate continuation (summed over its
/// tokens, or averaged with length_normalize). The prompt runs once; its KV cache is shared by
/// every candidate batch. `prompt` must be non-empty; an empty candidate scores 0.
RECBENCH_API std::vector<double> score_continuations(
    CausalLm& model, const std::vector<int64_t>& prompt,
    const std::vector<std::vector<int64_t>>& candidates, const ScoreOptions& options = {});

/// The same with the prompt given as input embeddings [1, P, hidden] (e.g. RSLLM prompts whose
/// placeholder rows carry projected item-ID embeddings).
RECBENCH_API std::vector<double> score_continuations_embeds(
    CausalLm& model, const torch::Tensor& prompt_embeds,
    const std::vector<std::vector<int64_t>>& candidates, const ScoreOptions& options = {});

/// score_continuations for several prompts at once: element [r][j] is
/// log P(candidates[j] | prompts[r]). The prompts run as one left-padded batch (positions come
/// from the attention mask, so padding changes a score only by rounding); then (prompt,
/// candidate) pairs run `batch_size` at a time, each reading its prompt's rows of the KV cache.
/// Equal to one score_continuations call per prompt within float rounding.
RECBENCH_API std::vector<std::vector<double>> score_continuations_batch(
    CausalLm& model, const std::vector<std::vector<int64_t>>& prompts,
    const std::vector<std::vector<int64_t>>& candidates, const ScoreOptions& options = {});

//! The same with a list of candidates per prompt: element [r][j] scores candidates[r][j].
RECBENCH_API std::vector<std::vector<double>> score_continuations_batch(
    CausalLm& model, const std::vector<std::vector<int64_t>>& prompts,
    const std::vector<std::vector<std::vector<int64_t>>>& candidates,
    const ScoreOptions& options = {});

/// A trie of item titles as token sequences, each ended by a terminator token (e.g. EOS or the
/// newline token) so that a title that prefixes another stays distinguishable.
class RECBENCH_API TitleTrie {
 public:
  explicit TitleTrie(int64_t terminator);
  //! Adds item `item` with title tokens `ids` (without the terminator).
  void add(const std::vector<int64_t>& ids, int64_t item);
  //! Tokens allowed after `prefix` (empty when `prefix` leaves the trie).
  std::vector<int64_t> allowed(const std::vector<int64_t>& prefix) const;
  //! The item whose title is exactly `ids` (optionally followed by the terminator).
  std::optional<int64_t> find(std::vector<int64_t> ids) const;
  int64_t terminator() const { return terminator_; }
  size_t size() const { return items_; }

 private:
  struct Node {
    std::map<int64_t, int32_t> children;  //!< token -> node index
    int64_t item = -1;                    //!< item ending here (after the terminator)
  };
  const Node* walk(const std::vector<int64_t>& ids) const;
  std::vector<Node> nodes_;
  int64_t terminator_;
  size_t items_ = 0;
};

//! One generated title.
struct Hypothesis {
  std::vector<int64_t> ids;  //!< generated tokens, terminator included
  int64_t item = -1;         //!< the trie item named (-1 for unconstrained output)
  double log_prob = 0;       //!< sum of token log-probabilities
};

/// Beam search over the trie: every hypothesis is a complete title. Returns up to `num_beams`
/// titles, best first (by log-probability, divided by length when `length_normalize`).
/// num_beams = 1 is constrained greedy decoding.
RECBENCH_API std::vector<Hypothesis> constrained_beam_search(CausalLm& model,
                                                             const std::vector<int64_t>& prompt,
                                                             const TitleTrie& trie,
                                                             int64_t num_beams,
                                                             bool length_normalize = false);

/// constrained_beam_search for several prompts at once: the prompts run as one left-padded batch
/// and each step extends the live beams of every prompt in one forward pass. Element r equals
/// constrained_beam_search(model, prompts[r], ...) within float rounding.
RECBENCH_API std::vector<std::vector<Hypothesis>> constrained_beam_search_batch(
    CausalLm& model, const std::vector<std::vector<int64_t>>& prompts, const TitleTrie& trie,
    int64_t num_beams, bool length_normalize = false);

/// Unconstrained greedy decoding of up to `max_new_tokens` tokens, stopping after `stop_token`
/// (when given). With use_cache = false every step reruns the whole sequence (for testing).
RECBENCH_API Hypothesis greedy_generate(CausalLm& model, const std::vector<int64_t>& prompt,
                                        int64_t max_new_tokens,
                                        std::optional<int64_t> stop_token = std::nullopt,
                                        bool use_cache = true);

//! How token states become one vector.
enum class Pooling { kMean, kLast };

/// Final-layer hidden states pooled per text (mean over tokens, or the last token): [N, hidden]
/// in float32 on the model's device. Texts run in right-padded batches of `batch_size`.
RECBENCH_API torch::Tensor pooled_embeddings(CausalLm& model,
                                             const std::vector<std::vector<int64_t>>& texts,
                                             Pooling pooling = Pooling::kMean,
                                             int64_t batch_size = 32);

}  // namespace recbench::llm
