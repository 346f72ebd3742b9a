// Synthetic Steam (UCSD): reviews and games as Python 2 dict literals, one per line, gzip.
#include <cstdio>

#include "naming.h"
#include "text_out.h"
#include "writers.h"

namespace recbench::synth {
namespace {

std::string iso_date(int64_t seconds) {
  const CivilDate c = civil_date(seconds);
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d", c.year, c.month, c.day);
  return text;
}

std::string game_id(int64_t item) { return std::to_string(10'000 + item * 10); }

void write_games(const Platform& p, const Vocabulary& v, TextOut& out) {
  const int64_t n = static_cast<int64_t>(p.domain(0).topic.size());
  std::string line;
  for (int64_t i = 0; i < n; ++i) {
    const ItemText text = item_text(p, v, 0, i);
    const std::string id = game_id(i);
    line = "{u'publisher': ";
    append_python_string(line, text.brand);
    line += ", u'genres': [";
    for (size_t g = 0; g < text.categories.size(); ++g) {
      if (g > 0) line += ", ";
      append_python_string(line, text.categories[g]);
    }
    line += "], u'app_name': ";
    append_python_string(line, text.title);
    line += ", u'title': ";
    append_python_string(line, text.title);
    line += ", u'url': u'http://store.steampowered.com/app/" + id + "/', u'release_date': u'" +
            std::to_string(text.year) + "-01-15', u'price': " + std::to_string(5 + i % 15) +
            ".99, u'early_access': " + (i % 9 == 0 ? "True" : "False") + ", u'id': u'" + id +
            "', u'developer': ";
    append_python_string(line, text.brand);
    line += "}\n";
    out << line;
  }
  out << "{u'url': u'http://store.steampowered.com/', u'title': u'Untitled', u'price': None}\n";
}

}  // namespace

void write_steam(const Platform& p, const Vocabulary& v, WriteTarget& target) {
  const auto dir = target.dir / "steam";
  std::filesystem::create_directories(dir);
  TextOut reviews(dir / "steam_reviews.json.gz");
  std::string line;
  for_each_user(p, [&](const std::vector<Event>& events) {
    int64_t page_order = 0;
    for (const Event& e : events) {
      line = "{u'username': ";
      append_python_string(line, steam_user(v, e.user));
      line += ", u'hours': " + std::to_string(1 + (e.item * 7 + e.user) % 400) + "." +
              std::to_string(e.user % 10) + ", u'products': " + std::to_string(events.size()) +
              ", u'product_id': u'" + game_id(e.item) +
              "', u'page_order': " + std::to_string(page_order++ % 10) + ", u'date': u'" +
              iso_date(e.time) + "', u'text': ";
      append_python_string(line, review_text(p, v, 0, e.item, e.user));
      line += ", u'early_access': False, u'page': 1";
      if (e.user % 2 == 0)
        line += ", u'user_id': u'7656119" + std::to_string(int64_t{8'000'000'000} + e.user) + "'";
      line += "}\n";
      reviews << line;
    }
  });
  reviews.close();
  TextOut games(dir / "steam_games.json.gz");
  write_games(p, v, games);
  games.close();
  target.files.push_back(reviews.path());
  target.files.push_back(games.path());
}

}  // namespace recbench::synth
