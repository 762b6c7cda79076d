// Splits source text into tokens, one at a time, so errors come out in source order.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/python/token.h"

namespace tubelet::python {

class Lexer {
 public:
  // `start` is where `source` begins in its file (fragments of f-strings start mid-line).
  // A fragment is lexed as if inside brackets: newlines are insignificant and no indents.
  Lexer(std::string_view source, Location start, bool fragment = false);

  Token next();

 private:
  char peek_char(size_t ahead = 0) const;
  void advance(size_t n = 1);
  Location here() const;
  bool skip_blank_line();
  void skip_space_and_comments();
  Token make(TokenKind kind, Location loc, std::string text = {}) const;
  Token lex_name_or_string();
  Token lex_number();
  Token lex_string(Location start, bool raw, bool fstring);
  Token lex_operator();
  void scan_digits(bool (*is_digit)(char), const char* kind);

  std::string_view src_;
  size_t pos_ = 0;
  int line_;
  int column_;
  std::shared_ptr<const std::string> file_;
  bool fragment_;
  bool at_line_start_;
  bool line_has_tokens_ = false;  // a token was produced since the last Newline
  std::vector<std::pair<char, Location>> brackets_;
};

// Decodes the backslash escapes of a (non-raw) string literal body starting at `start`.
std::string decode_escapes(std::string_view body, const Location& start);

}  // namespace tubelet::python
