// Progress lines for long loops (rate-limited so logs stay readable).
#include "recbench/progress.h"

#include <spdlog/spdlog.h>

namespace recbench {

namespace {
constexpr double kPrintEverySeconds = 5.0;

std::string format_seconds(double s) {
  if (s < 60) return fmt::format("{:.0f}s", s);
  if (s < 3600) return fmt::format("{:.0f}m{:02.0f}s", std::floor(s / 60), std::fmod(s, 60));
  return fmt::format("{:.0f}h{:02.0f}m", std::floor(s / 3600), std::fmod(s, 3600) / 60);
}
}  // namespace

Progress::Progress(spdlog::logger& log, std::string what, int64_t total, std::string unit)
    : log_(log), what_(std::move(what)), unit_(std::move(unit)), total_(total) {
  start_ = last_print_ = std::chrono::steady_clock::now();
}

void Progress::step(double loss, int64_t examples) {
  ++done_;
  examples_ += examples;
  loss_sum_ += loss;
  auto now = std::chrono::steady_clock::now();
  if (std::chrono::duration<double>(now - last_print_).count() >= kPrintEverySeconds) {
    last_print_ = now;
    print(false);
  }
}

void Progress::resume(int64_t steps, double loss_sum) {
  done_ = resumed_ = steps;
  loss_sum_ = loss_sum;
}

double Progress::mean_loss() const { return done_ > 0 ? loss_sum_ / done_ : 0.0; }

void Progress::finish() { print(true); }

void Progress::print(bool final) {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double rate = elapsed > 0 ? examples_ / elapsed : 0.0;
  std::string eta;
  if (!final && total_ > 0 && done_ > resumed_) {
    eta = " eta " + format_seconds(elapsed / static_cast<double>(done_ - resumed_) *
                                   static_cast<double>(total_ - done_));
  } else if (final && done_ > resumed_) {  // the step time, finer than whole seconds (benchmarks)
    eta = fmt::format(" ({:.1f} ms/{})", 1000.0 * elapsed / static_cast<double>(done_ - resumed_),
                      unit_);
  }
  std::string count = total_ > 0 ? fmt::format("{}/{}", done_, total_) : fmt::format("{}", done_);
  log_.info("{} {} {} loss {:.4f} {:.0f} ex/s {}{}", what_, unit_, count, mean_loss(), rate,
            final ? "done in " + format_seconds(elapsed) : "elapsed " + format_seconds(elapsed),
            eta);
}

}  // namespace recbench
