// Typed reads and writes of HDF5 groups, attributes and datasets used by the results file.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "hdf5_handle.h"

namespace recbench::h5 {

//! `ctx` in every helper names the file and object for error messages ("f.h5:/runs/a").

bool has_link(hid_t loc, const std::string& name);
//! Creates a group whose children keep their creation order.
Handle create_group(hid_t loc, const std::string& name, const std::string& ctx);
Handle open_group(hid_t loc, const std::string& name, const std::string& ctx);
//! Opens the group, creating it when absent.
Handle ensure_group(hid_t loc, const std::string& name, const std::string& ctx);
void delete_link(hid_t loc, const std::string& name, const std::string& ctx);
//! Names of a group's children in creation order (name order where it was not tracked).
std::vector<std::string> child_names(hid_t group, const std::string& ctx);

//! Writes (or replaces) a scalar attribute; text is variable-length UTF-8.
void write_attr(hid_t obj, const std::string& name, const std::string& value,
                const std::string& ctx);
void write_attr(hid_t obj, const std::string& name, double value, const std::string& ctx);
void write_attr(hid_t obj, const std::string& name, int64_t value, const std::string& ctx);
std::optional<std::string> read_string_attr(hid_t obj, const std::string& name,
                                            const std::string& ctx);
std::optional<double> read_double_attr(hid_t obj, const std::string& name, const std::string& ctx);
//! Like read_string_attr but throws Error naming the attribute when absent.
std::string require_string_attr(hid_t obj, const std::string& name, const std::string& ctx);
std::vector<std::string> attr_names(hid_t obj, const std::string& ctx);

//! Element types the array helpers accept.
template <class T>
struct NativeType;
template <>
struct NativeType<int32_t> {
  static hid_t memory() { return H5T_NATIVE_INT32; }
  static hid_t file() { return H5T_STD_I32LE; }
};
template <>
struct NativeType<int64_t> {
  static hid_t memory() { return H5T_NATIVE_INT64; }
  static hid_t file() { return H5T_STD_I64LE; }
};
template <>
struct NativeType<double> {
  static hid_t memory() { return H5T_NATIVE_DOUBLE; }
  static hid_t file() { return H5T_IEEE_F64LE; }
};

void write_raw(hid_t loc, const std::string& name, const void* data, hid_t memory_type,
               hid_t file_type, const std::vector<hsize_t>& dims, const std::string& ctx);
//! Reads the whole dataset converted to `memory_type`; `dims` receives its shape.
void read_raw(hid_t loc, const std::string& name, hid_t memory_type, size_t element_size,
              std::vector<char>& bytes, std::vector<hsize_t>& dims, const std::string& ctx);

//! Writes `data` as a dataset of shape `dims` (1-D of data.size() when empty); large ones are
//! chunked and compressed (shuffle + deflate).
template <class T>
void write_array(hid_t loc, const std::string& name, const std::vector<T>& data,
                 std::vector<hsize_t> dims, const std::string& ctx) {
  if (dims.empty()) {
    dims = {static_cast<hsize_t>(data.size())};
  }
  write_raw(loc, name, data.data(), NativeType<T>::memory(), NativeType<T>::file(), dims, ctx);
}

template <class T>
std::vector<T> read_array(hid_t loc, const std::string& name, std::vector<hsize_t>& dims,
                          const std::string& ctx) {
  std::vector<char> bytes;
  read_raw(loc, name, NativeType<T>::memory(), sizeof(T), bytes, dims, ctx);
  std::vector<T> out(bytes.size() / sizeof(T));
  if (!out.empty()) {
    std::memcpy(out.data(), bytes.data(), bytes.size());
  }
  return out;
}

template <class T>
std::vector<T> read_array(hid_t loc, const std::string& name, const std::string& ctx) {
  std::vector<hsize_t> dims;
  return read_array<T>(loc, name, dims, ctx);
}

void write_scalar(hid_t loc, const std::string& name, double value, const std::string& ctx);
double read_scalar(hid_t loc, const std::string& name, const std::string& ctx);

}  // namespace recbench::h5
