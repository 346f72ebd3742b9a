// Prepared-dataset cache: SHA-256 fingerprints (OpenSSL) and a compact binary file format.
#include "recbench/core/data/dataset_cache.h"

#include <openssl/evp.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <type_traits>

#include "recbench/core/data/split.h"
#include "recbench/core/readers/line_reader.h"
#include "recbench/error.h"

namespace recbench {
namespace {

//! Bump when preparation or the file layout changes: old cache files then miss.
constexpr uint32_t kCacheVersion = 2;
constexpr char kMagic[8] = {'R', 'B', 'D', 'A', 'T', 'A', 'S', 'T'};

//! Incremental SHA-256 over OpenSSL's EVP interface.
class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1) {
      throw Error("OpenSSL: cannot initialise SHA-256");
    }
  }
  void update(std::string_view data) { EVP_DigestUpdate(ctx_.get(), data.data(), data.size()); }
  std::string hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_DigestFinal_ex(ctx_.get(), digest, &size);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < size; ++i) {
      out += kHex[digest[i] >> 4];
      out += kHex[digest[i] & 15];
    }
    return out;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
};

//! SHA-256 of a file's bytes (as stored: a .gz file is hashed compressed) and its size.
std::string file_digest(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw DataError(path.string() + ": cannot open");
  }
  Sha256 sha;
  std::vector<char> chunk(1 << 20);
  uint64_t size = 0;
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    const auto got = static_cast<size_t>(in.gcount());
    sha.update({chunk.data(), got});
    size += got;
  }
  return std::to_string(size) + ":" + sha.hex();
}

//! Every parsed field of the recipe, one per line (floats in hex: exact).
std::string canonical_recipe(const Recipe& r) {
  std::ostringstream s;
  s << "name=" << r.name << "\nformat=" << r.format << "\non_error=" << r.on_error
    << "\nseed=" << r.seed << "\nmax_history=" << r.max_history << "\ntext_fields=";
  for (const auto& f : r.text_fields) {
    s << f << '\x1f';
  }
  s << "\nfilter=" << r.filter.user_core << ',' << r.filter.item_core << ',' << r.filter.min_length
    << ',' << r.filter.dedup << "\nsplit=" << r.split.method << '\n';
  for (const auto& [key, value] : r.options) {
    s << "options." << key << '=' << std::hexfloat << value << '\n';
  }
  for (const auto& [key, value] : r.reader) {
    s << "reader." << key << '=' << value << '\n';
  }
  if (r.synthesize) {  // only present in stand-ins: other fingerprints do not change
    s << "synthesize=" << r.synthesize->dataset << ',' << r.synthesize->seed << ',' << std::hexfloat
      << r.synthesize->scale << '\n';
  }
  return s.str();
}

}  // namespace

std::string dataset_fingerprint(const Recipe& recipe) {
  Sha256 sha;
  sha.update("recbench-dataset-v" + std::to_string(kCacheVersion) + "\n");
  sha.update(canonical_recipe(recipe));
  for (const auto& [role, path] : recipe.files) {  // std::map: sorted by role
    sha.update("file." + role + "=" + file_digest(recipe_file(recipe, role)) + "\n");
  }
  return sha.hex();
}

std::filesystem::path cache_path(const std::filesystem::path& cache_dir, const std::string& name,
                                 const std::string& fingerprint) {
  std::string safe = name;
  for (char& c : safe) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
      c = '_';
    }
  }
  return cache_dir / (safe + "-" + fingerprint.substr(0, 16) + ".rbdata");
}

namespace {

//! Writes values in native byte order (the cache is local to a machine).
struct Writer {
  std::ofstream& out;
  void put(const void* data, size_t n) {
    out.write(static_cast<const char*>(data), static_cast<std::streamsize>(n));
  }
  template <typename T>
  requires std::is_arithmetic_v<T>
  void operator()(const T& v) { put(&v, sizeof v); }
  void operator()(const std::string& s) {
    (*this)(static_cast<uint64_t>(s.size()));
    put(s.data(), s.size());
  }
  template <typename T>
  void operator()(const std::vector<T>& v) {
    (*this)(static_cast<uint64_t>(v.size()));
    if constexpr (std::is_arithmetic_v<T>) {
      put(v.data(), v.size() * sizeof(T));
    } else {
      for (const auto& x : v) {
        (*this)(x);
      }
    }
  }
};

struct Truncated {};

//! Reads what Writer wrote; throws Truncated when the data ends early.
struct Reader {
  std::string_view in;
  void take(void* dst, size_t n) {
    if (n > in.size()) {
      throw Truncated{};
    }
    std::memcpy(dst, in.data(), n);
    in.remove_prefix(n);
  }
  template <typename T>
  requires std::is_arithmetic_v<T>
  void operator()(T& v) { take(&v, sizeof v); }
  void operator()(std::string& s) {
    uint64_t n = 0;
    (*this)(n);
    if (n > in.size()) {
      throw Truncated{};
    }
    s.assign(in.substr(0, n));
    in.remove_prefix(n);
  }
  template <typename T>
  void operator()(std::vector<T>& v) {
    uint64_t n = 0;
    (*this)(n);
    if (n > in.size()) {
      throw Truncated{};  // every element takes at least one byte
    }
    v.resize(n);
    if constexpr (std::is_arithmetic_v<T>) {
      take(v.data(), n * sizeof(T));
    } else {
      for (auto& x : v) {
        (*this)(x);
      }
    }
  }
};

//! Visits every stored field of a dataset in file order (D may be const for writing). The
//! splits and item counts are not stored: split_dataset() derives them from the sequences.
template <typename A, typename S>
void sequence_fields(A& a, S& s) {
  a(s.offsets);
  a(s.items);
  a(s.timestamps);
  a(s.domains);
  a(s.users);
}

template <typename A, typename D>
void dataset_fields(A& a, D& d) {
  a(d.name);
  a(d.fingerprint);
  a(d.recipe_toml);
  a(d.max_history);
  a(d.split_method);
  a(d.items.tokens);
  a(d.items.titles);
  a(d.items.categories);
  a(d.items.domain);
  a(d.items.domain_names);
  a(d.user_tokens);
  sequence_fields(a, d.sequences);
  auto& st = d.stats;
  a(st.users), a(st.items), a(st.interactions), a(st.avg_length), a(st.density);
  a(st.raw_interactions), a(st.dropped_filter), a(st.skipped_lines);
}

}  // namespace

void save_prepared(const PreparedDataset& dataset, const std::filesystem::path& path) {
  std::error_code ec;
  if (path.has_parent_path()) {
    std::filesystem::create_directories(path.parent_path(), ec);
  }
  auto tmp = path;
  tmp += ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    Writer w{out};
    w.put(kMagic, sizeof kMagic);
    w(kCacheVersion);
    dataset_fields(w, dataset);
    if (!out) {
      throw DataError(tmp.string() + ": cannot write the dataset cache");
    }
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    throw DataError(path.string() + ": cannot write the dataset cache (" + ec.message() + ")");
  }
}

std::optional<PreparedDataset> load_prepared(const std::filesystem::path& path,
                                             const std::string& fingerprint) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) {
    return std::nullopt;
  }
  std::string data(static_cast<size_t>(in.tellg()), '\0');
  in.seekg(0);
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  if (!in) {
    return std::nullopt;
  }
  Reader r{data};
  try {
    char magic[sizeof kMagic];
    r.take(magic, sizeof magic);
    uint32_t version = 0;
    r(version);
    if (std::memcmp(magic, kMagic, sizeof kMagic) != 0 || version != kCacheVersion) {
      return std::nullopt;
    }
    PreparedDataset d;
    dataset_fields(r, d);
    if (!r.in.empty() || d.fingerprint != fingerprint) {
      return std::nullopt;
    }
    split_dataset(d);
    return d;
  } catch (const Truncated&) {
    return std::nullopt;
  }
}

}  // namespace recbench
