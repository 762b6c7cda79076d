// Tokens of the Python subset, each with the position where it starts.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tubelet/config/error.h"

namespace tubelet::python {

enum class TokenKind {
  Name,     // identifiers and keywords
  Number,   // int or float literal
  String,   // one string literal (adjacent literals are joined by the parser)
  Op,       // operators and delimiters
  Newline,  // end of a logical line
  Indent,   // leading whitespace on a statement line: only ever an error
  End,
};

struct Token {
  TokenKind kind = TokenKind::End;
  // Name: the identifier; Op: the operator; String: the decoded value (not for f-strings).
  std::string text;
  Location loc;

  // Number
  bool is_float = false;
  uint64_t int_value = 0;    // up to 2**63 (only valid as the operand of a unary minus)
  bool int_too_big = false;  // the literal exceeds 2**63
  double float_value = 0;

  // String
  bool fstring = false;
  bool raw = false;
  std::string body;   // f-strings: the undecoded text between the quotes
  Location body_loc;  // where `body` starts

  bool is_op(std::string_view op) const { return kind == TokenKind::Op && text == op; }
  bool is_name(std::string_view name) const { return kind == TokenKind::Name && text == name; }
};

// Python's reserved words (soft keywords like `match` are ordinary names here).
bool is_keyword(std::string_view name);

// What the token is, for messages: "')'", "name 'x'", "end of line".
std::string describe(const Token& token);

}  // namespace tubelet::python
