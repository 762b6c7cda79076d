// Helpers shared by the tests (in a *_test.cpp so the test glob links it once).
#include <cmath>
#include <fstream>
#include <random>
#include <sstream>

#include "support/paths.h"
#include "tubelet/config/dump.h"

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

namespace {

std::string describe(const Value& v) {
  std::ostringstream s;
  if (v.is_float() || v.is_int())
    s.precision(17), s << v.as_float();
  else
    s << v.type_name();
  return s.str();
}

}  // namespace

std::string json_difference(const Value& a, const Value& b, double rel_tol, double abs_tol) {
  if (a.is_float() || b.is_float()) {
    if (!a.is_number() || !b.is_number()) return ": " + describe(a) + " vs " + describe(b);
    const double x = a.as_float(), y = b.as_float();
    if (std::isnan(x) && std::isnan(y)) return "";
    if (x == y || std::abs(x - y) <= abs_tol + rel_tol * std::abs(y)) return "";
    return ": " + describe(a) + " vs " + describe(b);
  }
  if (a.is_sequence() && b.is_sequence()) {
    const List &x = a.as_list(), &y = b.as_list();
    if (x.size() != y.size())
      return ": " + std::to_string(x.size()) + " items vs " + std::to_string(y.size());
    for (size_t i = 0; i < x.size(); ++i) {
      std::string d = json_difference(x[i], y[i], rel_tol, abs_tol);
      if (!d.empty()) return "[" + std::to_string(i) + "]" + d;
    }
    return "";
  }
  if (a.is_dict() && b.is_dict()) {
    const Dict &x = a.as_dict(), &y = b.as_dict();
    if (x.size() != y.size()) return ": dicts of different sizes";
    for (const auto& [key, value] : x) {
      const Value* other = y.find(key);
      if (!other) return "[" + key.as_str() + "]: missing";
      std::string d = json_difference(value, *other, rel_tol, abs_tol);
      if (!d.empty()) return "[" + key.as_str() + "]" + d;
    }
    return "";
  }
  return a == b ? "" : ": " + describe(a) + " vs " + describe(b);
}

}  // namespace tubelet::test

namespace tubelet::test {
namespace {

TEST(JsonDifference, ToleratesFloat32ReorderingButNotARealChange) {
  const Value a = from_json(R"([[0.32799121737480164, 0.1], {"top1": 0.5, "n": 3}])");
  EXPECT_EQ(json_difference(a, from_json(R"([[0.3279910385608673, 0.1], {"top1": 0.5, "n": 3}])")),
            "");
  EXPECT_EQ(json_difference(a, from_json(R"([[0.3280, 0.1], {"top1": 0.5, "n": 3}])")),
            "[0][0]: 0.32799121737480164 vs 0.32800000000000001");
  EXPECT_EQ(json_difference(a, from_json(R"([[0.32799121737480164, 0.1], {"top1": 0.5, "n": 4}])")),
            "[1][n]: 3 vs 4");
  EXPECT_EQ(json_difference(a, from_json(R"([[0.32799121737480164], {"top1": 0.5, "n": 3}])")),
            "[0]: 2 items vs 1");
  EXPECT_EQ(json_difference(a, from_json(R"([[0.32799121737480164, 0.1], {"top5": 0.5, "n": 3}])")),
            "[1][top1]: missing");
}

}  // namespace
}  // namespace tubelet::test
