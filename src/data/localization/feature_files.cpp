#include "tubelet/data/localization/feature_files.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace tubelet {

namespace {

std::string trim(const std::string& s) {
  const char* ws = " \t\r\n\v\f";
  size_t b = s.find_first_not_of(ws);
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

float parse_number(const std::string& field, const std::string& where) {
  std::string t = trim(field);
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(t.c_str(), &end);
  if (t.empty() || end != t.c_str() + t.size())
    throw std::runtime_error(where + ": '" + t + "' is not a number");
  return static_cast<float>(v);
}

}  // namespace

torch::Tensor load_csv_table(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open '" + path + "' (" + what + ")");
  std::string line;
  std::getline(in, line);  // skiprows=1: the header
  std::vector<float> values;
  int64_t width = -1, rows = 0;
  for (int64_t number = 2; std::getline(in, line); ++number) {
    line = trim(line.substr(0, line.find('#')));
    if (line.empty()) continue;
    const std::string where = path + ":" + std::to_string(number) + " (" + what + ")";
    std::stringstream fields(line);
    int64_t count = 0;
    for (std::string field; std::getline(fields, field, ',');) {
      values.push_back(parse_number(field, where));
      ++count;
    }
    if (line.back() == ',') values.push_back(parse_number("", where));
    if (width < 0) width = count;
    if (count != width)
      throw std::runtime_error(where + ": " + std::to_string(count) +
                               " values where the rows "
                               "before have " +
                               std::to_string(width));
    ++rows;
  }
  if (rows == 0) throw std::runtime_error("'" + path + "' (" + what + ") has no data rows");
  return torch::from_blob(values.data(), {rows, width}, torch::kFloat).clone();
}

namespace {

// The value of `key` in the header's Python dict literal.
std::string header_field(const std::string& header, const std::string& key,
                         const std::string& path) {
  size_t k = header.find("'" + key + "'");
  if (k == std::string::npos) throw std::runtime_error(path + ": .npy header has no '" + key + "'");
  size_t colon = header.find(':', k);
  size_t end = key == "shape" ? header.find(')', colon) + 1 : header.find_first_of(",}", colon);
  return trim(header.substr(colon + 1, end - colon - 1));
}

torch::Dtype dtype_of(char kind, int size, const std::string& path) {
  if (kind == 'f' && size == 2) return torch::kHalf;
  if (kind == 'f' && size == 4) return torch::kFloat;
  if (kind == 'f' && size == 8) return torch::kDouble;
  if (kind == 'i' && size == 1) return torch::kChar;
  if (kind == 'i' && size == 2) return torch::kShort;
  if (kind == 'i' && size == 4) return torch::kInt;
  if (kind == 'i' && size == 8) return torch::kLong;
  if (kind == 'u' && size == 1) return torch::kByte;
  if (kind == 'b' && size == 1) return torch::kBool;
  throw std::runtime_error(path + ": unsupported .npy dtype '" + std::string(1, kind) +
                           std::to_string(size) + "'");
}

}  // namespace

torch::Tensor load_npy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open '" + path + "'");
  char magic[8];
  if (!in.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0)
    throw std::runtime_error(path + ": not a .npy file");
  uint32_t header_len = 0;
  unsigned char len[4] = {0, 0, 0, 0};
  const int len_bytes = magic[6] == 1 ? 2 : 4;
  in.read(reinterpret_cast<char*>(len), len_bytes);
  for (int i = len_bytes - 1; i >= 0; --i) header_len = header_len * 256 + len[i];
  std::string header(header_len, '\0');
  if (!in.read(header.data(), header_len)) throw std::runtime_error(path + ": truncated header");
  std::string descr = header_field(header, "descr", path);
  descr = descr.substr(1, descr.size() - 2);  // the quotes
  if (descr.size() < 3) throw std::runtime_error(path + ": bad dtype '" + descr + "'");
  const bool big = descr[0] == '>';
  const int size = std::atoi(descr.c_str() + 2);
  torch::Dtype dtype = dtype_of(descr[1], size, path);
  const bool fortran = header_field(header, "fortran_order", path) == "True";
  std::vector<int64_t> shape;
  std::string dims = header_field(header, "shape", path);
  std::stringstream ds(dims.substr(1, dims.size() - 2));
  for (std::string d; std::getline(ds, d, ',');)
    if (!trim(d).empty()) shape.push_back(std::stoll(trim(d)));
  int64_t count = 1;
  for (int64_t d : shape) count *= d;
  std::vector<char> data(static_cast<size_t>(count) * size);
  if (!in.read(data.data(), static_cast<std::streamsize>(data.size())))
    throw std::runtime_error(path + ": truncated data (" + std::to_string(count) + " values)");
  if (big && size > 1)
    for (size_t i = 0; i < data.size(); i += size) std::reverse(&data[i], &data[i] + size);
  std::vector<int64_t> stored = shape;
  if (fortran) std::reverse(stored.begin(), stored.end());
  torch::Tensor t = torch::from_blob(data.data(), stored, dtype).clone();
  if (fortran) {
    std::vector<int64_t> order(shape.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int64_t>(order.size() - 1 - i);
    t = t.permute(order).contiguous();
  }
  return t;
}

}  // namespace tubelet
