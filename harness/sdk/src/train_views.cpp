// Prefix, every-position and last-item training views: sample lists, deterministic shuffling,
// batching.
#include "recbench/train_views.h"

#include <algorithm>
#include <numeric>
#include <random>
#include <string>
#include <tuple>

#include "recbench/error.h"
#include "recbench/random.h"

namespace recbench {

uint64_t mix_seed(uint64_t seed, uint64_t salt) { return mix64(seed + kGoldenGamma * salt); }

TrainView::TrainView(TrainMode mode, const SequenceSet& set, int64_t max_len)
    : mode_(mode), set_(&set), max_len_(max_len) {
  if (max_len < 1) {
    throw ConfigError("training view: max_len must be >= 1, got " + std::to_string(max_len));
  }
}

TrainView TrainView::prefix(const SequenceSet& set, int64_t max_len) {
  TrainView view(TrainMode::prefix, set, max_len);
  for (size_t row = 0; row < set.size(); ++row) {
    const auto n = static_cast<int64_t>(set.sequence(row).size());
    for (int64_t t = 1; t < n; ++t) {
      view.samples_.push_back(
          {static_cast<int64_t>(row), std::max<int64_t>(0, t - max_len), t + 1});
    }
    view.num_targets_ += std::max<int64_t>(0, n - 1);
  }
  return view;
}

TrainView TrainView::every_position(const SequenceSet& set, int64_t max_len) {
  TrainView view(TrainMode::every_position, set, max_len);
  for (size_t row = 0; row < set.size(); ++row) {
    const auto n = static_cast<int64_t>(set.sequence(row).size());
    // Windows [end - max_len - 1, end) for end = n, n - max_len, ... while a target remains.
    for (int64_t end = n; end >= 2; end -= max_len) {
      view.samples_.push_back(
          {static_cast<int64_t>(row), std::max<int64_t>(0, end - max_len - 1), end});
    }
    view.num_targets_ += std::max<int64_t>(0, n - 1);
  }
  return view;
}

TrainView TrainView::last(const SequenceSet& set, int64_t max_len) {
  TrainView view(TrainMode::last, set, max_len);
  for (size_t row = 0; row < set.size(); ++row) {
    const auto n = static_cast<int64_t>(set.sequence(row).size());
    if (n >= 2) {
      view.samples_.push_back(
          {static_cast<int64_t>(row), std::max<int64_t>(0, n - 1 - max_len), n});
      ++view.num_targets_;
    }
  }
  return view;
}

TrainView TrainView::make(TrainMode mode, const SequenceSet& set, int64_t max_len) {
  switch (mode) {
    case TrainMode::prefix:
      return prefix(set, max_len);
    case TrainMode::every_position:
      return every_position(set, max_len);
    case TrainMode::last:
      return last(set, max_len);
  }
  throw Error("training view: unknown mode");
}

void TrainView::shuffle(uint64_t seed) {
  std::sort(samples_.begin(), samples_.end(), [](const Sample& a, const Sample& b) {
    return std::tie(a.row, a.begin, a.end) < std::tie(b.row, b.begin, b.end);
  });
  std::mt19937_64 rng(seed);
  for (size_t i = samples_.size(); i > 1; --i) {
    std::swap(samples_[i - 1], samples_[rng() % i]);
  }
}

TrainBatch TrainView::batch(int64_t index, int64_t batch_size, const torch::Device& device) const {
  const int64_t first = index * batch_size;
  const int64_t count = std::min<int64_t>(batch_size, size() - first);
  if (first < 0 || count <= 0) {
    throw Error("training view: batch " + std::to_string(index) + " out of range (" +
                std::to_string(num_batches(batch_size)) + " batches)");
  }
  int64_t width = 1;
  for (int64_t i = first; i < first + count; ++i) {
    width = std::max(width, samples_[i].end - samples_[i].begin - 1);
  }
  const bool every = mode_ == TrainMode::every_position;
  std::vector<int64_t> items(count * width, kPaddingItem), lengths(count), users(count);
  std::vector<int64_t> targets(every ? count * width : count, kPaddingItem);
  for (int64_t b = 0; b < count; ++b) {
    const Sample& s = samples_[first + b];
    const ItemId* seq = set_->sequence(s.row).data();
    const int64_t len = s.end - s.begin - 1;
    std::copy(seq + s.begin, seq + s.end - 1, items.begin() + b * width);
    if (every) {
      std::copy(seq + s.begin + 1, seq + s.end, targets.begin() + b * width);
    } else {
      targets[b] = seq[s.end - 1];
    }
    lengths[b] = len;
    users[b] = set_->users[s.row];
  }
  auto opts = torch::TensorOptions().dtype(torch::kInt64);
  auto to_tensor = [&](std::vector<int64_t>& v, const std::vector<int64_t>& shape) {
    return torch::from_blob(v.data(), shape, opts).clone().to(device);
  };
  TrainBatch out;
  out.items = to_tensor(items, {count, width});
  out.lengths = to_tensor(lengths, {count});
  out.users = to_tensor(users, {count});
  out.targets = every ? to_tensor(targets, {count, width}) : to_tensor(targets, {count});
  return out;
}

std::vector<LengthGroup> length_groups(const torch::Tensor& lengths, int64_t narrowest) {
  const torch::Tensor host = lengths.to(torch::kCPU, torch::kInt64).contiguous();
  const int64_t* len = host.data_ptr<int64_t>();
  std::vector<std::vector<int64_t>> rows;  // group g: lengths in (narrowest 2^(g-1), narrowest 2^g]
  std::vector<int64_t> widths;
  for (int64_t r = 0; r < host.numel(); ++r) {
    size_t g = 0;
    for (int64_t bound = narrowest; len[r] > bound; bound *= 2) ++g;
    if (g >= rows.size()) {
      rows.resize(g + 1);
      widths.resize(g + 1, 0);
    }
    rows[g].push_back(r);
    widths[g] = std::max(widths[g], len[r]);
  }
  std::vector<LengthGroup> groups;
  for (size_t g = 0; g < rows.size(); ++g) {
    if (rows[g].empty()) continue;
    groups.push_back({torch::tensor(rows[g], torch::kInt64).to(lengths.device()), widths[g]});
  }
  return groups;
}

torch::Tensor LengthGroup::take(const torch::Tensor& t) const {
  auto picked = rows.size(0) == t.size(0) ? t : t.index_select(0, rows);
  return picked.dim() >= 2 && picked.size(1) > width ? picked.narrow(1, 0, width) : picked;
}

std::vector<TrainBatch> group_by_length(const TrainBatch& batch, int64_t narrowest) {
  std::vector<TrainBatch> groups;
  for (const LengthGroup& g : length_groups(batch.lengths, narrowest)) {
    groups.push_back(
        {g.take(batch.items), g.take(batch.lengths), g.take(batch.users), g.take(batch.targets)});
  }
  return groups;
}

}  // namespace recbench
