// set_cpu_threads reaches both pools: LibTorch's and, where LibTorch runs on OpenBLAS, OpenBLAS's.
// limit_onednn_cache caps oneDNN's primitive cache unless the user chose a capacity.
#include <gtest/gtest.h>

#include <dlfcn.h>
#include <sched.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <thread>

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

TEST(CpuThreads, UsableCpusFollowTheAffinityMask) {
  const UsableCpus all = usable_cpus();
  EXPECT_GE(all.count, 1);
  EXPECT_LE(all.count, all.affinity);
  // As under `taskset -c 0` or a one-CPU Slurm cpuset: the mask is per thread, so a thread of its
  // own is restricted and the test's other threads keep theirs.
  UsableCpus one;
  std::thread restricted([&] {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    ASSERT_EQ(sched_setaffinity(0, sizeof set, &set), 0);
    one = usable_cpus();
  });
  restricted.join();
  EXPECT_EQ(one.affinity, 1);
  EXPECT_EQ(one.count, 1);
  EXPECT_NE(one.text().find("1 (affinity 1, "), std::string::npos) << one.text();
}

TEST(CpuThreads, OpenMpWaitPolicyIsReported) {
  // ctest starts this binary without recbench's re-exec, so the policy comes from the
  // environment or libgomp's default; either way it is named.
  const std::string text = openmp_wait_policy();
  if (std::getenv("GOMP_SPINCOUNT") == nullptr && std::getenv("OMP_WAIT_POLICY") == nullptr) {
    EXPECT_EQ(text, "libgomp's default spinning");
  } else {
    EXPECT_NE(text.find("="), std::string::npos) << text;
  }
}

//! Sets or unsets an environment variable for one scope, then restores it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    value ? setenv(name, value, 1) : unsetenv(name);
  }
  ~ScopedEnv() { old_ ? setenv(name_, old_->c_str(), 1) : unsetenv(name_); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(OneDnnCache, LimitedUnlessTheUserChoseACapacity) {
  ScopedEnv onednn("ONEDNN_PRIMITIVE_CACHE_CAPACITY", nullptr);
  ScopedEnv dnnl("DNNL_PRIMITIVE_CACHE_CAPACITY", nullptr);
  ScopedEnv mark("RECBENCH_SET_ONEDNN_CACHE", nullptr);
  EXPECT_EQ(onednn_cache_capacity(), "1024 (oneDNN's default)");
  limit_onednn_cache();
  const char* set = std::getenv("ONEDNN_PRIMITIVE_CACHE_CAPACITY");
  ASSERT_NE(set, nullptr);
  const std::string capacity = std::to_string(kOneDnnCacheCapacity);
  EXPECT_EQ(std::string(set), capacity);
  EXPECT_EQ(onednn_cache_capacity(), capacity + " (set by recbench)");

  unsetenv("ONEDNN_PRIMITIVE_CACHE_CAPACITY");
  unsetenv("RECBENCH_SET_ONEDNN_CACHE");
  setenv("DNNL_PRIMITIVE_CACHE_CAPACITY", "300", 1);  // the older name counts as the user's choice
  limit_onednn_cache();
  EXPECT_EQ(std::getenv("ONEDNN_PRIMITIVE_CACHE_CAPACITY"), nullptr);
  EXPECT_EQ(onednn_cache_capacity(), "300 (environment)");
}

}  // namespace
}  // namespace recbench
