// DataParallel over c10d: the rendezvous (TCPStore or FileStore), a Gloo (or NCCL) group, and
// the bucketed gradient all-reduce. The only file that includes c10d headers.
#include "recbench/core/dist/process_group.h"

#include <algorithm>
#include <cstdlib>

#include <torch/torch.h>

#include "recbench/error.h"

#ifdef RECBENCH_HAVE_C10D_GLOO
#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#endif
#ifdef RECBENCH_HAVE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

namespace recbench::dist {
namespace {

//! An integer environment variable in [low, high]; ConfigError naming it otherwise.
int parse_int(const std::string& name, const std::string& text, int low, int high) {
  size_t used = 0;
  int value = 0;
  try {
    value = std::stoi(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty() || value < low || value > high) {
    throw ConfigError("environment variable " + name + "='" + text + "': expected an integer in [" +
                      std::to_string(low) + ", " + std::to_string(high) + "]");
  }
  return value;
}

}  // namespace

std::optional<WorkerEnv> worker_env_from(
    const std::function<std::optional<std::string>(const std::string&)>& get) {
  // Launchers (recbench run --nproc, torchrun) set RANK and WORLD_SIZE. srun sets SLURM_PROCID
  // and SLURM_STEP_NUM_TASKS for its step; SLURM_NTASKS alone is no sign of several processes,
  // since a batch script's own shell carries it too.
  const char* rank_var = "RANK";
  const char* world_var = "WORLD_SIZE";
  const char* local_var = "LOCAL_RANK";
  if (!get("RANK") && !get("WORLD_SIZE") && get("SLURM_PROCID") && get("SLURM_STEP_NUM_TASKS")) {
    rank_var = "SLURM_PROCID";
    world_var = "SLURM_STEP_NUM_TASKS";
    local_var = "SLURM_LOCALID";
  }
  const auto world_text = get(world_var);
  const auto rank_text = get(rank_var);
  if (!world_text && !rank_text) return std::nullopt;
  if (!world_text || !rank_text) {
    throw ConfigError(std::string("environment variable ") + (world_text ? rank_var : world_var) +
                      " is not set, but " + (world_text ? world_var : rank_var) +
                      " is: a data-parallel worker needs both");
  }
  WorkerEnv env;
  env.world_size = parse_int(world_var, *world_text, 1, 65536);
  env.rank = parse_int(rank_var, *rank_text, 0, env.world_size - 1);
  if (env.world_size == 1) return std::nullopt;
  if (const auto local = get(local_var)) env.local_rank = parse_int(local_var, *local, 0, 65535);
  const auto addr = get("MASTER_ADDR");
  const auto port = get("MASTER_PORT");
  if (!addr || addr->empty() || !port) {
    throw ConfigError(std::string("environment variable ") +
                      (!addr || addr->empty() ? "MASTER_ADDR" : "MASTER_PORT") +
                      " is not set: a data-parallel run of " + std::to_string(env.world_size) +
                      " processes (" + world_var +
                      ") needs rank 0's host and a free port; under Slurm, export "
                      "MASTER_ADDR=$(scontrol show hostnames \"$SLURM_JOB_NODELIST\" | head -n 1) "
                      "and MASTER_PORT=29500 (docs/cluster.md)");
  }
  env.master_addr = *addr;
  env.master_port = parse_int("MASTER_PORT", *port, 1, 65535);
  return env;
}

std::optional<WorkerEnv> worker_env() {
  return worker_env_from([](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  });
}

#ifndef RECBENCH_HAVE_C10D_GLOO

bool available() { return false; }

std::unique_ptr<ProcessGroup> join(const WorkerEnv&, std::chrono::milliseconds,
                                   const torch::Device&) {
  throw ConfigError(
      "data-parallel training needs LibTorch's c10d with Gloo; this recbench was built without "
      "it (install libgloo-dev and reconfigure)");
}

std::unique_ptr<ProcessGroup> join_file_store(const std::filesystem::path&, int, int,
                                              std::chrono::milliseconds) {
  return join({}, {}, torch::kCPU);
}

#else

bool available() { return true; }

namespace {

//! The first line of a c10d/Gloo message (they can run to a stack trace).
std::string first_line(const std::string& text) { return text.substr(0, text.find('\n')); }

//! `Group` is c10d's Gloo or NCCL class (a ProcessGroup in LibTorch 1.x, a Backend in 2.x).
template <typename Group>
class C10dGroup final : public ProcessGroup {
 public:
  C10dGroup(c10::intrusive_ptr<c10d::Store> store, c10::intrusive_ptr<Group> group, int rank,
            int world_size, torch::Device device)
      : store_(std::move(store)),
        group_(std::move(group)),
        rank_(rank),
        world_size_(world_size),
        device_(device) {}

  int rank() const override { return rank_; }
  int world_size() const override { return world_size_; }
  void set_bucket_bytes(int64_t bytes) override { bucket_bytes_ = std::max<int64_t>(1, bytes); }

  void reduce_gradients(const std::vector<torch::Tensor>& parameters, double weight) override {
    torch::NoGradGuard no_grad;
    for_each_bucket(parameters, [&](const std::vector<torch::Tensor>& params) {
      // One flat tensor per bucket: weight x each gradient (zeros where undefined), then one
      // flag per parameter saying whether this rank had a gradient for it.
      const auto options = params.front().options();
      std::vector<torch::Tensor> parts;
      for (const auto& p : params) {
        parts.push_back(p.grad().defined() ? p.grad().reshape(-1) * weight
                                           : torch::zeros({p.numel()}, options));
      }
      std::vector<float> flags;
      for (const auto& p : params) flags.push_back(p.grad().defined() ? 1.0F : 0.0F);
      parts.push_back(torch::tensor(flags).to(options.device(), options.dtype()));
      // Staged through the group's device (the host, for Gloo under a CUDA model).
      std::vector<torch::Tensor> flat{torch::cat(parts).to(device_)};
      run("gradient all-reduce", group_->allreduce(flat));
      const auto reduced = flat[0].to(options.device());
      const auto flags_sum = reduced.slice(0, reduced.numel() - static_cast<int64_t>(params.size()))
                                 .to(torch::kCPU, torch::kFloat)
                                 .contiguous();
      const auto defined = flags_sum.accessor<float, 1>();
      int64_t offset = 0;
      for (size_t i = 0; i < params.size(); ++i) {
        const torch::Tensor& p = params[i];
        auto sum = reduced.slice(0, offset, offset + p.numel()).view_as(p);
        offset += p.numel();
        if (defined[static_cast<int64_t>(i)] == 0.0F) continue;  // no rank had one
        if (p.grad().defined()) {
          p.mutable_grad().copy_(sum);
        } else {
          p.mutable_grad() = sum.clone();
        }
      }
    });
  }

  void broadcast(const std::vector<torch::Tensor>& tensors) override {
    torch::NoGradGuard no_grad;
    for_each_bucket(tensors, [&](const std::vector<torch::Tensor>& group) {
      std::vector<torch::Tensor> parts;
      for (const auto& t : group) parts.push_back(t.reshape(-1));
      std::vector<torch::Tensor> flat{torch::cat(parts).to(device_)};
      run("parameter broadcast", group_->broadcast(flat));
      const auto values = flat[0].to(group.front().device());
      int64_t offset = 0;
      for (const auto& t : group) {
        t.copy_(values.slice(0, offset, offset + t.numel()).view_as(t));
        offset += t.numel();
      }
    });
  }

  double sum(double value) override { return sum_waiting(value, c10d::kUnsetTimeout); }

  double sum_waiting(double value, std::chrono::milliseconds timeout) override {
    std::vector<torch::Tensor> t{torch::full({1}, value, torch::dtype(torch::kDouble))};
    t[0] = t[0].to(device_);
    c10d::AllreduceOptions options;
    options.timeout = timeout;  // kUnsetTimeout: the group's
    run("all-reduce of a scalar", group_->allreduce(t, options));
    return t[0].item<double>();
  }

  void barrier() override { run("barrier", group_->barrier()); }

  void share_from_root(std::vector<double>& values, std::chrono::milliseconds timeout) override {
    std::vector<torch::Tensor> t{torch::tensor(values, torch::dtype(torch::kDouble)).to(device_)};
    c10d::BroadcastOptions options;
    options.timeout = timeout;
    run("broadcast from rank 0", group_->broadcast(t, options));
    const auto host = t[0].cpu();
    for (size_t i = 0; i < values.size(); ++i)
      values[i] = host[static_cast<int64_t>(i)].item<double>();
  }

 private:
  //! Calls `body` on consecutive runs of `tensors` of one dtype and device, each of about
  //! bucket_bytes_ (a larger tensor is a bucket of its own).
  template <typename Body>
  void for_each_bucket(const std::vector<torch::Tensor>& tensors, Body body) {
    std::vector<torch::Tensor> bucket;
    int64_t bytes = 0;
    for (const auto& t : tensors) {
      if (!bucket.empty() && (t.scalar_type() != bucket.front().scalar_type() ||
                              t.device() != bucket.front().device() || bytes >= bucket_bytes_)) {
        body(bucket);
        bucket.clear();
        bytes = 0;
      }
      bucket.push_back(t);
      bytes += t.numel() * static_cast<int64_t>(t.element_size());
    }
    if (!bucket.empty()) body(bucket);
  }

  void run(const char* what, const c10::intrusive_ptr<c10d::Work>& work) const {
    try {
      work->wait();
    } catch (const std::exception& e) {
      throw CollectiveError(std::string("data-parallel ") + what + " failed on rank " +
                            std::to_string(rank_) + " of " + std::to_string(world_size_) +
                            " (did another rank die or time out?): " + first_line(e.what()));
    }
  }

  c10::intrusive_ptr<c10d::Store> store_;
  c10::intrusive_ptr<Group> group_;
  int rank_, world_size_;
  torch::Device device_;
  int64_t bucket_bytes_ = 25 << 20;  // PyTorch DDP's default bucket_cap_mb
};

//! A Gloo transport device: GLOO_SOCKET_IFNAME's interface, the loopback for a local run, or
//! the interface that this host's name resolves to.
std::shared_ptr<gloo::transport::Device> gloo_device(const std::string& master_addr) {
  if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME")) {
    return c10d::ProcessGroupGloo::createDeviceForInterface(ifname);
  }
  if (master_addr.empty() || master_addr == "localhost" || master_addr.rfind("127.", 0) == 0) {
    return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  }
  return c10d::ProcessGroupGloo::createDefaultDevice();
}

std::unique_ptr<ProcessGroup> make_group(const c10::intrusive_ptr<c10d::Store>& store, int rank,
                                         int world_size, std::chrono::milliseconds timeout,
                                         const std::string& master_addr,
                                         const torch::Device& device) {
#ifdef RECBENCH_HAVE_C10D_NCCL
  if (device.is_cuda()) {
    auto options = c10d::ProcessGroupNCCL::Options::create();
    options->timeout = timeout;
    auto group = c10::make_intrusive<c10d::ProcessGroupNCCL>(store, rank, world_size, options);
    return std::make_unique<C10dGroup<c10d::ProcessGroupNCCL> >(store, group, rank, world_size,
                                                                device);
  }
#endif
  auto options = c10d::ProcessGroupGloo::Options::create(timeout);
  options->devices.push_back(gloo_device(master_addr));
  options->threads = 2;
  auto group = c10::make_intrusive<c10d::ProcessGroupGloo>(store, rank, world_size, options);
  // Gloo reduces CPU tensors; a CUDA LibTorch without NCCL stages through the host.
  return std::make_unique<C10dGroup<c10d::ProcessGroupGloo> >(store, group, rank, world_size,
                                                              torch::kCPU);
}

}  // namespace

std::unique_ptr<ProcessGroup> join(const WorkerEnv& env, std::chrono::milliseconds timeout,
                                   const torch::Device& device) {
  try {
    c10d::TCPStoreOptions options;
    options.port = static_cast<uint16_t>(env.master_port);
    options.isServer = env.rank == 0;
    options.numWorkers = env.world_size;
    options.waitWorkers = true;
    options.timeout = timeout;
    auto store = c10::make_intrusive<c10d::TCPStore>(env.master_addr, options);
    return make_group(store, env.rank, env.world_size, timeout, env.master_addr, device);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw CollectiveError("data-parallel rendezvous of rank " + std::to_string(env.rank) + " of " +
                          std::to_string(env.world_size) + " at " + env.master_addr + ":" +
                          std::to_string(env.master_port) + " failed: " + first_line(e.what()));
  }
}

std::unique_ptr<ProcessGroup> join_file_store(const std::filesystem::path& file, int rank,
                                              int world_size, std::chrono::milliseconds timeout) {
  try {
    auto store = c10::make_intrusive<c10d::FileStore>(file.string(), world_size);
    store->setTimeout(timeout);
    return make_group(store, rank, world_size, timeout, "127.0.0.1", torch::kCPU);
  } catch (const std::exception& e) {
    throw CollectiveError("data-parallel rendezvous over " + file.string() +
                          " failed: " + first_line(e.what()));
  }
}

#endif

}  // namespace recbench::dist
