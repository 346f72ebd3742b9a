// Every option of the CPRec plugin, read and validated from its TOML table.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "recbench/params.h"
#include "recbench/schedule.h"

namespace recbench::cprec {

//! Continual pre-training settings (everything that changes the pre-trained artefact).
struct PretrainOptions {
  std::string corpus;              //!< [[corpora]] name; empty = no corpus
  int64_t tokens = 300000;         //!< token budget (0 = no continual pre-training)
  int64_t seq_len = 128;           //!< packed row length
  int64_t batch_size = 16;         //!< rows per optimiser step
  int64_t accumulation_steps = 1;  //!< micro-batches each step's rows are split into
  double peak_lr = 3e-3;           //!< peak learning rate
  std::string schedule = "wsa";    //!< wsa | cosine | constant
  WsaOptions wsa{0.05, 0.75, 0.20, AnnealShape::kCosine, 0.1};  //!< WSA phases
  double mixed_share = 0.5;         //!< share of prompts from mixed (vs domain-specific) sequences
  int64_t max_items = 10;           //!< history items per prompt
  int64_t stride = 10;              //!< sliding-window step over long histories
  std::string loss_span = "all";    //!< all = every item title; target = the final item only
  double weight_decay = 0.01;       //!< AdamW decay of matrices
  bool share_across_seeds = false;  //!< one artefact for every seed (pre-trained with seed 0)
  // Not part of the artefact's identity (a resumed run ends with the same weights):
  int64_t checkpoint_every = 100;  //!< steps between resumable checkpoints (0: only on a stop)
  bool activation_checkpointing = false;  //!< recompute layer activations in backward
};

//! Target adaptation and scoring settings.
struct AdaptOptions {
  std::string mode = "full";          //!< full | lora | none (zero-shot)
  std::string scoring = "embedding";  //!< embedding | likelihood | generate
  double few_shot = 1.0;              //!< fraction of training users used
  int64_t epochs = 20;                //!< epochs (early stopping by ctx.validate)
  int64_t batch_size = 32;            //!< training prompts per step
  double lr = 1e-3;                   //!< AdamW learning rate (constant)
  int64_t max_items = 10;             //!< history items per prompt
  double temperature = 0.1;           //!< embedding scoring: softmax temperature of cosines
  int64_t softmax_items = 1024;       //!< full softmax up to this many items, else sampled
  int64_t lora_rank = 8;              //!< LoRA rank
  double lora_alpha = 16.0;           //!< LoRA alpha
  int64_t beams = 10;                 //!< generate scoring: beams (items ranked per user)
};

struct CprecOptions {
  std::string backbone = "tiny";  //!< "tiny" (ModelConfig::tiny + BPE) or a HF model folder
  int64_t vocab_size = 1024;      //!< tiny backbone: BPE vocabulary
  std::string prompt = "Domain: {domain}. The user interacted with: {items}. Next: {target}";
  std::string item = "{title}";                   //!< item pattern
  std::string mixed_item = "{domain} - {title}";  //!< item pattern in mixed sequences
  std::string separator = "; ";                   //!< between history items
  std::string mixed_domain = "all domains";       //!< {domain} of a mixed sequence
  PretrainOptions pretrain;
  AdaptOptions adapt;
};

/// Reads every option from `params` (owner names the table in errors); checks the corpus name
/// against `corpora` (the experiment's [[corpora]]).
CprecOptions read_options(Params& params, const std::vector<std::string>& corpora);

//! The learning-rate schedule of continual pre-training over `total_steps`.
LrSchedule pretrain_schedule(const PretrainOptions& options, int64_t total_steps);

}  // namespace recbench::cprec
