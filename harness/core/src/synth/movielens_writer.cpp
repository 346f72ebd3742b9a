// Synthetic MovieLens-100K: u.data (user, item, rating, time) and u.item (Latin-1, genre flags).
#include <algorithm>

#include "naming.h"
#include "text_out.h"
#include "writers.h"

namespace recbench::synth {
namespace {

//! UTF-8 text of the writers (ASCII and U+0080..U+00FF only) as Latin-1 bytes.
std::string to_latin1(std::string_view utf8) {
  std::string out;
  for (size_t i = 0; i < utf8.size(); ++i) {
    const auto u = static_cast<unsigned char>(utf8[i]);
    if ((u & 0xe0) == 0xc0 && i + 1 < utf8.size()) {
      out += static_cast<char>(((u & 0x1f) << 6) | (static_cast<unsigned char>(utf8[++i]) & 0x3f));
    } else {
      out += utf8[i];
    }
  }
  return out;
}

void write_items(const Platform& p, const Vocabulary& v, TextOut& out) {
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto& genres = movielens_genres();
  const int64_t n = static_cast<int64_t>(p.domain(0).topic.size());
  std::string line;
  for (int64_t i = 0; i < n; ++i) {
    const ItemText text = item_text(p, v, 0, i);
    const std::string title = to_latin1(text.title);
    std::string url = title;
    std::replace(url.begin(), url.end(), ' ', '+');
    line = std::to_string(i + 1) + "|" + title + "|01-" + kMonths[i % 12] + "-" +
           std::to_string(text.year) + "||http://us.imdb.com/M/title-exact?" + url;
    for (const auto& g : genres) {
      const bool on =
          std::find(text.categories.begin(), text.categories.end(), g) != text.categories.end();
      line += on ? "|1" : "|0";
    }
    out << line << "\n";
  }
}

}  // namespace

void write_movielens(const Platform& p, const Vocabulary& v, WriteTarget& target) {
  const auto dir = target.dir / "ml-100k";
  std::filesystem::create_directories(dir);
  TextOut data(dir / "u.data");
  std::string line;
  for_each_user(p, [&](const std::vector<Event>& events) {
    for (const Event& e : events) {
      line = std::to_string(e.user + 1) + "\t" + std::to_string(e.item + 1) + "\t" +
             std::to_string(rating_of(p, e.user, 0, e.item)) + "\t" + std::to_string(e.time) + "\n";
      data << line;
    }
  });
  data.close();
  TextOut items(dir / "u.item");
  write_items(p, v, items);
  items.close();
  target.files.push_back(data.path());
  target.files.push_back(items.path());
}

}  // namespace recbench::synth
