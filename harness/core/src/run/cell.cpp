// One cell: its TrainContext (validation, early stopping, learning curve, artefacts), training,
// test evaluation and record.
#include "cell.h"

#include <sys/resource.h>

#include <chrono>
#include <limits>
#include <regex>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "cell_checkpoint.h"
#include "cell_record.h"
#include "device_info.h"
#include "interrupt.h"
#include "recbench/core/run/early_stopping.h"
#include "recbench/detail/params_toml.h"
#include "recbench/embedding_artifact.h"
#include "recbench/error.h"
#include "recbench/random.h"
#include "recbench/train_context.h"

namespace recbench::run_detail {
namespace {

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

//! How long the other ranks wait for rank 0's validation or test evaluation, which can take
//! much longer than a training collective's timeout; a rank that dies still ends the wait at
//! once (its sockets close).
constexpr std::chrono::hours kEvaluationWait{24};

//! Seed of one stream of the cell whose master seed is `master` (what TrainContext::seed says;
//! the model is seeded with it before the context exists).
uint64_t cell_seed(uint64_t master, Stream stream) {
  return stream_seed(master, static_cast<int>(stream));
}

//! Names of the corpora, comma-separated (for messages).
std::string corpus_names(const std::map<std::string, DatasetView>& corpora) {
  std::string out;
  for (const auto& [name, view] : corpora) out += (out.empty() ? "" : ", ") + name;
  return out.empty() ? "none" : out;
}

class CellContext final : public TrainContext {
 public:
  //! `config_toml` is the cell's resolved configuration (a checkpoint is valid only for it);
  //! `resumed` the checkpoint the cell continues from, if any.
  CellContext(const RunEnv& env, const DatasetState& ds, uint64_t master_seed,
              std::filesystem::path work_dir, CellArtifacts artifacts, std::string config_toml,
              std::optional<FoundCheckpoint> resumed)
      : env_(env),
        ds_(ds),
        master_(master_seed),
        work_dir_(std::move(work_dir)),
        artifacts_(std::move(artifacts)),
        config_toml_(std::move(config_toml)),
        stopping_(env.config->valid_metric, env.config->patience),
        start_(std::chrono::steady_clock::now()) {
    if (resumed) {
      curve_ = resumed->state.curve;
      stopping_.restore(resumed->state.stopping);
      seconds_before_ = resumed->state.train_seconds;
      resumed_ = resumed->dir;
    }
  }

  const DatasetView& data() const override { return ds_.view; }
  torch::Device device() const override { return env_.device; }
  uint64_t seed(Stream stream) const override { return cell_seed(master_, stream); }
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

  DataParallel* data_parallel() override { return env_.parallel; }

  //! Under data parallelism rank 0 alone evaluates (its weights equal every rank's after
  //! averaged updates) and shares the outcome, so that every rank takes the same decision even
  //! where evaluation is not bit-reproducible (GPU kernels) and the others do not compete for
  //! the cores meanwhile.
  ValidationOutcome validate(Recommender& model, int epoch, double train_loss) override {
    throw_if_interrupted();
    ValidationOutcome out;
    if (env_.is_root()) {
      const EvalResult r =
          evaluate(model, ds_.eval_split(Split::valid), env_.config->protocol, env_.device);
      out.value = r.value(stopping_.metric().text());
      const EarlyStopping::Step step = stopping_.update(epoch, out.value);
      out.improved = step.improved;
      out.should_stop = step.should_stop;
      if (out.improved) save_model(model);
    }
    if (env_.parallel != nullptr) {
      std::vector<double> shared{out.value, out.improved ? 1.0 : 0.0, out.should_stop ? 1.0 : 0.0};
      env_.parallel->share_from_root(shared, kEvaluationWait);
      out = {shared[0], shared[1] != 0.0, shared[2] != 0.0};
      if (!env_.is_root()) {
        curve_.push_back({epoch, train_loss, out.value, train_seconds()});
        return out;
      }
    }
    curve_.push_back({epoch, train_loss, out.value, train_seconds()});
    env_.log->info("  epoch {} loss {:.4f} valid {} {:.4f} (best {:.4f} at epoch {}){}", epoch,
                   train_loss, stopping_.metric().text(), out.value, stopping_.best(),
                   stopping_.best_epoch(), out.should_stop ? ", stopping early" : "");
    return out;
  }

  void record_epoch(int epoch, double train_loss) override {
    throw_if_interrupted();
    curve_.push_back(
        {epoch, train_loss, std::numeric_limits<double>::quiet_NaN(), train_seconds()});
  }

  bool stop_requested() const override {
    if (env_.parallel == nullptr) return interrupted();
    // Every rank asks at the same point of training; they must stop at the same batch, or the
    // ones that go on would wait in a gradient all-reduce for ranks that left.
    return env_.parallel->sum(interrupted() ? 1.0 : 0.0) > 0.0;
  }

  void save_checkpoint(const std::function<void(const std::filesystem::path&)>& write) override {
    if (env_.parallel != nullptr) {
      // Each rank's RNG differs (dropout, negatives); a data-parallel cell restarts instead.
      env_.log->info("  data-parallel cell: no checkpoint, it restarts on --resume");
      return;
    }
    const auto t0 = std::chrono::steady_clock::now();
    write_checkpoint(work_dir_, config_toml_, {curve_, stopping_.state(), train_seconds()}, write);
    env_.log->info("  checkpoint written in {:.2f}s: {}", seconds_since(t0),
                   (work_dir_ / "checkpoint").string());
  }

  std::optional<std::filesystem::path> resume_checkpoint() const override { return resumed_; }

  //! Seconds of training of this cell, including those before a resumed checkpoint.
  double train_seconds() const { return seconds_before_ + seconds_since(start_); }

  //! The saved model folder (the best validated state, or the final one).
  std::filesystem::path model_dir() const { return work_dir_ / "model"; }
  bool validated() const { return stopping_.best_epoch() >= 0; }
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
  CellArtifacts artifacts_;  //!< of this dataset and seed, by label
  std::string config_toml_;
  EarlyStopping stopping_;
  std::chrono::steady_clock::time_point start_;
  double seconds_before_ = 0.0;  //!< training seconds before the resumed checkpoint
  std::optional<std::filesystem::path> resumed_;
  std::vector<CurvePoint> curve_;
};

//! Throws when a model this cell reads has no complete cell of the same dataset and seed.
void check_dependencies(const CellJob& job, const CellArtifacts& done) {
  const std::string& dataset = job.dataset.data.name;
  for (const ModelDependency& d : job.dependencies) {
    const std::string key = cell_key(dataset, d.label, job.seed);
    if (done.models.count(key)) continue;
    const std::string why = done.failed.count(key) ? "failed" : "has no complete result";
    throw Error("this cell needs the trained '" + d.label + "' (models." + job.entry.label +
                ".params." + d.key + "), whose cell " + key + " " + why);
  }
}

//! The cell's folder; another rank's is a private sibling (rank 0's holds the artefacts).
std::filesystem::path work_dir_of(const RunEnv& env, const std::string& dataset,
                                  const std::string& label, int64_t seed) {
  auto dir = env.cell_dir(dataset, label, seed);
  if (!env.is_root()) dir += ".rank" + std::to_string(env.rank());
  return dir;
}

//! Trains and tests the cell into `cell` (rank 0; the other ranks only train).
void train_and_test(const RunEnv& env, const CellJob& job, CellArtifacts& artifacts,
                    CellRecord& cell) {
  const DatasetState& ds = job.dataset;
  const std::string key = cell_key(ds.data.name, job.entry.label, job.seed);
  const auto work_dir = work_dir_of(env, ds.data.name, job.entry.label, job.seed);
  check_dependencies(job, artifacts);
  torch::manual_seed(cell_seed(static_cast<uint64_t>(job.seed), Stream::init));
  ResolvedParams resolved;
  auto model =
      build_model(env, job.plugin, job.entry, ds.view, static_cast<uint64_t>(job.seed), &resolved);
  cell.config_toml = cell_config(env, ds.data.name, job.entry, job.seed, resolved);
  std::string why_not;
  std::optional<FoundCheckpoint> resumed;
  if (env.parallel == nullptr) resumed = find_checkpoint(work_dir, cell.config_toml, &why_not);
  if (resumed) {
    env.log->info("  resuming from its checkpoint ({} epoch(s) recorded)",
                  resumed->state.curve.size());
  } else {
    if (!why_not.empty()) {
      env.log->warn("  checkpoint not used: {}; training from the start", why_not);
    }
    std::filesystem::remove_all(work_dir);
  }
  std::filesystem::create_directories(work_dir);
  CellContext ctx(env, ds, static_cast<uint64_t>(job.seed), work_dir,
                  artifacts.of(ds.data.name, job.seed, env.config->models), cell.config_toml,
                  std::move(resumed));
  model->fit(ctx);
  cell.train_seconds = ctx.train_seconds();
  // A model that saw stop_requested() returned early: nothing of the cell is recorded.
  throw_if_interrupted();
  if (!env.is_root()) {  // rank 0 tests and writes the artefacts
    std::filesystem::remove_all(work_dir);
    return;
  }
  if (ctx.validated()) {
    model->load(ctx.model_dir());  // evaluate the best validated state, as RecBole does
  } else {
    ctx.save_model(*model);
  }
  record_test(cell, evaluate(*model, ds.eval_split(Split::test), env.config->protocol, env.device),
              ds.data.test);
  cell.curve = ctx.curve();
  cell.artifacts["model"] = ctx.model_dir().string();
  if (auto* source = dynamic_cast<EmbeddingSource*>(model.get())) {
    const auto table = work_dir / kEmbeddingArtifactFile;
    torch::NoGradGuard no_grad;
    write_embedding_artifact(
        table, source->item_embeddings(),
        {ds.data.name, ds.data.fingerprint, job.entry.plugin, job.entry.label});
    cell.artifacts["item_embeddings"] = table.string();
  }
  remove_checkpoint(work_dir);
}

//! Whether the cell completed on every rank: rank 0 after writing the artefacts that later cells
//! read, so that every rank then skips the same dependent cells.
bool completed_everywhere(const RunEnv& env, bool completed) {
  if (env.parallel == nullptr) return completed;
  return env.parallel->sum_waiting(completed ? 0.0 : 1.0, kEvaluationWait) == 0.0;
}

}  // namespace

std::unique_ptr<Recommender> build_model(const RunEnv& env, const LoadedPlugin& plugin,
                                         const ModelEntry& entry, const DatasetView& view,
                                         uint64_t seed, ResolvedParams* resolved,
                                         std::vector<ModelDependency>* dependencies) {
  Params params = make_params("models." + entry.label + ".params", &entry.params,
                              env.config->source.string(), &entry.positions);
  PluginContext context{env.log, env.device, seed, &view, dependencies, {}, env.precision};
  for (const auto& [name, corpus] : *env.corpora) context.corpora.push_back(name);
  std::unique_ptr<Recommender> model = plugin.factory(params, context);
  params.finish();
  if (model == nullptr) throw PluginError("plugin '" + plugin.name + "' returned no model");
  if (resolved != nullptr) *resolved = {params.resolved_toml(), defaults_toml(params.specs())};
  return model;
}

CellRecord run_cell(const RunEnv& env, const CellJob& job, CellArtifacts& artifacts) {
  CellRecord cell;
  cell.dataset = job.dataset.data.name;
  cell.model = job.entry.label;
  cell.plugin = job.entry.plugin;
  cell.seed = job.seed;
  cell.valid_metric_name = env.config->valid_metric;
  const std::string key = cell_key(cell.dataset, cell.model, cell.seed);
  env.log->info("cell {} ({})", key, job.entry.plugin);
  cell.device = env.device_record;
  reset_peak_device_memory(env.device);
  bool completed = false;
  try {
    train_and_test(env, job, artifacts, cell);
    completed = true;
  } catch (const Interrupted&) {
    throw;
  } catch (const CollectiveError&) {
    throw;  // not the model's failure: the run stops
  } catch (const std::exception& e) {
    // Under data parallelism an error raised on every rank (a model's own, a missing dependency)
    // fails the cell everywhere. One raised on one rank while the others train leaves their
    // collectives unmatched: they fail (CollectiveError) and the run stops.
    cell.status = "failed";
    cell.error = e.what();
    env.log->error("  cell {} failed: {}", key, e.what());
  }
  if (completed_everywhere(env, completed)) {
    artifacts.add_complete(key, env.cell_dir(cell.dataset, cell.model, cell.seed));
  } else {
    if (cell.status != "failed") {
      cell.status = "failed";
      cell.error = "failed on another data-parallel rank (its error is on its stderr)";
    }
    artifacts.failed.insert(key);
  }
  cell.peak_rss_mb = peak_rss_mb();
  cell.device.peak_memory_mb = peak_device_memory_mb(env.device);
  return cell;
}

}  // namespace recbench::run_detail
