// Recursive-descent parser for the Python subset of config files.
#pragma once

#include <deque>
#include <string_view>

#include "config/python/ast.h"
#include "config/python/evaluate.h"
#include "config/python/lexer.h"

namespace tubelet::python {

class Parser {
 public:
  // `fragment`: the source is an expression inside brackets or an f-string field.
  Parser(std::string_view source, Location start, const EvalLimits& limits, bool fragment,
         int depth = 0);

  // A whole file: top-level assignments (anything else is a ConfigError).
  Module parse_module();
  // One expression (a bare tuple allowed) and nothing after it.
  ExprPtr parse_expression_input();

 private:
  // tokens
  const Token& peek(size_t ahead = 0);
  Token take();
  bool at_op(std::string_view op) { return peek().is_op(op); }
  bool at_keyword(std::string_view kw) { return peek().is_name(kw); }
  bool accept_op(std::string_view op);
  void expect_close(const Token& open, const char* close);
  [[noreturn]] void syntax_error(const std::string& message, const Location& at);

  // statements
  void simple_statements(Module& module);
  void statement(Module& module);
  void check_target(const Expr& target, bool in_comprehension);

  // expressions, from the loosest binding to the tightest
  ExprPtr star_expressions();
  ExprPtr star_expression();
  ExprPtr expression();
  ExprPtr disjunction();
  ExprPtr conjunction();
  ExprPtr inversion();
  ExprPtr comparison();
  ExprPtr binary(int min_precedence);
  ExprPtr factor();
  ExprPtr power();
  ExprPtr primary();
  ExprPtr atom();
  ExprPtr number();
  ExprPtr strings();
  ExprPtr parenthesized(const Token& open);
  ExprPtr list_display(const Token& open);
  ExprPtr brace_display(const Token& open);
  ExprPtr dict_display(const Token& open, ExprPtr first_key, ExprPtr first_value);
  ExprPtr comprehension(Comprehension::Form form, Location loc, ExprPtr elt, ExprPtr value);
  ExprPtr target_list();
  ExprPtr call(const Token& open, ExprPtr func);
  ExprPtr subscript_index();
  ExprPtr slice_item();

  // f-strings
  void fstring_parts(std::string_view body, Location start, bool raw, std::vector<FPart>& out,
                     int nesting);
  size_t fstring_field(std::string_view body, size_t i, Location& cur, bool raw,
                       std::vector<FPart>& out, int nesting);

  // Sets the node's height and enforces max_depth.
  ExprPtr finish(ExprPtr node);

  Lexer lexer_;
  std::deque<Token> ahead_;
  const EvalLimits& limits_;
  int depth_;
};

}  // namespace tubelet::python
