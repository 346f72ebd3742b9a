// Builds padded history tensors from CSR sequences.
#include "recbench/batch.h"

#include <algorithm>
#include <vector>

namespace recbench {

HistoryBatch make_history_batch(const SequenceSet& set, std::span<const int64_t> rows,
                                int64_t max_len, const torch::Device& device) {
  const auto batch = static_cast<int64_t>(rows.size());
  int64_t width = 1;
  for (int64_t r : rows) {
    width = std::max<int64_t>(width, std::min<int64_t>(max_len, set.sequence(r).size()));
  }
  std::vector<int64_t> items(batch * width, kPaddingItem), lengths(batch), users(batch);
  for (int64_t b = 0; b < batch; ++b) {
    auto seq = set.sequence(rows[b]);
    const auto len = std::min<int64_t>(max_len, seq.size());
    std::copy(seq.end() - len, seq.end(), items.begin() + b * width);
    lengths[b] = std::max<int64_t>(len, 1);
    users[b] = set.users[rows[b]];
  }
  auto opts = torch::TensorOptions().dtype(torch::kInt64);
  HistoryBatch out;
  out.items = torch::from_blob(items.data(), {batch, width}, opts).clone().to(device);
  out.lengths = torch::from_blob(lengths.data(), {batch}, opts).clone().to(device);
  out.users = torch::from_blob(users.data(), {batch}, opts).clone().to(device);
  return out;
}

}  // namespace recbench
