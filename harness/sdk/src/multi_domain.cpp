// Regroups a SequenceSet into per-user mixed sequences and per-(user, domain) sequences.
#include "recbench/multi_domain.h"

#include <algorithm>
#include <map>
#include <numeric>

namespace recbench {

namespace {

//! Positions (into set.items) of each user's interactions, users in first-appearance order.
std::vector<std::pair<int64_t, std::vector<int64_t>>> positions_by_user(const SequenceSet& set) {
  std::vector<std::pair<int64_t, std::vector<int64_t>>> out;
  std::map<int64_t, size_t> slot;
  for (size_t row = 0; row < set.size(); ++row) {
    auto [it, fresh] = slot.try_emplace(set.users[row], out.size());
    if (fresh) out.emplace_back(set.users[row], std::vector<int64_t>{});
    auto& list = out[it->second].second;
    for (int64_t p = set.offsets[row]; p < set.offsets[row + 1]; ++p) list.push_back(p);
  }
  return out;
}

void append_positions(SequenceSet& out, const SequenceSet& set, int64_t user,
                      const std::vector<int64_t>& pos) {
  std::vector<ItemId> items;
  std::vector<int64_t> times;
  std::vector<int16_t> domains;
  for (int64_t p : pos) {
    items.push_back(set.items[p]);
    times.push_back(set.timestamps[p]);
    domains.push_back(set.domains[p]);
  }
  out.append(user, items, times, domains);
}

}  // namespace

MultiDomainSequences multi_domain_view(const SequenceSet& set, int64_t min_length) {
  MultiDomainSequences out;
  for (auto& [user, pos] : positions_by_user(set)) {
    std::stable_sort(pos.begin(), pos.end(),
                     [&](int64_t a, int64_t b) { return set.timestamps[a] < set.timestamps[b]; });
    if (static_cast<int64_t>(pos.size()) < min_length) continue;
    append_positions(out.mixed, set, user, pos);
    const auto mixed_row = static_cast<int64_t>(out.mixed.size() - 1);
    std::map<int16_t, std::vector<int64_t>> by_domain;  // ordered by domain id
    for (int64_t p : pos) by_domain[set.domains[p]].push_back(p);
    for (const auto& [domain, dpos] : by_domain) {
      if (static_cast<int64_t>(dpos.size()) < min_length) continue;
      append_positions(out.per_domain, set, user, dpos);
      out.domain_of.push_back(domain);
      out.mixed_row_of.push_back(mixed_row);
    }
  }
  return out;
}

}  // namespace recbench
