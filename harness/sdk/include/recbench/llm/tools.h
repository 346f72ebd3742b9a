// Plain functions behind the `recbench llm ...` subcommands (info, tokenize, logprobs, pretrain).
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "recbench/export.h"
#include "recbench/llm/tokenizer.h"
#include "recbench/params.h"
#include "recbench/schedule.h"

namespace recbench::llm {

//! `recbench llm tokenize`: one line of space-separated ids per input line (newline excluded).
RECBENCH_API void tokenize_lines(const Tokenizer& tokenizer, std::istream& in, std::ostream& out);

/// `recbench llm logprobs`: log P(ids[i] | ids[0..i)) for i >= 1 under the model in `dir`, as
/// JSON {"ids": [...], "logprobs": [...]} (logprobs has one entry fewer than ids); the model is
/// loaded and run in `dtype` (float32 by default: parity checks compare against float32).
RECBENCH_API std::string next_token_logprobs_json(const std::filesystem::path& dir,
                                                  const std::vector<int64_t>& ids,
                                                  const torch::Device& device,
                                                  torch::ScalarType dtype = torch::kFloat);

//! Settings of `recbench llm pretrain` (from-scratch "general text" pre-training of a tiny model).
struct PretrainOptions {
  std::filesystem::path corpus;  //!< UTF-8 text, one document per line
  std::filesystem::path output;  //!< model folder to write (config, weights, tokenizer)
  std::optional<std::filesystem::path> tokenizer;  //!< existing tokenizer.json; else trained
  int64_t vocab_size = 2048;                       //!< BPE vocabulary when training a tokenizer
  int64_t hidden_size = 64;                        //!< model width
  int64_t layers = 2;                              //!< decoder blocks
  int64_t heads = 4;                               //!< query heads
  int64_t kv_heads = 2;                            //!< key/value heads
  int64_t intermediate_size = 128;                 //!< SwiGLU width
  int64_t seq_len = 128;                           //!< packed row length
  int64_t batch_size = 8;                          //!< rows per micro-batch
  int64_t steps = 200;                             //!< optimiser steps
  double lr = 3e-3;                                //!< peak learning rate
  WsaOptions schedule{0.05, 0.75, 0.20, AnnealShape::kCosine, 0.1};  //!< WSA phases
  uint64_t seed = 0;                                                 //!< init and shuffling seed
  std::string device = "cpu";                                        //!< "cpu" or "cuda"
  std::string precision = "auto";  //!< auto | fp32 | bf16-mixed | fp16-mixed | bf16 (precision.h)
  std::string schedule_type = "wsa";        //!< "wsa" or "cosine" (warmup_fraction, then cosine)
  int64_t accumulation_steps = 1;           //!< micro-batches per optimiser step
  double max_grad_norm = 1.0;               //!< gradient clipping (0 = none)
  double weight_decay = 0.01;               //!< AdamW decoupled weight decay of matrices
  std::string eos_token = "<|endoftext|>";  //!< ends every document; also the padding id
  int64_t checkpoint_every = 0;  //!< steps between checkpoints in output/checkpoint (0 = none)
  int64_t stop_after = 0;        //!< stop (with a checkpoint) after this many steps (0 = run all)
  bool resume = false;           //!< continue from output/checkpoint
  int64_t log_every = 0;         //!< steps between progress lines (0 = about ten lines)
  int64_t threads = 0;           //!< LibTorch intra-op threads (0 = LibTorch's default)
};

/// Reads PretrainOptions from `params` (TOML keys named as the fields; the schedule's as
/// warmup_fraction, stable_fraction, anneal_fraction, anneal_shape, floor_ratio), declaring each
/// key with its default, bounds and meaning. The caller calls params.finish().
RECBENCH_API PretrainOptions read_pretrain_options(Params& params);

//! What pretrain() did.
struct PretrainSummary {
  int64_t parameters = 0;  //!< model parameters
  int64_t tokens = 0;      //!< corpus tokens
  double first_loss = 0;   //!< loss of the first step
  double final_loss = 0;   //!< mean loss of the last 10% of steps
  double seconds = 0;      //!< wall time of the training loop
  int64_t first_step = 0;  //!< 0, or the step a resumed run started at
  int64_t last_step = 0;   //!< steps completed when the run ended
  int64_t rows = 0;        //!< packed rows of seq_len tokens
};

/// Tokenises the corpus (training a BPE tokenizer first when none is given), packs it into rows
/// of seq_len, and trains a fresh Qwen2-style model with AdamW, a WSA or warmup-cosine schedule,
/// clipping and accumulation; checkpoints (weights, optimizer.pt, schedule.json, trainer.json)
/// into output/checkpoint; writes config.json, model.safetensors and tokenizer.json to `output`
/// (what load_model and Tokenizer::from_file read). Rows are drawn from seeded per-epoch
/// permutations indexed by step, so a resumed run repeats the uninterrupted one. Logs progress
/// lines to `log`. ConfigError / DataError on bad options or input.
RECBENCH_API PretrainSummary pretrain(const PretrainOptions& options, std::ostream& log);

}  // namespace recbench::llm
