// Learning-rate schedules (warmup + cosine, WSA) and their JSON state.
#include "recbench/schedule.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <numbers>

#include "recbench/error.h"

namespace recbench {

namespace {

const char* shape_name(AnnealShape s) {
  return s == AnnealShape::kCosine   ? "cosine"
         : s == AnnealShape::kLinear ? "linear"
                                     : "exponential";
}

}  // namespace

AnnealShape parse_anneal_shape(const std::string& name) {
  if (name == "cosine") return AnnealShape::kCosine;
  if (name == "linear") return AnnealShape::kLinear;
  if (name == "exponential") return AnnealShape::kExponential;
  throw ConfigError("anneal shape '" + name + "' is unknown (known: cosine, linear, exponential)");
}

LrSchedule LrSchedule::warmup_cosine(double peak_lr, int64_t total_steps, int64_t warmup_steps,
                                     double floor_ratio) {
  if (total_steps <= 0 || warmup_steps < 0 || warmup_steps > total_steps) {
    throw ConfigError("warmup_cosine: need 0 <= warmup_steps <= total_steps and total_steps > 0");
  }
  LrSchedule s;
  s.peak_ = peak_lr;
  s.floor_ = peak_lr * floor_ratio;
  s.total_ = total_steps;
  s.warmup_ = warmup_steps;
  s.anneal_ = total_steps - warmup_steps;
  return s;
}

LrSchedule LrSchedule::wsa(double peak_lr, int64_t total_steps, const WsaOptions& o) {
  double sum = o.warmup_fraction + o.stable_fraction + o.anneal_fraction;
  if (total_steps <= 0 || o.warmup_fraction < 0 || o.stable_fraction < 0 || o.anneal_fraction < 0 ||
      std::abs(sum - 1.0) > 1e-6) {
    throw ConfigError("wsa: warmup, stable and anneal fractions must be >= 0 and sum to 1 (got " +
                      std::to_string(sum) + ")");
  }
  if (o.floor_ratio < 0 || o.floor_ratio > 1 ||
      (o.shape == AnnealShape::kExponential && o.floor_ratio <= 0)) {
    throw ConfigError("wsa: floor_ratio must be in [0, 1] (and > 0 for exponential annealing)");
  }
  LrSchedule s;
  s.peak_ = peak_lr;
  s.floor_ = peak_lr * o.floor_ratio;
  s.total_ = total_steps;
  s.warmup_ = std::llround(o.warmup_fraction * static_cast<double>(total_steps));
  s.anneal_ = std::min<int64_t>(std::llround(o.anneal_fraction * static_cast<double>(total_steps)),
                                total_steps - s.warmup_);
  s.shape_ = o.shape;
  return s;
}

LrSchedule LrSchedule::constant(double lr) {
  LrSchedule s;
  s.peak_ = s.floor_ = lr;
  s.total_ = INT64_MAX;
  return s;
}

double LrSchedule::lr_at(int64_t step) const {
  if (step < warmup_) return peak_ * static_cast<double>(step + 1) / static_cast<double>(warmup_);
  int64_t start = total_ - anneal_;
  if (step < start) return peak_;
  if (step >= total_) return anneal_ > 0 ? floor_ : peak_;
  double p = static_cast<double>(step - start + 1) / static_cast<double>(anneal_);  // (0, 1]
  switch (shape_) {
    case AnnealShape::kCosine:
      return floor_ + (peak_ - floor_) * 0.5 * (1.0 + std::cos(std::numbers::pi * p));
    case AnnealShape::kLinear:
      return peak_ - (peak_ - floor_) * p;
    case AnnealShape::kExponential:
      return peak_ * std::pow(floor_ / peak_, p);
  }
  return floor_;
}

std::string LrSchedule::state() const {
  nlohmann::json j = {{"peak", peak_},
                      {"floor", floor_},
                      {"total", total_},
                      {"warmup", warmup_},
                      {"anneal", anneal_},
                      {"step", step_},
                      {"shape", shape_name(shape_)}};
  return j.dump();
}

LrSchedule LrSchedule::from_state(const std::string& json_text) {
  LrSchedule s;
  try {
    auto j = nlohmann::json::parse(json_text);
    s.peak_ = j.at("peak").get<double>();
    s.floor_ = j.at("floor").get<double>();
    s.total_ = j.at("total").get<int64_t>();
    s.warmup_ = j.at("warmup").get<int64_t>();
    s.anneal_ = j.at("anneal").get<int64_t>();
    s.step_ = j.at("step").get<int64_t>();
    s.shape_ = parse_anneal_shape(j.at("shape").get<std::string>());
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError(std::string("lr schedule state: ") + e.what());
  }
  return s;
}

}  // namespace recbench
