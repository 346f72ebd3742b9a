// Output text files for the synthetic writers (plain or gzip) and JSON / Python string quoting.
#include "text_out.h"

#include <zlib.h>

#include <cstdio>

#include "recbench/error.h"

namespace recbench::synth {

struct TextOut::Handle {
  gzFile gz = nullptr;
  std::FILE* plain = nullptr;
};

namespace {
constexpr size_t kBlock = 1 << 20;
}  // namespace

TextOut::TextOut(const std::filesystem::path& path) : handle_(new Handle), path_(path) {
  if (path.extension() == ".gz") {
    handle_->gz = gzopen(path.c_str(), "wb1");  // fast; any level reads the same
    if (handle_->gz != nullptr) gzbuffer(handle_->gz, kBlock);
  } else {
    handle_->plain = std::fopen(path.c_str(), "wb");
  }
  if (handle_->gz == nullptr && handle_->plain == nullptr) {
    throw DataError(path.string() + ": cannot create file");
  }
  buffer_.reserve(kBlock + 4096);
}

TextOut::~TextOut() {
  try {
    close();
  } catch (const Error&) {
  }
}

TextOut& TextOut::operator<<(std::string_view text) {
  buffer_ += text;
  if (buffer_.size() >= kBlock) flush();
  return *this;
}

TextOut& TextOut::operator<<(int64_t n) { return *this << std::string_view(std::to_string(n)); }

void TextOut::flush() {
  if (buffer_.empty()) return;
  bool ok = false;
  if (handle_->gz != nullptr) {
    ok = gzwrite(handle_->gz, buffer_.data(), static_cast<unsigned>(buffer_.size())) ==
         static_cast<int>(buffer_.size());
  } else if (handle_->plain != nullptr) {
    ok = std::fwrite(buffer_.data(), 1, buffer_.size(), handle_->plain) == buffer_.size();
  }
  buffer_.clear();
  if (!ok) throw DataError(path_.string() + ": cannot write");
}

void TextOut::close() {
  if (handle_->gz == nullptr && handle_->plain == nullptr) return;
  flush();
  const int rc = handle_->gz != nullptr ? gzclose(handle_->gz) : std::fclose(handle_->plain);
  handle_->gz = nullptr;
  handle_->plain = nullptr;
  if (rc != 0) throw DataError(path_.string() + ": cannot write (closing the file failed)");
}

void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      out += "\\u00";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  out += '"';
}

void append_python_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  const bool double_quoted =
      text.find('\'') != std::string_view::npos && text.find('"') == std::string_view::npos;
  const char quote = double_quoted ? '"' : '\'';
  out += 'u';
  out += quote;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto u = static_cast<unsigned char>(text[i]);
    if (u < 0x80) {
      if (text[i] == quote || text[i] == '\\') out += '\\';
      out += text[i];
      continue;
    }
    uint32_t cp = 0;  // the writers only produce 2- and 3-byte UTF-8
    if ((u & 0xe0) == 0xc0 && i + 1 < text.size()) {
      cp = ((u & 0x1fu) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3fu);
      i += 1;
    } else if (i + 2 < text.size()) {
      cp = ((u & 0x0fu) << 12) | ((static_cast<unsigned char>(text[i + 1]) & 0x3fu) << 6) |
           (static_cast<unsigned char>(text[i + 2]) & 0x3fu);
      i += 2;
    }
    if (cp < 0x100) {
      out += "\\x";
    } else {
      out += "\\u";
      out += kHex[(cp >> 12) & 15];
      out += kHex[(cp >> 8) & 15];
    }
    out += kHex[(cp >> 4) & 15];
    out += kHex[cp & 15];
  }
  out += quote;
}

}  // namespace recbench::synth
