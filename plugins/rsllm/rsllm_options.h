// RSLLM's options (the plugin's TOML keys), with defaults that depend on the variant.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace recbench {
class Params;
}

namespace recbench::rsllm {

enum class Variant { rsllm, llara, text_only };
enum class Inference { likelihood, constrained, generate, embedding };

struct Options {
  Variant variant = Variant::rsllm;
  std::string backbone = "tiny";    //!< "tiny" or a Hugging Face model folder
  int64_t tiny_vocab = 1024;        //!< BPE vocabulary of the tiny backbone's tokenizer
  std::string id_model = "sasrec";  //!< label of the entry whose item embeddings are the IDs
  std::string id_file;              //!< an embedding table file instead of id_model
  bool freeze_ids = true;
  int64_t projector_hidden = 0;  //!< 0: the LLM's hidden size
  int64_t history = 10;          //!< most recent items in a prompt
  int64_t stage1_epochs = 1, stage2_epochs = 2;
  bool curriculum = false;  //!< stage 2: P(unified prompt) rises linearly 0 -> 1
  double lambda_user = 0.1, lambda_align = 0.1, tau = 0.1;
  int64_t samples_per_user = 2;   //!< training targets drawn per user and epoch
  int64_t train_candidates = 20;  //!< candidates listed in training prompts (0: none)
  int64_t batch_size = 16, accumulation = 1;
  double lr = 1e-3, weight_decay = 0.01, max_grad_norm = 1.0, warmup_fraction = 0.05;
  bool lora = false;
  int64_t lora_rank = 8;
  double lora_alpha = 16.0;
  std::vector<std::string> lora_targets{"q_proj", "v_proj"};
  Inference inference = Inference::likelihood;
  bool length_normalize = true;
  int64_t infer_batch = 32;  //!< prompts per forward pass at inference

  bool uses_ids() const { return variant != Variant::text_only; }
};

//! Declares and reads every key; throws ConfigError for contradictions (e.g. text-only with a
//! non-zero ID loss weight).
Options read_options(Params& params);

const char* variant_name(Variant v);

}  // namespace recbench::rsllm
