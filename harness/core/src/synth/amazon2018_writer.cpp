// Synthetic Amazon Reviews 2018: <Category>_5.json.gz reviews and meta_<Category>.json.gz items.
#include <cstdio>

#include "naming.h"
#include "text_out.h"
#include "writers.h"

namespace recbench::synth {
namespace {

void append_list(std::string& line, const std::vector<std::string>& items) {
  line += '[';
  for (size_t k = 0; k < items.size(); ++k) {
    if (k > 0) line += ", ";
    append_json_string(line, items[k]);
  }
  line += ']';
}

void write_meta(const Platform& p, const Vocabulary& v, size_t d, TextOut& out) {
  const int64_t n = static_cast<int64_t>(p.domain(d).topic.size());
  const std::string& main_cat = p.domain(d).spec->display;
  std::string line;
  for (int64_t i = 0; i < n; ++i) {
    const ItemText text = item_text(p, v, d, i);
    line = "{\"category\": ";
    append_list(line, text.categories);
    line += ", \"tech1\": \"\", \"description\": ";
    append_list(line, {"The " + text.title + " by " + text.brand + "."});
    line += ", \"fit\": \"\", \"title\": ";
    append_json_string(line, text.title);
    line += ", \"also_buy\": [], \"image\": [], \"tech2\": \"\", \"brand\": ";
    append_json_string(line, text.brand);
    line += ", \"feature\": [], \"rank\": ";
    append_json_string(line, std::to_string(1000 + i * 37) + " in " + main_cat);
    line += ", \"also_view\": [], \"main_cat\": ";
    append_json_string(line, main_cat);
    line += ", \"similar_item\": \"\", \"date\": \"\", \"price\": \"$" +
            std::to_string(3 + i % 40) + ".99\", \"asin\": \"" + amazon_item(d, i, 2018) + "\"}\n";
    out << line;
  }
}

void append_review(const Platform& p, const Vocabulary& v, const Event& e, std::string& line) {
  const auto d = static_cast<size_t>(e.domain);
  const int64_t day = e.time - (e.time % 86'400);
  const CivilDate c = civil_date(day);
  char when[32];
  std::snprintf(when, sizeof when, "%02d %d, %04d", c.month, c.day, c.year);
  const std::string user = amazon2018_user(e.user);
  line = "{\"overall\": " + std::to_string(rating_of(p, e.user, d, e.item)) +
         ".0, \"verified\": true, \"reviewTime\": \"" + when + "\", \"reviewerID\": \"" + user +
         "\", \"asin\": \"" + amazon_item(d, e.item, 2018) + "\", \"reviewerName\": \"" +
         v.word(static_cast<int>(e.user % kTopics), 0).substr(0, 1) + ". " + user.substr(1, 4) +
         "\", \"reviewText\": ";
  append_json_string(line, review_text(p, v, d, e.item, e.user));
  line += ", \"summary\": \"" + std::string(e.user % 3 == 0 ? "Five Stars" : "Good") +
          "\", \"unixReviewTime\": " + std::to_string(day) + "}\n";
}

}  // namespace

void write_amazon2018(const Platform& p, const Vocabulary& v, const std::vector<size_t>& domains,
                      WriteTarget& target) {
  write_amazon_release(p, domains,
                       {"amazon2018", "_5.json.gz", ".json.gz",
                        [&](const Event& e, std::string& line) { append_review(p, v, e, line); },
                        [&](size_t d, TextOut& out) { write_meta(p, v, d, out); }},
                       target);
}

}  // namespace recbench::synth
