// The experiment runner: validation up front, then one atomic results write per cell.
#include "recbench/core/runner.h"

#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <ctime>
#include <deque>
#include <limits>
#include <map>
#include <set>
#include <regex>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "recbench/core/corpus_overlap.h"
#include "recbench/core/logging.h"
#include "recbench/core/model_order.h"
#include "recbench/core/plugin_loader.h"
#include "recbench/core/results.h"
#include "recbench/detail/params_toml.h"
#include "recbench/embedding_artifact.h"
#include "recbench/error.h"
#include "recbench/plugin.h"
#include "recbench/train_context.h"
#include "recbench/threads.h"

#ifndef RECBENCH_GIT_REVISION
#define RECBENCH_GIT_REVISION "unknown"
#endif

namespace recbench {

namespace {

//! Set by SIGINT/SIGTERM; checked between epochs and cells (the only signal-safe channel).
std::atomic<bool> g_interrupted{false};

extern "C" void on_interrupt(int signal) {
  g_interrupted = true;
  std::signal(signal, SIG_DFL);  // a second Ctrl-C ends the process at once
}

//! Thrown inside a cell when the user interrupted; the cell is not recorded.
struct Interrupted {};

std::string now_iso() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

//! Everything shared by the cells of one run.
struct RunEnv {
  const ExperimentConfig* config = nullptr;
  torch::Device device = torch::kCPU;
  spdlog::logger* log = nullptr;
  std::filesystem::path artifacts_root;
  const std::map<std::string, DatasetView>* corpora = nullptr;  //!< [[corpora]] by name
};

//! Artefacts of complete cells, by "dataset/label/seed_s".
struct DoneCells {
  std::map<std::string, std::filesystem::path> models;      //!< saved model folders
  std::map<std::string, std::filesystem::path> embeddings;  //!< item embedding tables
};

std::string cell_key(const std::string& dataset, const std::string& label, int64_t seed) {
  return dataset + "/" + label + "/seed_" + std::to_string(seed);
}

//! One prepared pre-training corpus: all of every user's sequence is training data.
struct CorpusState {
  PreparedDataset data;
  EvalSet no_validation;
};

//! The view a plugin gets of a corpus: `train` holds each user's full sequence.
DatasetView corpus_view(const CorpusState& c) {
  DatasetView v = c.data.view();
  v.train = &c.data.sequences;
  v.valid = &c.no_validation;
  v.item_counts.assign(static_cast<size_t>(c.data.items.num_items()), 0);
  for (ItemId i : c.data.sequences.items) ++v.item_counts[static_cast<size_t>(i)];
  return v;
}

//! Names of the corpora, comma-separated (for messages).
std::string corpus_names(const std::map<std::string, DatasetView>& corpora) {
  std::string out;
  for (const auto& [name, view] : corpora) out += (out.empty() ? "" : ", ") + name;
  return out.empty() ? "none" : out;
}

//! One prepared dataset with its stored candidate lists.
struct DatasetState {
  PreparedDataset data;
  DatasetView view;
  std::optional<CandidateLists> valid_candidates, test_candidates;
};

class CellContext final : public TrainContext {
 public:
  CellContext(const RunEnv& env, const DatasetState& ds, uint64_t master_seed,
              std::filesystem::path work_dir, DoneCells artifacts)
      : env_(env),
        ds_(ds),
        master_(master_seed),
        work_dir_(std::move(work_dir)),
        artifacts_(std::move(artifacts)),
        start_(std::chrono::steady_clock::now()) {}

  const DatasetView& data() const override { return ds_.view; }
  torch::Device device() const override { return env_.device; }
  uint64_t seed(Stream stream) const override {
    return stream_seed(master_, static_cast<int>(stream));
  }
  spdlog::logger& log() override { return *env_.log; }
  std::filesystem::path work_dir() const override { return work_dir_; }
  int64_t eval_batch_size() const override { return env_.config->protocol.batch_size; }
  const DatasetView& corpus(const std::string& name) const override {
    auto it = env_.corpora->find(name);
    if (it == env_.corpora->end()) {
      throw ConfigError("no pre-training corpus '" + name +
                        "' in this experiment (known corpora: " + corpus_names(*env_.corpora) +
                        ")");
    }
    return it->second;
  }
  std::filesystem::path shared_dir(const std::string& key) const override {
    static const std::regex kKey("[A-Za-z0-9_.-]+");
    if (!std::regex_match(key, kKey) || key == "." || key == "..") {
      throw Error("shared_dir: '" + key + "' is not one path component of [A-Za-z0-9_.-]");
    }
    const auto dir = env_.artifacts_root / "shared" / key;
    std::filesystem::create_directories(dir);
    return dir;
  }
  std::optional<std::filesystem::path> artifact(const std::string& label) const override {
    auto it = artifacts_.models.find(label);
    if (it == artifacts_.models.end()) return std::nullopt;
    return it->second;
  }
  std::optional<std::filesystem::path> embedding_artifact(const std::string& label) const override {
    auto it = artifacts_.embeddings.find(label);
    if (it == artifacts_.embeddings.end()) return std::nullopt;
    return it->second;
  }

  ValidationOutcome validate(Recommender& model, int epoch, double train_loss) override {
    if (g_interrupted) throw Interrupted{};
    const ExperimentConfig& cfg = *env_.config;
    const EvalResult r = evaluate(model, ds_.data.valid, cfg.protocol, ds_.data.item_counts,
                                  ds_.view.num_items(), ds_.view.max_history, env_.device,
                                  ds_.valid_candidates ? &*ds_.valid_candidates : nullptr);
    ValidationOutcome out;
    out.value = r.value(cfg.valid_metric);
    out.improved = out.value > best_;
    if (out.improved) {
      best_ = out.value;
      best_epoch_ = epoch;
      bad_epochs_ = 0;
      save_model(model);
    } else {
      ++bad_epochs_;
    }
    out.should_stop = bad_epochs_ >= cfg.patience;
    curve_.push_back({epoch, train_loss, out.value, seconds_since(start_)});
    env_.log->info("  epoch {} loss {:.4f} valid {} {:.4f} (best {:.4f} at epoch {}){}", epoch,
                   train_loss, cfg.valid_metric, out.value, best_, best_epoch_,
                   out.should_stop ? ", stopping early" : "");
    return out;
  }

  void record_epoch(int epoch, double train_loss) override {
    if (g_interrupted) throw Interrupted{};
    curve_.push_back(
        {epoch, train_loss, std::numeric_limits<double>::quiet_NaN(), seconds_since(start_)});
  }

  //! The saved model folder (the best validated state, or the final one).
  std::filesystem::path model_dir() const { return work_dir_ / "model"; }
  bool validated() const { return best_epoch_ >= 0; }
  void save_model(const Recommender& model) const {
    std::filesystem::remove_all(model_dir());
    std::filesystem::create_directories(model_dir());
    model.save(model_dir());
  }
  const std::vector<CurvePoint>& curve() const { return curve_; }

 private:
  const RunEnv& env_;
  const DatasetState& ds_;
  uint64_t master_;
  std::filesystem::path work_dir_;
  DoneCells artifacts_;  //!< of this dataset and seed, by label
  std::chrono::steady_clock::time_point start_;
  double best_ = -std::numeric_limits<double>::infinity();
  int best_epoch_ = -1, bad_epochs_ = 0;
  std::vector<CurvePoint> curve_;
};

//! The protocol as TOML, stored with every cell so a cell is self-describing.
toml::table protocol_table(const ExperimentConfig& cfg) {
  const EvalProtocol& e = cfg.protocol;
  toml::array metrics, topk;
  for (const auto& m : e.metrics) metrics.push_back(m);
  for (int64_t k : e.topk) topk.push_back(k);
  const char* modes[] = {"full", "sampled", "candidates"};
  const char* ties[] = {"pessimistic", "optimistic", "expected"};
  return toml::table{{"mode", modes[static_cast<int>(e.mode)]},
                     {"metrics", metrics},
                     {"topk", topk},
                     {"tie_policy", ties[static_cast<int>(e.ties)]},
                     {"mask_history", e.mask_history},
                     {"batch_size", e.batch_size},
                     {"negatives", e.negatives},
                     {"sampling", e.sampling},
                     {"candidates", e.candidates},
                     {"tail_ratio", e.tail_ratio},
                     {"valid_metric", cfg.valid_metric},
                     {"patience", cfg.patience},
                     {"candidate_seed", static_cast<int64_t>(cfg.candidate_seed)}};
}

std::string cell_config(const RunEnv& env, const Recipe& recipe, const ModelEntry& model,
                        int64_t seed, const std::string& params_toml) {
  toml::table cell{
      {"dataset", recipe.name},     {"model", model.label},
      {"plugin", model.plugin},     {"seed", seed},
      {"device", env.device.str()}, {"threads", static_cast<int64_t>(at::get_num_threads())}};
  toml::table root{{"cell", cell},
                   {"params", toml::parse(params_toml)},
                   {"evaluation", protocol_table(*env.config)}};
  std::ostringstream s;
  s << root;
  return s.str();
}

//! Builds the model of one cell (also used to validate every configuration up front).
std::unique_ptr<Recommender> construct(const RunEnv& env, const LoadedPlugin& plugin,
                                       const ModelEntry& entry, const DatasetView& view,
                                       uint64_t seed, std::string* resolved,
                                       std::vector<ModelDependency>* dependencies = nullptr) {
  Params params = make_params("models." + entry.label + ".params", &entry.params,
                              env.config->source.string(), &entry.positions);
  PluginContext context{env.log, env.device, seed, &view, dependencies, {}};
  for (const auto& [name, corpus] : *env.corpora) context.corpora.push_back(name);
  std::unique_ptr<Recommender> model = plugin.factory(params, context);
  params.finish();
  if (model == nullptr) throw PluginError("plugin '" + plugin.name + "' returned no model");
  if (resolved != nullptr) *resolved = params.resolved_toml();
  return model;
}

}  // namespace

uint64_t stream_seed(uint64_t master, int index) {
  uint64_t x = master * 0x9e3779b97f4a7c15ULL + static_cast<uint64_t>(index + 1);
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return (x ^ (x >> 31)) >> 1;  // < 2^63: fits every seed API
}

namespace {

class Runner {
 public:
  Runner(const ExperimentConfig& cfg, const RunOptions& options) : cfg_(cfg), options_(options) {}

  RunSummary run();

 private:
  void set_up();
  void prepare_datasets(ResultsFile* file);
  void prepare_corpora();
  void validate_models();
  void check_dependencies(const std::string& dataset, const ModelEntry& entry, int64_t seed) const;
  void run_cell(ResultsFile& file, DatasetState& ds, const Recipe& recipe, const ModelEntry& entry,
                int64_t seed);

  const ExperimentConfig& cfg_;
  const RunOptions& options_;
  RunEnv env_;
  RunSummary summary_;
  std::shared_ptr<spdlog::logger> logger_;
  std::unique_ptr<PluginRegistry> registry_;
  std::vector<DatasetState> datasets_;
  DoneCells done_;                                               //!< "dataset/label/seed"
  std::set<std::string> failed_;                                 //!< "dataset/label/seed"
  std::map<std::string, std::vector<ModelDependency>> depends_;  //!< label -> what it reads
  std::vector<const ModelEntry*> order_;  //!< entries, every dependency before its dependents
  std::deque<CorpusState> corpora_;                  //!< stable addresses (views point in)
  std::map<std::string, DatasetView> corpus_views_;  //!< what TrainContext::corpus() returns
};

void Runner::set_up() {
  summary_.output = options_.output.value_or(cfg_.output);
  logger_ = make_logger(cfg_.log_level, std::filesystem::path(summary_.output).concat(".log"));
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
  if (cfg_.threads > 0) set_cpu_threads(static_cast<int>(cfg_.threads));
  at::globalContext().setDeterministicAlgorithms(true, /*warn_only=*/true);
  auto dirs = options_.plugin_dirs.empty() ? default_plugin_dirs() : options_.plugin_dirs;
  registry_ = std::make_unique<PluginRegistry>(dirs);
  for (const auto& m : cfg_.models) registry_->require(m.plugin);  // fail before any work
  logger_->info("experiment '{}': {} dataset(s) x {} model(s) x {} seed(s) on {} ({} threads)",
                cfg_.name, cfg_.datasets.size(), cfg_.models.size(), cfg_.seeds.size(),
                env_.device.str(), at::get_num_threads());
  logger_->info("BLAS: {}", blas_description());
}

void Runner::prepare_datasets(ResultsFile* file) {
  datasets_.reserve(cfg_.datasets.size());
  for (const Recipe& recipe : cfg_.datasets) {
    DatasetState& ds = datasets_.emplace_back();
    ds.data = prepare_dataset(recipe, {cfg_.cache_dir, true, logger_.get()});
    ds.view = ds.data.view();
    const EvalProtocol& e = cfg_.protocol;
    if (e.mode == EvalMode::full) continue;
    const int64_t negatives = e.mode == EvalMode::sampled ? e.negatives : e.candidates - 1;
    std::optional<DatasetRecord> stored = file ? file->read_dataset(recipe.name) : std::nullopt;
    auto lists = [&](const char* split, const EvalSet& set, int salt) {
      if (stored && stored->candidates.count(split)) {
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
        construct(env_, registry_->require(m.plugin), m, ds.view, 0, nullptr, &found);
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

void Runner::check_dependencies(const std::string& dataset, const ModelEntry& entry,
                                int64_t seed) const {
  for (const ModelDependency& d : depends_.at(entry.label)) {
    const std::string key = cell_key(dataset, d.label, seed);
    if (done_.models.count(key)) continue;
    const std::string why = failed_.count(key) ? "failed" : "has no complete result";
    throw Error("this cell needs the trained '" + d.label + "' (models." + entry.label +
                ".params." + d.key + "), whose cell " + key + " " + why);
  }
}

void Runner::run_cell(ResultsFile& file, DatasetState& ds, const Recipe& recipe,
                      const ModelEntry& entry, int64_t seed) {
  const std::string key = cell_key(recipe.name, entry.label, seed);
  const auto work_dir =
      env_.artifacts_root / recipe.name / entry.label / ("seed_" + std::to_string(seed));
  DoneCells artifacts;  // of this dataset and seed, by label
  for (const auto& m : cfg_.models) {
    const std::string other = cell_key(recipe.name, m.label, seed);
    if (auto it = done_.models.find(other); it != done_.models.end()) {
      artifacts.models[m.label] = it->second;
    }
    if (auto it = done_.embeddings.find(other); it != done_.embeddings.end()) {
      artifacts.embeddings[m.label] = it->second;
    }
  }
  CellRecord cell;
  cell.dataset = recipe.name;
  cell.model = entry.label;
  cell.plugin = entry.plugin;
  cell.seed = seed;
  cell.valid_metric_name = cfg_.valid_metric;
  logger_->info("cell {} ({})", key, entry.plugin);
  try {
    check_dependencies(recipe.name, entry, seed);
    std::filesystem::remove_all(work_dir);
    std::filesystem::create_directories(work_dir);
    CellContext ctx(env_, ds, static_cast<uint64_t>(seed), work_dir, artifacts);
    torch::manual_seed(ctx.seed(Stream::init));
    std::string resolved;
    auto model = construct(env_, registry_->require(entry.plugin), entry, ds.view,
                           static_cast<uint64_t>(seed), &resolved);
    cell.config_toml = cell_config(env_, recipe, entry, seed, resolved);
    const auto t0 = std::chrono::steady_clock::now();
    model->fit(ctx);
    cell.train_seconds = seconds_since(t0);
    if (ctx.validated()) {
      model->load(ctx.model_dir());  // evaluate the best validated state, as RecBole does
    } else {
      ctx.save_model(*model);
    }
    if (g_interrupted) throw Interrupted{};
    const EvalResult r = evaluate(*model, ds.data.test, cfg_.protocol, ds.data.item_counts,
                                  ds.view.num_items(), ds.view.max_history, env_.device,
                                  ds.test_candidates ? &*ds.test_candidates : nullptr);
    cell.metrics = r.metrics;
    cell.users = ds.data.test.histories.users;
    cell.rank_greater = r.greater;
    cell.rank_ties = r.ties;
    cell.ranks = r.ranks;
    cell.eval_seconds = r.seconds;
    cell.curve = ctx.curve();
    cell.artifacts["model"] = ctx.model_dir().string();
    if (auto* source = dynamic_cast<EmbeddingSource*>(model.get())) {
      const auto table = work_dir / kEmbeddingArtifactFile;
      torch::NoGradGuard no_grad;
      write_embedding_artifact(table, source->item_embeddings(),
                               {recipe.name, ds.data.fingerprint, entry.plugin, entry.label});
      cell.artifacts["item_embeddings"] = table.string();
      done_.embeddings[key] = table;
    }
    done_.models[key] = ctx.model_dir();
    ++summary_.complete;
  } catch (const Interrupted&) {
    throw;
  } catch (const std::exception& e) {
    cell.status = "failed";
    cell.error = e.what();
    failed_.insert(key);
    logger_->error("  cell {} failed: {}", key, e.what());
    ++summary_.failed;
  }
  cell.peak_rss_mb = peak_rss_mb();
  file.write_cell(cell);
  // Logged only once the cell is in the results file, so whoever sees this line (a user, the
  // kill -9 scenario test) knows that the cell survives a crash from here on.
  if (cell.status != "failed") {
    std::string line;
    for (const auto& [name, value] : cell.metrics) line += fmt::format(" {} {:.4f}", name, value);
    logger_->info("  test{} (train {:.1f}s, eval {:.2f}s)", line, cell.train_seconds,
                  cell.eval_seconds);
  }
}

RunSummary Runner::run() {
  set_up();
  const bool exists = std::filesystem::exists(summary_.output);
  if (exists && !options_.resume) {
    throw ConfigError(summary_.output.string() +
                      ": results file exists; pass --resume to continue it or --out to write "
                      "another file");
  }
  std::optional<ResultsFile> existing;
  if (exists) existing.emplace(ResultsFile::open_existing(summary_.output));
  prepare_datasets(existing ? &*existing : nullptr);
  prepare_corpora();
  validate_models();

  RunInfo info;
  info.recbench_version = RECBENCH_VERSION;
  info.git_revision = RECBENCH_GIT_REVISION;
  info.torch_version = TORCH_VERSION;
  info.device = env_.device.str();
  info.start_time = now_iso();
  info.experiment_toml = cfg_.text;
  info.experiment_name = cfg_.name;
  if (summary_.output.has_parent_path()) {
    std::filesystem::create_directories(summary_.output.parent_path());
  }
  ResultsFile file(summary_.output, info);
  if (existing && file.info().experiment_toml != cfg_.text) {
    logger_->warn("{}: resuming with an experiment that differs from the one stored in it",
                  summary_.output.string());
  }
  for (const DatasetState& ds : datasets_) {
    if (auto stored = file.read_dataset(ds.data.name);
        stored && stored->fingerprint != ds.data.fingerprint) {
      throw DataError("dataset '" + ds.data.name + "' changed since " + summary_.output.string() +
                      " was written (fingerprint " + stored->fingerprint + " there, " +
                      ds.data.fingerprint + " now); write to a new file");
    }
    DatasetRecord rec{ds.data.name, ds.data.fingerprint, ds.data.recipe_toml, {}, {}};
    const DatasetStats& st = ds.data.stats;
    rec.stats = {{"users", double(st.users)},
                 {"items", double(st.items)},
                 {"interactions", double(st.interactions)},
                 {"avg_length", st.avg_length},
                 {"density", st.density},
                 {"raw_interactions", double(st.raw_interactions)},
                 {"dropped_filter", double(st.dropped_filter)},
                 {"skipped_lines", double(st.skipped_lines)}};
    auto put = [&](const char* split, const std::optional<CandidateLists>& c) {
      if (c) rec.candidates[split] = {c->items, {c->rows, c->width}};
    };
    put("valid", ds.valid_candidates);
    put("test", ds.test_candidates);
    file.write_dataset(rec);
  }

  g_interrupted = false;
  auto previous_int = std::signal(SIGINT, on_interrupt);
  auto previous_term = std::signal(SIGTERM, on_interrupt);
  try {
    for (size_t d = 0; d < datasets_.size() && !summary_.interrupted; ++d) {
      for (const ModelEntry* entry : order_) {
        const ModelEntry& m = *entry;
        for (int64_t seed : cfg_.seeds) {
          const Recipe& recipe = cfg_.datasets[d];
          if (g_interrupted) break;
          if (file.cell_complete(recipe.name, m.label, seed)) {
            const auto dir =
                env_.artifacts_root / recipe.name / m.label / ("seed_" + std::to_string(seed));
            const std::string key = cell_key(recipe.name, m.label, seed);
            done_.models[key] = dir / "model";
            if (std::filesystem::exists(dir / kEmbeddingArtifactFile)) {
              done_.embeddings[key] = dir / kEmbeddingArtifactFile;
            }
            logger_->info("cell {}/{}/seed_{} is complete; skipped", recipe.name, m.label, seed);
            ++summary_.skipped;
            continue;
          }
          run_cell(file, datasets_[d], recipe, m, seed);
        }
      }
    }
  } catch (const Interrupted&) {
  }
  summary_.interrupted = g_interrupted;
  std::signal(SIGINT, previous_int);
  std::signal(SIGTERM, previous_term);
  file.set_end_time(now_iso());
  if (summary_.interrupted) {
    logger_->warn("interrupted: {} cell(s) finished are kept in {}; rerun with --resume",
                  summary_.complete, summary_.output.string());
  }
  logger_->info("{} complete, {} skipped, {} failed -> {}", summary_.complete, summary_.skipped,
                summary_.failed, summary_.output.string());
  return summary_;
}

}  // namespace

RunSummary run_experiment(const ExperimentConfig& config, const RunOptions& options) {
  Runner runner(config, options);
  return runner.run();
}

}  // namespace recbench
