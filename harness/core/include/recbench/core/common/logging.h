// The process logger: console plus an optional log file beside the results.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

namespace spdlog {
class logger;
}

namespace recbench {

//! Creates (or reconfigures) the "recbench" logger; an unknown level is a ConfigError.
std::shared_ptr<spdlog::logger> make_logger(const std::string& level,
                                            const std::filesystem::path& log_file = {});

}  // namespace recbench
