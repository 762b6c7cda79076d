// JSON output laid out exactly as Python's json.dumps(indent=N), so that our
// `print-config --format json` can be compared byte for byte with mmcv's.
#include <cmath>
#include <cstdio>

#include "tubelet/config/dump.h"

namespace tubelet {

namespace {

// Decodes one UTF-8 code point starting at s[i]; invalid bytes decode as themselves
// (U+0080..U+00FF) so output is always valid JSON.
uint32_t next_code_point(const std::string& s, size_t& i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  int extra = c >= 0xF0 && c < 0xF8 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
  if (extra == 0 || i + extra >= s.size()) {
    ++i;
    return c;
  }
  uint32_t cp = c & (0x3F >> extra);
  for (int k = 1; k <= extra; ++k) {
    unsigned char cc = byte(i + k);
    if ((cc & 0xC0) != 0x80) {
      ++i;
      return c;
    }
    cp = (cp << 6) | (cc & 0x3F);
  }
  i += static_cast<size_t>(extra) + 1;
  return cp;
}

void append_u(std::string& out, uint32_t unit) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\u%04x", unit);
  out += buf;
}

void write_string(std::string& out, const std::string& s) {
  out += '"';
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
      ++i;
    } else if (c == '\n') {
      out += "\\n", ++i;
    } else if (c == '\r') {
      out += "\\r", ++i;
    } else if (c == '\t') {
      out += "\\t", ++i;
    } else if (c == '\b') {
      out += "\\b", ++i;
    } else if (c == '\f') {
      out += "\\f", ++i;
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c), ++i;
    } else {
      uint32_t cp = next_code_point(s, i);
      if (cp >= 0x10000) {  // surrogate pair, as Python's ensure_ascii writes it
        cp -= 0x10000;
        append_u(out, 0xD800 | (cp >> 10));
        append_u(out, 0xDC00 | (cp & 0x3FF));
      } else {
        append_u(out, cp);
      }
    }
  }
  out += '"';
}

class JsonWriter {
 public:
  explicit JsonWriter(int indent) : indent_(indent) {}

  void write(const Value& v, int depth) {
    switch (v.type()) {
      case Value::Type::None:
        out_ += "null";
        return;
      case Value::Type::Bool:
        out_ += v.as_bool() ? "true" : "false";
        return;
      case Value::Type::Int:
        out_ += std::to_string(v.as_int());
        return;
      case Value::Type::Float:
        write_float(v.as_float(), depth);
        return;
      case Value::Type::Str:
        write_string(out_, v.as_str());
        return;
      case Value::Type::List:
        write_array(v.as_list(), depth);
        return;
      case Value::Type::Tuple:
        tagged("__tuple__", depth, [&](int d) { write_array(v.as_list(), d); });
        return;
      case Value::Type::Range:
        write_range(v.as_range(), depth);
        return;
      case Value::Type::Dict:
        write_dict(v.as_dict(), depth);
        return;
    }
  }

  std::string take() { return std::move(out_); }

 private:
  void newline(int depth) {
    if (indent_ < 0) return;
    out_ += '\n';
    out_.append(static_cast<size_t>(indent_ * depth), ' ');
  }
  const char* item_sep() const { return indent_ < 0 ? ", " : ","; }

  template <class F>
  void tagged(const char* tag, int depth, F body) {
    out_ += '{';
    newline(depth + 1);
    write_string(out_, tag);
    out_ += ": ";
    body(depth + 1);
    newline(depth);
    out_ += '}';
  }

  void write_float(double x, int depth) {
    if (std::isfinite(x)) {
      out_ += float_repr(x);
      return;
    }
    tagged("__float__", depth, [&](int) { write_string(out_, float_repr(x)); });
  }

  template <class Seq, class F>
  void write_items(char open, char close, const Seq& items, int depth, F write_item) {
    out_ += open;
    if (items.empty()) {
      out_ += close;
      return;
    }
    bool first = true;
    for (const auto& item : items) {
      if (!first) out_ += item_sep();
      first = false;
      newline(depth + 1);
      write_item(item, depth + 1);
    }
    newline(depth);
    out_ += close;
  }

  void write_array(const List& items, int depth) {
    write_items('[', ']', items, depth, [&](const Value& v, int d) { write(v, d); });
  }

  void write_range(const Range& r, int depth) {
    tagged("__range__", depth, [&](int d) {
      write_array(List{Value(r.start), Value(r.stop), Value(r.step)}, d);
    });
  }

  void write_dict(const Dict& dict, int depth) {
    if (dict.all_string_keys()) {
      write_items('{', '}', dict, depth, [&](const Dict::Item& item, int d) {
        write_string(out_, item.first.as_str());
        out_ += ": ";
        write(item.second, d);
      });
      return;
    }
    tagged("__dict__", depth, [&](int d) {
      write_items('[', ']', dict, d, [&](const Dict::Item& item, int dd) {
        write_array(List{item.first, item.second}, dd);
      });
    });
  }

  int indent_;
  std::string out_;
};

}  // namespace

std::string to_json(const Value& v, int indent) {
  JsonWriter writer(indent);
  writer.write(v, 0);
  return writer.take();
}

}  // namespace tubelet
