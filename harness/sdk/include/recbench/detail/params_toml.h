// Host-side construction of Params from a parsed toml++ table (keeps source positions for errors).
#pragma once

#include <string>

#include <toml++/toml.h>

#include "recbench/params.h"

namespace recbench {

//! `table` may be null (no table given). Positions in messages come from the table's nodes.
RECBENCH_API Params make_params(std::string owner, const toml::table* table, std::string source);

}  // namespace recbench
