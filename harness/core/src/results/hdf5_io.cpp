// Typed reads and writes of HDF5 groups, attributes and datasets used by the results file.
#include "hdf5_io.h"

#include <algorithm>

namespace recbench::h5 {
namespace {

constexpr hsize_t kCompressMinElements = 4096;  //!< smaller arrays stay contiguous
constexpr hsize_t kChunkElements = 65536;       //!< target elements per chunk
constexpr unsigned kDeflateLevel = 4;

herr_t innermost_message(unsigned n, const H5E_error2_t* err, void* data) {
  if (n == 0 && err != nullptr && err->desc != nullptr) {
    *static_cast<std::string*>(data) = err->desc;
  }
  return 0;
}

herr_t collect_link(hid_t /*group*/, const char* name, const H5L_info_t* /*info*/, void* data) {
  static_cast<std::vector<std::string>*>(data)->emplace_back(name);
  return 0;
}

herr_t collect_attr(hid_t /*obj*/, const char* name, const H5A_info_t* /*info*/, void* data) {
  static_cast<std::vector<std::string>*>(data)->emplace_back(name);
  return 0;
}

Handle text_type(H5T_cset_t cset, size_t size, const std::string& ctx) {
  Handle type = checked(H5Tcopy(H5T_C_S1), H5Tclose, ctx, "cannot create a string type");
  check(H5Tset_size(type.get(), size), ctx, "cannot size a string type");
  check(H5Tset_cset(type.get(), cset), ctx, "cannot set a string type's character set");
  return type;
}

Handle scalar_space(const std::string& ctx) {
  return checked(H5Screate(H5S_SCALAR), H5Sclose, ctx, "cannot create a scalar dataspace");
}

Handle new_attr(hid_t obj, const std::string& name, hid_t type, const std::string& ctx) {
  htri_t exists = H5Aexists(obj, name.c_str());
  if (exists < 0) {
    fail(ctx, "cannot look up attribute '" + name + "'");
  }
  if (exists > 0) {
    check(H5Adelete(obj, name.c_str()), ctx, "cannot replace attribute '" + name + "'");
  }
  Handle space = scalar_space(ctx);
  return checked(H5Acreate2(obj, name.c_str(), type, space.get(), H5P_DEFAULT, H5P_DEFAULT),
                 H5Aclose, ctx, "cannot create attribute '" + name + "'");
}

//! Opens an attribute, or an invalid Handle when it is absent.
Handle open_attr(hid_t obj, const std::string& name, const std::string& ctx) {
  htri_t exists = H5Aexists(obj, name.c_str());
  if (exists < 0) {
    fail(ctx, "cannot look up attribute '" + name + "'");
  }
  if (exists == 0) {
    return {};
  }
  return checked(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose, ctx,
                 "cannot open attribute '" + name + "'");
}

//! Creation property list that compresses arrays of at least kCompressMinElements.
Handle array_creation_plist(const std::vector<hsize_t>& dims, const std::string& ctx) {
  Handle dcpl = checked(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, ctx, "cannot create a plist");
  hsize_t total = 1;
  for (hsize_t d : dims) {
    total *= d;
  }
  if (total < kCompressMinElements || H5Zfilter_avail(H5Z_FILTER_DEFLATE) <= 0) {
    return dcpl;
  }
  std::vector<hsize_t> chunk = dims;
  hsize_t row = total / dims[0];
  chunk[0] = std::clamp<hsize_t>(kChunkElements / std::max<hsize_t>(row, 1), 1, dims[0]);
  check(H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()), ctx,
        "cannot set chunking");
  check(H5Pset_shuffle(dcpl.get()), ctx, "cannot set the shuffle filter");
  check(H5Pset_deflate(dcpl.get(), kDeflateLevel), ctx, "cannot set deflate compression");
  return dcpl;
}

}  // namespace

std::string last_error_message() {
  std::string message;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost_message, &message);
  return message;
}

void fail(const std::string& context, const std::string& what) {
  std::string detail = last_error_message();
  throw Error(context + ": " + what + (detail.empty() ? "" : " (HDF5: " + detail + ")"));
}

bool has_link(hid_t loc, const std::string& name) {
  return H5Lexists(loc, name.c_str(), H5P_DEFAULT) > 0;
}

Handle create_group(hid_t loc, const std::string& name, const std::string& ctx) {
  Handle gcpl = checked(H5Pcreate(H5P_GROUP_CREATE), H5Pclose, ctx, "cannot create a plist");
  check(H5Pset_link_creation_order(gcpl.get(), H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED), ctx,
        "cannot track creation order");
  return checked(H5Gcreate2(loc, name.c_str(), H5P_DEFAULT, gcpl.get(), H5P_DEFAULT), H5Gclose, ctx,
                 "cannot create group '" + name + "'");
}

Handle open_group(hid_t loc, const std::string& name, const std::string& ctx) {
  return checked(H5Gopen2(loc, name.c_str(), H5P_DEFAULT), H5Gclose, ctx,
                 "cannot open group '" + name + "'");
}

Handle ensure_group(hid_t loc, const std::string& name, const std::string& ctx) {
  return has_link(loc, name) ? open_group(loc, name, ctx) : create_group(loc, name, ctx);
}

void delete_link(hid_t loc, const std::string& name, const std::string& ctx) {
  check(H5Ldelete(loc, name.c_str(), H5P_DEFAULT), ctx, "cannot delete '" + name + "'");
}

std::vector<std::string> child_names(hid_t group, const std::string& ctx) {
  Handle gcpl = checked(H5Gget_create_plist(group), H5Pclose, ctx, "cannot read group plist");
  unsigned flags = 0;
  check(H5Pget_link_creation_order(gcpl.get(), &flags), ctx, "cannot read creation order");
  H5_index_t index = (flags & H5P_CRT_ORDER_INDEXED) != 0 ? H5_INDEX_CRT_ORDER : H5_INDEX_NAME;
  std::vector<std::string> names;
  check(H5Literate(group, index, H5_ITER_INC, nullptr, collect_link, &names), ctx,
        "cannot list the group");
  return names;
}

void write_attr(hid_t obj, const std::string& name, const std::string& value,
                const std::string& ctx) {
  Handle type = text_type(H5T_CSET_UTF8, H5T_VARIABLE, ctx);
  Handle attr = new_attr(obj, name, type.get(), ctx);
  const char* text = value.c_str();
  check(H5Awrite(attr.get(), type.get(), &text), ctx, "cannot write attribute '" + name + "'");
}

void write_attr(hid_t obj, const std::string& name, double value, const std::string& ctx) {
  Handle attr = new_attr(obj, name, H5T_IEEE_F64LE, ctx);
  check(H5Awrite(attr.get(), H5T_NATIVE_DOUBLE, &value), ctx,
        "cannot write attribute '" + name + "'");
}

void write_attr(hid_t obj, const std::string& name, int64_t value, const std::string& ctx) {
  Handle attr = new_attr(obj, name, H5T_STD_I64LE, ctx);
  check(H5Awrite(attr.get(), H5T_NATIVE_INT64, &value), ctx,
        "cannot write attribute '" + name + "'");
}

std::optional<std::string> read_string_attr(hid_t obj, const std::string& name,
                                            const std::string& ctx) {
  Handle attr = open_attr(obj, name, ctx);
  if (!attr.valid()) {
    return std::nullopt;
  }
  Handle file_type = checked(H5Aget_type(attr.get()), H5Tclose, ctx, "cannot read a type");
  if (H5Tget_class(file_type.get()) != H5T_STRING) {
    fail(ctx, "attribute '" + name + "' is not text");
  }
  H5T_cset_t cset = H5Tget_cset(file_type.get());
  if (H5Tis_variable_str(file_type.get()) > 0) {
    Handle type = text_type(cset, H5T_VARIABLE, ctx);
    char* text = nullptr;
    check(H5Aread(attr.get(), type.get(), &text), ctx, "cannot read attribute '" + name + "'");
    std::string value = text != nullptr ? text : "";
    H5free_memory(text);
    return value;
  }
  size_t size = H5Tget_size(file_type.get());
  Handle type = text_type(cset, size, ctx);
  std::string value(size, '\0');
  check(H5Aread(attr.get(), type.get(), value.data()), ctx, "cannot read attribute '" + name + "'");
  value.resize(value.find('\0') == std::string::npos ? size : value.find('\0'));
  return value;
}

std::optional<double> read_double_attr(hid_t obj, const std::string& name, const std::string& ctx) {
  Handle attr = open_attr(obj, name, ctx);
  if (!attr.valid()) {
    return std::nullopt;
  }
  Handle file_type = checked(H5Aget_type(attr.get()), H5Tclose, ctx, "cannot read a type");
  H5T_class_t cls = H5Tget_class(file_type.get());
  if (cls != H5T_FLOAT && cls != H5T_INTEGER) {
    fail(ctx, "attribute '" + name + "' is not a number");
  }
  double value = 0.0;
  check(H5Aread(attr.get(), H5T_NATIVE_DOUBLE, &value), ctx,
        "cannot read attribute '" + name + "'");
  return value;
}

std::string require_string_attr(hid_t obj, const std::string& name, const std::string& ctx) {
  std::optional<std::string> value = read_string_attr(obj, name, ctx);
  if (!value) {
    throw Error(ctx + ": missing attribute '" + name + "'");
  }
  return *value;
}

std::vector<std::string> attr_names(hid_t obj, const std::string& ctx) {
  std::vector<std::string> names;
  check(H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, nullptr, collect_attr, &names), ctx,
        "cannot list attributes");
  return names;
}

void write_raw(hid_t loc, const std::string& name, const void* data, hid_t memory_type,
               hid_t file_type, const std::vector<hsize_t>& dims, const std::string& ctx) {
  Handle space = checked(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                         H5Sclose, ctx, "cannot create a dataspace for '" + name + "'");
  Handle dcpl = array_creation_plist(dims, ctx);
  Handle set = checked(
      H5Dcreate2(loc, name.c_str(), file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT),
      H5Dclose, ctx, "cannot create dataset '" + name + "'");
  if (H5Sget_simple_extent_npoints(space.get()) == 0) {
    return;  // HDF5 rejects a null buffer
  }
  check(H5Dwrite(set.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), ctx,
        "cannot write dataset '" + name + "'");
}

void read_raw(hid_t loc, const std::string& name, hid_t memory_type, size_t element_size,
              std::vector<char>& bytes, std::vector<hsize_t>& dims, const std::string& ctx) {
  Handle set = checked(H5Dopen2(loc, name.c_str(), H5P_DEFAULT), H5Dclose, ctx,
                       "cannot open dataset '" + name + "'");
  Handle space = checked(H5Dget_space(set.get()), H5Sclose, ctx, "cannot read a dataspace");
  int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) {
    fail(ctx, "cannot read the shape of '" + name + "'");
  }
  dims.assign(static_cast<size_t>(rank), 0);
  check(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr), ctx,
        "cannot read the shape of '" + name + "'");
  hssize_t count = H5Sget_simple_extent_npoints(space.get());
  bytes.assign(static_cast<size_t>(count) * element_size, 0);
  if (count == 0) {
    return;
  }
  check(H5Dread(set.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data()), ctx,
        "cannot read dataset '" + name + "'");
}

void write_scalar(hid_t loc, const std::string& name, double value, const std::string& ctx) {
  Handle space = scalar_space(ctx);
  Handle set = checked(H5Dcreate2(loc, name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT,
                                  H5P_DEFAULT, H5P_DEFAULT),
                       H5Dclose, ctx, "cannot create dataset '" + name + "'");
  check(H5Dwrite(set.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &value), ctx,
        "cannot write dataset '" + name + "'");
}

double read_scalar(hid_t loc, const std::string& name, const std::string& ctx) {
  std::vector<char> bytes;
  std::vector<hsize_t> dims;
  read_raw(loc, name, H5T_NATIVE_DOUBLE, sizeof(double), bytes, dims, ctx);
  if (bytes.size() != sizeof(double)) {
    fail(ctx, "dataset '" + name + "' is not a scalar");
  }
  double value = 0.0;
  std::memcpy(&value, bytes.data(), sizeof value);
  return value;
}

}  // namespace recbench::h5
