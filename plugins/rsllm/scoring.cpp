// RSLLM's inference: full ranking through the embedding head, and the candidates named in the
// prompt scored by answer likelihood, constrained or free greedy generation, or the embedding head.
#include <algorithm>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "recbench/llm/answer_match.h"
#include "rsllm/decoding.h"
#include "rsllm/prompt_batch.h"
#include "rsllm/rsllm.h"

namespace recbench::rsllm {

PromptKind Rsllm::inference_kind() const {
  return options_.uses_ids() ? PromptKind::unified : PromptKind::text;
}

std::vector<Prompt> Rsllm::inference_prompts(const HistoryBatch& batch, int64_t first,
                                             int64_t count, const torch::Tensor& cand) const {
  const auto items = batch.items.to(torch::kCPU).contiguous();
  const auto lengths = batch.lengths.to(torch::kCPU);
  const auto c = cand.defined() ? cand.to(torch::kCPU).contiguous() : torch::Tensor();
  std::vector<Prompt> prompts;
  for (int64_t b = first; b < first + count; ++b) {
    const int64_t len = lengths[b].item<int64_t>();
    const int64_t* row = items.data_ptr<int64_t>() + b * items.size(1);
    const int64_t begin = std::max<int64_t>(0, len - options_.history);
    std::vector<int64_t> history(row + begin, row + len);
    std::vector<int64_t> listed;
    if (c.defined()) {
      const int64_t* r = c.data_ptr<int64_t>() + b * c.size(1);
      listed.assign(r, r + c.size(1));
    }
    prompts.push_back(builder_->encode(history, listed, inference_kind()));
  }
  return prompts;
}

torch::Tensor Rsllm::user_chunk(const HistoryBatch& batch, int64_t first, int64_t count,
                                const torch::Tensor& cand) {
  const auto pb = pad_prompts(inference_prompts(batch, first, count, cand), {}, eos_, device_);
  llm::ForwardOptions o;
  o.attention_mask = pb.attention;
  o.compute_logits = false;
  const auto hidden = net_->lm->forward_embeds(net_->input_embeds(pb), o).hidden;
  return torch::nn::functional::normalize(net_->user(hidden, pb.last),
                                          torch::nn::functional::NormalizeFuncOptions().dim(1));
}

torch::Tensor Rsllm::item_table() {
  const int32_t n = items_->num_items();
  torch::Tensor t;
  if (net_->has_ids()) {
    t = net_->project(torch::arange(n, torch::TensorOptions(torch::kLong).device(device_)));
  } else {
    std::vector<std::vector<int64_t>> titles{{eos_}};
    for (int32_t i = 1; i < n; ++i) titles.push_back(builder_->title_ids(i));
    t = net_->text_embedding(titles);
  }
  return torch::nn::functional::normalize(t.to(torch::kFloat),
                                          torch::nn::functional::NormalizeFuncOptions().dim(1));
}

torch::Tensor Rsllm::score_all(const HistoryBatch& batch) {
  torch::NoGradGuard no_grad;
  net_->eval();
  torch::Tensor items;
  {
    AutocastScope autocast(precision_, device_);
    items = item_table();
  }
  std::vector<torch::Tensor> parts;
  for (int64_t first = 0; first < batch.size(); first += options_.infer_batch) {
    const int64_t count = std::min(options_.infer_batch, batch.size() - first);
    torch::Tensor users;
    {
      AutocastScope autocast(precision_, device_);
      users = user_chunk(batch, first, count, {}).to(torch::kFloat);
    }
    // The ranking product in float32: bfloat16 scores would tie items that differ.
    parts.push_back(users.matmul(items.t()) / options_.tau);
  }
  return torch::cat(parts, 0);
}

torch::Tensor Rsllm::candidate_chunk(const HistoryBatch& batch, int64_t first, int64_t count,
                                     const torch::Tensor& cand) {
  const auto rows = cand.narrow(0, first, count).to(torch::kCPU).contiguous();
  if (options_.inference == Inference::embedding) {  // the head, with candidates in the prompt
    const auto user = user_chunk(batch, first, count, cand);                     // [n, H]
    const auto items = item_table().index_select(0, rows.view(-1).to(device_));  // [n * C, H]
    return (items.view({count, rows.size(1), -1}) * user.unsqueeze(1)).sum(-1) / options_.tau;
  }
  const auto pb = pad_prompts(inference_prompts(batch, first, count, cand), {}, eos_, device_);
  const auto embeds = net_->input_embeds(pb);
  const int64_t c = rows.size(1);
  const int64_t* r = rows.data_ptr<int64_t>();
  if (options_.inference == Inference::likelihood) {
    std::vector<std::vector<std::vector<int64_t>>> answers(count);
    for (int64_t b = 0; b < count; ++b) {
      for (int64_t j = 0; j < c; ++j) answers[b].push_back(builder_->answer(r[b * c + j]));
    }
    return answer_log_probs(net_->lm, embeds, pb.attention, answers, options_.length_normalize);
  }
  std::vector<llm::TitleTrie> tries(count, llm::TitleTrie(eos_));
  int64_t longest = 0;
  for (int64_t b = 0; b < count; ++b) {
    for (int64_t j = 0; j < c; ++j) {
      tries[b].add(builder_->title_ids(r[b * c + j]), j);
      longest = std::max<int64_t>(longest, builder_->title_ids(r[b * c + j]).size() + 1);
    }
  }
  const bool constrained = options_.inference == Inference::constrained;
  const auto out = greedy_decode(net_->lm, embeds, pb.attention, longest + (constrained ? 0 : 2),
                                 eos_, constrained ? &tries : nullptr);
  auto scores = torch::zeros({count, c}, torch::kFloat);
  std::vector<std::string> titles(static_cast<size_t>(c));
  for (int64_t b = 0; b < count; ++b) {
    // Constrained decoding can only end on a title; a free answer is read as LLaRA reads it.
    std::optional<size_t> found;
    if (constrained) {
      found = tries[b].find(out[b]);
    } else {
      for (int64_t j = 0; j < c; ++j) titles[j] = builder_->title(r[b * c + j]);
      found = llm::llara_answer(tokenizer_->decode(out[b], /*skip_special=*/true), titles);
    }
    if (found) {
      scores[b][static_cast<int64_t>(*found)] = 1.0f;
    } else {  // names no candidate, or several: an invalid answer (the evaluator's ValidRatio)
      scores[b].fill_(std::numeric_limits<float>::quiet_NaN());
    }
  }
  return scores;
}

torch::Tensor Rsllm::score_candidates(const HistoryBatch& batch, const torch::Tensor& cand) {
  torch::NoGradGuard no_grad;
  net_->eval();
  // Only matrix products lower their precision: the candidates' scores are elementwise
  // products of float32 vectors or float32 log-probabilities.
  AutocastScope autocast(precision_, device_);
  std::vector<torch::Tensor> parts;
  for (int64_t first = 0; first < batch.size(); first += options_.infer_batch) {
    const int64_t count = std::min(options_.infer_batch, batch.size() - first);
    parts.push_back(candidate_chunk(batch, first, count, cand).to(torch::kCPU));
  }
  return torch::cat(parts, 0).to(cand.device());
}

}  // namespace recbench::rsllm
