// set_cpu_threads reaches both pools: LibTorch's and, where LibTorch runs on OpenBLAS, OpenBLAS's.
#include <gtest/gtest.h>

#include <dlfcn.h>

#include <ATen/Parallel.h>

#include "recbench/threads.h"

namespace recbench {
namespace {

TEST(CpuThreads, SetsLibTorchAndOpenBlasPools) {
  const int before = at::get_num_threads();
  using GetThreads = int (*)();
  auto* openblas_threads =
      reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  for (const int n : {1, 2}) {
    const bool set_blas = set_cpu_threads(n);
    EXPECT_EQ(at::get_num_threads(), n);
    EXPECT_EQ(set_blas, openblas_threads != nullptr);
    if (openblas_threads != nullptr) {
      EXPECT_EQ(openblas_threads(), n);
    }
  }
  EXPECT_FALSE(set_cpu_threads(0));  // 0: leave the pools as they are
  EXPECT_EQ(at::get_num_threads(), 2);
  set_cpu_threads(before);
}

}  // namespace
}  // namespace recbench
