// The GRU over item embeddings that GRU4Rec and NARM share (RecBole's variant), and its options.
#pragma once

#include <cstdint>

#include <torch/nn/modules/rnn.h>

#include "recbench/export.h"

namespace recbench {
class Params;
}

namespace recbench::nn {

struct GruOptions {
  int64_t embedding = 64;  //!< item embedding width (the GRU's input)
  int64_t hidden = 128;    //!< GRU state width
  int64_t layers = 1;      //!< stacked GRU layers
  double dropout = 0.3;    //!< on the input embeddings
};

//! Declares and reads embedding_size, hidden_size, num_layers and dropout, the model's defaults
//! taken from `defaults`.
RECBENCH_API GruOptions read_gru_options(Params& params, const GruOptions& defaults);

//! RecBole's GRU: `layers` layers from the embedding to the hidden width, no bias, batch-first.
RECBENCH_API torch::nn::GRU make_gru(const GruOptions& options);

}  // namespace recbench::nn
