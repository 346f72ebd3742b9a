// The harness's item embedding tables: round trip with metadata, and refusal of a table that was
// trained on another dataset or has the wrong number of items.
#include <gtest/gtest.h>

#include <unistd.h>

#include <torch/torch.h>

#include "recbench/embedding_artifact.h"
#include "recbench/error.h"

namespace recbench {
namespace {

struct Temp {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("recbench_emb_" + std::to_string(::getpid()));
  Temp() { std::filesystem::create_directories(dir); }
  ~Temp() { std::filesystem::remove_all(dir); }
};

DatasetView view_of(const ItemCatalog& items, const std::string& fingerprint) {
  DatasetView v;
  v.name = "ml";
  v.fingerprint = fingerprint;
  v.items = &items;
  return v;
}

TEST(EmbeddingArtifact, RoundTripsWithMetadata) {
  Temp t;
  ItemCatalog items;
  items.tokens.resize(5);
  const auto table = torch::randn({5, 3}, torch::kDouble);
  write_embedding_artifact(t.dir / "e.safetensors", table, {"ml", "abc", "sasrec", "sas-h64"});
  const auto a = read_embedding_artifact(t.dir / "e.safetensors", view_of(items, "abc"));
  EXPECT_TRUE(torch::allclose(a.table, table.to(torch::kFloat)));
  EXPECT_EQ(a.table.scalar_type(), torch::kFloat);
  EXPECT_EQ(a.info.plugin, "sasrec");
  EXPECT_EQ(a.info.label, "sas-h64");
  EXPECT_EQ(a.info.dataset, "ml");
  EXPECT_EQ(a.info.num_items, 5);
  EXPECT_EQ(a.info.dim, 3);
}

TEST(EmbeddingArtifact, RefusesAnotherDatasetOrSize) {
  Temp t;
  ItemCatalog items;
  items.tokens.resize(5);
  write_embedding_artifact(t.dir / "e.safetensors", torch::zeros({5, 2}),
                           {"steam", "f00", "sasrec", "sasrec"});
  try {
    read_embedding_artifact(t.dir / "e.safetensors", view_of(items, "abc"));
    FAIL() << "no error";
  } catch (const DataError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("trained on dataset 'steam' (fingerprint f00)"), std::string::npos) << m;
    EXPECT_NE(m.find("this run's dataset 'ml' (fingerprint abc)"), std::string::npos) << m;
  }
  ItemCatalog more;
  more.tokens.resize(6);
  EXPECT_THROW(read_embedding_artifact(t.dir / "e.safetensors", view_of(more, "f00")), DataError);
  EXPECT_THROW(read_embedding_artifact(t.dir / "missing.safetensors", view_of(items, "f00")),
               DataError);
}

}  // namespace
}  // namespace recbench
