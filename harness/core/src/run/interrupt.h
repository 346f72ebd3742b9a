// Ctrl-C and SIGTERM during a run: a flag checked between epochs and cells, never mid-write.
#pragma once

namespace recbench::run_detail {

//! Thrown inside a cell when the user interrupted; the cell is not recorded.
struct Interrupted {};

//! True once SIGINT or SIGTERM arrived while an InterruptGuard was alive.
bool interrupted();
//! Throws Interrupted when interrupted().
void throw_if_interrupted();

//! Catches SIGINT/SIGTERM for its lifetime (a second signal ends the process at once), then
//! restores the previous handlers.
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  void (*previous_int_)(int);
  void (*previous_term_)(int);
};

}  // namespace recbench::run_detail
