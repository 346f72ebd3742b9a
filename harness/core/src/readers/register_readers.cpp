// Registers the readers of the real benchmark datasets' raw formats under their format names.
#include "recbench/core/readers.h"

namespace recbench {

void register_real_readers(std::map<std::string, RawReader>& table) {
  table["movielens"] = read_movielens;
  table["steam"] = read_steam;
  table["lastfm"] = read_lastfm;
  table["amazon2018"] = read_amazon2018;
  table["amazon2023"] = read_amazon2023;
  table["csv"] = read_csv;
}

}  // namespace recbench
