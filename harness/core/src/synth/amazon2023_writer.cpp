// Synthetic Amazon Reviews 2023: <Category>.jsonl.gz reviews (ms times, parent_asin) and meta.

#include "naming.h"
#include "text_out.h"
#include "writers.h"

namespace recbench::synth {
namespace {

void write_meta(const Platform& p, const Vocabulary& v, size_t d, TextOut& out) {
  const int64_t n = static_cast<int64_t>(p.domain(d).topic.size());
  std::string line;
  for (int64_t i = 0; i < n; ++i) {
    const ItemText text = item_text(p, v, d, i);
    line = "{\"main_category\": ";
    append_json_string(line, p.domain(d).spec->display);
    line += ", \"title\": ";
    append_json_string(line, text.title);
    line += ", \"average_rating\": 4." + std::to_string(i % 10) +
            ", \"rating_number\": " + std::to_string(5 + i % 300) +
            ", \"features\": [], \"description\": [], \"price\": " +
            (i % 7 == 0 ? std::string("null") : std::to_string(4 + i % 60) + ".99") +
            ", \"images\": [], \"videos\": [], \"store\": ";
    append_json_string(line, text.brand);
    line += ", \"categories\": [";
    for (size_t k = 0; k < text.categories.size(); ++k) {
      if (k > 0) line += ", ";
      append_json_string(line, text.categories[k]);
    }
    line += "], \"details\": {}, \"parent_asin\": \"" + amazon_item(d, i, 2023) +
            "\", \"bought_together\": null}\n";
    out << line;
  }
}

void append_review(const Platform& p, const Vocabulary& v, const Event& e, std::string& line) {
  const auto d = static_cast<size_t>(e.domain);
  const std::string item = amazon_item(d, e.item, 2023);
  const int64_t ms = e.time * 1000 + static_cast<int64_t>(p.item_seed(d, e.item) % 1000);
  line = "{\"rating\": " + std::to_string(rating_of(p, e.user, d, e.item)) + ".0, \"title\": \"" +
         (e.user % 3 == 0 ? "Five Stars" : "Good") + "\", \"text\": ";
  append_json_string(line, review_text(p, v, d, e.item, e.user));
  line += ", \"images\": [], \"asin\": \"" + item + "\", \"parent_asin\": \"" + item +
          "\", \"user_id\": \"" + amazon2023_user(e.user) +
          "\", \"timestamp\": " + std::to_string(ms) +
          ", \"helpful_vote\": " + std::to_string(e.user % 4) + ", \"verified_purchase\": true}\n";
}

}  // namespace

void write_amazon2023(const Platform& p, const Vocabulary& v, const std::vector<size_t>& domains,
                      WriteTarget& target) {
  write_amazon_release(p, domains,
                       {"amazon2023", ".jsonl.gz", ".jsonl.gz",
                        [&](const Event& e, std::string& line) { append_review(p, v, e, line); },
                        [&](size_t d, TextOut& out) { write_meta(p, v, d, out); }},
                       target);
}

}  // namespace recbench::synth
