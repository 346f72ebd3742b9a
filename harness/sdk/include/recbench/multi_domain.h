// Multi-domain view of a SequenceSet: per user, one sequence per domain and one all-domain mixed
// sequence in time order (CPRec's two kinds of behaviour sequences).
#pragma once

#include <cstdint>
#include <vector>

#include "recbench/data.h"
#include "recbench/export.h"

namespace recbench {

//! Sequences regrouped by user: `mixed` has one sequence per user holding every interaction of
//! that user, stably sorted by time (equal times keep their input order); `per_domain` has one
//! sequence per (user, domain) pair, the user's interactions of that domain in the same order.
struct MultiDomainSequences {
  SequenceSet mixed;                  //!< one per user, users in first-appearance order
  SequenceSet per_domain;             //!< grouped by user (same order as mixed), then domain id
  std::vector<int16_t> domain_of;     //!< domain of each per_domain sequence
  std::vector<int64_t> mixed_row_of;  //!< row of `mixed` each per_domain sequence came from
};

/// Builds both views from `set`, whose sequences may be one per user (a prepared dataset) or
/// several per user (e.g. one per domain): they are merged by the `users` index. Sequences
/// shorter than `min_length` items are left out of either view.
RECBENCH_API MultiDomainSequences multi_domain_view(const SequenceSet& set, int64_t min_length = 1);

}  // namespace recbench
