// Shared nn blocks: attention masks, causality of the encoder, losses against hand computations,
// the option readers shared by the baselines.
#include <gtest/gtest.h>

#include <torch/torch.h>

#include <string>
#include <vector>

#include "recbench/error.h"
#include "recbench/nn/common.h"
#include "recbench/nn/gru.h"
#include "recbench/nn/losses.h"
#include "recbench/nn/transformer.h"
#include "recbench/params.h"

namespace recbench::nn {
namespace {

TEST(AttentionMask, CausalAndPadding) {
  auto items = torch::tensor({5, 6, 0}, torch::kInt64).view({1, 3});
  auto causal = attention_mask(items, true).squeeze();
  auto expected = torch::tensor({0.f, -1e4f, -1e4f, 0.f, 0.f, -1e4f, 0.f, 0.f, -1e4f}).view({3, 3});
  EXPECT_TRUE(torch::equal(causal, expected)) << causal;
  auto both = attention_mask(items, false).squeeze();
  EXPECT_TRUE(torch::equal(both.select(0, 0), torch::tensor({0.f, 0.f, -1e4f})));
}

TEST(TransformerEncoder, CausalOutputsIgnoreLaterItems) {
  torch::manual_seed(0);
  for (bool pre_norm : {false, true}) {
    TransformerOptions o;
    o.hidden = 8, o.heads = 2, o.inner = 16, o.pre_norm = pre_norm;
    TransformerEncoder enc(o);
    enc->eval();
    auto x = torch::randn({1, 4, 8});
    auto items = torch::tensor({1, 2, 3, 4}, torch::kInt64).view({1, 4});
    auto y1 = enc(x, attention_mask(items, true));
    auto x2 = x.clone();
    x2.select(1, 3).add_(torch::randn({8}));
    auto y2 = enc(x2, attention_mask(items, true));
    EXPECT_TRUE(torch::allclose(y1.slice(1, 0, 3), y2.slice(1, 0, 3)));
    EXPECT_FALSE(torch::allclose(y1.select(1, 3), y2.select(1, 3)));
    auto b1 = enc(x, attention_mask(items, false)), b2 = enc(x2, attention_mask(items, false));
    EXPECT_FALSE(torch::allclose(b1.select(1, 0), b2.select(1, 0)));  // bidirectional sees it
  }
}

TEST(TransformerEncoder, ChosenRowsEqualTheFullOutputAtThoseRows) {
  torch::manual_seed(1);
  for (bool pre_norm : {false, true}) {
    for (bool causal : {false, true}) {
      TransformerOptions o;
      o.hidden = 8, o.heads = 2, o.inner = 16, o.layers = 3, o.pre_norm = pre_norm;
      TransformerEncoder enc(o);
      enc->eval();
      auto items =
          torch::tensor({{1, 2, 3, 0, 0}, {4, 5, 6, 7, 8}, {9, 0, 0, 0, 0}}, torch::kInt64);
      auto x = torch::randn({3, 5, 8});
      auto mask = attention_mask(items, causal);
      auto rows = torch::tensor({2, 4, 0}, torch::kInt64);
      auto full = enc(x, mask);
      auto chosen = enc(x, mask, rows);
      ASSERT_EQ(chosen.sizes(), (std::vector<int64_t>{3, 8}));
      for (int64_t b = 0; b < 3; ++b) {
        EXPECT_TRUE(torch::allclose(chosen[b], full[b][rows[b].item<int64_t>()], 1e-5, 1e-6))
            << "pre_norm " << pre_norm << " causal " << causal << " row " << b;
      }
      EXPECT_FALSE(torch::allclose(chosen[1], full[1][3]));  // a different row differs
    }
  }
}

TEST(PositionalInput, AnchorsCountFromTheOldestOrTheLatestItem) {
  torch::manual_seed(2);
  const int64_t max_len = 8, d = 4;
  auto items = torch::tensor({{5, 6, 7, 0, 0}, {1, 2, 3, 4, 9}}, torch::kInt64);
  auto emb = torch::randn({2, 5, d});
  for (PositionAnchor anchor : {PositionAnchor::oldest, PositionAnchor::latest}) {
    PositionalInput input(max_len, d, /*dropout=*/0.0, 1e-12, anchor);
    input->eval();
    auto table = input->named_parameters()["positions.weight"];
    // Expected positions: 0.. for oldest; max_len - n + i for latest (padding clamped, unread).
    auto pos = anchor == PositionAnchor::oldest
                   ? torch::tensor({{0, 1, 2, 3, 4}, {0, 1, 2, 3, 4}}, torch::kInt64)
                   : torch::tensor({{5, 6, 7, 7, 7}, {3, 4, 5, 6, 7}}, torch::kInt64);
    auto expected = torch::layer_norm(emb + table.index({pos}), {d}, {}, {}, 1e-12);
    auto got = input(emb, items);
    EXPECT_TRUE(torch::allclose(got, expected, 1e-5, 1e-6)) << static_cast<int>(anchor);
    // The real items' outputs do not depend on how much padding the batch carries.
    auto narrow = input(emb.slice(0, 0, 1).slice(1, 0, 3), items.slice(0, 0, 1).slice(1, 0, 3));
    EXPECT_TRUE(torch::allclose(narrow[0], got[0].slice(0, 0, 3), 1e-5, 1e-6));
  }
}

TEST(ReadPositionAnchor, AcceptsOldestAndLatestOnly) {
  Params latest("models.m.params", "position_anchor = 'latest'\n", "exp.toml");
  EXPECT_EQ(read_position_anchor(latest, PositionAnchor::oldest), PositionAnchor::latest);
  Params fallback("models.m.params", "", "exp.toml");
  EXPECT_EQ(read_position_anchor(fallback, PositionAnchor::oldest), PositionAnchor::oldest);
  Params wrong("models.m.params", "position_anchor = 'newest'\n", "exp.toml");
  EXPECT_THROW(read_position_anchor(wrong, PositionAnchor::oldest), ConfigError);
}

TEST(ItemLoss, CrossEntropyMatchesHandComputation) {
  torch::manual_seed(1);
  auto hidden = torch::randn({3, 4}), table = torch::randn({6, 4}), bias = torch::randn({6});
  auto targets = torch::tensor({1, 5, 2}, torch::kInt64);
  ItemLoss ce;
  auto logits = hidden.matmul(table.t()) + bias;
  auto expected = (logits.logsumexp(1) - logits.gather(1, targets.unsqueeze(1)).squeeze(1)).mean();
  EXPECT_NEAR(ce(hidden, targets, table, bias).item<double>(), expected.item<double>(), 1e-5);
}

TEST(ItemLoss, SampledLossesAreFiniteAndLearnable) {
  torch::manual_seed(2);
  auto table = torch::randn({50, 8});
  auto targets = torch::randint(1, 50, {32}, torch::kInt64);
  for (auto kind : {LossKind::bce, LossKind::sampled_softmax}) {
    ItemLoss loss{kind, 10};
    auto hidden = torch::zeros({32, 8}, torch::requires_grad());
    torch::manual_seed(3);
    auto value = loss(hidden, targets, table);
    EXPECT_TRUE(std::isfinite(value.item<double>()));
    value.backward();
    // A gradient step lowers the loss (same negatives: same generator state).
    torch::manual_seed(3);
    auto better = loss(hidden.detach() - 0.5 * hidden.grad(), targets, table);
    EXPECT_LT(better.item<double>(), value.item<double>() - 1e-3);
  }
  EXPECT_EQ(parse_loss("bce"), LossKind::bce);
  EXPECT_THROW(parse_loss("mse"), ConfigError);
}

TEST(GatherLast, PicksPositionLengthMinusOne) {
  auto h = torch::arange(12, torch::kFloat32).view({2, 3, 2});
  auto out = gather_last(h, torch::tensor({1, 3}, torch::kInt64));
  EXPECT_TRUE(torch::equal(out, torch::tensor({0.f, 1.f, 10.f, 11.f}).view({2, 2})));
}

//! "key: doc" of every declared key, in declaration order.
std::vector<std::string> declared(const Params& params) {
  std::vector<std::string> out;
  for (const auto& spec : params.specs()) out.push_back(spec.key + ": " + spec.doc);
  return out;
}

TEST(ReadTransformerOptions, DeclaresTheKeysOfSASRecAndBERT4Rec) {
  Params params("models.m.params", "num_heads = 4\n", "exp.toml");
  TransformerOptions defaults;
  defaults.dropout = 0.2;
  defaults.pre_norm = true;
  const TransformerOptions o = read_transformer_options(params, defaults);
  EXPECT_EQ(o.heads, 4);
  EXPECT_EQ(o.hidden, 64);
  EXPECT_EQ(o.layers, 2);
  EXPECT_EQ(o.inner, 256);
  EXPECT_DOUBLE_EQ(o.dropout, 0.2);
  EXPECT_DOUBLE_EQ(o.attn_dropout, 0.5);
  EXPECT_DOUBLE_EQ(o.layer_norm_eps, 1e-12);
  EXPECT_TRUE(o.pre_norm);  // not a key of its own here
  const std::vector<std::string> expected{"hidden_size: embedding and model width",
                                          "num_layers: Transformer layers",
                                          "num_heads: attention heads (divide hidden_size)",
                                          "inner_size: feed-forward width",
                                          "dropout: dropout on embeddings and sublayers",
                                          "attn_dropout: dropout on attention weights",
                                          "layer_norm_eps: LayerNorm epsilon"};
  EXPECT_EQ(declared(params), expected);
  Params bad("models.m.params", "dropout = 1.5\n", "exp.toml");
  EXPECT_THROW(read_transformer_options(bad, {}), ConfigError);
}

TEST(ReadGruOptions, DeclaresTheKeysOfGRU4RecAndNARM) {
  Params params("models.m.params", "hidden_size = 32\n", "exp.toml");
  GruOptions defaults;
  defaults.dropout = 0.25;
  const GruOptions o = read_gru_options(params, defaults);
  EXPECT_EQ(o.embedding, 64);
  EXPECT_EQ(o.hidden, 32);
  EXPECT_EQ(o.layers, 1);
  EXPECT_DOUBLE_EQ(o.dropout, 0.25);
  const std::vector<std::string> expected{
      "embedding_size: item embedding width", "hidden_size: GRU state width",
      "num_layers: stacked GRU layers", "dropout: dropout on the input embeddings"};
  EXPECT_EQ(declared(params), expected);
  auto gru = make_gru(o);
  EXPECT_FALSE(gru->options.bias());
  EXPECT_TRUE(gru->options.batch_first());
  EXPECT_EQ(gru->options.input_size(), 64);
  EXPECT_EQ(gru->options.hidden_size(), 32);
}

TEST(ItemTable, RowZeroIsPadding) {
  auto table = item_table(5, 3);
  EXPECT_EQ(table->weight.sizes(), (std::vector<int64_t>{5, 3}));
  EXPECT_TRUE(torch::equal(table->weight[0], torch::zeros({3})));
}

}  // namespace
}  // namespace recbench::nn
