// Placeholder replacement, ID projection and the user/item representations of RSLLM.
#include "rsllm/rsllm_net.h"

#include <torch/torch.h>

namespace recbench::rsllm {

RsllmNetImpl::RsllmNetImpl(llm::CausalLm model, const torch::Tensor& table, bool freeze_ids,
                           int64_t projector_hidden)
    : lm(register_module("lm", std::move(model))) {
  const int64_t hidden = lm->config().hidden_size;
  const auto device = lm->parameters().front().device();
  user_head = register_module("user_head", torch::nn::Linear(hidden, hidden));
  user_head->to(device);
  if (!table.defined()) return;
  const auto t = table.to(device, torch::kFloat);
  id_table = freeze_ids ? register_buffer("id_table", t.clone())
                        : register_parameter("id_table", t.clone());
  projector = register_module(
      "projector",
      torch::nn::Sequential(torch::nn::Linear(t.size(1), projector_hidden), torch::nn::GELU(),
                            torch::nn::Linear(projector_hidden, hidden)));
  projector->to(device);
}

torch::Tensor RsllmNetImpl::input_embeds(const PromptBatch& batch) {
  auto embeds = lm->embed(batch.ids);
  if (!has_ids() || batch.slot_items.numel() == 0) return embeds;
  const auto values = project(batch.slot_items).to(embeds.scalar_type());
  return embeds.index_put({batch.slot_rows, batch.slot_cols}, values);
}

torch::Tensor RsllmNetImpl::project(const torch::Tensor& items) {
  return projector->forward(id_table.index_select(0, items));
}

torch::Tensor RsllmNetImpl::text_embedding(const std::vector<std::vector<int64_t>>& titles) {
  const auto n = static_cast<int64_t>(titles.size());
  int64_t width = 1;
  for (const auto& t : titles) width = std::max<int64_t>(width, t.size());
  std::vector<int64_t> ids(n * width, 0);
  std::vector<float> mask(n * width, 0.0f);
  for (int64_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < titles[i].size(); ++j) {
      ids[i * width + j] = titles[i][j];
      mask[i * width + j] = 1.0f;
    }
  }
  const auto device = user_head->weight.device();
  const auto m = torch::tensor(mask).to(device).view({n, width, 1});
  const auto e = lm->embed(torch::tensor(ids).to(device).view({n, width})).to(torch::kFloat);
  return (e * m).sum(1) / m.sum(1).clamp_min(1.0);
}

torch::Tensor RsllmNetImpl::user(const torch::Tensor& hidden, const torch::Tensor& last) {
  const auto rows = torch::arange(hidden.size(0), last.options());
  return user_head->forward(hidden.index({rows, last}).to(torch::kFloat));
}

}  // namespace recbench::rsllm
