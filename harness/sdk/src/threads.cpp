// set_cpu_threads: LibTorch's pool plus OpenBLAS's; blas_description: which BLAS the process
// runs on. OpenBLAS's API is looked up at run time, so a process on another BLAS still works.
// keep_freed_memory: mallopt. limit_onednn_cache: oneDNN's environment variable.
#include "recbench/threads.h"

#include <dlfcn.h>
#include <sched.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

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

namespace {

//! The cgroup v2 quota of this process in CPUs (cpu.max "quota period"); 0 when unlimited or not
//! found. Only the process's own cgroup is read, not its ancestors'.
double cgroup_cpu_quota() {
  std::ifstream cgroup("/proc/self/cgroup");
  std::string line;
  while (std::getline(cgroup, line)) {
    if (line.rfind("0::", 0) != 0) continue;  // the v2 hierarchy
    std::ifstream max("/sys/fs/cgroup" + line.substr(3) + "/cpu.max");
    std::string quota;
    double period = 0;
    if (!(max >> quota >> period) || quota == "max" || period <= 0) return 0;
    return std::stod(quota) / period;
  }
  return 0;
}

}  // namespace

std::string UsableCpus::text() const {
  std::ostringstream out;
  out << count << " (affinity " << affinity << ", ";
  if (quota > 0) {
    out << "cgroup quota " << quota << ")";
  } else {
    out << "no cgroup quota)";
  }
  return out.str();
}

UsableCpus usable_cpus() {
  UsableCpus cpus;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) cpus.affinity = CPU_COUNT(&set);
  cpus.quota = cgroup_cpu_quota();
  cpus.count = cpus.affinity > 0 ? cpus.affinity : 1;
  if (cpus.quota > 0) cpus.count = std::min(cpus.count, static_cast<int>(std::ceil(cpus.quota)));
  cpus.count = std::max(cpus.count, 1);
  return cpus;
}

namespace {
constexpr const char* kSetByRecbench = "RECBENCH_SET_WAIT_POLICY";

//! Who set an environment variable that recbench sets unless the user did: `marker` is the
//! variable recbench sets beside it.
const char* set_by(const char* marker) {
  return std::getenv(marker) != nullptr ? " (set by recbench)" : " (environment)";
}
}  // namespace

void reexec_with_passive_waiting(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr || std::getenv("GOMP_SPINCOUNT") != nullptr) {
    return;
  }
  setenv("OMP_WAIT_POLICY", "passive", 1);
  setenv(kSetByRecbench, "1", 1);
  execv("/proc/self/exe", argv);
  // exec failed (no /proc): run on with libgomp's default, as before.
  unsetenv("OMP_WAIT_POLICY");
  unsetenv(kSetByRecbench);
}

std::string openmp_wait_policy() {
  const char* policy = std::getenv("OMP_WAIT_POLICY");
  const char* spin = std::getenv("GOMP_SPINCOUNT");
  std::string text;
  if (policy != nullptr) text = std::string("OMP_WAIT_POLICY=") + policy;
  if (spin != nullptr) text += (text.empty() ? "" : ", ") + std::string("GOMP_SPINCOUNT=") + spin;
  if (text.empty()) return "libgomp's default spinning";
  return text + set_by(kSetByRecbench);
}

void keep_freed_memory() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 256 << 20);  // a fixed threshold also stops glibc's dynamic one
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

namespace {
constexpr const char* kOneDnnCache = "ONEDNN_PRIMITIVE_CACHE_CAPACITY";
constexpr const char* kDnnlCache = "DNNL_PRIMITIVE_CACHE_CAPACITY";  // oneDNN's older name
constexpr const char* kCacheSetByRecbench = "RECBENCH_SET_ONEDNN_CACHE";
}  // namespace

void limit_onednn_cache() {
  if (std::getenv(kOneDnnCache) != nullptr || std::getenv(kDnnlCache) != nullptr) return;
  setenv(kOneDnnCache, std::to_string(kOneDnnCacheCapacity).c_str(), 1);
  setenv(kCacheSetByRecbench, "1", 1);
}

std::string onednn_cache_capacity() {
  const char* value = std::getenv(kOneDnnCache);  // oneDNN reads this name first
  if (value == nullptr) value = std::getenv(kDnnlCache);
  if (value == nullptr) return "1024 (oneDNN's default)";
  return std::string(value) + set_by(kCacheSetByRecbench);
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
