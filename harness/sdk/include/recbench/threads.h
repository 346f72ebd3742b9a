// CPU settings of a process: thread pools (LibTorch's and the BLAS library's) and the allocator.
#pragma once

#include <string>

#include "recbench/export.h"

namespace recbench {

//! Sets LibTorch's intra-op threads to `threads` (> 0) and, where the process uses OpenBLAS, its
//! thread pool too: at::set_num_threads does not reach OpenBLAS's pthreads pool, which otherwise
//! keeps one thread per core that spins in sched_yield between products (measured: twice the CPU
//! time of a 1-thread LLM scoring run for the same wall time). Returns true when OpenBLAS was
//! found and set.
RECBENCH_API bool set_cpu_threads(int threads);

//! The CPUs this process may use and why: its affinity mask (taskset, Slurm's cpusets), capped
//! by a cgroup v2 CPU quota (containers' --cpus) rounded up; at least 1.
struct RECBENCH_API UsableCpus {
  int count = 1;
  int affinity = 0;          //!< CPUs in the affinity mask
  double quota = 0;          //!< cgroup CPU quota in CPUs; 0 when unlimited or unknown
  std::string text() const;  //!< e.g. "2 (affinity 2, no cgroup quota)"
};
RECBENCH_API UsableCpus usable_cpus();

//! libgomp (LibTorch's and OpenBLAS's OpenMP) reads how idle threads wait once, when it loads,
//! before main(). Its default spins 300,000 iterations at every barrier: harmless alone, but with
//! two processes on the same cores each one's spinning threads take the CPU from the other's
//! working ones (GRU4Rec, two runs on 2 cores: 11x slower each; docs/performance.md). Unless the
//! user set OMP_WAIT_POLICY or GOMP_SPINCOUNT, this sets OMP_WAIT_POLICY=passive and executes
//! the program again (returns only when it did not).
RECBENCH_API void reexec_with_passive_waiting(char** argv);
//! How OpenMP threads wait in this process, e.g. "OMP_WAIT_POLICY=passive (set by recbench)".
RECBENCH_API std::string openmp_wait_policy();

//! Keeps freed tensor buffers in the process (glibc malloc: blocks up to 256 MiB come from the
//! heap, and up to 1 GiB of free heap top is kept). With glibc's defaults a forward pass that frees
//! and reallocates the same large buffers gets fresh zeroed pages from the kernel on every reuse:
//! page faults were 9% of the LLM scoring benchmark's time, and this setting made it ~1.4x faster.
//! The heap top is kept up to 1 GiB, not 256 MiB, because a batch may free several blocks there
//! at once (Caser on S3-Rec Beauty: three of 99 MB), which a lower bound gives back and faults in
//! again every batch (43% of Caser's time was in the kernel; docs/performance.md).
//! Call once at the start of main(); a no-op on other C libraries.
RECBENCH_API void keep_freed_memory();

//! How many compiled primitives recbench lets oneDNN keep (limit_onednn_cache()).
inline constexpr int kOneDnnCacheCapacity = 16;

//! oneDNN, inside LibTorch, runs GELU, convolutions and bfloat16 products on the CPU and keeps
//! one compiled primitive per tensor shape, up to 1,024 by default, several MB each. Length groups
//! and evaluation batches bring new shapes all the time: BERT4Rec on S3-Rec Beauty grew to 14 GB
//! in 27 epochs (docs/performance.md). Unless the user set ONEDNN_PRIMITIVE_CACHE_CAPACITY or
//! DNNL_PRIMITIVE_CACHE_CAPACITY, this sets the first to kOneDnnCacheCapacity. Call at the start
//! of main(), before any tensor operation: oneDNN reads the variable once, at its first primitive.
RECBENCH_API void limit_onednn_cache();
//! The oneDNN primitive cache's capacity and who set it, e.g. "16 (set by recbench)".
RECBENCH_API std::string onednn_cache_capacity();

//! The BLAS library this process runs its matrix products on, as its own configuration line plus
//! its threading, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64 (OpenMP)";
//! "unknown BLAS" where it is not OpenBLAS. Logged with every run: a pthreads OpenBLAS next to
//! LibTorch's OpenMP pool costs SASRec training ~1.8x (see cmake/RecbenchDependencies.cmake).
RECBENCH_API std::string blas_description();

//! OpenBLAS's threading model: "sequential", "pthreads" or "OpenMP"; empty where not OpenBLAS.
RECBENCH_API std::string blas_threading();

}  // namespace recbench
