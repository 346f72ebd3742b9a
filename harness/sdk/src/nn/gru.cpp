// RecBole's GRU layer and the TOML keys of GRU-based models.
#include "recbench/nn/gru.h"

#include "recbench/params.h"

namespace recbench::nn {

GruOptions read_gru_options(Params& params, const GruOptions& defaults) {
  GruOptions o = defaults;
  o.embedding = params.integer("embedding_size", defaults.embedding, "item embedding width", 1);
  o.hidden = params.integer("hidden_size", defaults.hidden, "GRU state width", 1);
  o.layers = params.integer("num_layers", defaults.layers, "stacked GRU layers", 1);
  o.dropout = params.real("dropout", defaults.dropout, "dropout on the input embeddings", 0.0, 1.0);
  return o;
}

torch::nn::GRU make_gru(const GruOptions& options) {
  return torch::nn::GRU(torch::nn::GRUOptions(options.embedding, options.hidden)
                            .num_layers(options.layers)
                            .bias(false)
                            .batch_first(true));
}

}  // namespace recbench::nn
