// The few methods configs call: dict.keys/values/items/get/copy and common str methods.
#include <algorithm>

#include "config/python/builtins.h"
#include "config/python/operators.h"
#include "config/python/sequence.h"
#include "config/python/text.h"

namespace tubelet::python {

namespace {

const std::string& str_arg(const Value& v, std::string_view method, const Location& at) {
  if (!v.is_str())
    fail("TypeError: " + std::string(method) + " arg must be str, not " + v.type_name(), at);
  return v.as_str();
}

Value dict_method(const Value& self, std::string_view name, const CallArgs& args, Budget& budget) {
  const Dict& d = self.as_dict();
  std::string fn = "dict." + std::string(name);
  if (name == "get") {
    check_no_keywords(fn, args);
    check_arity(fn, args, 1, 2);
    check_key(args.positional[0], budget, args.at);
    const Value* found = d.find(args.positional[0]);
    if (found) return *found;
    return args.positional.size() > 1 ? args.positional[1] : Value().at(args.at);
  }
  check_no_keywords(fn, args);
  check_arity(fn, args, 0, 0);
  budget.charge(static_cast<int64_t>(d.size()), args.at);
  if (name == "copy") {
    charge_dict_copy(d, budget, args.at);
    return Value(d).at(args.at);
  }
  List out;
  out.reserve(d.size());
  for (const auto& [k, v] : d) {
    if (name == "keys") out.push_back(k);
    if (name == "values") out.push_back(v);
    if (name == "items") out.push_back(make_list({k, v}, true, budget, args.at));
  }
  return make_list(std::move(out), false, budget, args.at);
}

bool is_space(char c) {
  return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
}

// split()/rsplit() without a separator: runs of whitespace, no empty strings.
List split_whitespace(const std::string& s, int64_t maxsplit, bool from_right, Budget& budget,
                      const Location& at) {
  std::vector<std::pair<size_t, size_t>> words;
  for (size_t i = 0; i < s.size();) {
    while (i < s.size() && is_space(s[i])) ++i;
    size_t j = i;
    while (j < s.size() && !is_space(s[j])) ++j;
    if (j > i) {
      budget.charge(1, at);
      budget.check_size(static_cast<int64_t>(words.size()) + 1, "list", at);
      words.emplace_back(i, j);
    }
    i = j;
  }
  if (maxsplit >= 0 && static_cast<size_t>(maxsplit) + 1 < words.size()) {
    auto m = static_cast<size_t>(maxsplit);
    if (from_right) {
      size_t first = words.size() - m - 1;
      words.erase(words.begin(), words.begin() + static_cast<std::ptrdiff_t>(first));
      words[0].first = s.find_first_not_of(" \t\n\v\f\r\x1c\x1d\x1e\x1f");
    } else {
      words[m].second = s.find_last_not_of(" \t\n\v\f\r\x1c\x1d\x1e\x1f") + 1;
      words.resize(m + 1);
    }
  }
  List out;
  for (const auto& [a, b] : words) out.push_back(Value(s.substr(a, b - a)));
  return out;
}

List split_on(const std::string& s, const std::string& sep, int64_t maxsplit, bool from_right,
              Budget& budget, const Location& at) {
  if (from_right) {
    // Matching from the right is matching the reversed text from the left.
    std::string rs(s.rbegin(), s.rend()), rsep(sep.rbegin(), sep.rend());
    List parts = split_on(rs, rsep, maxsplit, false, budget, at);
    std::reverse(parts.begin(), parts.end());
    for (Value& p : parts) {
      const std::string& t = p.as_str();
      p = Value(std::string(t.rbegin(), t.rend()));
    }
    return parts;
  }
  List parts;
  size_t start = 0;
  for (int64_t n = 0; maxsplit < 0 || n < maxsplit; ++n) {
    size_t hit = find_text(s, sep, start);
    if (hit == std::string::npos) break;
    budget.charge_bytes(hit - start, at);
    budget.check_size(static_cast<int64_t>(parts.size()) + 1, "list", at);
    parts.push_back(Value(s.substr(start, hit - start)));
    start = hit + sep.size();
  }
  parts.push_back(Value(s.substr(start)));
  return parts;
}

Value split(const std::string& s, std::string_view name, const CallArgs& args, Budget& budget) {
  std::string fn = "str." + std::string(name);
  check_keywords(fn, args, {"sep", "maxsplit"});
  check_arity(fn, args, 0, 2);
  const Value* sep = args.positional.size() > 0 ? &args.positional[0] : keyword(fn, args, "sep");
  const Value* max =
      args.positional.size() > 1 ? &args.positional[1] : keyword(fn, args, "maxsplit");
  int64_t maxsplit = -1;
  if (max) {
    if (!max->is_int() && !max->is_bool())
      fail(std::string("TypeError: '") + max->type_name() +
               "' object cannot be interpreted as an integer",
           args.at);
    maxsplit = max->as_int();
  }
  bool right = name == "rsplit";
  List parts;
  if (!sep || sep->is_none()) {
    parts = split_whitespace(s, maxsplit, right, budget, args.at);
  } else {
    const std::string& sp = str_arg(*sep, "must be str or None,", args.at);
    if (sp.empty()) fail("ValueError: empty separator", args.at);
    parts = split_on(s, sp, maxsplit, right, budget, args.at);
  }
  budget.charge(static_cast<int64_t>(parts.size()), args.at);
  for (Value& p : parts) p.at(args.at);
  return make_list(std::move(parts), false, budget, args.at);
}

Value strip(const std::string& s, std::string_view name, const CallArgs& args) {
  std::string fn = "str." + std::string(name);
  check_no_keywords(fn, args);
  check_arity(fn, args, 0, 1);
  std::string chars = " \t\n\v\f\r\x1c\x1d\x1e\x1f";
  if (!args.positional.empty() && !args.positional[0].is_none()) {
    chars = str_arg(args.positional[0], fn, args.at);
    if (!is_ascii(chars)) fail("unsupported: strip() of non-ASCII characters", args.at);
  }
  bool strip_set[256] = {};
  for (char c : chars) strip_set[static_cast<unsigned char>(c)] = true;
  size_t a = 0, b = s.size();
  if (name != "rstrip")
    while (a < b && strip_set[static_cast<unsigned char>(s[a])]) ++a;
  if (name != "lstrip")
    while (b > a && strip_set[static_cast<unsigned char>(s[b - 1])]) --b;
  return Value(s.substr(a, b - a)).at(args.at);
}

Value replace(const std::string& s, const CallArgs& args, Budget& budget) {
  check_no_keywords("str.replace", args);
  check_arity("str.replace", args, 2, 3);
  const std::string& old = str_arg(args.positional[0], "replace()", args.at);
  const std::string& with = str_arg(args.positional[1], "replace()", args.at);
  int64_t count = -1;
  if (args.positional.size() == 3) {
    if (!args.positional[2].is_int() && !args.positional[2].is_bool())
      fail("TypeError: 'str' object cannot be interpreted as an integer", args.at);
    count = args.positional[2].as_int();
  }
  std::string out;
  if (old.empty()) {
    // 'abc'.replace('', '-') == '-a-b-c-': `with` goes before every character and at the end.
    if (!is_ascii(s)) fail("unsupported: replace('') on non-ASCII text", args.at);
    uint64_t slots = s.size() + 1;
    if (count >= 0 && static_cast<uint64_t>(count) < slots) slots = static_cast<uint64_t>(count);
    uint64_t total = s.size() + slots * with.size();
    budget.check_size(total > INT64_MAX ? -1 : static_cast<int64_t>(total), "str", args.at);
    budget.charge_bytes(total, args.at);
    for (size_t i = 0; i <= s.size(); ++i) {
      if (i < slots) out += with;
      if (i < s.size()) out += s[i];
    }
    return Value(std::move(out)).at(args.at);
  }
  size_t pos = 0;
  for (int64_t n = 0; count < 0 || n < count; ++n) {
    size_t hit = find_text(s, old, pos);
    if (hit == std::string::npos) break;
    out.append(s, pos, hit - pos);
    out += with;
    budget.check_size(static_cast<int64_t>(out.size()), "str", args.at);
    budget.charge_bytes(with.size() + hit - pos, args.at);
    pos = hit + old.size();
  }
  out.append(s, pos, std::string::npos);
  return Value(std::move(out)).at(args.at);
}

Value affix(const std::string& s, std::string_view name, const CallArgs& args) {
  std::string fn = "str." + std::string(name);
  check_no_keywords(fn, args);
  check_arity(fn, args, 1, 1);
  const Value& a = args.positional[0];
  List options = a.is_tuple() ? a.as_list() : List{a};
  for (const Value& o : options) {
    if (!o.is_str())
      fail("TypeError: " + std::string(name) + " first arg must be str or a tuple of str, not " +
               o.type_name(),
           args.at);
    const std::string& p = o.as_str();
    bool hit = p.size() <= s.size() &&
               (name == "startswith" ? s.compare(0, p.size(), p) == 0
                                     : s.compare(s.size() - p.size(), p.size(), p) == 0);
    if (hit) return Value(true).at(args.at);
  }
  return Value(false).at(args.at);
}

Value join(const std::string& sep, const CallArgs& args, Budget& budget) {
  check_no_keywords("str.join", args);
  check_arity("str.join", args, 1, 1);
  std::string out;
  int64_t index = 0;
  for_each(args.positional[0], budget, args.at, [&](const Value& item) {
    if (!item.is_str())
      fail("TypeError: sequence item " + std::to_string(index) + ": expected str instance, " +
               item.type_name() + " found",
           args.at);
    if (index++) out += sep;
    out += item.as_str();
    budget.check_size(static_cast<int64_t>(out.size()), "str", args.at);
    budget.charge_bytes(item.as_str().size() + sep.size(), args.at);
  });
  return Value(std::move(out)).at(args.at);
}

Value str_method(const Value& self, std::string_view name, const CallArgs& args, Budget& budget) {
  const std::string& s = self.as_str();
  if (name == "format") {
    budget.charge_bytes(s.size(), args.at);
    return Value(str_format(s, args.positional, args.keywords, budget, args.at)).at(args.at);
  }
  if (name == "join") return join(s, args, budget);
  if (name == "split" || name == "rsplit") return split(s, name, args, budget);
  if (name == "strip" || name == "lstrip" || name == "rstrip") return strip(s, name, args);
  if (name == "replace") return replace(s, args, budget);
  if (name == "startswith" || name == "endswith") return affix(s, name, args);
  // upper() and lower(): ASCII letters only (non-ASCII text is kept as is).
  std::string fn = "str." + std::string(name);
  check_no_keywords(fn, args);
  check_arity(fn, args, 0, 0);
  budget.charge_bytes(s.size(), args.at);
  std::string out = s;
  for (char& c : out) {
    if (name == "upper" && c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    if (name == "lower" && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return Value(std::move(out)).at(args.at);
}

bool has_method(const Value& self, std::string_view name) {
  static const char* const kDict[] = {"keys", "values", "items", "get", "copy"};
  static const char* const kStr[] = {"format",     "join",     "split",  "rsplit",
                                     "strip",      "lstrip",   "rstrip", "replace",
                                     "startswith", "endswith", "upper",  "lower"};
  if (self.is_dict()) return std::find(std::begin(kDict), std::end(kDict), name) != std::end(kDict);
  if (self.is_str()) return std::find(std::begin(kStr), std::end(kStr), name) != std::end(kStr);
  return false;
}

}  // namespace

Value call_method(const Value& self, std::string_view name, const CallArgs& args, Budget& budget) {
  if (!has_method(self, name)) {
    if (self.is_dict() || self.is_str() || self.is_list())
      fail("unsupported: method call ." + std::string(name) + "() on " + self.type_name() +
               " (only dict.keys/values/items/get/copy and str.format/join/split/rsplit/"
               "strip/lstrip/rstrip/replace/startswith/endswith/upper/lower are allowed)",
           args.at);
    fail(std::string("AttributeError: '") + self.type_name() + "' object has no attribute '" +
             std::string(name) + "'",
         args.at);
  }
  if (self.is_dict()) return dict_method(self, name, args, budget);
  return str_method(self, name, args, budget);
}

}  // namespace tubelet::python
