// Reading a generated answer as a choice among candidate titles, as LLaRA's evaluation does.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "recbench/export.h"

namespace recbench::llm {

/// LLaRA's rule (ljy0ustc/LLaRA, model/model_interface.py: the generation's first line, then
/// calculate_hr1): the answer's first line and every candidate title are stripped of surrounding
/// whitespace and lower-cased (full Unicode case mapping, as Python's str.lower); a candidate
/// matches when its title is a substring of the answer. Returns the index of the one matching
/// candidate, or nullopt when none or several match (an invalid answer: ValidRatio).
RECBENCH_API std::optional<size_t> llara_answer(std::string_view generated,
                                                std::span<const std::string> titles);

}  // namespace recbench::llm
