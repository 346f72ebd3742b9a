// Item sequences, one line per user: "user item item ..." in time order (the S3-Rec / ICLRec /
// CoSeRec / DuoRec preprocessed Amazon and Yelp files). The files carry no times, so an item's
// position in its line is its timestamp; the time sort then keeps the line's order.
#include <string>
#include <unordered_map>
#include <vector>

#include "reader_support.h"
#include "recbench/core/readers/line_reader.h"
#include "recbench/core/readers/readers.h"

namespace recbench {

void read_sequences(const Recipe& recipe, RawSink& sink, ReadStats& stats) {
  readers::check_settings(recipe, {"domain"});
  MalformedLines bad(recipe, stats);
  const std::string domain = readers::reader_setting(recipe, "domain", "");
  LineReader in(recipe_file(recipe, "sequences"));
  std::unordered_map<std::string, int64_t> first_line;  // user -> line of its sequence
  std::vector<std::string_view> words;
  int64_t data = 0;
  std::string_view line;
  while (readers::next_line(in, bad, line)) {
    split_words(line, words);
    if (words.empty()) continue;
    ++stats.lines;
    ++data;
    if (words.size() < 2) {
      bad.report(in, "expected a user id followed by at least one item id, found only '" +
                         std::string(words[0]) + "'");
      continue;
    }
    const auto [seen, fresh] = first_line.try_emplace(std::string(words[0]), in.line_number());
    if (!fresh) {
      bad.report(in, "user '" + std::string(words[0]) + "' already has its sequence on line " +
                         std::to_string(seen->second) + " (one line per user expected)");
      continue;
    }
    for (size_t i = 1; i < words.size(); ++i) {
      sink.interaction(words[0], words[i], static_cast<int64_t>(i - 1), domain);
    }
  }
  readers::require_data(in, data, "one line per user: a user id, then its item ids in time order");
}

}  // namespace recbench
