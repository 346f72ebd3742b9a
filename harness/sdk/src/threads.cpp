// set_cpu_threads: LibTorch's pool plus OpenBLAS's, found at run time (no link dependency: the
// BLAS behind LibTorch is whatever libblas.so.3 the system selects); keep_freed_memory: mallopt.
#include "recbench/threads.h"

#include <dlfcn.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <ATen/Parallel.h>

namespace recbench {

bool set_cpu_threads(int threads) {
  if (threads <= 0) return false;
  at::set_num_threads(threads);
  using SetThreads = void (*)(int);
  // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): dlsym returns void*
  auto* set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
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

}  // namespace recbench
