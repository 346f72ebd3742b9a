// CPRec's continual pre-training stage: causal-LM training on the behaviour corpus with a WSA
// schedule, run once per distinct configuration and seed in the experiment's shared folder.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "cprec_options.h"
#include "prompt_encoder.h"
#include "recbench/llm/model.h"
#include "recbench/precision.h"
#include "recbench/train_context.h"

namespace recbench::cprec {

//! What continual_pretrain() did.
struct PretrainOutcome {
  bool reused = false;               //!< the final artefact existed; nothing was trained
  bool resumed_from_stable = false;  //!< only the annealing phase ran (from the stable checkpoint)
  int64_t resumed_from_step = 0;     //!< the step a periodic checkpoint was resumed at (0: none)
  bool stopped = false;              //!< stopped early; a checkpoint holds the progress
  int64_t steps = 0;                 //!< optimiser steps of the whole schedule
  int64_t trained_steps = 0;         //!< steps run by this call
  double final_loss = 0;             //!< mean loss of the last 10% of the steps run
  std::filesystem::path folder;  //!< the artefact (config.json, model.safetensors, tokenizer.json)
};

//! 64-bit FNV-1a of `text` as 16 hex digits (stable across builds and machines).
std::string fingerprint_hex(const std::string& text);

//! Seeds of continual pre-training: the model's initialisation and the prompt stream.
struct PretrainSeeds {
  uint64_t init = 0;  //!< torch's seed before the backbone is built (also in the identity)
  uint64_t data = 0;  //!< the PromptStream's seed
};

/// The cell's seeds, or with share_across_seeds those of master seed 0, the same for every cell
/// (so that whichever seed's cell trains the shared artefact, it is the same artefact).
PretrainSeeds pretrain_seeds(const PretrainOptions& options, const TrainContext& ctx);

//! Text that identifies the pre-trained artefact; `with_anneal` = false leaves out what only the
//! annealing phase depends on (so WSA's stable checkpoint is shared by every anneal variant).
std::string pretrain_identity(const CprecOptions& options, const std::string& backbone_id,
                              const std::string& corpus_fingerprint, uint64_t seed,
                              bool with_anneal);

/// Continually pre-trains `model` (tokens encoded by `corpus_encoder`, over corpus sequences
/// `corpus`, prompts drawn with seed `data_seed`) or, when the artefact keyed by its identity
/// exists in ctx.shared_dir(), loads it. Every `checkpoint_every` steps, and when the run is
/// asked to stop, the state (weights, AdamW moments, schedule step, prompts drawn, losses) is
/// written next to the artefact; a later call resumes from the latest one and ends with the
/// same weights as an uninterrupted run. With WSA the state at the end of the stable phase is
/// kept in its own shared folder, and a new anneal variant resumes from it. Writes are atomic
/// (a folder is renamed into place) and, under data parallelism, made by rank 0 only.
PretrainOutcome continual_pretrain(llm::CausalLm& model, const std::string& tokenizer_json,
                                   const PromptEncoder& corpus_encoder, const SequenceSet& corpus,
                                   const CprecOptions& options, const std::string& identity,
                                   const std::string& stable_identity, uint64_t data_seed,
                                   TrainContext& ctx, Precision precision = Precision::fp32);

}  // namespace recbench::cprec
