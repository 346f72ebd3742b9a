// The synthetic world's entry points: which platform and writer make each dataset, and the
// cache folder of synthesized raw files used by stand-in recipes.
#include <fmt/format.h>
#include <unistd.h>

#include <memory>
#include <random>

#include "recbench/core/synth/synthetic_world.h"
#include "recbench/error.h"
#include "text_out.h"
#include "writers.h"

namespace recbench {
namespace {

using synth::Platform;
using synth::Vocabulary;
using synth::WriteTarget;

//! One dataset of the world: its platform, its domains, and the writer of its format.
struct DatasetWriter {
  std::string dataset, platform;
  std::vector<std::string> domains;  //!< empty: the platform's single domain
  void (*write)(const Platform&, const Vocabulary&, const std::vector<size_t>&, WriteTarget&);
};

const std::vector<DatasetWriter>& dataset_writers() {
  static const std::vector<DatasetWriter> table{
      {"ml-100k",
       "movielens",
       {},
       [](const Platform& p, const Vocabulary& v, const auto&, WriteTarget& t) {
         synth::write_movielens(p, v, t);
       }},
      {"steam",
       "steam",
       {},
       [](const Platform& p, const Vocabulary& v, const auto&, WriteTarget& t) {
         synth::write_steam(p, v, t);
       }},
      {"lastfm",
       "lastfm",
       {},
       [](const Platform& p, const Vocabulary& v, const auto&, WriteTarget& t) {
         synth::write_lastfm(p, v, t);
       }},
      {"amazon-office", "amazon", {"Office_Products"}, synth::write_amazon2018},
      {"amazon-instruments", "amazon", {"Musical_Instruments"}, synth::write_amazon2023},
      {"amazon-pretrain",
       "amazon",
       {"Arts_Crafts_and_Sewing", "Automotive", "Cell_Phones_and_Accessories",
        "Grocery_and_Gourmet_Food", "Industrial_and_Scientific", "Pet_Supplies", "Toys_and_Games"},
       synth::write_amazon2018},
  };
  return table;
}

const DatasetWriter& writer_of(const std::string& dataset) {
  for (const auto& w : dataset_writers()) {
    if (w.dataset == dataset) return w;
  }
  std::string known;
  for (const auto& name : synthetic_world_datasets()) known += (known.empty() ? "" : ", ") + name;
  throw ConfigError("synthetic world: unknown dataset \"" + dataset + "\" (known: " + known + ")");
}

void check(const WorldOptions& o) {
  if (!(o.scale > 0.0 && o.scale <= 1000.0)) {
    throw ConfigError(
        fmt::format("synthetic world: scale {} out of range (expected (0, 1000])", o.scale));
  }
}

}  // namespace

namespace synth {
void for_each_user(const Platform& p, const std::function<void(const std::vector<Event>&)>& f) {
  std::vector<Event> events;
  for (int64_t u = 0; u < p.num_users(); ++u) {
    p.user_events(u, events);
    f(events);
  }
}

void write_amazon_release(const Platform& p, const std::vector<size_t>& domains,
                          const AmazonRelease& release, WriteTarget& target) {
  const auto dir = target.dir / release.folder;
  std::filesystem::create_directories(dir);
  std::vector<std::unique_ptr<TextOut>> reviews(p.num_domains());
  for (size_t d : domains) {
    reviews[d] = std::make_unique<TextOut>(dir / (p.domain(d).spec->name + release.review_suffix));
  }
  std::string line;
  for_each_user(p, [&](const std::vector<Event>& events) {
    for (const Event& e : events) {
      if (auto& out = reviews[static_cast<size_t>(e.domain)]) {
        release.review_line(e, line);
        *out << line;
      }
    }
  });
  for (size_t d : domains) {
    reviews[d]->close();
    TextOut meta(dir / ("meta_" + p.domain(d).spec->name + release.meta_suffix));
    release.write_meta(d, meta);
    meta.close();
    target.files.push_back(reviews[d]->path());
    target.files.push_back(meta.path());
  }
}
}  // namespace synth

const std::vector<std::string>& synthetic_world_datasets() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& w : dataset_writers()) out.push_back(w.dataset);
    return out;
  }();
  return names;
}

std::vector<std::filesystem::path> write_synthetic_world(const std::filesystem::path& dir,
                                                         const WorldOptions& options,
                                                         const std::vector<std::string>& datasets) {
  check(options);
  for (const auto& name : datasets) writer_of(name);  // every name checked before writing
  const Vocabulary vocabulary(options.seed);
  WriteTarget target{dir, {}};
  for (const auto& w : dataset_writers()) {
    if (!datasets.empty() &&
        std::find(datasets.begin(), datasets.end(), w.dataset) == datasets.end()) {
      continue;
    }
    const Platform platform(synth::platform_spec(w.platform), options.seed, options.scale);
    std::vector<size_t> domains;
    for (const auto& d : w.domains) domains.push_back(platform.domain_index(d));
    w.write(platform, vocabulary, domains, target);
  }
  return target.files;
}

std::filesystem::path synthesized_raw_dir(const std::filesystem::path& cache_dir,
                                          const std::string& dataset, const WorldOptions& options) {
  check(options);
  writer_of(dataset);
  auto dir = cache_dir / "synthetic" /
             fmt::format("{}-seed{}-scale{}", dataset, options.seed, options.scale);
  if (std::filesystem::is_directory(dir)) return dir;
  std::random_device entropy;
  const auto tmp = dir.parent_path() /
                   fmt::format(".{}.tmp-{}-{}", dir.filename().string(), ::getpid(), entropy());
  std::filesystem::create_directories(tmp);
  try {
    write_synthetic_world(tmp, options, {dataset});
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove_all(tmp, ec);
    throw;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, dir, ec);
  if (ec) {  // another process put it there first: theirs is identical
    std::filesystem::remove_all(tmp, ec);
    if (!std::filesystem::is_directory(dir)) {
      throw DataError(dir.string() + ": cannot create the synthesized raw files folder");
    }
  }
  return dir;
}

}  // namespace recbench
