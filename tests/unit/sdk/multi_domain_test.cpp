// multi_domain_view: per-user mixed sequences in time order (stable on ties), per-domain
// sequences, and the minimum length.
#include <gtest/gtest.h>

#include "recbench/multi_domain.h"

namespace recbench {
namespace {

std::vector<ItemId> items_of(const SequenceSet& s, size_t i) {
  const auto seq = s.sequence(i);
  return {seq.begin(), seq.end()};
}

TEST(MultiDomain, MergesUsersInTimeOrderAndSplitsDomains) {
  SequenceSet set;  // user 7 arrives in two pieces; user 3 has one domain only
  set.append(7, std::vector<ItemId>{10, 11}, std::vector<int64_t>{5, 9},
             std::vector<int16_t>{1, 1});
  set.append(3, std::vector<ItemId>{20, 21, 22}, std::vector<int64_t>{1, 2, 3},
             std::vector<int16_t>{0, 0, 0});
  set.append(7, std::vector<ItemId>{12, 13, 14}, std::vector<int64_t>{5, 1, 12},
             std::vector<int16_t>{0, 0, 0});
  const MultiDomainSequences v = multi_domain_view(set);
  EXPECT_EQ(v.mixed.users, (std::vector<int64_t>{7, 3}));
  EXPECT_EQ(items_of(v.mixed, 0),
            (std::vector<ItemId>{13, 10, 12, 11, 14}));  // 5 == 5: input order
  EXPECT_EQ(std::vector<int64_t>(v.mixed.times(0).begin(), v.mixed.times(0).end()),
            (std::vector<int64_t>{1, 5, 5, 9, 12}));
  ASSERT_EQ(v.per_domain.size(), 3u);
  EXPECT_EQ(items_of(v.per_domain, 0), (std::vector<ItemId>{13, 12, 14}));  // user 7, domain 0
  EXPECT_EQ(items_of(v.per_domain, 1), (std::vector<ItemId>{10, 11}));      // user 7, domain 1
  EXPECT_EQ(v.domain_of, (std::vector<int16_t>{0, 1, 0}));
  EXPECT_EQ(v.mixed_row_of, (std::vector<int64_t>{0, 0, 1}));
  EXPECT_EQ(v.per_domain.domains[3], 1);

  const MultiDomainSequences longer = multi_domain_view(set, 3);
  EXPECT_EQ(longer.mixed.size(), 2u);
  EXPECT_EQ(longer.per_domain.size(), 2u);  // user 7's domain 1 has only two items
  EXPECT_EQ(longer.domain_of, (std::vector<int16_t>{0, 0}));
}

}  // namespace
}  // namespace recbench
