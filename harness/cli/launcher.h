// `recbench run --nproc N`: a local launcher, like torchrun, for data-parallel training.
#pragma once

#include <string>
#include <vector>

namespace recbench::cli {

/// Starts `nproc` copies of this executable as `recbench run ARGS` (ARGS without --nproc), with
/// RANK, LOCAL_RANK, WORLD_SIZE, MASTER_ADDR=127.0.0.1 and a free MASTER_PORT in their
/// environment (and OMP_NUM_THREADS = cores / nproc unless set), forwards SIGINT and SIGTERM to
/// them and waits. When one dies or fails, stops the others and reports which rank and how.
/// Returns rank 0's exit status when every worker ended cleanly.
int launch_workers(int nproc, const std::vector<std::string>& run_args);

}  // namespace recbench::cli
