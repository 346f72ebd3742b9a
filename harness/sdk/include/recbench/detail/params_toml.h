// Host-side construction of Params from a parsed toml++ table (keeps source positions for errors).
#pragma once

#include <functional>
#include <map>
#include <string>

#include <toml++/toml.h>

#include "recbench/params.h"

namespace recbench {

//! Where each top-level key's value starts. toml++ drops source positions when a node is copied,
//! so they are read from the freshly parsed table and travel beside its copies.
using KeyPositions = std::map<std::string, toml::source_position, std::less<>>;
RECBENCH_API KeyPositions key_positions(const toml::table& table);

//! `table` may be null (no table given). Positions in messages come from the table's nodes, or
//! from `positions` when the table is a copy (a copy has none of its own).
RECBENCH_API Params make_params(std::string owner, const toml::table* table, std::string source,
                                const KeyPositions* positions = nullptr);

}  // namespace recbench
