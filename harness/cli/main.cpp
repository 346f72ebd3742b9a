// recbench: the command-line entry point; dispatches to a subcommand.
#include <iostream>
#include <map>

#include <boost/program_options/errors.hpp>

#include "commands.h"
#include "recbench/error.h"
#include "recbench/threads.h"

namespace {

constexpr const char* kUsage =
    R"(recbench: benchmark harness for sequential and LLM-based recommenders

usage:
  recbench run EXPERIMENT.toml [--out FILE.h5] [--set key=value ...] [--resume] [--device cpu|cuda]
               [--model LABEL] [--dataset NAME] [--seed S]
                                       runs only the cells named (repeatable)
               [--rerun-changed]       with --resume: retrains cells whose settings changed
               [--shard i/N]           runs shard i of N (0-based) of the experiment's cells
               [--nproc N] [--dist-timeout SECONDS]
                                       trains each cell data-parallel over N processes
  recbench merge PART.h5... --out FILE.h5 [--force]
                                       combines the results files of a sharded run
  recbench report FILE.h5 [--format md|latex|csv] [--metric NDCG@10 ...] [--baseline NAME]
  recbench plot FILE.h5 --kind curves|metric-at-k|bars [--metric M] --out FIG.png|svg|pdf
                                       figures (matplotlib, through python/recbench)
  recbench data prepare RECIPE.toml    raw files -> prepared, cached dataset; prints statistics
  recbench data synth [--out DIR]      writes the deterministic synthetic dataset
  recbench plugins [--plugin-path DIR] lists loadable plugins
  recbench llm info DIR                architecture and parameter count of a model folder
  recbench llm tokenize --tokenizer FILE
                                       prints the token ids of each line of stdin
  recbench llm logprobs --model DIR --ids 1,2,3
                                       next-token log-probabilities as JSON
  recbench llm pretrain [--config FILE.toml] [--corpus FILE --output DIR ...]
                                       pre-trains a tiny model (and a BPE tokenizer) on a corpus

`recbench COMMAND --help` describes a command's options.
)";

}  // namespace

int main(int argc, char** argv) {
  recbench::keep_freed_memory();
  recbench::limit_onednn_cache();
  using namespace recbench::cli;
  const std::map<std::string, int (*)(const std::vector<std::string>&)> commands = {
      {"run", run_command},         {"report", report_command}, {"data", data_command},
      {"plugins", plugins_command}, {"llm", llm_command},       {"plot", plot_command},
      {"merge", merge_command}};
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    std::cout << kUsage;
    return argc < 2 ? kExitBadInput : kExitOk;
  }
  auto it = commands.find(argv[1]);
  // The commands that train; the others are short and skip the second exec.
  if (std::string(argv[1]) == "run" || std::string(argv[1]) == "llm") {
    recbench::reexec_with_passive_waiting(argv);
  }
  if (it == commands.end()) {
    std::cerr << "recbench: unknown command '" << argv[1]
              << "'; known commands: data, llm, merge, plot, plugins, report, run\n";
    return kExitBadInput;
  }
  try {
    return it->second(std::vector<std::string>(argv + 2, argv + argc));
  } catch (const recbench::CollectiveError& e) {
    std::cerr << "recbench " << argv[1] << ": " << e.what() << "\n";
    return kExitRankFailed;
  } catch (const boost::program_options::error& e) {
    std::cerr << "recbench " << argv[1] << ": " << e.what() << "\n";
  } catch (const recbench::Error& e) {
    std::cerr << "recbench " << argv[1] << ": " << e.what() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "recbench " << argv[1] << ": unexpected error: " << e.what() << "\n";
  }
  return kExitBadInput;
}
