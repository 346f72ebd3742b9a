// The RSLLM recommender (arXiv 2412.16933) and its LLaRA / text-only variants: an LLM whose
// prompts carry item titles and projected item-ID embeddings of a trained sequential model.
#pragma once

#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <torch/types.h>

#include "recbench/llm/backbone.h"
#include "recbench/llm/tokenizer.h"
#include "recbench/plugin.h"
#include "rsllm/prompt.h"
#include "rsllm/rsllm_net.h"
#include "rsllm/rsllm_options.h"

namespace torch::optim {
class Optimizer;
}

namespace recbench {
class DataParallel;
class LrSchedule;
}  // namespace recbench

namespace recbench::rsllm {

class Rsllm final : public Recommender {
 public:
  Rsllm(Params& params, PluginContext& context);

  //! Stage 1 (text prompts, LM loss), then stage 2 (unified prompts, LM + InfoNCE losses).
  void fit(TrainContext& ctx) override;
  //! Full ranking through the embedding head: cosine(user, projected ID) / tau.
  torch::Tensor score_all(const HistoryBatch& batch) override;
  //! The candidates named in the prompt, scored by the `inference` rule.
  torch::Tensor score_candidates(const HistoryBatch& batch, const torch::Tensor& cand) override;
  //! Writes tokenizer.json, config.json, rsllm.safetensors (every weight, the ID table included).
  void save(const std::filesystem::path& dir) const override;
  void load(const std::filesystem::path& dir) override;

  const Options& options() const { return options_; }
  //! The network (after fit() or load()).
  RsllmNet& net() { return net_; }
  const PromptBuilder& prompts() const { return *builder_; }

 private:
  //! Takes the backbone's tokenizer and EOS id; builds LoRA, the network and the prompts.
  void build(llm::Backbone backbone, const torch::Tensor& id_table);
  //! A backbone of `config` with fresh weights (float32 for the tiny one, else the device's
  //! default dtype).
  llm::Backbone fresh_backbone(const llm::ModelConfig& config, std::string tokenizer_json) const;
  void build_for_training(TrainContext& ctx);
  torch::Tensor read_id_table(TrainContext& ctx) const;
  //! One epoch of `stage` (1 or 2); returns the mean loss.
  double train_epoch(int stage, int64_t epoch_in_stage, int64_t stage_epochs, TrainContext& ctx,
                     torch::optim::Optimizer& opt, LrSchedule& schedule);
  //! Loss of the global batch, or under data parallelism of this rank's rows weighted by
  //! their share (undefined when it has none).
  torch::Tensor batch_loss(int stage, const std::vector<std::vector<int64_t>>& histories,
                           const std::vector<int64_t>& targets, double p_unified,
                           std::mt19937_64& rng, DataParallel* dp);
  //! Prompts of the last `history` items of each batch row, with candidates when given.
  std::vector<Prompt> inference_prompts(const HistoryBatch& batch, int64_t first, int64_t count,
                                        const torch::Tensor& cand) const;
  torch::Tensor candidate_chunk(const HistoryBatch& batch, int64_t first, int64_t count,
                                const torch::Tensor& cand);
  //! Normalised item representations of every item [num_items, hidden].
  torch::Tensor item_table();
  //! Normalised user representations of rows [first, first + count) [count, hidden].
  torch::Tensor user_chunk(const HistoryBatch& batch, int64_t first, int64_t count,
                           const torch::Tensor& cand);
  PromptKind inference_kind() const;

  Options options_;
  std::string owner_;
  torch::Device device_;
  Precision precision_;  //!< the experiment's policy (recbench/precision.h)
  const ItemCatalog* items_;
  std::string tokenizer_json_;
  std::unique_ptr<llm::Tokenizer> tokenizer_;
  std::unique_ptr<PromptBuilder> builder_;
  RsllmNet net_{nullptr};
  int64_t eos_ = 0;
};

}  // namespace recbench::rsllm
