// Helpers shared by the tests (in a *_test.cpp so the test glob links it once).
#include <cmath>
#include <fstream>
#include <random>
#include <sstream>

#include "support/paths.h"

namespace tubelet::test {

TempDir::TempDir() {
  std::random_device rd;
  path_ = std::filesystem::temp_directory_path() /
          ("tubelet-test-" + std::to_string(rd()) + std::to_string(rd()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::filesystem::path TempDir::write(const std::string& relative, const std::string& text) const {
  std::filesystem::path p = path_ / relative;
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace tubelet::test

namespace tubelet::test {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

Value decode_golden(const Value& v) {
  if (v.is_list()) {
    List items;
    for (const Value& item : v.as_list()) items.push_back(decode_golden(item));
    return Value::list(std::move(items));
  }
  if (!v.is_dict()) return v;
  const Dict& d = v.as_dict();
  if (d.size() == 1) {
    const auto& [key, inner] = *d.begin();
    const std::string& tag = key.as_str();
    if (tag == "__tuple__") return Value::tuple(decode_golden(inner).as_list());
    if (tag == "__range__") {
      const List& r = inner.as_list();
      return Value(Range{r[0].as_int(), r[1].as_int(), r[2].as_int()});
    }
    if (tag == "__float__") {
      const std::string& s = inner.as_str();
      return Value(s == "nan" ? std::nan("") : s == "inf" ? HUGE_VAL : -HUGE_VAL);
    }
    if (tag == "__dict__") {
      Dict out;
      for (const Value& pair : inner.as_list())
        out.set(decode_golden(pair.as_list()[0]), decode_golden(pair.as_list()[1]));
      return Value(out);
    }
  }
  Dict out;
  for (const auto& [k, item] : d) out.set(k, decode_golden(item));
  return Value(out);
}

}  // namespace tubelet::test
