#include "config/python/lexer.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "config/python/budget.h"
#include "config/python/text.h"

namespace tubelet::python {

namespace {

bool is_dec(char c) {
  return c >= '0' && c <= '9';
}
bool is_hex(char c) {
  return is_dec(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_oct(char c) {
  return c >= '0' && c <= '7';
}
bool is_bin(char c) {
  return c == '0' || c == '1';
}
// Non-ASCII bytes are accepted in names (Python allows Unicode identifiers).
bool is_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool is_name_char(char c) {
  return is_name_start(c) || is_dec(c);
}

int hex_value(char c) {
  if (is_dec(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

// Operators, longest first so that the first match is the longest one.
constexpr std::array<const char*, 44> kOperators = {
    "**=", "//=", ">>=", "<<=", "...", "**", "//", "<<", ">>", "<=", ">=", "==", "!=", "->", ":=",
    "+=",  "-=",  "*=",  "/=",  "%=",  "&=", "|=", "^=", "@=", "+",  "-",  "*",  "/",  "%",  "@",
    "&",   "|",   "^",   "~",   "<",   ">",  "(",  ")",  "[",  "]",  "{",  "}",  ",",  ":"};
constexpr std::array<const char*, 3> kMoreOperators = {".", ";", "="};

bool is_string_prefix(std::string_view p, bool& raw, bool& fstring, bool& bytes) {
  raw = fstring = bytes = false;
  if (p.empty() || p.size() > 2) return false;
  for (char c : p) {
    char l = static_cast<char>(c | 0x20);
    if (l == 'r' && !raw) {
      raw = true;
    } else if (l == 'f' && !fstring && !bytes) {
      fstring = true;
    } else if (l == 'b' && !bytes && !fstring) {
      bytes = true;
    } else if (l == 'u' && p.size() == 1) {
      // u'' is a plain string
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace

bool is_keyword(std::string_view name) {
  static const char* const kKeywords[] = {
      "False", "None",     "True",  "and",    "as",   "assert", "async",  "await",    "break",
      "class", "continue", "def",   "del",    "elif", "else",   "except", "finally",  "for",
      "from",  "global",   "if",    "import", "in",   "is",     "lambda", "nonlocal", "not",
      "or",    "pass",     "raise", "return", "try",  "while",  "with",   "yield"};
  for (const char* k : kKeywords)
    if (name == k) return true;
  return false;
}

std::string describe(const Token& token) {
  switch (token.kind) {
    case TokenKind::Name:
      return (is_keyword(token.text) ? "keyword '" : "name '") + token.text + "'";
    case TokenKind::Number:
      return "number";
    case TokenKind::String:
      return "string";
    case TokenKind::Op:
      return "'" + token.text + "'";
    case TokenKind::Newline:
      return "end of line";
    case TokenKind::Indent:
      return "indent";
    case TokenKind::End:
      return "end of input";
  }
  return "token";
}

namespace {

// Reads exactly `count` hex digits of a \x, \u or \U escape at body[i].
uint32_t read_hex_escape(std::string_view body, size_t i, size_t count, char kind,
                         const Location& at) {
  uint32_t cp = 0;
  for (size_t k = 0; k < count; ++k) {
    if (i + k >= body.size() || !is_hex(body[i + k]))
      fail(std::string("syntax error: truncated \\") + kind + std::string(count, 'X') + " escape",
           at);
    cp = cp * 16 + static_cast<uint32_t>(hex_value(body[i + k]));
  }
  return cp;
}

}  // namespace

std::string decode_escapes(std::string_view body, const Location& start) {
  std::string out;
  out.reserve(body.size());
  // Where body[i] is, advanced incrementally (escapes are visited in order).
  Location cur = start;
  size_t cur_offset = 0;
  auto location_at = [&](size_t i) {
    cur = advance(cur, body.substr(cur_offset), i - cur_offset);
    cur_offset = i;
    return cur;
  };
  size_t i = 0;
  while (i < body.size()) {
    char c = body[i];
    if (c != '\\' || i + 1 >= body.size()) {
      out += c;
      ++i;
      continue;
    }
    Location at = location_at(i);
    char e = body[i + 1];
    i += 2;
    switch (e) {
      case '\n':
        break;
      case '\\':
        out += '\\';
        break;
      case '\'':
        out += '\'';
        break;
      case '"':
        out += '"';
        break;
      case 'a':
        out += '\a';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'v':
        out += '\v';
        break;
      case 'x':
        append_utf8(out, read_hex_escape(body, i, 2, 'x', at));
        i += 2;
        break;
      case 'u':
      case 'U': {
        size_t n = e == 'u' ? 4 : 8;
        uint32_t cp = read_hex_escape(body, i, n, e, at);
        i += n;
        if (cp > 0x10FFFF) fail("syntax error: illegal Unicode character in escape", at);
        if (cp >= 0xD800 && cp <= 0xDFFF)
          fail("unsupported: surrogate code point escape (not valid UTF-8)", at);
        append_utf8(out, cp);
        break;
      }
      case 'N':
        fail("unsupported: \\N{...} escape (use \\u or \\x)", at);
      default:
        if (is_oct(e)) {
          uint32_t cp = static_cast<uint32_t>(e - '0');
          for (int k = 0; k < 2 && i < body.size() && is_oct(body[i]); ++k, ++i)
            cp = cp * 8 + static_cast<uint32_t>(body[i] - '0');
          append_utf8(out, cp);
        } else {
          // Python keeps unknown escapes such as \d verbatim.
          out += '\\';
          out += e;
        }
    }
  }
  return out;
}

Lexer::Lexer(std::string_view source, Location start, bool fragment)
    : src_(source),
      line_(start.line),
      column_(start.column),
      file_(std::move(start.file)),
      fragment_(fragment),
      at_line_start_(!fragment) {}

char Lexer::peek_char(size_t ahead) const {
  return pos_ + ahead < src_.size() ? src_[pos_ + ahead] : '\0';
}

void Lexer::advance(size_t n) {
  for (size_t i = 0; i < n && pos_ < src_.size(); ++i, ++pos_) {
    if (src_[pos_] == '\n') {
      ++line_;
      column_ = 1;
    } else {
      ++column_;
    }
  }
}

Location Lexer::here() const {
  return Location{file_, line_, column_};
}

Token Lexer::make(TokenKind kind, Location loc, std::string text) const {
  Token t;
  t.kind = kind;
  t.loc = std::move(loc);
  t.text = std::move(text);
  return t;
}

// At the start of a line: skips it if it holds only whitespace or a comment.
bool Lexer::skip_blank_line() {
  size_t p = pos_;
  while (p < src_.size() && (src_[p] == ' ' || src_[p] == '\t' || src_[p] == '\f')) ++p;
  if (p < src_.size() && src_[p] != '\n' && src_[p] != '#') return false;
  while (p < src_.size() && src_[p] != '\n') ++p;
  advance(p - pos_ + (p < src_.size() ? 1 : 0));
  return true;
}

void Lexer::skip_space_and_comments() {
  for (;;) {
    char c = peek_char();
    if (c == ' ' || c == '\t' || c == '\f') {
      advance();
    } else if (c == '#') {
      while (pos_ < src_.size() && src_[pos_] != '\n') advance();
    } else if (c == '\\' && pos_ + 1 < src_.size() && src_[pos_ + 1] == '\n') {
      advance(2);  // explicit line continuation
    } else if (c == '\\') {
      fail(pos_ + 1 >= src_.size()
               ? "syntax error: unexpected end of input after line continuation character"
               : "syntax error: unexpected character after line continuation character",
           here());
    } else {
      return;
    }
  }
}

Token Lexer::next() {
  for (;;) {
    if (at_line_start_ && brackets_.empty()) {
      if (pos_ >= src_.size()) break;
      if (skip_blank_line()) continue;
      at_line_start_ = false;
      if (peek_char() == ' ' || peek_char() == '\t' || peek_char() == '\f') {
        skip_space_and_comments();
        line_has_tokens_ = true;
        return make(TokenKind::Indent, here());
      }
    }
    skip_space_and_comments();
    if (pos_ >= src_.size()) break;
    char c = peek_char();
    if (c == '\n') {
      Location loc = here();
      advance();
      if (fragment_ || !brackets_.empty()) continue;
      at_line_start_ = true;
      if (line_has_tokens_) {
        line_has_tokens_ = false;
        return make(TokenKind::Newline, loc);
      }
      continue;
    }
    line_has_tokens_ = true;
    if (is_name_start(c)) return lex_name_or_string();
    if (is_dec(c) || (c == '.' && is_dec(peek_char(1)))) return lex_number();
    if (c == '\'' || c == '"') return lex_string(here(), false, false);
    return lex_operator();
  }
  if (line_has_tokens_ && !fragment_) {
    line_has_tokens_ = false;
    return make(TokenKind::Newline, here());
  }
  return make(TokenKind::End, here());
}

Token Lexer::lex_name_or_string() {
  Location start = here();
  size_t begin = pos_;
  while (pos_ < src_.size() && is_name_char(src_[pos_])) advance();
  std::string_view word = src_.substr(begin, pos_ - begin);
  bool raw, fstring, bytes;
  if ((peek_char() == '\'' || peek_char() == '"') && is_string_prefix(word, raw, fstring, bytes)) {
    if (bytes) fail("unsupported: bytes literal (configs hold str values only)", start);
    return lex_string(start, raw, fstring);
  }
  return make(TokenKind::Name, start, std::string(word));
}

// Consumes digits of one kind with single underscores between them (1_000).
void Lexer::scan_digits(bool (*is_digit)(char), const char* kind) {
  while (pos_ < src_.size()) {
    if (is_digit(src_[pos_])) {
      advance();
    } else if (src_[pos_] == '_' && is_digit(peek_char(1))) {
      advance();
    } else if (src_[pos_] == '_') {
      fail(std::string("syntax error: invalid ") + kind + " literal", here());
    } else {
      break;
    }
  }
}

namespace {

// Parses digits (underscores skipped) in `base`; false when the value exceeds 2**64-1.
bool parse_uint(std::string_view digits, int base, uint64_t& out) {
  out = 0;
  for (char c : digits) {
    if (c == '_') continue;
    uint64_t d = static_cast<uint64_t>(hex_value(c));
    if (out > (UINT64_MAX - d) / static_cast<uint64_t>(base)) return false;
    out = out * static_cast<uint64_t>(base) + d;
  }
  return true;
}

// A float literal too large or small for from_chars: inf or 0 by its decimal magnitude.
double out_of_range_float(std::string_view text) {
  size_t e = text.find_first_of("eE");
  std::string_view mant = text.substr(0, e);
  long exp = 0;
  if (e != std::string_view::npos) {
    std::string_view ex = text.substr(e + 1);
    bool neg = !ex.empty() && ex[0] == '-';
    for (char c : ex)
      if (is_dec(c) && exp < 100000) exp = exp * 10 + (c - '0');
    if (neg) exp = -exp;
  }
  size_t dot = mant.find('.');
  if (dot == std::string_view::npos) dot = mant.size();
  size_t first = mant.find_first_of("123456789");
  if (first == std::string_view::npos) return 0.0;
  long magnitude = first < dot ? static_cast<long>(dot - first) : -static_cast<long>(first - dot);
  return magnitude + exp > 0 ? HUGE_VAL : 0.0;
}

}  // namespace

Token Lexer::lex_number() {
  Location start = here();
  size_t begin = pos_;
  Token tok = make(TokenKind::Number, start);
  char p = static_cast<char>(peek_char(1) | 0x20);
  if (peek_char() == '0' && (p == 'x' || p == 'o' || p == 'b')) {
    int base = p == 'x' ? 16 : p == 'o' ? 8 : 2;
    const char* kind = p == 'x' ? "hexadecimal" : p == 'o' ? "octal" : "binary";
    bool (*digit)(char) = p == 'x' ? is_hex : p == 'o' ? is_oct : is_bin;
    advance(2);
    if (peek_char() == '_') advance();
    size_t digits_begin = pos_;
    scan_digits(digit, kind);
    if (pos_ == digits_begin || is_name_char(peek_char()) || is_dec(peek_char()))
      fail(std::string("syntax error: invalid ") + kind + " literal", here());
    tok.int_too_big =
        !parse_uint(src_.substr(digits_begin, pos_ - digits_begin), base, tok.int_value) ||
        tok.int_value > (uint64_t{1} << 63);
    return tok;
  }
  scan_digits(is_dec, "decimal");
  size_t int_end = pos_;
  if (peek_char() == '.') {
    tok.is_float = true;
    advance();
    if (peek_char() == '_') fail("syntax error: invalid decimal literal", here());
    scan_digits(is_dec, "decimal");
  }
  char e = peek_char();
  if ((e == 'e' || e == 'E') &&
      (is_dec(peek_char(1)) ||
       ((peek_char(1) == '+' || peek_char(1) == '-') && is_dec(peek_char(2))))) {
    tok.is_float = true;
    advance(is_dec(peek_char(1)) ? 1 : 2);
    scan_digits(is_dec, "decimal");
  }
  if (peek_char() == 'j' || peek_char() == 'J') fail("unsupported: complex number literal", start);
  if (is_name_char(peek_char())) {
    // `1if x else y` is valid Python; `1abc` is not.
    size_t q = pos_;
    while (q < src_.size() && is_name_char(src_[q])) ++q;
    std::string_view word = src_.substr(pos_, q - pos_);
    bool keyword_follows = false;
    for (const char* k : {"and", "else", "for", "if", "in", "is", "not", "or"})
      if (word.substr(0, std::strlen(k)) == k) keyword_follows = true;
    if (!keyword_follows) fail("syntax error: invalid decimal literal", here());
  }
  std::string_view text = src_.substr(begin, pos_ - begin);
  if (tok.is_float) {
    std::string clean;
    for (char c : text)
      if (c != '_') clean += c;
    auto res = std::from_chars(clean.data(), clean.data() + clean.size(), tok.float_value);
    if (res.ec == std::errc::result_out_of_range) tok.float_value = out_of_range_float(clean);
    return tok;
  }
  std::string_view digits = src_.substr(begin, int_end - begin);
  if (digits.size() > 1 && digits[0] == '0' &&
      digits.find_first_not_of("0_") != std::string_view::npos)
    fail(
        "syntax error: leading zeros in decimal integer literals are not permitted; use an 0o "
        "prefix for octal integers",
        start);
  tok.int_too_big = !parse_uint(digits, 10, tok.int_value) || tok.int_value > (uint64_t{1} << 63);
  return tok;
}

Token Lexer::lex_string(Location start, bool raw, bool fstring) {
  char quote = peek_char();
  bool triple = peek_char(1) == quote && peek_char(2) == quote;
  advance(triple ? 3 : 1);
  Location body_loc = here();
  size_t begin = pos_;
  for (;;) {
    if (pos_ >= src_.size() || (!triple && src_[pos_] == '\n'))
      fail(std::string("syntax error: unterminated ") + (triple ? "triple-quoted " : "") +
               "string literal (detected at line " + std::to_string(line_) + ")",
           start);
    char c = src_[pos_];
    if (c == '\\') {
      advance(2);  // the escaped character never ends the string, even in raw strings
      continue;
    }
    if (c == quote && (!triple || (peek_char(1) == quote && peek_char(2) == quote))) break;
    advance();
  }
  std::string_view body = src_.substr(begin, pos_ - begin);
  advance(triple ? 3 : 1);
  Token tok = make(TokenKind::String, start);
  tok.raw = raw;
  tok.fstring = fstring;
  tok.body_loc = body_loc;
  if (fstring) {
    tok.body = std::string(body);
  } else {
    tok.text = raw ? std::string(body) : decode_escapes(body, body_loc);
  }
  return tok;
}

Token Lexer::lex_operator() {
  Location start = here();
  std::string_view rest = src_.substr(pos_);
  std::string op;
  for (const char* cand : kOperators)
    if (rest.substr(0, std::strlen(cand)) == cand) {
      op = cand;
      break;
    }
  if (op.empty())
    for (const char* cand : kMoreOperators)
      if (rest.substr(0, 1) == cand) op = cand;
  if (op.empty()) {
    char c = rest[0];
    if (c == '!') fail("syntax error: invalid syntax ('!' is only valid in '!=')", start);
    char buf[64];
    std::snprintf(buf, sizeof buf, "syntax error: invalid character '%c' (U+%04X)",
                  (c >= 0x20 && c < 0x7f) ? c : '?', static_cast<unsigned char>(c));
    fail(buf, start);
  }
  advance(op.size());
  if (op == "(" || op == "[" || op == "{") {
    brackets_.emplace_back(op[0], start);
  } else if (op == ")" || op == "]" || op == "}") {
    if (brackets_.empty()) fail("syntax error: unmatched '" + op + "'", start);
    char open = brackets_.back().first;
    char expected = open == '(' ? ')' : open == '[' ? ']' : '}';
    if (op[0] != expected)
      fail("syntax error: closing parenthesis '" + op + "' does not match opening parenthesis '" +
               std::string(1, open) + "' at " + std::to_string(brackets_.back().second.line) + ":" +
               std::to_string(brackets_.back().second.column),
           start);
    brackets_.pop_back();
  }
  return make(TokenKind::Op, start, op);
}

}  // namespace tubelet::python
