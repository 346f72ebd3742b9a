// Refuses experiments whose target datasets leak into a pre-training corpus.
#include "recbench/core/data/corpus_overlap.h"

#include <algorithm>
#include <iterator>

#include "recbench/error.h"

namespace recbench {

namespace {

std::string join(const std::set<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ", ") + ("'" + v + "'");
  return out;
}

std::set<std::string> common(const std::set<std::string>& a, const std::set<std::string>& b) {
  std::set<std::string> out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::inserter(out, out.end()));
  return out;
}

}  // namespace

std::set<std::string> used_domains(const PreparedDataset& data) {
  std::set<int16_t> ids(data.sequences.domains.begin(), data.sequences.domains.end());
  std::set<std::string> out;
  for (int16_t d : ids) {
    if (d >= 0 && static_cast<size_t>(d) < data.items.domain_names.size()) {
      out.insert(data.items.domain_names[static_cast<size_t>(d)]);
    }
  }
  return out;
}

std::set<std::string> raw_files(const Recipe& recipe) {
  std::set<std::string> out;
  for (const auto& [role, path] : recipe.files) {
    std::filesystem::path p = path;
    if (p.is_relative()) p = recipe.base_dir / p;
    out.insert(std::filesystem::weakly_canonical(std::filesystem::absolute(p)).string());
  }
  return out;
}

void check_corpus_overlap(const Recipe& target, const PreparedDataset& target_data,
                          const Recipe& corpus, const PreparedDataset& corpus_data) {
  const std::string what =
      "dataset '" + target.name + "' overlaps pre-training corpus '" + corpus.name + "': ";
  const auto files = common(raw_files(target), raw_files(corpus));
  if (!files.empty()) {
    throw ConfigError(what + "both read " + join(files) +
                      " (a target dataset must never be part of a pre-training corpus)");
  }
  const auto domains = common(used_domains(target_data), used_domains(corpus_data));
  if (!domains.empty()) {
    throw ConfigError(what + "shared domain(s) " + join(domains) +
                      " (a target dataset must never be part of a pre-training corpus)");
  }
}

}  // namespace recbench
