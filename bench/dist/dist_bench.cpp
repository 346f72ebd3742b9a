// dist_bench: milliseconds per reduce_gradients() call of a W-process Gloo group on this machine.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "recbench/core/dist/process_group.h"

namespace {

long arg(int argc, char** argv, const std::string& name, long fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == "--" + name) return std::stol(argv[i + 1]);
  }
  return fallback;
}

int run_rank(int rank, int world, const std::filesystem::path& store, long params, long tensors,
             long steps) {
  at::set_num_threads(1);
  auto group = recbench::dist::join_file_store(store, rank, world, std::chrono::seconds(60));
  std::vector<torch::Tensor> list;
  for (long i = 0; i < tensors; ++i) {
    auto p = torch::zeros({params / tensors}).requires_grad_(true);
    p.mutable_grad() = torch::randn({params / tensors});
    list.push_back(p);
  }
  std::vector<double> ms;
  for (long s = 0; s < steps + 10; ++s) {
    const auto t0 = std::chrono::steady_clock::now();
    group->reduce_gradients(list, 0.5);
    const double t =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (s >= 10) ms.push_back(t);  // after warm-up
  }
  group->barrier();
  if (rank == 0) {
    std::sort(ms.begin(), ms.end());
    std::printf(
        "world %d, %ld parameters in %ld tensors (%.2f MB): median %.3f ms, p90 %.3f ms "
        "per reduce_gradients over %ld calls\n",
        world, params, tensors, static_cast<double>(params) * 4 / 1e6, ms[ms.size() / 2],
        ms[ms.size() * 9 / 10], steps);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const long params = arg(argc, argv, "params", 250000);
  const long tensors = arg(argc, argv, "tensors", 20);
  const long steps = arg(argc, argv, "steps", 300);
  const int world = static_cast<int>(arg(argc, argv, "world", 2));
  if (!recbench::dist::available()) {
    std::fprintf(stderr, "dist_bench: built without c10d Gloo\n");
    return 2;
  }
  const auto store = std::filesystem::temp_directory_path() /
                     ("recbench_dist_bench_" + std::to_string(::getpid()));
  std::vector<pid_t> children;
  for (int rank = 1; rank < world; ++rank) {
    const pid_t pid = fork();
    if (pid == 0) _exit(run_rank(rank, world, store, params, tensors, steps));
    children.push_back(pid);
  }
  const int status = run_rank(0, world, store, params, tensors, steps);
  for (pid_t pid : children) waitpid(pid, nullptr, 0);
  std::filesystem::remove(store);
  return status;
}
