// Experiment files: [[reference]] tables (published numbers, checked with file:line), the stored
// experiment's references and tie policy, and ValidHR's candidates-only rule.
#include <unistd.h>

#include <fstream>

#include <gtest/gtest.h>

#include "recbench/core/config/experiment.h"
#include "recbench/error.h"
#include "unit/error_of.h"

namespace recbench {
namespace {

class ReferenceTest : public ::testing::Test {
 protected:
  std::filesystem::path write(const std::string& text) {
    auto dir =
        std::filesystem::temp_directory_path() / ("recbench_ref_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto file = dir / "exp.toml";
    std::ofstream(file) << text;
    return file;
  }
  std::string error(const std::string& text) {
    return error_of<ConfigError>([&] { load_experiment(write(text)); });
  }
  //! An experiment (lines 1-13) followed by `references`, which start on line 14.
  static std::string with(const std::string& references) {
    return "[experiment]\n"                               // 1
           "name = \"t\"\n"                               // 2
           "[evaluation]\n"                               // 3
           "mode = \"candidates\"\n"                      // 4
           "metrics = [\"HR\", \"NDCG\", \"ValidHR\"]\n"  // 5
           "topk = [1, 10]\n"                             // 6
           "valid_metric = \"HR@1\"\n"                    // 7
           "[[datasets]]\n"                               // 8
           "name = \"syn\"\n"                             // 9
           "format = \"synthetic\"\n"                     // 10
           "[[models]]\n"                                 // 11
           "plugin = \"pop\"\n"                           // 12
           "\n" +                                         // 13
           references;
  }
  static constexpr const char* kReference =
      "[[reference]]\n"                             // 14
      "source = \"LLaRA (SIGIR 2024), Table 2\"\n"  // 15
      "dataset = \"syn\"\n"                         // 16
      "model = \"pop\"\n"                           // 17
      "metric = \"llara_hr@1\"\n"                   // 18
      "value = 0.4508\n"                            // 19
      "note = \"HR@1 over valid answers\"\n";       // 20
};

TEST_F(ReferenceTest, AMetricTheExperimentDoesNotComputeIsRefused) {
  std::string text = with(kReference);
  text.replace(text.find("llara_hr@1"), 10, "HR@5");
  const std::string e = error(text);
  EXPECT_NE(e.find(":18:"), std::string::npos) << e;
  EXPECT_NE(e.find("reference.metric"), std::string::npos) << e;
  EXPECT_NE(e.find("'HR@5' is not computed by this experiment"), std::string::npos) << e;
}

TEST_F(ReferenceTest, ReadsEveryField) {
  std::string text = with(kReference);
  text +=
      "[[reference]]\nsource = \"Other paper\"\ndataset = \"syn\"\nmodel = \"pop\"\n"
      "metric = \"ndcg@10\"\nvalue = 1\n";
  const ExperimentConfig cfg = load_experiment(write(text));
  ASSERT_EQ(cfg.references.size(), 2u);
  const PublishedValue& a = cfg.references[0];
  EXPECT_EQ(a.source, "LLaRA (SIGIR 2024), Table 2");
  EXPECT_EQ(a.dataset, "syn");
  EXPECT_EQ(a.model, "pop");
  EXPECT_EQ(a.metric, "ValidHR@1");  // the registry's spelling of the alias
  EXPECT_EQ(a.value, 0.4508);
  EXPECT_EQ(a.note, "HR@1 over valid answers");
  EXPECT_EQ(cfg.references[1].metric, "NDCG@10");
  EXPECT_EQ(cfg.references[1].value, 1.0);  // an integer is a number too
  EXPECT_EQ(cfg.references[1].note, "");
  EXPECT_TRUE(load_experiment(write(with(""))).references.empty());
}

TEST_F(ReferenceTest, UnknownKeyHasFileLineAndKnownKeys) {
  std::string text = with(kReference);
  text.replace(text.find("note ="), 4, "notes");
  const auto msg = error(text);
  EXPECT_NE(msg.find("exp.toml:20:9: reference.notes: unknown key"), std::string::npos) << msg;
  EXPECT_NE(msg.find("dataset, metric, model, note, source, value"), std::string::npos) << msg;
}

TEST_F(ReferenceTest, MissingOrWrongValuesHaveFileLine) {
  std::string text = with(kReference);
  text.erase(text.find("value = 0.4508\n"), 15);
  auto msg = error(text);
  EXPECT_NE(msg.find("exp.toml:14"), std::string::npos) << msg;  // the table
  EXPECT_NE(msg.find("reference.value: expected a number"), std::string::npos) << msg;

  text = with(kReference);
  text.replace(text.find("0.4508"), 6, "\"high\"");
  msg = error(text);
  EXPECT_NE(msg.find("exp.toml:19:9: reference.value: expected a number"), std::string::npos)
      << msg;

  text = with(kReference);
  text.erase(text.find("source = "), text.find("dataset = ") - text.find("source = "));
  msg = error(text);
  EXPECT_NE(msg.find("exp.toml:14"), std::string::npos) << msg;
  EXPECT_NE(msg.find("reference.source: expected a non-empty string"), std::string::npos) << msg;

  text = with(kReference);
  text.replace(text.find("\"pop\"\nmetric"), 5, "\"\"");
  msg = error(text);
  EXPECT_NE(msg.find("exp.toml:17:9: reference.model: expected a non-empty string"),
            std::string::npos)
      << msg;
}

TEST_F(ReferenceTest, UnknownDatasetOrModelHasFileLine) {
  std::string text = with(kReference);
  text.replace(text.find("\"syn\"\nmodel"), 5, "\"ml-1m\"");
  auto msg = error(text);
  EXPECT_NE(msg.find("exp.toml:16:11: reference.dataset"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'ml-1m' is not a [[datasets]] name"), std::string::npos) << msg;

  text = with(kReference);
  text.replace(text.find("\"pop\"\nmetric"), 5, "\"sasrec\"");
  msg = error(text);
  EXPECT_NE(msg.find("exp.toml:17:9: reference.model"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'sasrec' is not a [[models]] label"), std::string::npos) << msg;
}

TEST_F(ReferenceTest, BadMetricHasFileLine) {
  for (const auto& [metric, what] : std::vector<std::pair<std::string, std::string>>{
           {"\"NDCG\"", "expected NDCG@K with a cut-off K >= 1"},
           {"\"AUC@10\"", "'AUC'"},
           {"\"HR@0\"", "expected HR@K"},
           {"\"ValidRatio@5\"", "ValidRatio takes no cut-off @K"}}) {
    std::string text = with(kReference);
    text.replace(text.find("\"llara_hr@1\""), 12, metric);
    const auto msg = error(text);
    EXPECT_NE(msg.find("exp.toml:18:10: reference.metric: "), std::string::npos) << msg;
    EXPECT_NE(msg.find(what), std::string::npos) << msg;
  }
}

TEST_F(ReferenceTest, ReferenceMustBeAnArrayOfTables) {
  // Top-level keys come before the first table: line 1.
  auto msg = error("reference = 3\n" + with(""));
  EXPECT_NE(msg.find("exp.toml:1:13: reference: expected an array of tables"), std::string::npos)
      << msg;
  msg = error("reference = [1]\n" + with(""));
  EXPECT_NE(msg.find("exp.toml:1:14: reference: expected tables"), std::string::npos) << msg;
}

TEST_F(ReferenceTest, StoredExperimentGivesReferencesAndTiePolicy) {
  std::string text = with(kReference);
  const auto refs = read_references(text, "run.h5 (stored experiment)");
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs[0].metric, "ValidHR@1");
  EXPECT_EQ(refs[0].value, 0.4508);
  EXPECT_EQ(stored_tie_policy(text, "run.h5"), TiePolicy::pessimistic);  // the default
  text.replace(text.find("topk"), 0, "tie_policy = \"expected\"\n");
  EXPECT_EQ(load_experiment(write(text)).protocol.ties, TiePolicy::expected);
  EXPECT_EQ(stored_tie_policy(text, "run.h5"), TiePolicy::expected);
  text.replace(text.find("\"expected\""), 10, "\"optimistic\"");
  EXPECT_EQ(stored_tie_policy(text, "run.h5"), TiePolicy::optimistic);
  // --set overrides are stored as trailing "# --set" lines: they count, as they did in the run.
  const auto file = write(text);
  const ExperimentConfig run = load_experiment(file, {"evaluation.tie_policy=\"expected\""});
  EXPECT_EQ(stored_tie_policy(run.text, "run.h5"), TiePolicy::expected);
  // A "# --set" line inside the file, followed by other lines, is just a comment.
  EXPECT_EQ(stored_tie_policy("# --set evaluation.tie_policy=\"expected\"\n" + text, "run.h5"),
            TiePolicy::optimistic);
  // A damaged stored text names its source.
  const auto msg = error_of<ConfigError>(
      [] { read_references("[[reference]]\nsource = 1\n", "run.h5 (stored experiment)"); });
  EXPECT_NE(msg.find("run.h5 (stored experiment):2:10: reference.source"), std::string::npos)
      << msg;
}

TEST_F(ReferenceTest, ValidHitRatioIsListedInCandidatesModeOnly) {
  std::string text = with("");
  text.replace(text.find("\"NDCG\", "), 8, "");
  const ExperimentConfig cfg = load_experiment(write(text));
  EXPECT_EQ(cfg.protocol.metrics, (std::vector<std::string>{"HR", "ValidHR"}));
  std::string validated = text;
  validated.replace(validated.find("\"HR@1\""), 6, "\"llara_hr@1\"");
  EXPECT_EQ(load_experiment(write(validated)).valid_metric, "ValidHR@1");

  text.erase(text.find("mode = \"candidates\"\n"), 19);
  const auto msg = error(text);
  EXPECT_NE(msg.find("exp.toml: evaluation.metrics: 'ValidHR' is computed in mode = "
                     "\"candidates\" only"),
            std::string::npos)
      << msg;
  text.replace(text.find("[evaluation]\n"), 13, "[evaluation]\nmode = \"sampled\"\n");
  EXPECT_NE(error(text).find("evaluation.metrics"), std::string::npos);
}

}  // namespace
}  // namespace recbench
