// Decoder model: logits parity with the Python reference, checkpoints, safetensors errors, KV
// cache, LoRA.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "recbench/error.h"
#include "recbench/llm/checkpoint.h"
#include "recbench/llm/model.h"
#include "recbench/llm/safetensors.h"
#include "recbench/llm/tokenizer.h"
#include "unit/error_of.h"
#include "unit/llm/temp_dir.h"

namespace recbench::llm {
namespace {

const std::filesystem::path kFixtures = std::filesystem::path(RECBENCH_TEST_DATA_DIR) / "llm";

CausalLm tiny_model(uint64_t seed = 7) {
  torch::manual_seed(seed);
  CausalLm model(ModelConfig::tiny(64));
  model->eval();
  return model;
}

class LlmParity : public ::testing::TestWithParam<std::string> {};

TEST_P(LlmParity, LogitsMatchThePythonReference) {
  std::filesystem::path dir = kFixtures / GetParam();
  auto ref = nlohmann::json::parse(read_text_file(dir / "reference_logits.json"));
  CausalLm model = load_model(dir, torch::kCPU);
  auto ids_rows = ref["input_ids"].get<std::vector<std::vector<int64_t>>>();
  auto mask_rows = ref["attention_mask"].get<std::vector<std::vector<int64_t>>>();
  auto expected_rows = ref["logits"].get<std::vector<std::vector<std::vector<float>>>>();
  auto b = static_cast<int64_t>(ids_rows.size()), t = static_cast<int64_t>(ids_rows[0].size());
  torch::Tensor ids = torch::empty({b, t}, torch::kLong), mask = torch::empty({b, t}, torch::kLong);
  std::vector<float> flat;
  for (int64_t i = 0; i < b; ++i) {
    for (int64_t j = 0; j < t; ++j) {
      ids[i][j] = ids_rows[i][j];
      mask[i][j] = mask_rows[i][j];
      flat.insert(flat.end(), expected_rows[i][j].begin(), expected_rows[i][j].end());
    }
  }
  torch::Tensor expected = torch::tensor(flat).view({b, t, -1});
  torch::NoGradGuard no_grad;
  ForwardOptions options;
  options.attention_mask = mask;
  torch::Tensor logits = model->forward(ids, options).logits;
  ASSERT_EQ(logits.sizes(), expected.sizes());
  torch::Tensor real = mask.to(torch::kBool).unsqueeze(-1).expand_as(logits);
  double diff = (logits - expected).abs().masked_select(real).max().item<double>();
  EXPECT_LT(diff, 1e-4) << GetParam();
  EXPECT_GT(expected.abs().max().item<double>(), 1.0);  // the reference is not degenerate
}

INSTANTIATE_TEST_SUITE_P(Llm, LlmParity, ::testing::Values("tiny_qwen2", "tiny_qwen3"));

TEST(LlmCheckpoint, SaveLoadRoundTripIncludingShards) {
  CausalLm model = tiny_model();
  torch::Tensor ids = torch::randint(0, 64, {2, 9});
  torch::NoGradGuard no_grad;
  torch::Tensor before = model->forward(ids).logits;
  for (uint64_t shard : {uint64_t{5} << 30, uint64_t{64} << 10}) {
    auto dir = temp_dir("llm_roundtrip");
    save_model(model, dir, shard);
    bool sharded = std::filesystem::exists(dir / "model.safetensors.index.json");
    EXPECT_EQ(sharded, shard < (1u << 20));
    CausalLm loaded = load_model(dir, torch::kCPU);
    EXPECT_TRUE(torch::equal(loaded->forward(ids).logits, before));
    EXPECT_EQ(loaded->config().to_json(), model->config().to_json());
  }
  std::ostringstream info;
  print_model_info(kFixtures / "tiny_qwen2", info);
  EXPECT_NE(info.str().find("Qwen2ForCausalLM"), std::string::npos);
  int64_t params = 0;
  for (const auto& p : load_model(kFixtures / "tiny_qwen2", torch::kCPU)->parameters()) {
    params += p.numel();
  }
  EXPECT_NE(info.str().find("parameters          " + std::to_string(params)), std::string::npos);
}

TEST(LlmCheckpoint, MissingAndMisshapedTensorsAreNamed) {
  auto dir = temp_dir("llm_missing");
  CausalLm model = tiny_model();
  save_model(model, dir);
  NamedTensors tensors = model->hf_state();
  tensors.pop_back();  // drop lm_head.weight
  save_safetensors(dir / "model.safetensors", tensors);
  EXPECT_NE(error_of([&] { load_model(dir, torch::kCPU); }).find("lacks tensor 'lm_head.weight'"),
            std::string::npos);
  tensors = model->hf_state();
  tensors.back().second = torch::zeros({3, 3});
  save_safetensors(dir / "model.safetensors", tensors);
  EXPECT_NE(error_of([&] { load_model(dir, torch::kCPU); }).find("'lm_head.weight' has shape"),
            std::string::npos);
}

TEST(LlmSafetensors, RoundTripsDtypesAndMetadata) {
  auto path = temp_dir("llm_st") / "x.safetensors";
  NamedTensors in = {{"f32", torch::randn({2, 3})},
                     {"bf16", torch::randn({4}).to(torch::kBFloat16)},
                     {"i64", torch::arange(5)},
                     {"empty", torch::zeros({0, 2})},
                     {"scalar", torch::tensor(3.5)}};
  save_safetensors(path, in, {{"note", "hi"}});
  SafetensorsFile file(path);
  EXPECT_EQ(file.names().size(), in.size());
  EXPECT_EQ(file.metadata().at("note"), "hi");
  EXPECT_EQ(file.entry("bf16").dtype, "BF16");
  for (const auto& [name, t] : in) {
    EXPECT_TRUE(torch::equal(file.tensor(name), t)) << name;
    EXPECT_EQ(file.tensor(name).scalar_type(), t.scalar_type());
  }
}

TEST(LlmSafetensors, CorruptFilesFailWithClearMessages) {
  auto dir = temp_dir("llm_corrupt");
  auto good = dir / "good.safetensors";
  save_safetensors(good, {{"w", torch::randn({16, 16})}});
  std::string bytes = read_text_file(good);
  auto write = [&](const std::string& name, const std::string& content) {
    std::ofstream(dir / name, std::ios::binary) << content;
    return dir / name;
  };
  auto message = [&](const std::filesystem::path& p) {
    return error_of([&] { SafetensorsFile f(p); });
  };
  EXPECT_NE(message(write("short", "abc")).find("too short"), std::string::npos);
  std::string huge = bytes;
  huge[5] = 0x7f;  // header length far beyond the file
  EXPECT_NE(message(write("len", huge)).find("header length"), std::string::npos);
  EXPECT_NE(message(write("trunc", bytes.substr(0, bytes.size() - 10))).find("outside the data"),
            std::string::npos);
  std::string bad_json = bytes;
  bad_json[8] = '[';
  EXPECT_NE(message(write("json", bad_json)).find("not valid JSON"), std::string::npos);
  auto with_header = [&](const std::string& header) {
    std::string out(8, '\0');
    for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((header.size() >> (8 * i)) & 0xff);
    return out + header + std::string(64, '\0');
  };
  EXPECT_NE(message(write("dtype", with_header(R"({"w":{"dtype":"Q4","shape":[2],)"
                                               R"("data_offsets":[0,8]}})")))
                .find("unsupported dtype 'Q4'"),
            std::string::npos);
  EXPECT_NE(message(write("shape", with_header(R"({"w":{"dtype":"F32","shape":[3],)"
                                               R"("data_offsets":[0,8]}})")))
                .find("need 12"),
            std::string::npos);
  EXPECT_NE(message(write("overlap", with_header(R"({"a":{"dtype":"F32","shape":[2],)"
                                                 R"("data_offsets":[0,8]},"b":{"dtype":"F32",)"
                                                 R"("shape":[2],"data_offsets":[4,12]}})")))
                .find("overlap"),
            std::string::npos);
  EXPECT_NE(message(dir / "absent.safetensors").find("cannot open"), std::string::npos);
}

TEST(LlmModel, KvCachedDecodingEqualsFullForward) {
  CausalLm model = tiny_model();
  torch::NoGradGuard no_grad;
  torch::Tensor ids = torch::randint(0, 64, {2, 10});
  torch::Tensor full = model->forward(ids).logits;
  KvCache cache = model->new_cache();
  ForwardOptions options;
  options.cache = &cache;
  std::vector<torch::Tensor> steps{model->forward(ids.slice(1, 0, 4), options).logits};
  for (int64_t i = 4; i < 10; ++i)
    steps.push_back(model->forward(ids.slice(1, i, i + 1), options).logits);
  EXPECT_EQ(cache.length(), 10);
  EXPECT_TRUE(torch::allclose(torch::cat(steps, 1), full, 1e-5, 1e-5));
}

TEST(LlmModel, LeftPaddingDoesNotChangeRealTokens) {
  CausalLm model = tiny_model();
  torch::NoGradGuard no_grad;
  torch::Tensor ids = torch::randint(1, 64, {1, 6});
  torch::Tensor alone = model->forward(ids).logits;
  torch::Tensor padded = torch::cat({torch::zeros({1, 3}, torch::kLong), ids}, 1);
  ForwardOptions options;
  options.attention_mask = torch::cat({torch::zeros({1, 3}), torch::ones({1, 6})}, 1);
  torch::Tensor out = model->forward(padded, options).logits.slice(1, 3);
  EXPECT_TRUE(torch::allclose(out, alone, 1e-5, 1e-5));
}

TEST(LlmModel, EmbeddingInputEqualsTokenInput) {
  CausalLm model = tiny_model();
  torch::NoGradGuard no_grad;
  torch::Tensor ids = torch::randint(0, 64, {2, 5});
  EXPECT_TRUE(
      torch::equal(model->forward_embeds(model->embed(ids)).logits, model->forward(ids).logits));
}

TEST(LlmLora, ZeroBIsTheBaseModelAndMergeKeepsTheFunction) {
  CausalLm model = tiny_model();
  torch::Tensor ids = torch::randint(0, 64, {2, 7});
  torch::Tensor base = model->forward(ids).logits.detach();
  int64_t added = model->add_lora({4, 8.0, 0.0}, {"q_proj", "v_proj"});
  EXPECT_EQ(added, 2 * model->config().num_hidden_layers);
  EXPECT_TRUE(torch::equal(model->forward(ids).logits.detach(), base));
  int64_t trainable = 0, adapter = 0;
  for (const auto& p : model->parameters()) trainable += p.requires_grad() ? p.numel() : 0;
  for (const auto& [name, p] : model->lora_state()) adapter += p.numel();
  EXPECT_EQ(model->lora_state().size(), static_cast<size_t>(2 * added));
  EXPECT_EQ(trainable, adapter);  // only the adapters train
  EXPECT_EQ(adapter, 2 * (4 * 64 + 64 * 4 + 4 * 64 + 32 * 4));
  // Perturb B so the adapter matters; save it, reload onto a fresh base, merge.
  {
    torch::NoGradGuard no_grad;
    for (auto& [name, p] : model->lora_state()) p.normal_(0, 0.1);
  }
  torch::Tensor adapted = model->forward(ids).logits.detach();
  EXPECT_FALSE(torch::allclose(adapted, base, 1e-4, 1e-4));
  auto dir = temp_dir("llm_lora");
  save_lora_adapter(model, dir);
  CausalLm fresh = tiny_model();
  load_lora_adapter(fresh, dir);
  EXPECT_TRUE(torch::allclose(fresh->forward(ids).logits.detach(), adapted, 1e-5, 1e-5));
  fresh->merge_lora();
  EXPECT_TRUE(fresh->lora_state().empty());
  EXPECT_TRUE(torch::allclose(fresh->forward(ids).logits.detach(), adapted, 1e-4, 1e-4));
  EXPECT_THROW(fresh->add_lora({4, 8.0, 0.0}, {"no_such_proj"}), ConfigError);
}

TEST(LlmModel, KvCacheWithLeftPaddingEqualsFullForward) {
  CausalLm model = tiny_model();
  torch::NoGradGuard no_grad;
  torch::Tensor ids = torch::randint(1, 64, {2, 9});
  torch::Tensor mask = torch::ones({2, 9}, torch::kLong);
  mask.slice(1, 0, 3)[1].zero_();  // row 1 is left-padded by three tokens
  ForwardOptions full_options;
  full_options.attention_mask = mask;
  torch::Tensor full = model->forward(ids, full_options).logits;
  KvCache cache = model->new_cache();
  ForwardOptions options;
  options.cache = &cache;
  options.attention_mask = mask.slice(1, 0, 5);
  std::vector<torch::Tensor> steps{model->forward(ids.slice(1, 0, 5), options).logits};
  for (int64_t i = 5; i < 9; ++i) {
    options.attention_mask = torch::ones({2, 1}, torch::kLong);  // the new token only
    steps.push_back(model->forward(ids.slice(1, i, i + 1), options).logits);
  }
  torch::Tensor cached = torch::cat(steps, 1);
  EXPECT_TRUE(torch::allclose(cached[0], full[0], 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(cached[1].slice(0, 3), full[1].slice(0, 3), 1e-5, 1e-5));
}

TEST(LlmModel, Bfloat16ForwardTracksFloat32) {
  // The CUDA path runs in bfloat16; the same code runs (slowly) in bfloat16 on CPU.
  CausalLm model = tiny_model();
  torch::NoGradGuard no_grad;
  torch::Tensor ids = torch::randint(0, 64, {2, 8});
  torch::Tensor ref = torch::log_softmax(model->forward(ids).logits, -1);
  model->to(torch::kBFloat16);
  LmOutput out = model->forward(ids);
  EXPECT_EQ(out.logits.scalar_type(), torch::kBFloat16);
  torch::Tensor lp = torch::log_softmax(out.logits.to(torch::kFloat), -1);
  EXPECT_LT((lp - ref).abs().max().item<double>(), 0.1);
  EXPECT_EQ(default_dtype(torch::Device(torch::kCUDA)), torch::kBFloat16);
  EXPECT_EQ(default_dtype(torch::Device(torch::kCPU)), torch::kFloat);
}

TEST(LlmLora, DropoutActsInTrainingOnly) {
  CausalLm model = tiny_model();
  torch::Tensor ids = torch::randint(0, 64, {2, 7});
  model->add_lora({4, 8.0, 0.5}, {"q_proj", "k_proj", "v_proj", "o_proj"});
  {
    torch::NoGradGuard no_grad;
    for (auto& [name, p] : model->lora_state()) p.normal_(0, 0.2);
  }
  model->eval();
  torch::Tensor eval1 = model->forward(ids).logits.detach();
  EXPECT_TRUE(torch::equal(model->forward(ids).logits.detach(), eval1));
  model->train();
  torch::Tensor train1 = model->forward(ids).logits.detach();
  torch::Tensor train2 = model->forward(ids).logits.detach();
  EXPECT_FALSE(torch::allclose(train1, train2, 1e-4, 1e-4));  // dropout masks differ
  EXPECT_FALSE(torch::allclose(train1, eval1, 1e-4, 1e-4));
  auto dir = temp_dir("llm_lora_dropout_" + std::to_string(::getpid()));
  save_lora_adapter(model, dir);
  auto config = nlohmann::json::parse(read_text_file(dir / "adapter_config.json"));
  EXPECT_EQ(config["lora_dropout"].get<double>(), 0.5);
  EXPECT_EQ(config["target_modules"].size(), 4u);
  CausalLm fresh = tiny_model();
  load_lora_adapter(fresh, dir);
  EXPECT_EQ(fresh->lora_spec()->dropout, 0.5);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace recbench::llm
