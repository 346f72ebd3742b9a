// The --nproc launcher: free port, fork/exec of the workers, signal forwarding, and the first
// worker failure stopping the rest.
#include "launcher.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <thread>

#include "commands.h"
#include "recbench/error.h"

extern char** environ;

namespace recbench::cli {
namespace {

// The workers' pids, for the signal handler (which may only use async-signal-safe calls).
constexpr int kMaxWorkers = 1024;
pid_t g_workers[kMaxWorkers];
std::atomic<int> g_count{0};
std::atomic<int> g_forwarded{0};  //!< the last signal forwarded to the workers

extern "C" void forward_signal(int signal) {
  g_forwarded = signal;
  for (int i = 0; i < g_count; ++i) {
    if (g_workers[i] > 0) kill(g_workers[i], signal);
  }
}

//! A TCP port of 127.0.0.1 that was free a moment ago (the kernel's choice, as torchrun does).
int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw Error(std::string("--nproc: cannot open a socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  close(fd);
  if (!ok) throw Error(std::string("--nproc: cannot find a free port: ") + std::strerror(errno));
  return ntohs(addr.sin_port);
}

//! The environment of worker `rank`: ours with the launcher's variables replaced.
std::vector<std::string> worker_environment(int rank, int nproc, int port) {
  const std::vector<std::pair<std::string, std::string>> set = {
      {"RANK", std::to_string(rank)},
      {"LOCAL_RANK", std::to_string(rank)},
      {"WORLD_SIZE", std::to_string(nproc)},
      {"MASTER_ADDR", "127.0.0.1"},
      {"MASTER_PORT", std::to_string(port)}};
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const std::string name = entry.substr(0, entry.find('='));
    bool replaced = false;
    for (const auto& [key, value] : set) replaced = replaced || key == name;
    if (!replaced) env.push_back(entry);
  }
  for (const auto& [key, value] : set) env.push_back(key + "=" + value);
  // N processes of all-core thread pools would fight over the cores (torchrun sets 1).
  if (std::getenv("OMP_NUM_THREADS") == nullptr) {
    const unsigned cores = std::max(1U, std::thread::hardware_concurrency());
    env.push_back("OMP_NUM_THREADS=" + std::to_string(std::max(1U, cores / nproc)));
  }
  return env;
}

pid_t start_worker(const std::string& exe, const std::vector<std::string>& args,
                   const std::vector<std::string>& env) {
  std::vector<char*> argv, envp;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) throw Error(std::string("--nproc: fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    // Own process group: a terminal's Ctrl-C reaches the launcher only, which forwards it once.
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGTERM);  // the launcher's death (even kill -9) stops the worker
    if (getppid() != parent) _exit(kExitRankFailed);
    execve(exe.c_str(), argv.data(), envp.data());
    std::fprintf(stderr, "recbench run: cannot start %s: %s\n", exe.c_str(), std::strerror(errno));
    _exit(kExitRankFailed);
  }
  return pid;
}

//! "exited with status 2" or "was killed by signal 9 (Killed)".
std::string describe(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    return "was killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
           strsignal(WTERMSIG(status)) + ")";
  }
  return "ended with wait status " + std::to_string(status);
}

//! A worker's end that is part of a normal run: success, failed cells, or a forwarded Ctrl-C.
bool clean_end(int status) {
  if (!WIFEXITED(status)) return false;
  const int code = WEXITSTATUS(status);
  return code == kExitOk || code == kExitFailedCells || code == kExitInterrupted;
}

int exit_code(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

int launch_workers(int nproc, const std::vector<std::string>& run_args) {
  if (nproc > kMaxWorkers) {
    throw ConfigError("--nproc " + std::to_string(nproc) + ": at most " +
                      std::to_string(kMaxWorkers) + " processes");
  }
  const std::string exe = std::filesystem::read_symlink("/proc/self/exe").string();
  std::vector<std::string> args{exe, "run"};
  args.insert(args.end(), run_args.begin(), run_args.end());
  const int port = free_port();
  struct sigaction action {};
  action.sa_handler = forward_signal;
  sigemptyset(&action.sa_mask);
  struct sigaction old_int {
  }, old_term{};
  sigaction(SIGINT, &action, &old_int);
  sigaction(SIGTERM, &action, &old_term);
  std::vector<int> status(static_cast<size_t>(nproc), -1);
  for (int rank = 0; rank < nproc; ++rank) {
    g_workers[rank] = start_worker(exe, args, worker_environment(rank, nproc, port));
    g_count = rank + 1;
  }
  int running = nproc, failed_rank = -1;
  auto deadline = std::chrono::steady_clock::time_point::max();
  while (running > 0) {
    int st = 0;
    const pid_t pid = waitpid(-1, &st, failed_rank < 0 ? 0 : WNOHANG);
    if (pid < 0 && errno == EINTR) continue;
    if (pid < 0) break;  // no child left
    if (pid == 0) {      // stopping the others: give them a grace period, then SIGKILL
      if (std::chrono::steady_clock::now() > deadline) {
        for (int i = 0; i < nproc; ++i) {
          if (status[static_cast<size_t>(i)] == -1) kill(g_workers[i], SIGKILL);
        }
        deadline = std::chrono::steady_clock::time_point::max();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    int rank = 0;
    while (rank < nproc && g_workers[rank] != pid) ++rank;
    if (rank == nproc) continue;
    status[static_cast<size_t>(rank)] = st;
    g_workers[rank] = 0;
    --running;
    if (failed_rank < 0 && !clean_end(st)) {
      failed_rank = rank;
      std::cerr << "recbench run: rank " << rank << " of " << nproc << " (pid " << pid << ") "
                << describe(st) << "; stopping the other ranks\n";
      forward_signal(SIGTERM);
      deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    }
  }
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
  g_count = 0;
  if (failed_rank >= 0) {
    const int code = exit_code(status[static_cast<size_t>(failed_rank)]);
    return code == kExitOk ? kExitRankFailed : code;
  }
  if (g_forwarded != 0) return kExitInterrupted;
  return exit_code(status[0]);
}

}  // namespace recbench::cli
