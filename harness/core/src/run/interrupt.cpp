// Signal handling of a run: the only signal-safe channel is one atomic flag.
#include "interrupt.h"

#include <atomic>
#include <csignal>

namespace recbench::run_detail {
namespace {

std::atomic<bool> g_interrupted{false};

extern "C" void on_interrupt(int signal) {
  g_interrupted = true;
  std::signal(signal, SIG_DFL);  // a second Ctrl-C ends the process at once
}

}  // namespace

bool interrupted() { return g_interrupted; }

void throw_if_interrupted() {
  if (g_interrupted) throw Interrupted{};
}

InterruptGuard::InterruptGuard() {
  g_interrupted = false;
  previous_int_ = std::signal(SIGINT, on_interrupt);
  previous_term_ = std::signal(SIGTERM, on_interrupt);
}

InterruptGuard::~InterruptGuard() {
  std::signal(SIGINT, previous_int_);
  std::signal(SIGTERM, previous_term_);
}

}  // namespace recbench::run_detail
