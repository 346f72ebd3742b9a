// The host's side of data-parallel training: where a process learns its rank (a launcher's or
// Slurm's environment), the rendezvous, and the c10d process group behind DataParallel.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "recbench/distributed.h"

namespace recbench::dist {

//! Whether this build can train data-parallel (LibTorch's c10d with Gloo was found).
bool available();

//! A process's place in a data-parallel run, as a launcher or Slurm describes it.
struct WorkerEnv {
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;
  std::string master_addr;  //!< host of rank 0's rendezvous store
  int master_port = 0;
};

/// Reads RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR and MASTER_PORT (recbench run --nproc,
/// torchrun); under srun, when RANK and WORLD_SIZE are absent, SLURM_PROCID,
/// SLURM_STEP_NUM_TASKS and SLURM_LOCALID. nullopt when neither describes more than one process.
/// ConfigError naming the variable when one is missing or malformed. `get` reads a variable
/// (std::getenv by default; tests pass their own).
std::optional<WorkerEnv> worker_env_from(
    const std::function<std::optional<std::string>(const std::string&)>& get);
std::optional<WorkerEnv> worker_env();

/// The host's data-parallel group: DataParallel for plugins, plus a wait on rank 0 that may
/// take as long as an evaluation.
class ProcessGroup : public DataParallel {
 public:
  //! Broadcasts `values` from rank 0 with `timeout` (rank 0 may have evaluated meanwhile).
  virtual void share_from_root(std::vector<double>& values, std::chrono::milliseconds timeout) = 0;
  //! sum() with `timeout` (a rank may have evaluated meanwhile).
  virtual double sum_waiting(double value, std::chrono::milliseconds timeout) = 0;
  //! Bytes per all-reduce bucket of reduce_gradients().
  virtual void set_bucket_bytes(int64_t bytes) = 0;
};

/// Joins rank 0's TCPStore at master_addr:master_port (rank 0 hosts it) and a Gloo group
/// (NCCL for a CUDA `device` where the LibTorch has it). `timeout` bounds the rendezvous and
/// each collective. CollectiveError when the other ranks do not come.
std::unique_ptr<ProcessGroup> join(const WorkerEnv& env, std::chrono::milliseconds timeout,
                                   const torch::Device& device);

//! A Gloo group over a FileStore at `file` on the loopback interface (tests: threads or
//! processes of one machine).
std::unique_ptr<ProcessGroup> join_file_store(const std::filesystem::path& file, int rank,
                                              int world_size, std::chrono::milliseconds timeout);

}  // namespace recbench::dist
