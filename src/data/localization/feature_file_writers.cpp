#include "tubelet/data/localization/feature_file_writers.h"

#include <cstdio>
#include <ostream>
#include <stdexcept>

#include "tubelet/fileio/atomic_file.h"

namespace tubelet {

namespace {

std::string descr_of(torch::ScalarType type) {
  switch (type) {
    case torch::kDouble:
      return "<f8";
    case torch::kFloat:
      return "<f4";
    case torch::kLong:
      return "<i8";
    case torch::kInt:
      return "<i4";
    case torch::kByte:
      return "|u1";
    case torch::kBool:
      return "|b1";
    default:
      throw std::invalid_argument(std::string("save_npy: unsupported dtype ") +
                                  c10::toString(type));
  }
}

// Python's repr of a shape tuple: (), (5,), (2, 3).
std::string shape_repr_feature(const torch::Tensor& t) {
  std::string s = "(";
  for (int64_t d = 0; d < t.dim(); ++d) s += (d ? ", " : "") + std::to_string(t.size(d));
  return s + (t.dim() == 1 ? ",)" : ")");
}

}  // namespace

void save_npy(const std::string& path, const torch::Tensor& array) {
  torch::Tensor t = array.detach().to(torch::kCPU).contiguous();
  std::string header = "{'descr': '" + descr_of(t.scalar_type()) +
                       "', 'fortran_order': False, 'shape': " + shape_repr_feature(t) + ", }";
  // magic (6) + version (2) + length (2) + header + '\n' is a multiple of 64
  const size_t total = 10 + header.size() + 1;
  header += std::string((64 - total % 64) % 64, ' ') + "\n";
  write_file_atomically(
      path,
      [&](std::ostream& out) {
        out.write("\x93NUMPY\x01\x00", 8);
        const unsigned char len[2] = {static_cast<unsigned char>(header.size() & 0xff),
                                      static_cast<unsigned char>(header.size() >> 8)};
        out.write(reinterpret_cast<const char*>(len), 2);
        out << header;
        out.write(static_cast<const char*>(t.data_ptr()),
                  static_cast<std::streamsize>(t.numel() * t.element_size()));
      },
      FileSync::kNoSync);
}

void save_csv_table(const std::string& path, const std::string& header,
                    const torch::Tensor& table) {
  if (table.dim() != 2)
    throw std::invalid_argument("save_csv_table: expected a 2-D table for '" + path + "', got " +
                                std::to_string(table.dim()) + "-D");
  torch::Tensor t = table.detach().to(torch::kCPU, torch::kDouble).contiguous();
  auto a = t.accessor<double, 2>();
  write_file_atomically(
      path,
      [&](std::ostream& out) {
        out << header << "\n";
        char buffer[40];
        for (int64_t r = 0; r < t.size(0); ++r) {
          for (int64_t c = 0; c < t.size(1); ++c) {
            std::snprintf(buffer, sizeof buffer, "%.18e", a[r][c]);
            if (c) out << ',';
            out << buffer;
          }
          out << "\n";
        }
      },
      FileSync::kNoSync);
}

}  // namespace tubelet
