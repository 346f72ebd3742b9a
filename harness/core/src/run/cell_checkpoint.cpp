// Cell checkpoints: written next to the cell's artefacts, swapped in by rename, so a kill at any
// moment leaves the previous complete checkpoint or the new one.
#include "cell_checkpoint.h"

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include <toml++/toml.h>
#include <nlohmann/json.hpp>

#include "recbench/core/results/results_file.h"
#include "recbench/error.h"

namespace recbench::run_detail {
namespace fs = std::filesystem;
namespace {

constexpr const char* kStateFile = "harness.json";

//! Empty when a checkpoint written under `stored` may continue under `now`: the same cell (device
//! and threads included) and no changed setting (changed_settings(): a key the plugin declared
//! later, at its default, is not one); otherwise what differs.
std::string config_difference(const std::string& stored, const std::string& now) {
  auto cell = [](const std::string& config) {
    std::ostringstream s;
    const toml::table table = toml::parse(config);
    if (const auto* c = table.get_as<toml::table>("cell")) s << *c;
    return s.str();
  };
  if (cell(stored) != cell(now)) return "another cell, device or thread count";
  std::string list;
  for (const std::string& c : changed_settings(stored, now)) list += (list.empty() ? "" : "; ") + c;
  return list;
}

// JSON has no NaN: curve points without validation and an early stopping without a best use null.
nlohmann::json number(double v) { return std::isnan(v) ? nlohmann::json() : nlohmann::json(v); }
double number(const nlohmann::json& j) {
  return j.is_null() ? std::numeric_limits<double>::quiet_NaN() : j.get<double>();
}

//! Mirrors folder `from` into `to` with hard links (a saved model is never modified in place,
//! only replaced, so a link keeps the old content); copies where links are not possible.
void link_tree(const fs::path& from, const fs::path& to) {
  fs::create_directories(to);
  for (const auto& entry : fs::recursive_directory_iterator(from)) {
    const fs::path target = to / fs::relative(entry.path(), from);
    if (entry.is_directory()) {
      fs::create_directories(target);
      continue;
    }
    std::error_code ec;
    fs::create_hard_link(entry.path(), target, ec);
    if (ec) fs::copy_file(entry.path(), target, fs::copy_options::overwrite_existing);
  }
}

nlohmann::json to_json(const std::string& config_toml, const HarnessState& s) {
  nlohmann::json curve = nlohmann::json::array();
  for (const CurvePoint& p : s.curve) {
    curve.push_back({p.epoch, number(p.train_loss), number(p.valid_metric), p.seconds});
  }
  return {{"config", config_toml},
          {"curve", curve},
          {"best", number(s.stopping.best)},
          {"best_epoch", s.stopping.best_epoch},
          {"bad_epochs", s.stopping.bad_epochs},
          {"train_seconds", s.train_seconds}};
}

HarnessState from_json(const nlohmann::json& j) {
  HarnessState s;
  for (const auto& p : j.at("curve")) {
    s.curve.push_back({p.at(0).get<int64_t>(), number(p.at(1)), number(p.at(2)), p.at(3)});
  }
  s.stopping.best = number(j.at("best"));
  s.stopping.best_epoch = j.at("best_epoch").get<int>();
  s.stopping.bad_epochs = j.at("bad_epochs").get<int64_t>();
  s.train_seconds = j.at("train_seconds").get<double>();
  return s;
}

}  // namespace

void write_checkpoint(const fs::path& work_dir, const std::string& config_toml,
                      const HarnessState& state,
                      const std::function<void(const fs::path&)>& write) {
  const fs::path fresh = work_dir / "checkpoint.new";
  const fs::path current = work_dir / "checkpoint";
  const fs::path old = work_dir / "checkpoint.old";
  fs::remove_all(fresh);
  fs::create_directories(fresh / "model");
  write(fresh / "model");
  if (fs::exists(work_dir / "model")) link_tree(work_dir / "model", fresh / "best_model");
  {
    std::ofstream out(fresh / kStateFile);
    out << to_json(config_toml, state).dump(1) << '\n';
    if (!out) throw Error((fresh / kStateFile).string() + ": cannot write the checkpoint state");
  }
  fs::remove_all(old);
  if (fs::exists(current)) fs::rename(current, old);
  fs::rename(fresh, current);
  fs::remove_all(old);
}

std::optional<FoundCheckpoint> find_checkpoint(const fs::path& work_dir,
                                               const std::string& config_toml,
                                               std::string* why_not) {
  fs::path dir = work_dir / "checkpoint";
  if (!fs::exists(dir / kStateFile)) dir = work_dir / "checkpoint.old";  // killed mid-swap
  if (!fs::exists(dir / kStateFile)) return std::nullopt;
  nlohmann::json j;
  try {
    std::ifstream in(dir / kStateFile);
    j = nlohmann::json::parse(in);
    const std::string stored = j.at("config").get<std::string>();
    if (stored != config_toml) {
      if (const std::string diff = config_difference(stored, config_toml); !diff.empty()) {
        *why_not = "it was written for another configuration of this cell (" + diff + ")";
        return std::nullopt;
      }
    }
    FoundCheckpoint found{dir / "model", from_json(j)};
    fs::remove_all(work_dir / "model");
    if (fs::exists(dir / "best_model")) link_tree(dir / "best_model", work_dir / "model");
    return found;
  } catch (const std::exception& e) {
    *why_not = (dir / kStateFile).string() + " is unreadable (" + e.what() + ")";
    return std::nullopt;
  }
}

void remove_checkpoint(const fs::path& work_dir) {
  for (const char* name : {"checkpoint", "checkpoint.new", "checkpoint.old"}) {
    fs::remove_all(work_dir / name);
  }
}

}  // namespace recbench::run_detail
