// Right padding for training rows, left padding for inference prompts.
#include "rsllm/prompt_batch.h"

#include <algorithm>

#include <torch/torch.h>

#include "recbench/error.h"

namespace recbench::rsllm {

PromptBatch pad_prompts(const std::vector<Prompt>& prompts,
                        const std::vector<std::vector<int64_t>>& answers, int64_t pad_id,
                        const torch::Device& device) {
  const bool training = !answers.empty();
  if (training && answers.size() != prompts.size()) {
    throw Error("rsllm: " + std::to_string(answers.size()) + " answers for " +
                std::to_string(prompts.size()) + " prompts");
  }
  const auto b = static_cast<int64_t>(prompts.size());
  int64_t t = 0;
  for (int64_t i = 0; i < b; ++i) {
    t = std::max<int64_t>(t, prompts[i].ids.size() + (training ? answers[i].size() : 0));
  }
  std::vector<int64_t> ids(b * t, pad_id), attention(b * t, 0), last(b);
  std::vector<float> loss(b * t, 0.0f);
  std::vector<int64_t> rows, cols, items;
  for (int64_t i = 0; i < b; ++i) {
    const auto& p = prompts[i];
    const auto n = static_cast<int64_t>(p.ids.size());
    const int64_t len = n + (training ? static_cast<int64_t>(answers[i].size()) : 0);
    const int64_t start = training ? 0 : t - len;
    for (int64_t j = 0; j < n; ++j) ids[i * t + start + j] = p.ids[j];
    for (int64_t j = 0; training && j < len - n; ++j) {
      ids[i * t + n + j] = answers[i][j];
      loss[i * t + n + j] = 1.0f;
    }
    std::fill(attention.begin() + i * t + start, attention.begin() + i * t + start + len, 1);
    last[i] = start + n - 1;
    for (size_t s = 0; s < p.slots.size(); ++s) {
      rows.push_back(i);
      cols.push_back(start + p.slots[s]);
      items.push_back(p.slot_items[s]);
    }
  }
  auto on = [&](auto& v) { return torch::tensor(v).to(device); };
  PromptBatch out;
  out.ids = on(ids).view({b, t});
  out.attention = on(attention).view({b, t});
  out.loss_mask = on(loss).view({b, t});
  out.last = on(last);
  out.slot_rows = on(rows).to(torch::kLong);
  out.slot_cols = on(cols).to(torch::kLong);
  out.slot_items = on(items).to(torch::kLong);
  return out;
}

}  // namespace recbench::rsllm
