// Logger set-up: console on stderr, optional file sink, strict level names.
#include "recbench/core/common/logging.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "recbench/error.h"

namespace recbench {

std::shared_ptr<spdlog::logger> make_logger(const std::string& level,
                                            const std::filesystem::path& log_file) {
  const auto parsed = spdlog::level::from_str(level);
  // from_str() maps unknown names to "off"; silence must be asked for, not a typo's result.
  if (parsed == spdlog::level::off && level != "off") {
    throw ConfigError("unknown log level '" + level +
                      "'; known levels: trace, debug, info, warn, error, critical, off");
  }
  std::vector<spdlog::sink_ptr> sinks{std::make_shared<spdlog::sinks::stderr_color_sink_mt>()};
  if (!log_file.empty()) {
    if (log_file.has_parent_path()) std::filesystem::create_directories(log_file.parent_path());
    sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(log_file.string()));
    sinks.back()->set_level(spdlog::level::debug < parsed ? spdlog::level::debug : parsed);
  }
  auto logger = std::make_shared<spdlog::logger>("recbench", sinks.begin(), sinks.end());
  sinks.front()->set_level(parsed);
  logger->set_level(std::min(parsed, sinks.size() > 1 ? spdlog::level::debug : parsed));
  logger->set_pattern("[%H:%M:%S] %^%l%$ %v");
  logger->flush_on(spdlog::level::info);
  spdlog::drop("recbench");
  spdlog::register_logger(logger);
  return logger;
}

}  // namespace recbench
