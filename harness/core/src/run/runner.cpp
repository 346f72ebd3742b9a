// The experiment runner, in data-path order: set up, read what an existing results file holds,
// prepare datasets and corpora, validate every model, then run the cells one by one.
#include "recbench/core/run/runner.h"

#include <algorithm>
#include <ctime>
#include <deque>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "../results/results_lock.h"
#include "cell.h"
#include "cell_record.h"
#include "device_info.h"
#include "interrupt.h"
#include "recbench/core/common/logging.h"
#include "recbench/core/data/corpus_overlap.h"
#include "recbench/core/results/results_file.h"
#include "recbench/core/run/model_order.h"
#include "recbench/error.h"
#include "recbench/git_revision.h"  // generated at build time
#include "recbench/random.h"
#include "recbench/threads.h"

namespace recbench {

using namespace run_detail;

namespace {

std::string now_iso() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

//! What an existing results file holds, read once before anything is prepared.
struct StoredResults {
  std::map<std::string, DatasetRecord> datasets;  //!< fingerprints and candidate lists
  //! A complete cell: the artefact paths it records and its resolved configuration.
  struct Complete {
    std::map<std::string, std::string> artifacts;
    std::string config;
  };
  std::map<std::string, Complete> complete;  //!< by cell key
  std::string experiment_toml;
  std::string shard;  //!< "i/N" when the file is one shard's
};

StoredResults read_stored(const std::filesystem::path& path, const std::vector<Recipe>& datasets) {
  const ResultsFile file = ResultsFile::open_existing(path);
  StoredResults stored;
  const RunInfo info = file.info();
  stored.experiment_toml = info.experiment_toml;
  stored.shard = info.shard;
  for (const Recipe& recipe : datasets) {
    if (auto d = file.read_dataset(recipe.name)) stored.datasets.emplace(recipe.name, *d);
  }
  for (const CellRecord& c : file.read_cells(CellDetail::summary)) {
    if (c.status != "complete") continue;
    stored.complete[cell_key(c.dataset, c.model, c.seed)] = {c.artifacts, c.config_toml};
  }
  return stored;
}

//! The view a plugin gets of a corpus: `train` holds each user's full sequence.
DatasetView corpus_view(const CorpusState& c) {
  DatasetView v = c.data.view();
  v.train = &c.data.sequences;
  v.valid = &c.no_validation;
  v.item_counts.assign(static_cast<size_t>(c.data.items.num_items()), 0);
  for (ItemId i : c.data.sequences.items) ++v.item_counts[static_cast<size_t>(i)];
  return v;
}

class Runner {
 public:
  Runner(const ExperimentConfig& cfg, const RunOptions& options) : cfg_(cfg), options_(options) {}

  RunSummary run();

 private:
  void set_up();
  void read_existing();
  void prepare_datasets();
  void prepare_corpora();
  void validate_models();
  void choose_cells();
  void check_stored_settings();
  ResultsFile open_results();
  void run_cells(ResultsFile* file);
  //! The artefact paths a complete stored cell records; nullptr unless --resume found it complete.
  const std::map<std::string, std::string>* stored_complete(const std::string& key) const {
    if (!stored_) return nullptr;
    auto it = stored_->complete.find(key);
    return it == stored_->complete.end() ? nullptr : &it->second.artifacts;
  }
  void join_group();
  //! Runs `prepare` on rank 0 first, then on the others (which then find rank 0's cache).
  template <typename Prepare>
  void root_first(Prepare prepare);

  const ExperimentConfig& cfg_;
  const RunOptions& options_;
  RunEnv env_;
  RunSummary summary_;
  std::shared_ptr<spdlog::logger> logger_;
  std::unique_ptr<PluginRegistry> registry_;
  std::optional<ResultsLock> lock_;      //!< one writer per results file, for the whole run
  std::optional<StoredResults> stored_;  //!< what --resume continues
  std::vector<DatasetState> datasets_;
  CellArtifacts artifacts_;
  std::map<std::string, std::vector<ModelDependency>> depends_;  //!< label -> what it reads
  std::map<std::pair<std::string, std::string>, run_detail::ResolvedParams>
      resolved_;                          //!< (dataset, label)
  std::vector<const ModelEntry*> order_;  //!< entries, every dependency before its dependents
  std::deque<CorpusState> corpora_;       //!< stable addresses (views point in)
  std::map<std::string, DatasetView> corpus_views_;  //!< what TrainContext::corpus() returns
  std::optional<std::set<CellId>> owned_;  //!< --shard, --model...: the cells this run may train
  std::unique_ptr<dist::ProcessGroup> group_;  //!< data-parallel runs only
};

void Runner::join_group() {
  const dist::WorkerEnv& w = *options_.worker;
  if (env_.device.is_cuda()) {  // one GPU per local rank
    env_.device = torch::Device(
        torch::kCUDA, static_cast<c10::DeviceIndex>(w.local_rank % torch::cuda::device_count()));
  }
  logger_->info("data-parallel rank {} of {}: joining {}:{} (timeout {} s)", w.rank, w.world_size,
                w.master_addr, w.master_port, options_.dist_timeout.count());
  group_ = dist::join(w, options_.dist_timeout, env_.device);
  env_.parallel = group_.get();
}

template <typename Prepare>
void Runner::root_first(Prepare prepare) {
  if (env_.parallel == nullptr) return prepare();
  if (env_.is_root()) prepare();
  env_.parallel->barrier();
  if (!env_.is_root()) prepare();
}

void Runner::set_up() {
  summary_.output = options_.output.value_or(
      options_.shard ? shard_output(cfg_.output, *options_.shard) : cfg_.output);
  const int rank = options_.worker ? options_.worker->rank : 0;
  if (rank == 0) {
    logger_ = make_logger(cfg_.log_level, std::filesystem::path(summary_.output).concat(".log"));
  } else {  // rank 0 keeps the log; the others only say what goes wrong, on stderr
    const auto level = spdlog::level::from_str(cfg_.log_level);
    logger_ = make_logger(level > spdlog::level::warn ? cfg_.log_level : "warn", {});
    logger_->set_pattern("[%H:%M:%S] [rank " + std::to_string(rank) + "] %^%l%$ %v");
  }
  env_.config = &cfg_;
  env_.corpora = &corpus_views_;
  env_.log = logger_.get();
  env_.artifacts_root =
      summary_.output.parent_path() / (summary_.output.stem().string() + "_artifacts");
  const std::string device = options_.device.value_or(cfg_.device);
  if (device == "cuda") {
    if (!torch::cuda::is_available()) {
      throw ConfigError("device 'cuda' requested, but this LibTorch has no CUDA device");
    }
    env_.device = torch::Device(torch::kCUDA, 0);
  } else if (device != "cpu") {
    throw ConfigError("--device: expected cpu or cuda, got '" + device + "'");
  }
  const std::string origin = cfg_.source.string() + ": experiment.precision";
  env_.precision = cfg_.precision == "auto" ? default_precision(env_.device)
                                            : parse_precision(cfg_.precision, origin);
  check_precision(env_.precision, env_.device, origin);
  env_.device_record = describe_device(env_.device, env_.precision);
  if (options_.worker) join_group();
  env_.device_record.world_size = env_.world_size();
  // Threads default to the CPUs this process may use: LibTorch's own default counts the machine's
  // cores, which oversubscribes a Slurm cpuset or a container quota. OMP_NUM_THREADS, when set
  // (e.g. --nproc's share of the cores per rank), is LibTorch's default already.
  const UsableCpus cpus = usable_cpus();
  if (cfg_.threads > 0) {
    set_cpu_threads(static_cast<int>(cfg_.threads));
  } else if (std::getenv("OMP_NUM_THREADS") == nullptr) {
    set_cpu_threads(cpus.count);
  }
  at::globalContext().setDeterministicAlgorithms(true, /*warn_only=*/true);
  auto dirs = options_.plugin_dirs.empty() ? default_plugin_dirs() : options_.plugin_dirs;
  registry_ = std::make_unique<PluginRegistry>(dirs);
  for (const auto& m : cfg_.models) registry_->require(m.plugin);  // fail before any work
  logger_->info("experiment '{}': {} dataset(s) x {} model(s) x {} seed(s) on {} ({} threads)",
                cfg_.name, cfg_.datasets.size(), cfg_.models.size(), cfg_.seeds.size(),
                env_.device.str(), at::get_num_threads());
  logger_->info(
      "BLAS: {}; CPUs this process may use: {}; OpenMP waiting: {}; oneDNN primitive "
      "cache: {}",
      blas_description(), cpus.text(), openmp_wait_policy(), onednn_cache_capacity());
}

void Runner::read_existing() {
  if (env_.is_root()) lock_.emplace(summary_.output);  // the one writer of a data-parallel run
  if (!std::filesystem::exists(summary_.output)) return;
  if (!options_.resume) {
    throw ConfigError(summary_.output.string() +
                      ": results file exists; pass --resume to continue it or --out to write "
                      "another file");
  }
  stored_ = read_stored(summary_.output, cfg_.datasets);  // closed again before rank 0 writes
  const std::string shard = options_.shard ? options_.shard->str() : "";
  if (stored_->shard != shard) {
    throw ConfigError(summary_.output.string() + ": results file holds " +
                      (stored_->shard.empty() ? "a whole run" : "shard " + stored_->shard) +
                      ", but " + (shard.empty() ? "no --shard" : "--shard " + shard) +
                      " was given; resume it with the same --shard");
  }
  if (stored_->experiment_toml != cfg_.text) {
    // Not a warning: check_stored_settings() compares each complete cell's own settings.
    logger_->info("{}: resuming with an experiment that differs from the one stored in it",
                  summary_.output.string());
  }
}

void Runner::prepare_datasets() {
  datasets_.reserve(cfg_.datasets.size());
  const EvalProtocol& e = cfg_.protocol;
  for (const Recipe& recipe : cfg_.datasets) {
    DatasetState& ds = datasets_.emplace_back();
    ds.data = prepare_dataset(recipe, {cfg_.cache_dir, true, logger_.get()});
    ds.view = ds.data.view();
    const DatasetRecord* stored = nullptr;
    if (stored_) {
      if (auto it = stored_->datasets.find(recipe.name); it != stored_->datasets.end()) {
        stored = &it->second;
      }
    }
    if (stored != nullptr && stored->fingerprint != ds.data.fingerprint) {
      throw DataError("dataset '" + ds.data.name + "' changed since " + summary_.output.string() +
                      " was written (fingerprint " + stored->fingerprint + " there, " +
                      ds.data.fingerprint + " now); write to a new file");
    }
    if (e.mode == EvalMode::full) continue;
    const int64_t negatives = e.mode == EvalMode::sampled ? e.negatives : e.candidates - 1;
    auto lists = [&](const char* split, const EvalSet& set, int salt) {
      if (stored != nullptr && stored->candidates.count(split)) {
        const auto& [items, shape] = stored->candidates.at(split);
        return CandidateLists{items, shape.first, shape.second};
      }
      return draw_candidates(set, ds.data.item_counts, negatives, e.sampling,
                             stream_seed(cfg_.candidate_seed, salt));
    };
    ds.valid_candidates = lists("valid", ds.data.valid, 100);
    ds.test_candidates = lists("test", ds.data.test, 101);
  }
}

void Runner::prepare_corpora() {
  for (const Recipe& recipe : cfg_.corpora) {
    CorpusState& c = corpora_.emplace_back();
    c.data = prepare_dataset(recipe, {cfg_.cache_dir, true, logger_.get()});
    for (size_t d = 0; d < datasets_.size(); ++d) {  // before any model is built or trained
      check_corpus_overlap(cfg_.datasets[d], datasets_[d].data, recipe, c.data);
    }
    corpus_views_[recipe.name] = corpus_view(c);
    std::string domains;
    for (const auto& d : used_domains(c.data)) domains += (domains.empty() ? "" : ", ") + d;
    logger_->info("pre-training corpus '{}': {} users, {} interactions, domains: {}", recipe.name,
                  c.data.stats.users, c.data.stats.interactions, domains);
  }
}

void Runner::validate_models() {
  for (const DatasetState& ds : datasets_) {
    for (const ModelEntry& m : cfg_.models) {
      std::vector<ModelDependency> found;
      try {
        build_model(env_, registry_->require(m.plugin), m, ds.view, 0,
                    &resolved_[{ds.data.name, m.label}], &found);
      } catch (const Error& e) {
        throw ConfigError(std::string(e.what()) + " (dataset '" + ds.data.name + "')");
      }
      auto& list = depends_[m.label];
      for (const auto& d : found) {
        const bool known = std::any_of(
            list.begin(), list.end(), [&](const ModelDependency& x) { return x.label == d.label; });
        if (!known) list.push_back(d);
      }
    }
  }
  for (size_t i : order_models(cfg_.models, depends_, cfg_.source.string())) {
    order_.push_back(&cfg_.models[i]);
  }
}

void Runner::choose_cells() {
  const size_t all = cfg_.datasets.size() * cfg_.models.size() * cfg_.seeds.size();
  summary_.owned = static_cast<int>(all);
  if (!options_.shard && options_.select.all()) return;
  std::vector<std::string> names;
  for (const DatasetState& ds : datasets_) names.push_back(ds.data.name);
  if (options_.shard) {
    const auto groups = cell_groups(names, cfg_.models, depends_, cfg_.seeds);
    owned_ = shard_cells(groups, *options_.shard);
    size_t owned_groups = 0;
    for (const auto& group : groups) owned_groups += owned_->count(group.front());
    logger_->info(
        "shard {}: {} of {} cell(s) ({} of {} group(s) of one dataset, seed and "
        "connected models)",
        options_.shard->str(), owned_->size(), all, owned_groups, groups.size());
    if (owned_->empty()) {
      logger_->warn("shard {} owns no cells: the experiment has only {} group(s)",
                    options_.shard->str(), groups.size());
    }
  }
  if (!options_.select.all()) {
    const auto chosen = selected_cells(names, cfg_.models, depends_, cfg_.seeds, options_.select);
    if (owned_) {
      std::set<CellId> both;
      for (const CellId& c : chosen) {
        if (owned_->count(c)) both.insert(c);
      }
      owned_ = std::move(both);
    } else {
      owned_ = chosen;
    }
    logger_->info("{}: {} of {} cell(s)", options_.select.str(), owned_->size(), all);
  }
  summary_.owned = static_cast<int>(owned_->size());
}

void Runner::check_stored_settings() {
  if (!stored_) return;
  std::vector<std::string> changed;
  for (const DatasetState& ds : datasets_) {
    for (const ModelEntry& m : cfg_.models) {
      for (int64_t seed : cfg_.seeds) {
        if (owned_ && !owned_->count({ds.data.name, m.label, seed})) continue;
        const std::string key = cell_key(ds.data.name, m.label, seed);
        auto it = stored_->complete.find(key);
        if (it == stored_->complete.end()) continue;
        const auto& resolved = resolved_.at({ds.data.name, m.label});
        const auto changes =
            changed_settings(it->second.config, cell_config(env_, ds.data.name, m, seed, resolved));
        if (changes.empty()) continue;
        changed.push_back(fmt::format("{} ({})", key, fmt::join(changes, "; ")));
        // No longer complete: trained again under --rerun-changed (the run stops otherwise).
        stored_->complete.erase(it);
      }
    }
  }
  if (changed.empty()) return;
  std::string list;  // one line: the first few cells, then how many more
  for (size_t i = 0; i < changed.size() && i < 3; ++i) list += (i ? ", " : " ") + changed[i];
  if (changed.size() > 3) list += fmt::format(" and {} more", changed.size() - 3);
  if (!options_.rerun_changed) {
    throw ConfigError(fmt::format(
        "{}: {} complete cell(s) ran with settings other than the experiment's now:{}; pass "
        "--rerun-changed to train them again (their stored results are replaced), or write "
        "another file with --out",
        summary_.output.string(), changed.size(), list));
  }
  logger_->warn(
      "--rerun-changed: {} complete cell(s) ran with other settings and are trained "
      "again:{}",
      changed.size(), list);
}

ResultsFile Runner::open_results() {
  RunInfo info;
  info.recbench_version = RECBENCH_VERSION;
  info.git_revision = RECBENCH_GIT_REVISION;
  info.torch_version = TORCH_VERSION;
  info.device = env_.device.str();
  info.start_time = now_iso();
  info.experiment_toml = cfg_.text;
  info.experiment_name = cfg_.name;
  if (options_.shard) info.shard = options_.shard->str();
  for (const ModelEntry* entry : order_) info.model_order.push_back(entry->label);
  if (summary_.output.has_parent_path()) {
    std::filesystem::create_directories(summary_.output.parent_path());
  }
  ResultsFile file(summary_.output, info);
  for (const DatasetState& ds : datasets_) file.write_dataset(dataset_record(ds));
  return file;
}

void Runner::run_cells(ResultsFile* file) {
  for (size_t d = 0; d < datasets_.size() && !interrupted(); ++d) {
    const std::string& dataset = datasets_[d].data.name;
    for (const ModelEntry* entry : order_) {
      for (int64_t seed : cfg_.seeds) {
        if (interrupted()) return;
        if (owned_ && !owned_->count({dataset, entry->label, seed})) continue;
        const std::string key = cell_key(dataset, entry->label, seed);
        if (const auto* recorded = stored_complete(key)) {
          const auto dir = env_.cell_dir(dataset, entry->label, seed);
          // A merged file's cells keep their artefacts in their shards' folders.
          if (!std::filesystem::exists(dir) && recorded->count("model")) {
            artifacts_.add_recorded(key, *recorded);
          } else {
            artifacts_.add_complete(key, dir);
          }
          logger_->info("cell {} is complete; skipped", key);
          ++summary_.skipped;
          continue;
        }
        const CellJob job{datasets_[d], *entry, registry_->require(entry->plugin), seed,
                          depends_.at(entry->label)};
        CellRecord cell = run_cell(env_, job, artifacts_);
        cell.recbench_version = RECBENCH_VERSION;
        cell.git_revision = RECBENCH_GIT_REVISION;
        if (file == nullptr) {  // not rank 0: it records
          ++(cell.status == "failed" ? summary_.failed : summary_.complete);
          continue;
        }
        file->write_cell(cell);
        ++(cell.status == "failed" ? summary_.failed : summary_.complete);
        // Logged only once the cell is in the results file, so whoever sees this line (a user,
        // the kill -9 scenario test) knows that the cell survives a crash from here on.
        if (cell.status != "failed") {
          std::string line;
          for (const auto& [name, value] : cell.metrics) {
            line += fmt::format(" {} {:.4f}", name, value);
          }
          logger_->info("  test{} (train {:.1f}s, eval {:.2f}s)", line, cell.train_seconds,
                        cell.eval_seconds);
        }
      }
    }
  }
}

RunSummary Runner::run() {
  set_up();
  summary_.world_size = env_.world_size();
  read_existing();
  // Every rank has read (and closed) an existing file before rank 0 creates or opens it.
  if (env_.parallel != nullptr) env_.parallel->barrier();
  root_first([&] { prepare_datasets(); });
  root_first([&] { prepare_corpora(); });
  validate_models();
  choose_cells();
  check_stored_settings();
  std::optional<ResultsFile> file;
  if (env_.is_root()) file.emplace(open_results());
  {
    InterruptGuard guard;
    try {
      run_cells(file ? &*file : nullptr);
    } catch (const Interrupted&) {
    } catch (const CollectiveError& e) {
      // A rank that stops on Ctrl-C ends the others' collectives: that is the interrupt.
      if (!interrupted()) {
        logger_->error("{}", e.what());
        logger_->error("stopping: {} cell(s) finished are kept in {}; rerun with --resume",
                       summary_.complete, summary_.output.string());
        throw;
      }
    }
    summary_.interrupted = interrupted();
  }
  if (!file) return summary_;
  file->set_end_time(now_iso());
  if (summary_.interrupted) {
    logger_->warn("interrupted: {} cell(s) finished are kept in {}; rerun with --resume",
                  summary_.complete, summary_.output.string());
  }
  logger_->info("{} complete, {} skipped, {} failed -> {}{}", summary_.complete, summary_.skipped,
                summary_.failed, summary_.output.string(),
                env_.parallel != nullptr
                    ? fmt::format(" ({} data-parallel processes)", env_.world_size())
                    : "");
  return summary_;
}

}  // namespace

RunSummary run_experiment(const ExperimentConfig& config, const RunOptions& options) {
  Runner runner(config, options);
  return runner.run();
}

}  // namespace recbench
