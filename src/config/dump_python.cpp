// Python config text that our loader (and Python) reads back to the same tree.
#include <cmath>
#include <set>

#include "tubelet/config/dump.h"

namespace tubelet {

namespace {

bool is_identifier(const std::string& s) {
  static const std::set<std::string> keywords = {
      "False", "None",     "True",  "and",    "as",   "assert", "async",  "await",    "break",
      "class", "continue", "def",   "del",    "elif", "else",   "except", "finally",  "for",
      "from",  "global",   "if",    "import", "in",   "is",     "lambda", "nonlocal", "not",
      "or",    "pass",     "raise", "return", "try",  "while",  "with",   "yield"};
  if (s.empty() || keywords.count(s)) return false;
  if (!(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

// dict(a=1) can only be written for identifier keys; anything else needs {...}.
bool writable_as_dict_call(const Dict& d) {
  for (const auto& item : d)
    if (!item.first.is_str() || !is_identifier(item.first.as_str())) return false;
  return true;
}

// Which builtins the text may call: a config can shadow `dict` or `float` with a name of
// its own, and then the text must do without them.
struct Spelling {
  bool dict_call = true;
  bool float_call = true;
};

std::string scalar(const Value& v, const Spelling& spelling) {
  if (!v.is_float() || std::isfinite(v.as_float())) return repr(v);
  double x = v.as_float();
  if (spelling.float_call) return "float('" + float_repr(x) + "')";
  if (std::isnan(x)) return "(1e999 * 0)";  // literals overflow to inf, as in Python
  return x > 0 ? "1e999" : "-1e999";
}

struct Piece {
  std::string open, close;
  std::vector<std::string> items;  // already rendered, each possibly multi-line
};

class PythonWriter {
 public:
  explicit PythonWriter(int width, Spelling spelling = {}) : width_(width), spelling_(spelling) {}

  // Renders `v` whose first line starts at column `col` and whose nesting is `indent`.
  std::string render(const Value& v, int indent, int col) {
    std::string flat = flat_text(v);
    bool container = v.is_sequence() || v.is_dict();
    if (!container || col + static_cast<int>(flat.size()) <= width_) return flat;
    Piece p = pieces(v, indent + 4);
    if (p.items.empty()) return flat;
    std::string pad(static_cast<size_t>(indent + 4), ' ');
    std::string out = p.open + "\n";
    for (size_t i = 0; i < p.items.size(); ++i) out += pad + p.items[i] + ",\n";
    return out + std::string(static_cast<size_t>(indent), ' ') + p.close;
  }

 private:
  std::string flat_text(const Value& v) {
    if (!(v.is_sequence() || v.is_dict())) return scalar(v, spelling_);
    Piece p = pieces(v, -1);
    std::string out = p.open;
    for (size_t i = 0; i < p.items.size(); ++i) out += (i ? ", " : "") + p.items[i];
    if (v.is_tuple() && p.items.size() == 1) out += ",";
    return out + p.close;
  }

  // indent < 0: render children flat.
  std::string child(const Value& v, int indent, int col) {
    return indent < 0 ? flat_text(v) : render(v, indent, col);
  }

  Piece pieces(const Value& v, int indent) {
    Piece p;
    if (v.is_sequence()) {
      p.open = v.is_list() ? "[" : "(";
      p.close = v.is_list() ? "]" : ")";
      for (const Value& item : v.as_list()) p.items.push_back(child(item, indent, indent));
      return p;
    }
    const Dict& d = v.as_dict();
    bool call = spelling_.dict_call && writable_as_dict_call(d);
    p.open = call ? "dict(" : "{";
    p.close = call ? ")" : "}";
    for (const auto& [k, item] : d) {
      std::string key = call ? k.as_str() + "=" : flat_text(k) + ": ";
      p.items.push_back(key + child(item, indent, indent + static_cast<int>(key.size())));
    }
    return p;
  }

  int width_;
  Spelling spelling_;
};

}  // namespace

std::string to_python(const Value& v, int indent, int width) {
  return PythonWriter(width).render(v, indent, indent);
}

std::string to_python_config(const Dict& cfg) {
  std::string out;
  Spelling spelling;
  spelling.dict_call = !cfg.contains("dict");
  spelling.float_call = !cfg.contains("float");
  PythonWriter writer(79, spelling);
  for (const auto& [k, v] : cfg) {
    if (!k.is_str() || !is_identifier(k.as_str()))
      throw ConfigError("cannot write top-level key " + repr(k) + " as a Python name",
                        k.location());
    const std::string& name = k.as_str();
    out += name + " = " + writer.render(v, 0, static_cast<int>(name.size()) + 3) + "\n";
  }
  return out;
}

}  // namespace tubelet
