// SequentialModel: the training loop, scoring, persistence and embedding access of neural models.
#include "recbench/nn/sequential_model.h"

#include <algorithm>
#include <mutex>
#include <vector>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "recbench/distributed.h"
#include "recbench/error.h"
#include "recbench/params.h"
#include "recbench/progress.h"
#include "recbench/train_context.h"

namespace recbench::nn {

const char* train_mode_name(TrainMode mode) {
  switch (mode) {
    case TrainMode::prefix:
      return "prefix";
    case TrainMode::every_position:
      return "every_position";
    case TrainMode::last:
      return "last";
  }
  return "?";
}

CommonOptions read_common_options(Params& params, const CommonOptions& defaults,
                                  const TrainModes& modes, int64_t window_batch_size) {
  CommonOptions o = defaults;
  TrainModes offered = modes;
  // last-item samples are batched like prefixes: every model that trains on prefixes takes them.
  if (std::find(modes.begin(), modes.end(), TrainMode::prefix) != modes.end()) {
    offered.push_back(TrainMode::last);
  }
  std::vector<std::string> names;
  for (TrainMode m : offered) names.emplace_back(train_mode_name(m));
  const auto mode = params.choice(
      "train_mode", names.at(0), names,
      "prefix: one sample per prefix (RecBole); every_position: windows tiling each sequence, "
      "a target at every position (original SASRec); last: each training sequence's last item "
      "only (data whose training rows are windows, e.g. LLaRA's splits)");
  o.mode =
      offered[static_cast<size_t>(std::find(names.begin(), names.end(), mode) - names.begin())];
  const int64_t batch_default =
      o.mode == TrainMode::every_position ? window_batch_size : defaults.batch_size;
  o.epochs = params.integer("epochs", defaults.epochs, "maximum training epochs", 1);
  o.batch_size = params.integer("batch_size", batch_default,
                                "training samples per step (prefixes, or windows in "
                                "every_position mode)",
                                1);
  o.lr = params.real("lr", defaults.lr, "Adam learning rate", 0.0);
  o.weight_decay = params.real("weight_decay", defaults.weight_decay, "Adam weight decay", 0.0);
  o.max_len = params.integer("max_len", defaults.max_len, "history items the model reads", 1);
  o.group_by_length = params.flag(
      "group_by_length", defaults.group_by_length,
      "train each batch as groups of rows of similar length, each trimmed to its longest row "
      "(the same losses; faster when most histories are short)");
  return o;
}

ItemLoss read_loss(Params& params, const std::string& default_loss) {
  ItemLoss loss;
  loss.kind = parse_loss(params.choice(
      "loss", default_loss, loss_names(),
      "ce: softmax over all items; bce: one uniform negative per target (original SASRec); "
      "sampled_softmax: num_negatives uniform negatives shared by the batch"));
  loss.num_negatives =
      params.integer("num_negatives", 100, "negatives per batch for loss = sampled_softmax", 1);
  return loss;
}

const DatasetView& require_data(const DatasetView* data, const char* model) {
  if (data == nullptr || data->items == nullptr) {
    throw PluginError(std::string(model) +
                      ": constructed without a dataset (the item count "
                      "sizes its embedding table)");
  }
  return *data;
}

SequentialModel::SequentialModel(const CommonOptions& options, const PluginContext& context)
    : options_(options),
      device_(context.device),
      precision_(context.precision),
      scaler_(LossScaler::for_policy(context.precision)) {}

void SequentialModel::attach(std::shared_ptr<torch::nn::Module> network) {
  network_ = std::move(network);
  network_->to(device_, master_dtype(precision_));
}

double SequentialModel::loss_terms(const TrainBatch& batch) const {
  if (batch.targets.dim() == 1) return static_cast<double>(batch.size());
  return static_cast<double>(batch.targets.ne(0).sum().item<int64_t>());
}

torch::Tensor SequentialModel::grouped_loss(const TrainBatch& batch) {
  if (!options_.group_by_length) return batch_loss(batch).to(torch::kFloat);
  const std::vector<TrainBatch> groups = group_by_length(batch);
  if (groups.size() == 1) return batch_loss(groups.front()).to(torch::kFloat);
  const double all = loss_terms(batch);
  torch::Tensor sum;
  for (const TrainBatch& group : groups) {
    const double weight = all > 0 ? loss_terms(group) / all : 0.0;
    torch::Tensor term = batch_loss(group).to(torch::kFloat) * weight;
    sum = sum.defined() ? sum + term : term;
  }
  return sum;
}

double SequentialModel::train_step(const TrainBatch& global, DataParallel* dp,
                                   torch::optim::Optimizer& opt, Progress& progress) {
  TrainBatch batch = global;
  double share = 1.0;
  if (dp != nullptr) {  // this rank's rows, weighted by their share of the batch's loss terms
    const RowRange r = dp->rows(global.size());
    auto rows = [&](const torch::Tensor& t) { return t.slice(0, r.begin, r.end); };
    batch = {rows(global.items), rows(global.lengths), rows(global.users), rows(global.targets)};
    const double all = loss_terms(global);
    share = all > 0 ? loss_terms(batch) / all : 0.0;
  }
  opt.zero_grad();
  double loss = 0.0;
  if (batch.size() > 0) {
    torch::Tensor value;
    {
      AutocastScope autocast(precision_, device_);
      value = grouped_loss(batch);
    }
    scaler_.scale(value).backward();
    loss = value.item<double>();
  }
  if (dp != nullptr) dp->reduce_gradients(network_->parameters(), share);
  // After the all-reduce every rank holds the same gradients, so all agree on skipping.
  const bool finite = scaler_.unscale(network_->parameters());
  if (finite) opt.step();
  scaler_.update(finite);
  progress.step(loss, batch.size());
  return share * loss;
}

std::optional<double> SequentialModel::train_epoch(TrainView& view, TrainContext& ctx,
                                                   torch::optim::Optimizer& opt, Position& at) {
  network_->train();
  const int64_t batches = view.num_batches(options_.batch_size);
  Progress progress(ctx.log(), "epoch " + std::to_string(at.epoch), batches);
  progress.resume(at.batch, at.loss_sum);
  DataParallel* dp = ctx.data_parallel();
  for (int64_t b = at.batch; b < batches; ++b) {
    // One process: the share is 1, so loss_sum is the progress line's sum of batch losses.
    at.loss_sum += train_step(view.batch(b, options_.batch_size, device_), dp, opt, progress);
    at.batch = b + 1;
    if (ctx.stop_requested()) {
      ctx.save_checkpoint(
          [&](const std::filesystem::path& dir) { save_training_state(dir, opt, at); });
      ctx.log().info("stopped in epoch {} after batch {}/{}", at.epoch, at.batch, batches);
      return std::nullopt;
    }
  }
  progress.finish();
  if (dp == nullptr) return progress.mean_loss();
  // The mean over batches of each global batch's loss, as one process would report it.
  return dp->sum(at.loss_sum) / static_cast<double>(std::max<int64_t>(1, batches));
}

void SequentialModel::fit(TrainContext& ctx) {
  if (!network_) throw Error("SequentialModel: the model never called attach()");
  DataParallel* dp = ctx.data_parallel();
  // Rank 0 draws dropout masks and negatives as one process does; the others draw their own.
  const uint64_t rank = dp != nullptr ? static_cast<uint64_t>(dp->rank()) : 0;
  torch::manual_seed(rank == 0 ? ctx.seed(Stream::dropout)
                               : mix_seed(ctx.seed(Stream::dropout), rank));
  if (dp != nullptr) {  // every rank starts from rank 0's weights
    auto tensors = network_->parameters();
    for (const auto& b : network_->buffers()) tensors.push_back(b);
    dp->broadcast(tensors);
  }
  TrainView view = TrainView::make(options_.mode, *ctx.data().train, train_length());
  if (view.size() == 0) throw DataError("training split has no sequence of two or more items");
  torch::optim::Adam opt(
      network_->parameters(),
      torch::optim::AdamOptions(options_.lr).weight_decay(options_.weight_decay));
  Position at;
  if (auto dir = ctx.resume_checkpoint()) at = load_training_state(*dir, opt);
  const uint64_t shuffle_seed = ctx.seed(Stream::shuffle);
  for (; at.epoch < options_.epochs; at = {at.epoch + 1, 0, 0.0}) {
    view.shuffle(mix_seed(shuffle_seed, static_cast<uint64_t>(at.epoch)));
    const std::optional<double> loss = train_epoch(view, ctx, opt, at);
    if (!loss) return;
    if (ctx.validate(*this, static_cast<int>(at.epoch), *loss).should_stop) break;
  }
  network_->eval();
}

void SequentialModel::save_training_state(const std::filesystem::path& dir,
                                          const torch::optim::Optimizer& opt,
                                          const Position& at) const {
  torch::serialize::OutputArchive archive, network, optimizer;
  network_->save(network);
  opt.save(optimizer);
  archive.write("network", network);
  archive.write("optimizer", optimizer);
  {
    at::Generator gen = at::globalContext().defaultGenerator(device_);
    std::lock_guard<std::mutex> lock(gen.mutex());
    archive.write("rng", gen.get_state());
  }
  archive.write("epoch", torch::tensor(at.epoch));
  archive.write("batch", torch::tensor(at.batch));
  archive.write("loss_sum", torch::tensor(at.loss_sum, torch::kDouble));
  archive.save_to((dir / "training.pt").string());
}

SequentialModel::Position SequentialModel::load_training_state(const std::filesystem::path& dir,
                                                               torch::optim::Optimizer& opt) {
  torch::serialize::InputArchive archive, network, optimizer;
  archive.load_from((dir / "training.pt").string(), device_);
  archive.read("network", network);
  archive.read("optimizer", optimizer);
  network_->load(network);
  network_->to(device_, master_dtype(precision_));
  opt.load(optimizer);
  torch::Tensor rng, epoch, batch, loss_sum;
  archive.read("rng", rng);
  archive.read("epoch", epoch);
  archive.read("batch", batch);
  archive.read("loss_sum", loss_sum);
  {
    at::Generator gen = at::globalContext().defaultGenerator(device_);
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_state(rng.cpu());
  }
  return {epoch.item<int64_t>(), batch.item<int64_t>(), loss_sum.item<double>()};
}

torch::Tensor SequentialModel::user_representation(const HistoryBatch& batch) {
  torch::NoGradGuard no_grad;
  network_->eval();
  AutocastScope autocast(precision_, device_);
  return encode(batch).to(torch::kFloat);
}

torch::Tensor SequentialModel::item_embeddings() const {
  return output_table().detach().to(torch::kFloat);
}

torch::Tensor SequentialModel::score_all(const HistoryBatch& batch) {
  // Rows per encoder pass. On CPU, 128 histories keep a pass's intermediates in cache (SASRec's
  // feed-forward: 128 x 50 x 256 floats = 6.6 MB instead of 48 MB for 943 users); scoring 943
  // SASRec histories, 3 interleaved runs: 0.084-0.096 s median against 0.100-0.125 s in one pass.
  const int64_t chunk = device_.is_cpu() ? 128 : 1024;
  torch::NoGradGuard no_grad;
  // Histories in order of length, each pass trimmed to its longest history: the models ignore
  // the padding after a history, so this only skips work (S3-Rec Beauty: 9 items of 50).
  const torch::Tensor order = std::get<1>(batch.lengths.sort(/*stable=*/true, 0, false));
  const torch::Tensor sorted = batch.lengths.index_select(0, order).to(torch::kCPU);
  std::vector<torch::Tensor> parts;
  for (int64_t start = 0; start < batch.size(); start += chunk) {
    const int64_t end = std::min(batch.size(), start + chunk);
    const torch::Tensor rows = order.slice(0, start, end);
    const int64_t width = std::min(batch.items.size(1), sorted[end - 1].item<int64_t>());
    HistoryBatch part{batch.items.index_select(0, rows).narrow(1, 0, width),
                      batch.lengths.index_select(0, rows), batch.users.index_select(0, rows)};
    parts.push_back(user_representation(part));
  }
  torch::Tensor users = parts.size() == 1 ? parts[0] : torch::cat(parts, 0);
  users = torch::empty_like(users).index_copy_(0, order, users);  // back in the batch's order
  return torch::matmul(users, item_embeddings().t());
}

void SequentialModel::save(const std::filesystem::path& dir) const {
  torch::serialize::OutputArchive archive;
  network_->save(archive);
  archive.save_to((dir / "model.pt").string());
  torch::save(item_embeddings().cpu().contiguous(), (dir / "item_embeddings.pt").string());
}

void SequentialModel::load(const std::filesystem::path& dir) {
  const auto path = dir / "model.pt";
  if (!std::filesystem::exists(path)) throw DataError(path.string() + ": saved model not found");
  torch::serialize::InputArchive archive;
  archive.load_from(path.string(), device_);
  network_->load(archive);
  network_->to(device_, master_dtype(precision_));
  network_->eval();
}

}  // namespace recbench::nn
