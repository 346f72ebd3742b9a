// The CPRec recommender (arXiv 2504.08949): an LLM continually pre-trained on all-domain
// behaviour text, adapted to the target dataset and scored by embeddings, likelihood or
// generation.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "continual_pretraining.h"
#include "cprec_options.h"
#include "prompt_encoder.h"
#include "prompt_template.h"
#include "recbench/llm/backbone.h"
#include "recbench/llm/inference.h"
#include "recbench/llm/model.h"
#include "recbench/llm/tokenizer.h"
#include "recbench/plugin.h"

namespace torch::optim {
class Optimizer;
}

namespace recbench {
class DataParallel;
}

namespace recbench::cprec {

class Cprec final : public Recommender {
 public:
  Cprec(Params& params, const PluginContext& context);

  void fit(TrainContext& ctx) override;
  torch::Tensor score_all(const HistoryBatch& batch) override;
  torch::Tensor score_candidates(const HistoryBatch& batch, const torch::Tensor& cand) override;
  void save(const std::filesystem::path& dir) const override;
  void load(const std::filesystem::path& dir) override;

  const CprecOptions& options() const { return options_; }
  //! What the last fit's continual pre-training did (empty when it had none).
  const std::optional<PretrainOutcome>& pretraining() const { return pretraining_; }

 private:
  void build_backbone(TrainContext& ctx);
  void adapt(TrainContext& ctx);
  double adapt_epoch(const std::vector<std::vector<ItemId>>& samples, TrainContext& ctx,
                     torch::optim::Optimizer& optimizer, int epoch);
  //! Loss of samples [begin, end), or under data parallelism of this rank's rows of them,
  //! weighted by their share (undefined when it has none).
  torch::Tensor batch_loss(const std::vector<std::vector<ItemId>>& samples, size_t begin,
                           size_t end, uint64_t seed, DataParallel* dp);
  //! Pooled last-token states of the prompts over `histories` ([B, hidden], L2-normalised).
  torch::Tensor user_vectors(const std::vector<std::vector<ItemId>>& histories);
  //! Mean-pooled, L2-normalised text states of `items` ([N, hidden]).
  torch::Tensor item_vectors(const std::vector<ItemId>& items);
  const torch::Tensor& all_item_vectors();
  std::vector<std::vector<ItemId>> histories(const HistoryBatch& batch) const;
  //! Takes the model, tokenizer and EOS id of `backbone`; the prompt encoder follows them.
  void set_backbone(llm::Backbone backbone);

  CprecOptions options_;
  PromptTemplate prompt_;
  torch::Device device_;
  Precision precision_;          //!< the experiment's policy (recbench/precision.h)
  LossScaler scaler_;            //!< fp16-mixed adaptation's loss scaling
  std::vector<ItemText> items_;  //!< target catalogue texts
  std::string tokenizer_json_;
  std::optional<llm::Tokenizer> tokenizer_;
  std::unique_ptr<PromptEncoder> encoder_;
  llm::CausalLm model_{nullptr};
  torch::Tensor item_cache_;  //!< all_item_vectors() of the current weights (undefined: stale)
  std::optional<llm::TitleTrie> trie_;  //!< generate scoring: every item's title
  std::optional<PretrainOutcome> pretraining_;
};

}  // namespace recbench::cprec
