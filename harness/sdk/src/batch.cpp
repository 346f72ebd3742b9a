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

HistoryBatch keep_recent(const HistoryBatch& batch, int64_t max_len, bool pad_to) {
  const int64_t width = batch.items.size(1);
  const int64_t out_width = pad_to ? max_len : std::min(width, max_len);
  if (out_width == width && batch.lengths.le(max_len).all().item<bool>()) return batch;
  auto lengths = batch.lengths.clamp_max(max_len);
  auto start = (batch.lengths - lengths).unsqueeze(1);                        // [B, 1]
  auto pos = torch::arange(out_width, batch.lengths.options()).unsqueeze(0);  // [1, W']
  auto index = (start + pos).clamp_max(width - 1);
  auto items = batch.items.gather(1, index).masked_fill(pos >= lengths.unsqueeze(1), kPaddingItem);
  return {items, lengths, batch.users};
}

}  // namespace recbench
