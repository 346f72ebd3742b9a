// prepare_dataset: raw interactions -> dedup, k-core, time sort, dense ids, leave-one-out split.
#include <algorithm>
#include <limits>
#include <numeric>
#include <optional>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "recbench/core/data/dataset.h"
#include "recbench/core/data/dataset_cache.h"
#include "recbench/core/data/split.h"
#include "recbench/core/readers/raw_reader.h"
#include "recbench/core/synth/synthetic_world.h"
#include "recbench/error.h"

namespace recbench {
namespace {

//! Hashes std::string and std::string_view alike (lookups without a temporary string).
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <typename V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

//! Interns strings to dense indices in order of first appearance. Open addressing over one byte
//! arena: a lookup touches one slot and one run of arena bytes and a new string allocates nothing
//! of its own (an unordered_map<std::string> costs a node, a key copy and ~3 cache misses).
class Interner {
 public:
  int32_t id(std::string_view text) {
    if ((size() + 1) * 2 > slots_.size()) grow();
    const uint64_t hash = std::hash<std::string_view>{}(text);
    const auto tag = static_cast<uint32_t>(hash >> 32);
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      Slot& slot = slots_[i];
      if (slot.id < 0) {
        slot = {tag, static_cast<int32_t>(size())};
        arena_.append(text);
        ends_.push_back(arena_.size());
        return slot.id;
      }
      if (slot.tag == tag && name(slot.id) == text) return slot.id;
    }
  }
  //! The id of `text` if it was interned, without interning it.
  std::optional<int32_t> find(std::string_view text) const {
    if (slots_.empty()) return std::nullopt;
    const uint64_t hash = std::hash<std::string_view>{}(text);
    const auto tag = static_cast<uint32_t>(hash >> 32);
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask; slots_[i].id >= 0; i = (i + 1) & mask) {
      if (slots_[i].tag == tag && name(slots_[i].id) == text) return slots_[i].id;
    }
    return std::nullopt;
  }
  std::string_view name(int32_t id) const {
    const auto i = static_cast<size_t>(id);
    const size_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(arena_).substr(begin, ends_[i] - begin);
  }
  size_t size() const { return ends_.size(); }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    out.reserve(size());
    for (size_t i = 0; i < size(); ++i) out.emplace_back(name(static_cast<int32_t>(i)));
    return out;
  }

 private:
  struct Slot {
    uint32_t tag = 0;  //!< high half of the hash: most mismatches end here, without the arena
    int32_t id = -1;   //!< -1: empty
  };
  void grow() {
    std::vector<Slot> old(std::max<size_t>(64, slots_.size() * 2));
    old.swap(slots_);
    const size_t mask = slots_.size() - 1;
    for (int32_t id = 0; id < static_cast<int32_t>(size()); ++id) {
      const uint64_t hash = std::hash<std::string_view>{}(name(id));
      size_t i = hash & mask;
      while (slots_[i].id >= 0) i = (i + 1) & mask;
      slots_[i] = {static_cast<uint32_t>(hash >> 32), id};
    }
  }

  std::string arena_;         //!< every string, back to back
  std::vector<size_t> ends_;  //!< ends_[id]: one past the last byte of string id in arena_
  std::vector<Slot> slots_;   //!< power-of-two size, load at most one half
};

struct RawRow {
  int32_t user, item;
  int64_t time;
  int32_t domain;  //!< -1: not given by the reader
};

struct ItemText {
  std::string title, category;
  int32_t domain = -1;
};

//! Collects what a reader streams; file order is the row order.
class CollectingSink : public RawSink {
 public:
  void interaction(std::string_view user, std::string_view item, int64_t timestamp,
                   std::string_view domain) override {
    rows.push_back(
        {users.id(user), items.id(item), timestamp, domain.empty() ? -1 : domains.id(domain)});
  }
  void item(std::string_view item, std::string_view title, std::string_view category,
            std::string_view domain) override {
    if (text.find(item) != text.end()) {
      return;
    }
    text[std::string(item)] = {std::string(title), std::string(category),
                               domain.empty() ? -1 : domains.id(domain)};
    text_order.emplace_back(item);
  }

  std::vector<RawRow> rows;
  Interner users, items, domains;
  StringMap<ItemText> text;
  std::vector<std::string> text_order;  //!< items of the item file, in file order
};

//! Row indices grouped by user, each group sorted by time; ties keep file order.
std::vector<size_t> time_sorted(const std::vector<RawRow>& rows, size_t num_users) {
  std::vector<size_t> start(num_users + 1, 0);  // counting sort by user keeps file order
  for (const auto& r : rows) {
    ++start[static_cast<size_t>(r.user) + 1];
  }
  std::partial_sum(start.begin(), start.end(), start.begin());
  std::vector<size_t> order(rows.size()), next(start.begin(), start.end() - 1);
  for (size_t r = 0; r < rows.size(); ++r) {
    order[next[static_cast<size_t>(rows[r].user)]++] = r;
  }
  for (size_t u = 0; u < num_users; ++u) {
    std::stable_sort(order.begin() + static_cast<std::ptrdiff_t>(start[u]),
                     order.begin() + static_cast<std::ptrdiff_t>(start[u + 1]),
                     [&](size_t a, size_t b) { return rows[a].time < rows[b].time; });
  }
  return order;
}

//! The rows of `order` in file order.
std::vector<size_t> in_file_order(const std::vector<size_t>& order, size_t num_rows) {
  std::vector<char> kept(num_rows, 0);
  for (size_t r : order) {
    kept[r] = 1;
  }
  std::vector<size_t> out;
  out.reserve(order.size());
  for (size_t r = 0; r < num_rows; ++r) {
    if (kept[r] != 0) {
      out.push_back(r);
    }
  }
  return out;
}

//! Drops repeated (user, item) pairs of a time-sorted order, keeping the earliest. `order` holds
//! each user's rows together (time_sorted), so one mark per item (the last user seen with it)
//! finds the repeats without hashing.
void dedup(const std::vector<RawRow>& rows, std::vector<size_t>& order) {
  int32_t max_item = 0;
  for (const auto& r : rows) max_item = std::max(max_item, r.item);
  std::vector<int32_t> last_user(static_cast<size_t>(max_item) + 1, -1);
  std::vector<size_t> kept;
  kept.reserve(order.size());
  for (size_t r : order) {
    int32_t& mark = last_user[static_cast<size_t>(rows[r].item)];
    if (mark != rows[r].user) {
      mark = rows[r].user;
      kept.push_back(r);
    }
  }
  order.swap(kept);
}

//! Removes rows of users with < max(user_core, min_length) rows and of items with < item_core
//! rows, repeatedly, until nothing changes (a fixpoint: the result satisfies both bounds).
void k_core(const std::vector<RawRow>& rows, const FilterOptions& filter,
            std::vector<size_t>& order) {
  const int64_t user_min = std::max(filter.user_core, filter.min_length);
  int32_t max_user = 0, max_item = 0;
  for (const auto& r : rows) {
    max_user = std::max(max_user, r.user);
    max_item = std::max(max_item, r.item);
  }
  std::vector<int64_t> per_user(static_cast<size_t>(max_user) + 1),
      per_item(static_cast<size_t>(max_item) + 1);
  for (bool changed = true; changed;) {
    std::fill(per_user.begin(), per_user.end(), 0);
    std::fill(per_item.begin(), per_item.end(), 0);
    for (size_t r : order) {
      ++per_user[static_cast<size_t>(rows[r].user)];
      ++per_item[static_cast<size_t>(rows[r].item)];
    }
    const size_t before = order.size();
    std::erase_if(order, [&](size_t r) {
      return per_user[static_cast<size_t>(rows[r].user)] < user_min ||
             per_item[static_cast<size_t>(rows[r].item)] < filter.item_core;
    });
    changed = order.size() != before;
  }
}

//! Dense ids in order of first appearance in the raw file among the kept rows.
std::vector<int32_t> dense_ids(const std::vector<RawRow>& rows, const std::vector<size_t>& kept,
                               bool items, int32_t first) {
  std::vector<int32_t> ids;
  int32_t next = first;
  for (size_t r : kept) {
    const auto raw = static_cast<size_t>(items ? rows[r].item : rows[r].user);
    if (raw >= ids.size()) {
      ids.resize(raw + 1, -1);
    }
    if (ids[raw] < 0) {
      ids[raw] = next++;
    }
  }
  return ids;
}

//! The kept rows as dense ids: items 1..N (0 = padding), users 0..U-1, domains by name.
struct Dense {
  std::vector<int32_t> user, item;  //!< raw index -> dense id (-1: filtered out)
  std::vector<int16_t> row_domain;  //!< per raw row (valid for kept rows)
  int32_t num_users = 0, num_items = 1;
};

int16_t domain_id(Interner& domains, std::string_view name) {
  const int32_t id = domains.id(name);
  if (id > std::numeric_limits<int16_t>::max()) {
    throw DataError("more than 32767 domains");
  }
  return static_cast<int16_t>(id);
}

//! `all_items`: items of the item file without kept interactions also become items (after the
//! others, in file order), so a pre-split dataset keeps the item set its negatives come from.
Dense make_dense(const CollectingSink& raw, const std::vector<size_t>& order, const Recipe& recipe,
                 bool all_items, ItemCatalog& catalog) {
  Dense d;
  const std::vector<size_t> kept = in_file_order(order, raw.rows.size());
  d.user = dense_ids(raw.rows, kept, false, 0);
  d.item = dense_ids(raw.rows, kept, true, 1);
  for (int32_t id : d.user) {
    d.num_users = std::max(d.num_users, id + 1);
  }
  for (int32_t id : d.item) {
    d.num_items = std::max(d.num_items, id + 1);
  }
  auto text_of = [&](int32_t raw_item) -> const ItemText* {
    auto it = raw.text.find(raw.items.name(raw_item));
    return it == raw.text.end() ? nullptr : &it->second;
  };
  const auto n = static_cast<size_t>(d.num_items);
  catalog.tokens.assign(n, "[PAD]");
  catalog.titles.assign(n, "");
  catalog.categories.assign(n, "");
  catalog.domain.assign(n, -1);
  catalog.domain[0] = 0;
  Interner domains;
  d.row_domain.assign(raw.rows.size(), 0);
  for (size_t r : kept) {  // file order fixes the domain numbering
    const RawRow& row = raw.rows[r];
    const ItemText* text = text_of(row.item);
    int32_t given = row.domain >= 0 ? row.domain : (text != nullptr ? text->domain : -1);
    const int16_t dom = domain_id(domains, given >= 0 ? raw.domains.name(given) : recipe.name);
    d.row_domain[r] = dom;
    const auto id = static_cast<size_t>(d.item[static_cast<size_t>(row.item)]);
    if (catalog.domain[id] >= 0) {
      continue;  // the item's first interaction fills its entry
    }
    catalog.tokens[id] = raw.items.name(row.item);
    if (text != nullptr) {
      catalog.titles[id] = text->title;
      catalog.categories[id] = text->category;
    }
    catalog.domain[id] = text != nullptr && text->domain >= 0
                             ? domain_id(domains, raw.domains.name(text->domain))
                             : dom;
  }
  if (all_items) {
    for (const std::string& token : raw.text_order) {
      const auto seen = raw.items.find(token);
      const auto raw_id = static_cast<size_t>(seen.value_or(-1));
      if (seen && raw_id < d.item.size() && d.item[raw_id] >= 0) continue;
      const ItemText& text = raw.text.find(token)->second;
      catalog.tokens.push_back(token);
      catalog.titles.push_back(text.title);
      catalog.categories.push_back(text.category);
      catalog.domain.push_back(
          domain_id(domains, text.domain >= 0 ? raw.domains.name(text.domain) : recipe.name));
      ++d.num_items;
    }
  }
  catalog.domain_names = domains.names();
  return d;
}

//! Full sequences in dense user order; each keeps the time order of `order`.
SequenceSet make_sequences(const CollectingSink& raw, const std::vector<size_t>& order,
                           const Dense& d) {
  std::vector<std::vector<size_t>> per_user(static_cast<size_t>(d.num_users));
  for (size_t r : order) {
    per_user[static_cast<size_t>(d.user[static_cast<size_t>(raw.rows[r].user)])].push_back(r);
  }
  SequenceSet set;
  std::vector<ItemId> items;
  std::vector<int64_t> times;
  std::vector<int16_t> domains;
  for (size_t u = 0; u < per_user.size(); ++u) {
    items.clear();
    times.clear();
    domains.clear();
    for (size_t r : per_user[u]) {
      items.push_back(d.item[static_cast<size_t>(raw.rows[r].item)]);
      times.push_back(raw.rows[r].time);
      domains.push_back(d.row_domain[r]);
    }
    set.append(static_cast<int64_t>(u), items, times, domains);
  }
  return set;
}

void fill_stats(PreparedDataset& out, int64_t raw_rows, const ReadStats& read) {
  DatasetStats& s = out.stats;
  s.users = static_cast<int64_t>(out.sequences.size());
  s.items = out.items.num_items() - 1;
  s.interactions = static_cast<int64_t>(out.sequences.items.size());
  s.avg_length = static_cast<double>(s.interactions) / static_cast<double>(s.users);
  s.density = static_cast<double>(s.interactions) /
              (static_cast<double>(s.users) * static_cast<double>(s.items));
  s.raw_interactions = raw_rows;
  s.dropped_filter = raw_rows - s.interactions;
  s.skipped_lines = read.skipped;
}

void log_skipped(const Recipe& recipe, const ReadStats& read, spdlog::logger& log) {
  for (const auto& message : read.messages) {
    log.warn("skipped {}", message);
  }
  if (read.repeats > 0) {
    log.info(
        "{}: {} record(s) repeat an earlier record's user, item and time; each is read as one "
        "interaction",
        recipe.name, read.repeats);
  }
  if (read.skipped > 0) {
    log.warn("{}: skipped {} malformed line(s) of {} (on_error = \"skip\")", recipe.name,
             read.skipped, read.lines);
  }
}

void log_untitled(const Recipe& recipe, const ItemCatalog& items, spdlog::logger& log) {
  const auto untitled = std::count(items.titles.begin() + 1, items.titles.end(), "");
  if (untitled > 0) {
    log.warn("{}: {} of {} items have no title (no entry in the item file, or empty text)",
             recipe.name, untitled, items.num_items() - 1);
  }
}

PreparedDataset build(const Recipe& recipe, const std::string& fingerprint, spdlog::logger* log) {
  CollectingSink raw;
  ReadStats read;
  raw_reader(recipe.format)(recipe, raw, read);
  if (log != nullptr) {
    log_skipped(recipe, read, *log);
  }
  std::vector<size_t> order = time_sorted(raw.rows, raw.users.size());
  const bool given = recipe.split.method == "given";  // the data's own rows: no filters
  if (recipe.filter.dedup && !given) {
    dedup(raw.rows, order);
  }
  if (!given) {
    k_core(raw.rows, recipe.filter, order);
  }
  if (order.empty()) {
    throw DataError(recipe.source + ": no interactions left after filtering (" +
                    std::to_string(raw.rows.size()) + " read; check [filter])");
  }
  PreparedDataset out;
  out.name = recipe.name;
  out.fingerprint = fingerprint;
  out.recipe_toml = recipe.toml_text;
  out.max_history = recipe.max_history;
  out.split_method = recipe.split.method;
  const Dense dense = make_dense(raw, order, recipe, given, out.items);
  out.user_tokens.resize(static_cast<size_t>(dense.num_users));
  for (size_t raw_user = 0; raw_user < dense.user.size(); ++raw_user) {
    const int32_t id = dense.user[raw_user];
    if (id >= 0) {
      out.user_tokens[static_cast<size_t>(id)] = raw.users.name(static_cast<int32_t>(raw_user));
    }
  }
  if (log != nullptr && !raw.text.empty()) {
    log_untitled(recipe, out.items, *log);
  }
  out.sequences = make_sequences(raw, order, dense);
  split_dataset(out);
  fill_stats(out, static_cast<int64_t>(raw.rows.size()), read);
  return out;
}

void log_stats(const PreparedDataset& d, spdlog::logger& log, bool cached) {
  const DatasetStats& s = d.stats;
  log.info(
      "dataset {} ({}): {} users, {} items, {} interactions, avg length {:.2f}, density {:.5f}; "
      "{} raw, {} removed by filters, {} malformed lines skipped; fingerprint {}",
      d.name, cached ? "from cache" : "prepared", s.users, s.items, s.interactions, s.avg_length,
      s.density, s.raw_interactions, s.dropped_filter, s.skipped_lines,
      d.fingerprint.substr(0, 16));
}

}  // namespace

Recipe with_synthesized_files(const Recipe& recipe, const std::filesystem::path& cache_dir) {
  Recipe out = recipe;
  if (recipe.synthesize) {
    const SynthesizeOptions& s = *recipe.synthesize;
    out.base_dir = synthesized_raw_dir(cache_dir, s.dataset, {s.seed, s.scale});
  }
  return out;
}

PreparedDataset prepare_dataset(const Recipe& given, const PrepareOptions& options) {
  const Recipe recipe = with_synthesized_files(given, options.cache_dir);
  const std::string fingerprint = dataset_fingerprint(recipe);
  const auto path = cache_path(options.cache_dir, recipe.name, fingerprint);
  if (options.use_cache) {
    if (auto cached = load_prepared(path, fingerprint)) {
      if (options.log != nullptr) {
        log_stats(*cached, *options.log, true);
      }
      return std::move(*cached);
    }
  }
  PreparedDataset prepared = build(recipe, fingerprint, options.log);
  if (options.use_cache) {
    save_prepared(prepared, path);
  }
  if (options.log != nullptr) {
    log_stats(prepared, *options.log, false);
  }
  return prepared;
}

DatasetView PreparedDataset::view() const {
  DatasetView v;
  v.name = name;
  v.fingerprint = fingerprint;
  v.num_users = static_cast<int64_t>(sequences.size());
  v.max_history = max_history;
  v.items = &items;
  v.train = &train;
  v.valid = &valid;
  v.item_counts = item_counts;
  return v;
}

}  // namespace recbench
