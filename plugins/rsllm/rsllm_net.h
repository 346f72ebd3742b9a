// RSLLM's network: the LLM, the frozen (or trainable) item-ID table of a sequential
// recommender, the two-layer projector into the LLM's input space, and the user head.
#pragma once

#include <cstdint>

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "recbench/llm/model.h"
#include "rsllm/prompt_batch.h"

namespace recbench::rsllm {

class RsllmNetImpl : public torch::nn::Module {
 public:
  /// `id_table` [num_items, d] (undefined: no ID side, text-only); trainable unless `freeze_ids`;
  /// `projector_hidden` is the MLP's inner width.
  RsllmNetImpl(llm::CausalLm lm, const torch::Tensor& id_table, bool freeze_ids,
               int64_t projector_hidden);

  //! Input embeddings of `batch`: token embeddings, placeholder rows = project(slot items).
  torch::Tensor input_embeds(const PromptBatch& batch);
  //! projector(id_table[items]): [N] -> [N, hidden] (the items' ID tokens in the LLM).
  torch::Tensor project(const torch::Tensor& items);
  //! Mean input-token embedding of each item's title ([N, hidden]): the item's text side.
  torch::Tensor text_embedding(const std::vector<std::vector<int64_t>>& titles);
  //! User representations: user_head(hidden state at each prompt's last token) [B, hidden].
  torch::Tensor user(const torch::Tensor& hidden, const torch::Tensor& last);
  bool has_ids() const { return id_table.defined(); }

  llm::CausalLm lm{nullptr};
  torch::Tensor id_table;  //!< [num_items, d]; row 0 is padding
  torch::nn::Sequential projector{nullptr};
  torch::nn::Linear user_head{nullptr};
};
TORCH_MODULE(RsllmNet);

}  // namespace recbench::rsllm
