// set_cpu_threads: LibTorch's pool plus OpenBLAS's; blas_description: which BLAS the process
// runs on. OpenBLAS's API is looked up at run time, so a process on another BLAS still works.
// keep_freed_memory: mallopt.
#include "recbench/threads.h"

#include <dlfcn.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <ATen/Parallel.h>

namespace recbench {

namespace {

//! A function of OpenBLAS's C API, looked up in the process (nullptr where absent).
template <typename Fn>
Fn* openblas_function(const char* name) {
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): dlsym returns void*
  return reinterpret_cast<Fn*>(dlsym(RTLD_DEFAULT, name));
}

}  // namespace

bool set_cpu_threads(int threads) {
  if (threads <= 0) return false;
  at::set_num_threads(threads);
  auto* set = openblas_function<void(int)>("openblas_set_num_threads");
  if (set == nullptr) return false;
  set(threads);
  return true;
}

void keep_freed_memory() {
#if defined(__GLIBC__)
  constexpr int kBytes = 256 << 20;
  mallopt(M_MMAP_THRESHOLD, kBytes);  // a fixed threshold also stops glibc's dynamic one
  mallopt(M_TRIM_THRESHOLD, kBytes);
#endif
}

std::string blas_threading() {
  auto* parallel = openblas_function<int()>("openblas_get_parallel");
  if (parallel == nullptr) return "";
  switch (parallel()) {
    case 0:
      return "sequential";
    case 1:
      return "pthreads";
    case 2:
      return "OpenMP";
    default:
      return "unknown threading";
  }
}

std::string blas_description() {
  auto* config = openblas_function<char*()>("openblas_get_config");
  if (config == nullptr) return "unknown BLAS";
  std::string line = config();
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line + " (" + blas_threading() + ")";
}

}  // namespace recbench
