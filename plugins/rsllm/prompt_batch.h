// Padding tokenised prompts (and answers) into tensors, with where the placeholders are.
#pragma once

#include <cstdint>
#include <vector>

#include <torch/types.h>

#include "rsllm/prompt.h"

namespace recbench::rsllm {

//! A padded batch of prompts, optionally each followed by its answer.
struct PromptBatch {
  torch::Tensor ids;         //!< [B, T] int64
  torch::Tensor attention;   //!< [B, T] int64, 1 = real token
  torch::Tensor loss_mask;   //!< [B, T] float32, 1 at answer tokens (training batches)
  torch::Tensor last;        //!< [B] int64 position of each prompt's last token
  torch::Tensor slot_rows;   //!< [S] batch row of each placeholder
  torch::Tensor slot_cols;   //!< [S] position of each placeholder
  torch::Tensor slot_items;  //!< [S] item id of each placeholder
};

/// Right-padded prompt + answer rows for training (answers.size() == prompts.size()), or, with
/// `answers` empty, left-padded prompts for inference (every prompt then ends at T - 1).
PromptBatch pad_prompts(const std::vector<Prompt>& prompts,
                        const std::vector<std::vector<int64_t>>& answers, int64_t pad_id,
                        const torch::Device& device);

}  // namespace recbench::rsllm
