// RSLLM's construction, backbone and ID-table set-up, save and load; the plugin's registration.
#include "rsllm/rsllm.h"

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "recbench/embedding_artifact.h"
#include "recbench/error.h"
#include "recbench/llm/bpe_trainer.h"
#include "recbench/llm/checkpoint.h"
#include "recbench/llm/safetensors.h"
#include "recbench/train_context.h"

namespace recbench::rsllm {
namespace {

constexpr const char* kState = "rsllm.safetensors";

//! The tiny backbone's tokenizer: byte-level BPE learnt on the titles and the prompt template.
std::string tiny_tokenizer(const ItemCatalog& items, int64_t vocab) {
  std::vector<std::string> corpus;
  for (int i = 0; i < 4; ++i) {
    corpus.push_back(
        "This user has watched , . Please predict the next item this user will "
        "watch. Choose from: Answer:");
  }
  for (int32_t i = 1; i < items.num_items(); ++i) {
    corpus.push_back(i < static_cast<int32_t>(items.titles.size()) && !items.titles[i].empty()
                         ? items.titles[i]
                         : items.tokens[i]);
  }
  llm::BpeTrainerOptions o;
  o.vocab_size = vocab;
  o.special_tokens = {llm::kEndOfText, kItemToken};
  return llm::train_bpe(corpus, o);
}

}  // namespace

Rsllm::Rsllm(Params& params, PluginContext& context)
    : options_(read_options(params)),
      owner_(params.owner()),
      device_(context.device),
      precision_(context.precision),
      items_(nullptr) {
  if (context.data == nullptr || context.data->items == nullptr) {
    throw PluginError("rsllm needs the dataset's item catalogue at construction");
  }
  items_ = context.data->items;
  if (options_.uses_ids() && options_.id_file.empty()) {
    context.depend_on(options_.id_model, "id_model");
  }
  if (options_.backbone != "tiny") llm::check_model_folder(options_.backbone, owner_ + ".backbone");
}

llm::Backbone Rsllm::fresh_backbone(const llm::ModelConfig& config,
                                    std::string tokenizer_json) const {
  llm::CausalLm lm(config, llm::ModelInit{torch::kFloat, device_, true});  // build() casts it
  return llm::make_backbone(std::move(lm), std::move(tokenizer_json), owner_);
}

void Rsllm::build(llm::Backbone backbone, const torch::Tensor& id_table) {
  tokenizer_json_ = std::move(backbone.tokenizer_json);
  tokenizer_ = std::make_unique<llm::Tokenizer>(std::move(backbone.tokenizer));
  eos_ = backbone.eos_token_id;
  llm::CausalLm lm = std::move(backbone.model);
  // Any id works where no [ITEM] token exists: the placeholder's input row is always replaced.
  const int64_t placeholder = tokenizer_->token_to_id(kItemToken).value_or(eos_);
  if (options_.lora)
    lm->add_lora({options_.lora_rank, options_.lora_alpha, 0.0}, options_.lora_targets);
  llm::cast_for_training(lm, precision_);
  const int64_t hidden = lm->config().hidden_size;
  net_ = RsllmNet(lm, options_.uses_ids() ? id_table : torch::Tensor(), options_.freeze_ids,
                  options_.projector_hidden > 0 ? options_.projector_hidden : hidden);
  builder_ = std::make_unique<PromptBuilder>(*tokenizer_, *items_, placeholder, eos_);
}

torch::Tensor Rsllm::read_id_table(TrainContext& ctx) const {
  std::filesystem::path file = options_.id_file;
  if (file.empty()) {
    auto found = ctx.embedding_artifact(options_.id_model);
    if (!found) {
      throw Error(owner_ + ".id_model: no item embedding table of '" + options_.id_model +
                  "' for this dataset and seed (is it an embedding model, and did it complete?)");
    }
    file = *found;
  }
  return read_embedding_artifact(file, ctx.data()).table;
}

void Rsllm::build_for_training(TrainContext& ctx) {
  const torch::Tensor ids = options_.uses_ids() ? read_id_table(ctx) : torch::Tensor();
  torch::manual_seed(ctx.seed(Stream::init));
  if (options_.backbone != "tiny") {
    // Loaded straight into the dtype the policy keeps it in (frozen base or trained weights).
    const auto dtype = options_.lora ? frozen_dtype(precision_) : master_dtype(precision_);
    build(llm::load_backbone(options_.backbone, device_, owner_, dtype), ids);
    return;
  }
  std::string json = tiny_tokenizer(*items_, options_.tiny_vocab);
  const auto tok = llm::Tokenizer::from_json(json, owner_);
  llm::ModelConfig c = llm::ModelConfig::tiny(tok.vocab_size());
  c.max_position_embeddings = 2048;
  c.eos_token_id = c.pad_token_id = tok.token_to_id(llm::kEndOfText);
  build(fresh_backbone(c, std::move(json)), ids);
}

void Rsllm::save(const std::filesystem::path& dir) const {
  llm::save_tokenizer(dir, tokenizer_json_);
  llm::write_text_file(dir / "config.json", net_->lm->config().to_json());
  llm::NamedTensors state;
  for (const auto& item : net_->named_parameters(true))
    state.emplace_back(item.key(), item.value());
  for (const auto& item : net_->named_buffers(true)) state.emplace_back(item.key(), item.value());
  llm::save_safetensors(dir / kState, state, {{"variant", variant_name(options_.variant)}});
}

void Rsllm::load(const std::filesystem::path& dir) {
  llm::SafetensorsFile file(dir / kState);
  const auto& meta = file.metadata();
  if (meta.count("variant") == 0 || meta.at("variant") != variant_name(options_.variant)) {
    throw DataError((dir / kState).string() + ": saved by another variant than '" +
                    variant_name(options_.variant) + "'");
  }
  const auto config = llm::ModelConfig::from_file(dir / "config.json");
  const torch::Tensor ids = file.contains("id_table") ? file.tensor("id_table") : torch::Tensor();
  if (options_.uses_ids() && !ids.defined()) {
    throw DataError((dir / kState).string() + ": no id_table saved");
  }
  build(fresh_backbone(config, llm::read_text_file(llm::tokenizer_file(dir))), ids);
  torch::NoGradGuard no_grad;
  auto copy = [&](const std::string& name, torch::Tensor& target) {
    if (!file.contains(name)) throw DataError((dir / kState).string() + ": lacks '" + name + "'");
    const auto t = file.tensor(name);
    if (t.sizes() != target.sizes()) {
      throw DataError((dir / kState).string() + ": '" + name + "' has another shape");
    }
    target.copy_(t);
  };
  for (auto& item : net_->named_parameters(true)) copy(item.key(), item.value());
  for (auto& item : net_->named_buffers(true)) copy(item.key(), item.value());
}

}  // namespace recbench::rsllm

RECBENCH_PLUGIN(rsllm, recbench::rsllm::Rsllm, "1.0",
                "RSLLM: item-ID embeddings of a sequential model projected into an LLM's prompts "
                "(arXiv 2412.16933); variants llara and text-only")
