// Functions behind `recbench llm ...`: tokenize lines, next-token log-probs, tiny pre-training.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "recbench/error.h"
#include "recbench/llm/checkpoint.h"
#include "recbench/llm/tools.h"

namespace recbench::llm {
namespace {

const std::filesystem::path kFixtures = std::filesystem::path(RECBENCH_TEST_DATA_DIR) / "llm";

TEST(LlmTools, TokenizeLinesPrintsOneLinePerInput) {
  Tokenizer tok = Tokenizer::from_file(kFixtures / "qwen3_tokenizer.json.gz");
  std::istringstream in("Hello, world!\n\n你好\r\n");
  std::ostringstream out;
  tokenize_lines(tok, in, out);
  EXPECT_EQ(out.str(), "9707 11 1879 0\n\n108386\n");
}

TEST(LlmTools, LogprobsMatchTheReferenceLogits) {
  auto ref = nlohmann::json::parse(read_text_file(kFixtures / "tiny_qwen2/reference_logits.json"));
  std::vector<int64_t> ids = ref["input_ids"][1].get<std::vector<int64_t>>();  // unpadded row
  auto j =
      nlohmann::json::parse(next_token_logprobs_json(kFixtures / "tiny_qwen2", ids, torch::kCPU));
  auto logprobs = j["logprobs"].get<std::vector<double>>();
  ASSERT_EQ(logprobs.size(), ids.size() - 1);
  for (size_t i = 1; i < ids.size(); ++i) {
    auto row = ref["logits"][1][i - 1].get<std::vector<double>>();
    double max = *std::max_element(row.begin(), row.end()), z = 0;
    for (double x : row) z += std::exp(x - max);
    EXPECT_NEAR(logprobs[i - 1], row[ids[i]] - max - std::log(z), 1e-4);
  }
  EXPECT_THROW(next_token_logprobs_json(kFixtures / "tiny_qwen2", {1, 4000}, torch::kCPU),
               DataError);
}

TEST(LlmTools, PretrainLearnsATinyCorpusAndWritesALoadableFolder) {
  auto dir = std::filesystem::temp_directory_path() /
             ("recbench_llm_pretrain_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    std::ofstream corpus(dir / "corpus.txt");
    const char* genres[] = {"drama", "comedy", "thriller", "romance"};
    for (int i = 0; i < 120; ++i) {
      corpus << "user " << i % 7 << " watched the " << genres[i % 4] << " movie number " << i % 5
             << " and liked the " << genres[(i + 1) % 4] << " one.\n";
    }
  }
  PretrainOptions o;
  o.corpus = dir / "corpus.txt";
  o.output = dir / "model";
  o.vocab_size = 300;
  o.hidden_size = 32;
  o.intermediate_size = 64;
  o.seq_len = 64;
  o.steps = 60;
  o.lr = 1e-2;
  std::ostringstream log;
  PretrainSummary s = pretrain(o, log);
  EXPECT_LT(s.final_loss, 0.5 * s.first_loss) << log.str();
  EXPECT_GT(s.tokens, 1000);
  CausalLm model = load_model(o.output, torch::kCPU);
  EXPECT_EQ(model->config().vocab_size, 300);
  EXPECT_EQ(Tokenizer::from_file(o.output / "tokenizer.json").vocab_size(), 300);
  std::ostringstream info;
  print_model_info(o.output, info);
  EXPECT_NE(info.str().find("parameters          " + std::to_string(s.parameters)),
            std::string::npos);
  EXPECT_EQ(s.last_step, 60);
  EXPECT_FALSE(std::filesystem::exists(o.output / "checkpoint"));  // checkpoint_every = 0

  // Resuming needs a checkpoint made with the same run-defining options.
  o.resume = true;
  EXPECT_THROW(pretrain(o, log), DataError);
  o.resume = false;
  o.steps = 4;
  o.stop_after = 2;
  o.schedule_type = "cosine";
  o.accumulation_steps = 2;
  EXPECT_EQ(pretrain(o, log).last_step, 2);
  o.resume = true;
  o.stop_after = 0;
  o.batch_size = 3;
  try {
    pretrain(o, log);
    ADD_FAILURE() << "resumed with another batch size";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("batch_size = 8, the options give 3"), std::string::npos)
        << e.what();
  }
  o.batch_size = 8;
  PretrainSummary resumed = pretrain(o, log);
  EXPECT_EQ(resumed.first_step, 2);
  EXPECT_EQ(resumed.last_step, 4);
  o.eos_token = "<|not_there|>";
  o.resume = false;
  o.tokenizer = o.output / "tokenizer.json";
  o.output = dir / "other";
  EXPECT_THROW(pretrain(o, log), ConfigError);
  std::filesystem::remove_all(dir);
}

TEST(LlmTools, PretrainOptionsComeFromTomlWithStrictKeys) {
  Params p("pretrain",
           "corpus = \"c.txt\"\noutput = \"out\"\nsteps = 7\nschedule = \"cosine\"\n"
           "anneal_shape = \"linear\"\nwarmup_fraction = 0.2\nresume = true\n",
           "p.toml");
  PretrainOptions o = read_pretrain_options(p);
  p.finish();
  EXPECT_EQ(o.corpus, "c.txt");
  EXPECT_EQ(o.steps, 7);
  EXPECT_EQ(o.schedule_type, "cosine");
  EXPECT_EQ(o.schedule.shape, AnnealShape::kLinear);
  EXPECT_DOUBLE_EQ(o.schedule.warmup_fraction, 0.2);
  EXPECT_TRUE(o.resume);
  EXPECT_FALSE(o.tokenizer.has_value());
  Params typo("pretrain", "stepz = 3\n", "p.toml");
  read_pretrain_options(typo);
  try {
    typo.finish();
    ADD_FAILURE() << "unknown key accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("p.toml:1:9: pretrain.stepz: unknown key"),
              std::string::npos)
        << e.what();
  }
  Params bounds("pretrain", "batch_size = 0\n", "p.toml");
  EXPECT_THROW(read_pretrain_options(bounds), ConfigError);
}

}  // namespace
}  // namespace recbench::llm
