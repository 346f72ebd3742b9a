// Shared fixtures of the RSLLM tests: a small titled catalogue, its BPE tokenizer with [ITEM],
// and a fake dataset with an embedding table written as the harness writes it.
#pragma once

#include <string>
#include <vector>

#include "recbench/embedding_artifact.h"
#include "recbench/llm/bpe_trainer.h"
#include "recbench/llm/tokenizer.h"
#include "rsllm/prompt.h"
#include "unit/baselines/fake_context.h"

namespace recbench::rsllm::testing {

inline ItemCatalog titled_catalog(int32_t n) {
  ItemCatalog c;
  c.tokens.resize(n);
  c.titles.resize(n);
  for (int32_t i = 0; i < n; ++i) {
    c.tokens[i] = "i" + std::to_string(i);
    c.titles[i] = i == 0 ? "" : "Movie " + std::to_string(i);
  }
  return c;
}

inline llm::Tokenizer small_tokenizer(const ItemCatalog& c) {
  std::vector<std::string> corpus{"This user has watched Please predict the next item Answer:"};
  for (const auto& t : c.titles) corpus.push_back(t);
  llm::BpeTrainerOptions o;
  o.vocab_size = 300;
  o.special_tokens = {"<|endoftext|>", kItemToken};
  return llm::Tokenizer::from_json(llm::train_bpe(corpus, o), "test");
}

}  // namespace recbench::rsllm::testing
