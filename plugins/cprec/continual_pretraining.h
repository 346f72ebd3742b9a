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
  int64_t steps = 0;                 //!< optimiser steps of the whole schedule
  int64_t trained_steps = 0;         //!< steps run by this call
  double final_loss = 0;             //!< mean loss of the last 10% of the steps run
  std::filesystem::path folder;  //!< the artefact (config.json, model.safetensors, tokenizer.json)
};

//! 64-bit FNV-1a of `text` as 16 hex digits (stable across builds and machines).
std::string fingerprint_hex(const std::string& text);

//! Text that identifies the pre-trained artefact; `with_anneal` = false leaves out what only the
//! annealing phase depends on (so WSA's stable checkpoint is shared by every anneal variant).
std::string pretrain_identity(const CprecOptions& options, const std::string& backbone_id,
                              const std::string& corpus_fingerprint, uint64_t seed,
                              bool with_anneal);

/// Continually pre-trains `model` (tokens encoded by `corpus_encoder`, over corpus sequences
/// `corpus`) or, when the artefact keyed by its identity exists in ctx.shared_dir(), loads it.
/// With WSA the state at the end of the stable phase is kept in its own shared folder, and a new
/// anneal variant resumes from it. Writes are atomic (a folder is renamed into place).
PretrainOutcome continual_pretrain(llm::CausalLm& model, const std::string& tokenizer_json,
                                   const PromptEncoder& corpus_encoder, const SequenceSet& corpus,
                                   const CprecOptions& options, const std::string& identity,
                                   const std::string& stable_identity, TrainContext& ctx,
                                   Precision precision = Precision::fp32);

}  // namespace recbench::cprec
