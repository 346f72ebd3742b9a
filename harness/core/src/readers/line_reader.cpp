// Line reading (gzip via zlib), field splitting, number parsing and on_error handling for readers.
#include "recbench/core/readers/line_reader.h"

#include <zlib.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

#include "recbench/detail/key_check.h"
#include "recbench/error.h"

namespace recbench {

struct LineReader::Gz {
  gzFile file = nullptr;
  ~Gz() {
    if (file != nullptr) {
      gzclose(file);
    }
  }
};

namespace {
constexpr size_t kChunk = 1 << 16;
}  // namespace

LineReader::LineReader(const std::filesystem::path& path)
    : gz_(std::make_unique<Gz>()), path_(path.string()) {
  gz_->file = gzopen(path_.c_str(), "rb");  // reads plain files unchanged
  if (gz_->file == nullptr) {
    throw DataError(path_ + ": cannot open (" + std::strerror(errno) + ")");
  }
  gzbuffer(gz_->file, kChunk);
}

LineReader::~LineReader() = default;

bool LineReader::fill() {
  if (eof_) {
    return false;
  }
  buffer_.erase(0, begin_);
  begin_ = 0;
  const size_t old = buffer_.size();
  buffer_.resize(old + kChunk);
  const int got = gzread(gz_->file, buffer_.data() + old, static_cast<unsigned>(kChunk));
  int code = Z_OK;
  const char* msg = gzerror(gz_->file, &code);
  // A truncated gzip stream ends with Z_BUF_ERROR set and got >= 0, not got < 0. The error stays
  // set, so bytes decoded before it are returned first and the next call throws.
  if (got < 0 || (got == 0 && code != Z_OK && code != Z_STREAM_END)) {
    throw DataError(path_ + ": read error after line " + std::to_string(line_number_) + " (" +
                    (msg != nullptr ? msg : "unknown") + ")");
  }
  buffer_.resize(old + static_cast<size_t>(got));
  if (got == 0) {
    eof_ = true;
  }
  return got > 0;
}

bool LineReader::next(std::string_view& line) {
  size_t newline = buffer_.find('\n', begin_);
  while (newline == std::string::npos) {
    const size_t searched = buffer_.size() - begin_;
    if (!fill()) {
      break;
    }
    newline = buffer_.find('\n', begin_ + searched);
  }
  if (newline == std::string::npos && begin_ >= buffer_.size()) {
    return false;
  }
  const size_t end = newline == std::string::npos ? buffer_.size() : newline;
  line_.assign(buffer_, begin_, end - begin_);
  begin_ = newline == std::string::npos ? buffer_.size() : newline + 1;
  if (!line_.empty() && line_.back() == '\r') {
    line_.pop_back();
  }
  if (line_number_ == 0 && line_.starts_with("\xEF\xBB\xBF")) {
    line_.erase(0, 3);
  }
  ++line_number_;
  line = line_;
  return true;
}

std::string LineReader::where() const { return path_ + ':' + std::to_string(line_number_); }

MalformedLines::MalformedLines(const Recipe& recipe, ReadStats& stats)
    : skip_(recipe.on_error == "skip"), stats_(stats) {}

void MalformedLines::report(const LineReader& reader, std::string_view what) {
  report(reader.where(), what);
}

void MalformedLines::report(const std::string& where, std::string_view what) {
  std::string message = where + ": " + std::string(what);
  if (!skip_) {
    throw DataError(message + " (set on_error = \"skip\" to skip such lines)");
  }
  ++stats_.skipped;
  if (stats_.messages.size() < ReadStats::kMaxMessages) {
    stats_.messages.push_back(message);
  }
}

std::optional<std::filesystem::path> optional_recipe_file(const Recipe& recipe,
                                                          const std::string& role) {
  auto it = recipe.files.find(role);
  if (it == recipe.files.end()) {
    return std::nullopt;
  }
  std::filesystem::path path(it->second);
  if (path.is_relative()) {
    path = recipe.base_dir / path;
  }
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    std::string hint;
    if (!recipe.download_hint.empty()) hint += "; " + recipe.download_hint;
    if (!recipe.card.empty()) hint += " (data card: " + recipe.card + ")";
    throw DataError(path.string() + ": file not found (asked for by files." + role + " in " +
                    recipe.source + ")" + hint);
  }
  return path;
}

std::filesystem::path recipe_file(const Recipe& recipe, const std::string& role) {
  auto path = optional_recipe_file(recipe, role);
  if (!path) {
    std::string known;
    for (const auto& [key, value] : recipe.files) {
      known += (known.empty() ? "" : ", ") + key;
    }
    throw ConfigError(recipe.source + ": files." + role + ": required by format \"" +
                      recipe.format + "\" but missing (given: " + (known.empty() ? "none" : known) +
                      ")");
  }
  return *path;
}

void check_format_options(const std::map<std::string, double>& options,
                          const std::vector<std::string>& known, const std::string& format,
                          const std::string& source) {
  if (auto it = detail::find_unknown_key(options, known); it != options.end()) {
    throw ConfigError(source + ": options." + it->first + ": unknown option for format \"" +
                      format + "\" (known: " + detail::join_keys(known, "options.") + ")");
  }
}

void check_options(const Recipe& recipe, const std::vector<std::string>& known) {
  check_format_options(recipe.options, known, recipe.format, recipe.source);
}

void split_fields(std::string_view line, char sep, std::vector<std::string_view>& out) {
  out.clear();
  size_t start = 0;
  while (true) {
    const size_t pos = line.find(sep, start);
    if (pos == std::string_view::npos) {
      out.push_back(line.substr(start));
      return;
    }
    out.push_back(line.substr(start, pos - start));
    start = pos + 1;
  }
}

namespace {
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f'; }
}  // namespace

void split_words(std::string_view text, std::vector<std::string_view>& out) {
  out.clear();
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_space(text[i])) {
      ++i;
    }
    const size_t start = i;
    while (i < text.size() && !is_space(text[i])) {
      ++i;
    }
    if (i > start) {
      out.push_back(text.substr(start, i - start));
    }
  }
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) {
    text.remove_prefix(1);
  }
  while (!text.empty() && is_space(text.back())) {
    text.remove_suffix(1);
  }
  return text;
}

std::optional<int64_t> parse_int(std::string_view text) {
  text = trim(text);
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
  }
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

std::optional<double> parse_double(std::string_view text) {
  text = trim(text);
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
  }
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  if (!std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::optional<int64_t> parse_timestamp(std::string_view text) {
  if (auto exact = parse_int(text)) {
    return exact;
  }
  auto value = parse_double(text);
  if (!value || std::fabs(*value) >= 9.2e18) {
    return std::nullopt;
  }
  return static_cast<int64_t>(std::llround(*value));
}

}  // namespace recbench
