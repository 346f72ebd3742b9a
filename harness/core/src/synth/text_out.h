// An output text file for the synthetic writers: buffered, plain or gzip (deterministic bytes).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace recbench::synth {

//! Writes a file, gzip-compressed when its name ends in ".gz" (zlib; header time 0, so the same
//! content gives the same bytes). Errors throw DataError naming the path.
class TextOut {
 public:
  explicit TextOut(const std::filesystem::path& path);
  ~TextOut();
  TextOut(const TextOut&) = delete;
  TextOut& operator=(const TextOut&) = delete;

  //! Appends text (flushed in large blocks).
  TextOut& operator<<(std::string_view text);
  TextOut& operator<<(int64_t n);
  //! Flushes and closes; call it to see write errors (the destructor swallows them).
  void close();
  const std::filesystem::path& path() const { return path_; }

 private:
  void flush();

  struct Handle;
  std::unique_ptr<Handle> handle_;
  std::filesystem::path path_;
  std::string buffer_;
};

//! `text` as a JSON string literal, quotes included (UTF-8 is kept as it is).
void append_json_string(std::string& out, std::string_view text);
//! `text` (UTF-8) as Python 2's repr() writes a unicode string: u'...' with \xNN / \uNNNN escapes.
void append_python_string(std::string& out, std::string_view text);

}  // namespace recbench::synth
