// Dependencies between model entries: order (dependencies first, else experiment order), unknown
// labels and cycles.
#include <gtest/gtest.h>

#include "recbench/core/run/model_order.h"
#include "recbench/error.h"

namespace recbench {
namespace {

std::vector<ModelEntry> entries(const std::vector<std::string>& labels) {
  std::vector<ModelEntry> out;
  for (const auto& l : labels) out.push_back({l, l, {}, {}});
  return out;
}

TEST(ModelOrder, DependenciesComeFirstOtherwiseExperimentOrder) {
  const auto models = entries({"rsllm", "llara", "pop", "sasrec", "gru"});
  ModelDependencies deps{{"rsllm", {{"sasrec", "id_model"}}}, {"llara", {{"gru", "id_model"}}}};
  EXPECT_EQ(order_models(models, deps, "x.toml"), (std::vector<size_t>{3, 0, 4, 1, 2}));
  EXPECT_EQ(order_models(models, {}, "x.toml"), (std::vector<size_t>{0, 1, 2, 3, 4}));
}

TEST(ModelOrder, UnknownLabelNamesTheKeyAndTheLabels) {
  auto models = entries({"rsllm", "pop"});
  models[0].positions["id_model"] = toml::source_position{7, 12};
  ModelDependencies deps{{"rsllm", {{"sasrec", "id_model"}}}};
  try {
    order_models(models, deps, "exp.toml");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(),
                 "exp.toml:7:12: models.rsllm.params.id_model: no model entry is labelled "
                 "'sasrec' (labels: rsllm, pop)");
  }
}

TEST(ModelOrder, CyclesAreRefused) {
  const auto models = entries({"a", "b", "c"});
  ModelDependencies deps{{"a", {{"b", "id_model"}}}, {"b", {{"a", "id_model"}}}};
  try {
    order_models(models, deps, "x.toml");
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("cycle: a -> b -> a"), std::string::npos) << e.what();
  }
  ModelDependencies self{{"c", {{"c", "id_model"}}}};
  EXPECT_THROW(order_models(models, self, "x.toml"), ConfigError);
}

}  // namespace
}  // namespace recbench
