// RAII ownership of HDF5 identifiers, error checks that throw recbench::Error, silenced printing.
#pragma once

#include <hdf5.h>

#include <string>
#include <utility>

#include "recbench/error.h"

namespace recbench::h5 {

//! The innermost message on HDF5's error stack of this thread ("" when empty).
std::string last_error_message();

//! Throws Error("<context>: <what> (<HDF5's innermost message>)").
[[noreturn]] void fail(const std::string& context, const std::string& what);

//! Owns one hid_t and closes it with the matching H5?close function.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);

  Handle() = default;
  Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& other) noexcept { *this = std::move(other); }
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
      closer_ = std::exchange(other.closer_, nullptr);
    }
    return *this;
  }
  ~Handle() { reset(); }

  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  //! Closes now and reports whether HDF5 succeeded (a file's close flushes it).
  bool close() {
    herr_t status = 0;
    if (id_ >= 0 && closer_ != nullptr) {
      status = closer_(id_);
    }
    id_ = H5I_INVALID_HID;
    return status >= 0;
  }

 private:
  void reset() { close(); }

  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

//! Returns a Handle for `id`, or throws (via fail) when HDF5 returned an invalid id.
inline Handle checked(hid_t id, Handle::Closer closer, const std::string& context,
                      const std::string& what) {
  if (id < 0) {
    fail(context, what);
  }
  return Handle(id, closer);
}

//! Throws (via fail) when an HDF5 call returned a negative status.
inline void check(herr_t status, const std::string& context, const std::string& what) {
  if (status < 0) {
    fail(context, what);
  }
}

//! Turns off HDF5's printing of its error stack to stderr for the current scope.
class SilenceErrors {
 public:
  SilenceErrors() {
    H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  SilenceErrors(const SilenceErrors&) = delete;
  SilenceErrors& operator=(const SilenceErrors&) = delete;
  ~SilenceErrors() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
};

}  // namespace recbench::h5
