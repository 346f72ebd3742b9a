// Synthetic LastFM HetRec 2011: tagging events (1-3 tags each, ms times) and artists.dat.
#include "naming.h"
#include "text_out.h"
#include "writers.h"

namespace recbench::synth {
namespace {

void write_artists(const Platform& p, const Vocabulary& v, TextOut& out) {
  out << "id\tname\turl\tpictureURL\n";
  const int64_t n = static_cast<int64_t>(p.domain(0).topic.size());
  std::string line;
  for (int64_t i = 0; i < n; ++i) {
    const std::string name = item_text(p, v, 0, i).title;
    std::string url = name;
    for (char& c : url) c = c == ' ' ? '+' : c;
    line = std::to_string(i + 1) + "\t" + name + "\thttp://www.last.fm/music/" + url;
    if (i % 50 != 49) {  // like the release, a few rows have no picture column
      line += "\thttp://userserve-ak.last.fm/serve/252/" + std::to_string(1'000'000 + i) + ".jpg";
    }
    out << line << "\n";
  }
}

}  // namespace

void write_lastfm(const Platform& p, const Vocabulary& v, WriteTarget& target) {
  const auto dir = target.dir / "lastfm";
  std::filesystem::create_directories(dir);
  TextOut tags(dir / "user_taggedartists-timestamps.dat");
  tags << "userID\tartistID\ttagID\ttimestamp\n";
  std::string line;
  for_each_user(p, [&](const std::vector<Event>& events) {
    for (const Event& e : events) {
      Rng rng(mix(p.item_seed(0, e.item), static_cast<uint64_t>(e.time)));
      const int64_t topic = p.domain(0).topic[static_cast<size_t>(e.item)];
      const int64_t first = rng.below(5), count = rng.between(1, 3);
      const std::string head = std::to_string(e.user + 2) + "\t" + std::to_string(e.item + 1);
      for (int64_t k = 0; k < count; ++k) {  // tags of the artist's topic
        line = head + "\t" + std::to_string(1 + topic * 5 + (first + k) % 5) + "\t" +
               std::to_string(e.time * 1000) + "\n";
        tags << line;
      }
    }
  });
  tags.close();
  TextOut artists(dir / "artists.dat");
  write_artists(p, v, artists);
  artists.close();
  target.files.push_back(tags.path());
  target.files.push_back(artists.path());
}

}  // namespace recbench::synth
