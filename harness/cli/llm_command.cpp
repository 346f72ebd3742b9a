// `recbench llm`: model-folder info, tokenisation, next-token log-probs, tiny pre-training.
#include <algorithm>
#include <charconv>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "commands.h"
#include "options.h"
#include "recbench/detail/params_toml.h"
#include "recbench/error.h"
#include "recbench/llm/checkpoint.h"
#include "recbench/llm/tokenizer.h"
#include "recbench/llm/tools.h"

namespace recbench::cli {

namespace {

//! A model folder given on the command line must hold config.json.
std::filesystem::path model_folder(const std::string& dir) {
  if (!std::filesystem::is_directory(dir)) throw DataError(dir + ": no such model folder");
  if (!std::filesystem::exists(std::filesystem::path(dir) / "config.json")) {
    throw DataError(dir + ": not a model folder (config.json missing)");
  }
  return dir;
}

int info(const std::vector<std::string>& args) {
  po::options_description visible("options");
  po::options_description hidden;
  hidden.add_options()("dir", po::value<std::string>()->required(), "model folder");
  po::positional_options_description positional;
  positional.add("dir", 1);
  po::variables_map vm;
  if (parse_args(args, "recbench llm info DIR", visible, hidden, positional, vm)) return kExitOk;
  llm::print_model_info(model_folder(vm["dir"].as<std::string>()), std::cout);
  return kExitOk;
}

int tokenize(const std::vector<std::string>& args) {
  po::options_description visible("options");
  visible.add_options()("tokenizer,t", po::value<std::string>()->required(),
                        "tokenizer.json (or .json.gz) or a SentencePiece tokenizer.model");
  po::variables_map vm;
  if (parse_args(args, "recbench llm tokenize --tokenizer FILE < lines.txt", visible, {}, {}, vm)) {
    return kExitOk;
  }
  const llm::Tokenizer tok = llm::Tokenizer::from_file(vm["tokenizer"].as<std::string>());
  llm::tokenize_lines(tok, std::cin, std::cout);
  return kExitOk;
}

//! "1,2,3" -> {1, 2, 3}; anything else is a ConfigError quoting the bad part.
std::vector<int64_t> parse_ids(const std::string& text) {
  std::vector<int64_t> ids;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, ',');) {
    int64_t id = 0;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), id);
    if (part.empty() || ec != std::errc() || end != part.data() + part.size() || id < 0) {
      throw ConfigError("--ids: '" + part +
                        "' is not a token id (expected comma-separated integers >= 0, e.g. 1,2,3)");
    }
    ids.push_back(id);
  }
  if (ids.size() < 2 || text.back() == ',') {
    throw ConfigError("--ids: expected at least two comma-separated ids, got '" + text + "'");
  }
  return ids;
}

int logprobs(const std::vector<std::string>& args) {
  po::options_description visible("options");
  visible.add_options()("model,m", po::value<std::string>()->required(), "model folder")(
      "ids", po::value<std::string>()->required(), "token ids, e.g. 1,2,3")(
      "device", po::value<std::string>()->default_value("cpu"), "cpu or cuda")(
      "dtype", po::value<std::string>()->default_value("float32"),
      "float32 or bfloat16: the weights' and the forward's dtype");
  po::variables_map vm;
  if (parse_args(args, "recbench llm logprobs --model DIR --ids 1,2,3", visible, {}, {}, vm)) {
    return kExitOk;
  }
  const std::vector<int64_t> ids = parse_ids(vm["ids"].as<std::string>());
  const std::string device = vm["device"].as<std::string>();
  if (device != "cpu" && device != "cuda") {
    throw ConfigError("--device: expected cpu or cuda, got '" + device + "'");
  }
  const std::string dtype = vm["dtype"].as<std::string>();
  if (dtype != "float32" && dtype != "bfloat16") {
    throw ConfigError("--dtype: expected float32 or bfloat16, got '" + dtype + "'");
  }
  std::cout << llm::next_token_logprobs_json(model_folder(vm["model"].as<std::string>()), ids,
                                             torch::Device(device),
                                             dtype == "float32" ? torch::kFloat : torch::kBFloat16)
            << "\n";
  return kExitOk;
}

//! The declared pretrain keys (key, type, default, doc), read off an empty table.
std::vector<ParamSpec> pretrain_specs() {
  Params probe("pretrain", "", "");
  llm::read_pretrain_options(probe);
  return probe.specs();
}

std::string flag_name(std::string key) {
  std::replace(key.begin(), key.end(), '_', '-');
  return key;
}

//! The text of flag --`spec.key` as a TOML value of the key's declared type.
void insert_flag(toml::table& table, const ParamSpec& spec, const std::string& text) {
  const std::string flag = "--" + flag_name(spec.key);
  if (spec.type == "int") {
    int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
      throw ConfigError(flag + ": expected an integer, got '" + text + "'");
    }
    table.insert_or_assign(spec.key, v);
  } else if (spec.type == "float") {
    size_t used = 0;
    double v = 0;
    try {
      v = std::stod(text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (text.empty() || used != text.size()) {
      throw ConfigError(flag + ": expected a number, got '" + text + "'");
    }
    table.insert_or_assign(spec.key, v);
  } else if (spec.type == "bool") {
    table.insert_or_assign(spec.key, true);
  } else {
    table.insert_or_assign(spec.key, text);
  }
}

//! Parses FILE as TOML; relative paths in it are taken from FILE's folder.
toml::table read_pretrain_file(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError(file + ": cannot open pretrain config");
  std::ostringstream text;
  text << in.rdbuf();
  toml::table table;
  try {
    table = toml::parse(text.str(), file);
  } catch (const toml::parse_error& e) {
    throw ConfigError(fmt::format("{}:{}:{}: {}", file, e.source().begin.line,
                                  e.source().begin.column, e.description()));
  }
  const std::filesystem::path base = std::filesystem::path(file).parent_path();
  for (const char* key : {"corpus", "output", "tokenizer"}) {
    toml::node* node = table.get(key);
    if (node == nullptr || !node->is_string()) continue;
    std::filesystem::path p(node->as_string()->get());
    if (!p.empty() && p.is_relative()) *node->as_string() = (base / p).lexically_normal().string();
  }
  return table;
}

llm::PretrainOptions pretrain_options(const po::variables_map& vm,
                                      const std::vector<ParamSpec>& specs) {
  toml::table flags;
  for (const ParamSpec& spec : specs) {
    const std::string name = flag_name(spec.key);
    if (spec.type == "bool") {
      if (vm[name].as<bool>()) insert_flag(flags, spec, "");
    } else if (vm.count(name)) {
      insert_flag(flags, spec, vm[name].as<std::string>());
    }
  }
  Params from_flags = make_params("pretrain", &flags, "command line");
  llm::PretrainOptions options = llm::read_pretrain_options(from_flags);  // checks the flags
  if (!vm.count("config")) return options;
  const std::string file = vm["config"].as<std::string>();
  toml::table table = read_pretrain_file(file);
  for (auto&& [key, value] : flags) table.insert_or_assign(key.str(), value);  // flags win
  Params merged = make_params("pretrain", &table, file);
  options = llm::read_pretrain_options(merged);
  merged.finish();
  return options;
}

int pretrain(const std::vector<std::string>& args) {
  const std::vector<ParamSpec> specs = pretrain_specs();
  po::options_description visible("options (TOML keys of --config use _ for -; flags win)");
  visible.add_options()("config,c", po::value<std::string>(), "TOML file of these options");
  for (const ParamSpec& spec : specs) {
    const std::string name = flag_name(spec.key);
    const std::string doc =
        fmt::format("{} ({}, default {})", spec.doc, spec.type, spec.default_value);
    if (spec.type == "bool") {
      visible.add_options()(name.c_str(), po::bool_switch(), doc.c_str());
    } else {
      visible.add_options()(name.c_str(), po::value<std::string>(), doc.c_str());
    }
  }
  po::variables_map vm;
  if (parse_args(args, "recbench llm pretrain [--config FILE.toml] --corpus FILE --output DIR",
                 visible, {}, {}, vm)) {
    return kExitOk;
  }
  const llm::PretrainOptions options = pretrain_options(vm, specs);
  const llm::PretrainSummary s = llm::pretrain(options, std::cout);
  const int64_t trained = s.last_step - s.first_step;
  const double tokens = static_cast<double>(trained * options.accumulation_steps *
                                            options.batch_size * options.seq_len);
  std::cout << fmt::format(
      "parameters   {}\ncorpus       {} tokens, {} rows\nsteps        {} to {}\n"
      "first loss   {:.4f}\nfinal loss   {:.4f}\nseconds      {:.2f}\ntokens/s     {:.0f}\n",
      s.parameters, s.tokens, s.rows, s.first_step, s.last_step, s.first_loss, s.final_loss,
      s.seconds, s.seconds > 0 ? tokens / s.seconds : 0.0);
  return kExitOk;
}

}  // namespace

int llm_command(const std::vector<std::string>& args) {
  if (args.empty()) {
    std::cerr << "usage: recbench llm info DIR | tokenize --tokenizer FILE | logprobs --model DIR "
                 "--ids 1,2,3 | pretrain [--config FILE.toml] [options]\n";
    return kExitBadInput;
  }
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "info") return info(rest);
  if (args[0] == "tokenize") return tokenize(rest);
  if (args[0] == "logprobs") return logprobs(rest);
  if (args[0] == "pretrain") return pretrain(rest);
  std::cerr << "recbench llm: unknown subcommand '" << args[0]
            << "'; known: info, tokenize, logprobs, pretrain\n";
  return kExitBadInput;
}

}  // namespace recbench::cli
