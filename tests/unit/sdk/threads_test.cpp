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

// The build links OpenBLAS's OpenMP build where the system has it
// (cmake/RecbenchDependencies.cmake): the process must then run on it, not on the pthreads build
// that libblas.so.3 may point to.
TEST(CpuThreads, RunsOnOneThreadPool) {
#if defined(RECBENCH_OPENMP_BLAS)
  EXPECT_EQ(blas_threading(), "OpenMP");
  EXPECT_NE(blas_description().find("OpenBLAS"), std::string::npos) << blas_description();
  EXPECT_NE(blas_description().find("(OpenMP)"), std::string::npos) << blas_description();
#else
  GTEST_SKIP() << "built without OpenBLAS's OpenMP build: " << blas_description();
#endif
}

}  // namespace
}  // namespace recbench
