#include "config/python/parser.h"

#include <algorithm>
#include <set>

#include "config/python/budget.h"

namespace tubelet::python {

namespace {

std::string at_text(const Location& loc) {
  return std::to_string(loc.line) + ":" + std::to_string(loc.column);
}

// Statements a config may not contain, by their first keyword.
const char* statement_name(std::string_view kw) {
  static const std::pair<const char*, const char*> kStatements[] = {
      {"import", "import statement"},
      {"from", "import statement"},
      {"def", "function definition"},
      {"class", "class definition"},
      {"if", "if statement"},
      {"for", "for loop"},
      {"while", "while loop"},
      {"with", "with statement"},
      {"try", "try statement"},
      {"del", "del statement"},
      {"global", "global statement"},
      {"nonlocal", "nonlocal statement"},
      {"assert", "assert statement"},
      {"return", "return statement"},
      {"raise", "raise statement"},
      {"break", "break statement"},
      {"continue", "continue statement"},
      {"async", "async statement"},
      {"yield", "yield expression"},
      {"await", "await expression"},
      {"lambda", "lambda"}};
  for (const auto& [k, name] : kStatements)
    if (kw == k) return name;
  return nullptr;
}

bool starts_expression(const Token& t) {
  switch (t.kind) {
    case TokenKind::Number:
    case TokenKind::String:
      return true;
    case TokenKind::Name:
      return !is_keyword(t.text) || t.text == "True" || t.text == "False" || t.text == "None" ||
             t.text == "not" || t.text == "lambda" || t.text == "await" || t.text == "yield";
    case TokenKind::Op:
      return t.text == "(" || t.text == "[" || t.text == "{" || t.text == "-" || t.text == "+" ||
             t.text == "~" || t.text == "*" || t.text == "...";
    default:
      return false;
  }
}

int binary_precedence(const Token& t, BinOp& op) {
  if (t.kind != TokenKind::Op) return -1;
  static const std::pair<const char*, std::pair<BinOp, int>> kOps[] = {
      {"|", {BinOp::BitOr, 1}},     {"^", {BinOp::BitXor, 2}},  {"&", {BinOp::BitAnd, 3}},
      {"<<", {BinOp::LShift, 4}},   {">>", {BinOp::RShift, 4}}, {"+", {BinOp::Add, 5}},
      {"-", {BinOp::Sub, 5}},       {"*", {BinOp::Mul, 6}},     {"/", {BinOp::Div, 6}},
      {"//", {BinOp::FloorDiv, 6}}, {"%", {BinOp::Mod, 6}}};
  for (const auto& [text, info] : kOps)
    if (t.text == text) {
      op = info.first;
      return info.second;
    }
  if (t.text == "@") fail("unsupported: matrix multiplication operator '@'", t.loc);
  return -1;
}

const char* unsupported_target(ExprKind kind) {
  switch (kind) {
    case ExprKind::Constant:
      return "literal";
    case ExprKind::Call:
      return "function call";
    case ExprKind::FString:
      return "f-string expression";
    case ExprKind::Comprehension:
      return "comprehension";
    case ExprKind::Dict:
      return "dict literal";
    case ExprKind::Set:
      return "set display";
    case ExprKind::Compare:
      return "comparison";
    case ExprKind::IfExp:
      return "conditional expression";
    default:
      return "expression";
  }
}

}  // namespace

Parser::Parser(std::string_view source, Location start, const EvalLimits& limits, bool fragment,
               int depth)
    : lexer_(source, std::move(start), fragment), limits_(limits), depth_(depth) {}

const Token& Parser::peek(size_t ahead) {
  while (ahead_.size() <= ahead) ahead_.push_back(lexer_.next());
  return ahead_[ahead];
}

Token Parser::take() {
  peek();
  Token t = std::move(ahead_.front());
  ahead_.pop_front();
  return t;
}

bool Parser::accept_op(std::string_view op) {
  if (!at_op(op)) return false;
  take();
  return true;
}

void Parser::syntax_error(const std::string& message, const Location& at) {
  fail("syntax error: " + message, at);
}

void Parser::expect_close(const Token& open, const char* close) {
  if (accept_op(close)) return;
  syntax_error(std::string("expected '") + close + "' to close '" + open.text + "' opened at " +
                   at_text(open.loc) + ", got " + describe(peek()),
               peek().loc);
}

ExprPtr Parser::finish(ExprPtr node) {
  int height = 0;
  for_each_child(*node, [&](const Expr& child) { height = std::max(height, child.depth); });
  node->depth = height + 1;
  if (node->depth > limits_.max_depth)
    fail("nesting too deep (limit " + std::to_string(limits_.max_depth) + " levels)", node->loc);
  return node;
}

// ---- statements ----

Module Parser::parse_module() {
  Module module;
  while (peek().kind != TokenKind::End) {
    if (peek().kind == TokenKind::Newline) {
      take();
      continue;
    }
    simple_statements(module);
  }
  return module;
}

ExprPtr Parser::parse_expression_input() {
  ExprPtr e = star_expressions();
  if (peek().kind != TokenKind::End)
    syntax_error("invalid syntax (unexpected " + describe(peek()) + ")", peek().loc);
  return e;
}

void Parser::simple_statements(Module& module) {
  for (;;) {
    statement(module);
    if (!accept_op(";")) break;
    if (peek().kind == TokenKind::Newline || peek().kind == TokenKind::End) break;
  }
  if (peek().kind == TokenKind::Newline) {
    take();
  } else if (peek().kind != TokenKind::End) {
    syntax_error("invalid syntax (unexpected " + describe(peek()) + ")", peek().loc);
  }
}

void Parser::statement(Module& module) {
  const Token& t = peek();
  if (t.kind == TokenKind::Indent) syntax_error("unexpected indent", t.loc);
  if (t.is_op("@"))
    fail("unsupported: decorator (a config may only assign names: name = value)", t.loc);
  if (t.kind == TokenKind::Name && is_keyword(t.text)) {
    if (t.text == "pass") {
      take();
      return;
    }
    if (const char* what = statement_name(t.text))
      fail(std::string("unsupported: ") + what + " (a config may only assign names: name = value)",
           t.loc);
  }
  ExprPtr first = star_expressions();
  if (at_op("=")) {
    Assign assign;
    assign.targets.push_back(std::move(first));
    while (accept_op("=")) {
      if (at_keyword("yield")) fail("unsupported: yield expression", peek().loc);
      assign.targets.push_back(star_expressions());
    }
    assign.value = std::move(assign.targets.back());
    assign.targets.pop_back();
    for (const ExprPtr& target : assign.targets) check_target(*target, false);
    module.body.push_back(std::move(assign));
    return;
  }
  const Token& next = peek();
  if (next.kind == TokenKind::Op && next.text.size() >= 2 && next.text.back() == '=' &&
      next.text != "==" && next.text != "!=" && next.text != "<=" && next.text != ">=")
    fail("unsupported: augmented assignment '" + next.text + "' (write `name = name " +
             next.text.substr(0, next.text.size() - 1) + " value`)",
         next.loc);
  if (next.is_op(":")) fail("unsupported: annotated assignment", next.loc);
  if (first->kind == ExprKind::Constant && static_cast<const Constant&>(*first).value.is_str())
    return;  // a docstring
  fail("unsupported: expression statement (a config may only assign names: name = value)",
       first->loc);
}

void Parser::check_target(const Expr& target, bool in_comprehension) {
  switch (target.kind) {
    case ExprKind::Name:
      return;
    case ExprKind::Tuple:
    case ExprKind::List: {
      int starred = 0;
      for (const ExprPtr& elt : static_cast<const Sequence&>(target).elts) {
        if (elt->kind == ExprKind::Starred) {
          if (++starred > 1) syntax_error("multiple starred expressions in assignment", elt->loc);
          check_target(*static_cast<const Starred&>(*elt).value, in_comprehension);
        } else {
          check_target(*elt, in_comprehension);
        }
      }
      return;
    }
    case ExprKind::Starred:
      syntax_error("starred assignment target must be in a list or tuple", target.loc);
    case ExprKind::Subscript: {
      const auto& sub = static_cast<const Subscript&>(target);
      if (in_comprehension) fail("unsupported: subscript as a comprehension target", target.loc);
      if (sub.index->kind == ExprKind::Slice) fail("unsupported: slice assignment", target.loc);
      const Expr* base = sub.value.get();
      while (base->kind == ExprKind::Subscript)
        base = static_cast<const Subscript&>(*base).value.get();
      if (base->kind != ExprKind::Name)
        fail("unsupported: item assignment into a computed value (only name[key]... = value)",
             target.loc);
      return;
    }
    case ExprKind::Attribute:
      fail("unsupported: attribute assignment (a config may only assign names and items)",
           target.loc);
    case ExprKind::Constant: {
      const Value& v = static_cast<const Constant&>(target).value;
      if (v.is_none() || v.is_bool()) syntax_error("cannot assign to " + repr(v), target.loc);
      syntax_error("cannot assign to literal", target.loc);
    }
    default:
      syntax_error(std::string("cannot assign to ") + unsupported_target(target.kind), target.loc);
  }
}

// ---- expressions ----

ExprPtr Parser::star_expressions() {
  Location loc = peek().loc;
  ExprPtr first = star_expression();
  if (!at_op(",")) {
    if (first->kind == ExprKind::Starred)
      syntax_error("can't use starred expression here", first->loc);
    return first;
  }
  auto tuple = std::make_unique<Sequence>(ExprKind::Tuple, loc);
  tuple->elts.push_back(std::move(first));
  while (accept_op(",")) {
    if (!starts_expression(peek())) break;
    tuple->elts.push_back(star_expression());
  }
  return finish(std::move(tuple));
}

ExprPtr Parser::star_expression() {
  if (!at_op("*")) return expression();
  Token star = take();
  DepthGuard guard(depth_, limits_.max_depth, star.loc);
  return finish(std::make_unique<Starred>(star.loc, binary(1)));
}

ExprPtr Parser::expression() {
  const Token& t = peek();
  DepthGuard guard(depth_, limits_.max_depth, t.loc);
  if (t.is_name("lambda") || t.is_name("yield") || t.is_name("await"))
    fail(std::string("unsupported: ") + statement_name(t.text) +
             " (configs hold values, not functions)",
         t.loc);
  ExprPtr body = disjunction();
  if (at_keyword("if")) {
    take();
    auto node = std::make_unique<IfExp>(body->loc);
    node->body = std::move(body);
    node->test = disjunction();
    if (!at_keyword("else")) syntax_error("expected 'else' after 'if' expression", peek().loc);
    take();
    node->orelse = expression();
    return finish(std::move(node));
  }
  if (at_op(":=")) fail("unsupported: assignment expression ':='", peek().loc);
  return body;
}

ExprPtr Parser::disjunction() {
  ExprPtr first = conjunction();
  if (!at_keyword("or")) return first;
  auto node = std::make_unique<BoolOp>(first->loc, false);
  node->values.push_back(std::move(first));
  while (at_keyword("or")) {
    take();
    node->values.push_back(conjunction());
  }
  return finish(std::move(node));
}

ExprPtr Parser::conjunction() {
  ExprPtr first = inversion();
  if (!at_keyword("and")) return first;
  auto node = std::make_unique<BoolOp>(first->loc, true);
  node->values.push_back(std::move(first));
  while (at_keyword("and")) {
    take();
    node->values.push_back(inversion());
  }
  return finish(std::move(node));
}

ExprPtr Parser::inversion() {
  if (!at_keyword("not")) return comparison();
  Token tok = take();
  DepthGuard guard(depth_, limits_.max_depth, tok.loc);
  return finish(std::make_unique<Unary>(tok.loc, UnaryOp::Not, inversion()));
}

ExprPtr Parser::comparison() {
  ExprPtr left = binary(1);
  std::unique_ptr<Compare> node;
  for (;;) {
    const Token& t = peek();
    CmpOp op;
    if (t.is_op("=="))
      op = CmpOp::Eq;
    else if (t.is_op("!="))
      op = CmpOp::NotEq;
    else if (t.is_op("<"))
      op = CmpOp::Lt;
    else if (t.is_op("<="))
      op = CmpOp::LtE;
    else if (t.is_op(">"))
      op = CmpOp::Gt;
    else if (t.is_op(">="))
      op = CmpOp::GtE;
    else if (t.is_name("in"))
      op = CmpOp::In;
    else if (t.is_name("is"))
      op = peek(1).is_name("not") ? CmpOp::IsNot : CmpOp::Is;
    else if (t.is_name("not") && peek(1).is_name("in"))
      op = CmpOp::NotIn;
    else
      break;
    Token tok = take();
    if (op == CmpOp::IsNot || op == CmpOp::NotIn) take();
    if (!node) {
      node = std::make_unique<Compare>(left->loc);
      node->left = std::move(left);
    }
    node->ops.push_back(op);
    node->op_locs.push_back(tok.loc);
    node->comparators.push_back(binary(1));
  }
  if (!node) return left;
  return finish(std::move(node));
}

ExprPtr Parser::binary(int min_precedence) {
  ExprPtr left = factor();
  for (;;) {
    BinOp op{};  // set by binary_precedence when it returns a real precedence
    int prec = binary_precedence(peek(), op);
    if (prec < min_precedence) return left;
    Token tok = take();
    DepthGuard guard(depth_, limits_.max_depth, tok.loc);
    ExprPtr right = binary(prec + 1);
    left = finish(std::make_unique<Binary>(tok.loc, op, std::move(left), std::move(right)));
  }
}

ExprPtr Parser::factor() {
  const Token& t = peek();
  UnaryOp op;
  if (t.is_op("-"))
    op = UnaryOp::Neg;
  else if (t.is_op("+"))
    op = UnaryOp::Pos;
  else if (t.is_op("~"))
    op = UnaryOp::Invert;
  else
    return power();
  Token tok = take();
  DepthGuard guard(depth_, limits_.max_depth, tok.loc);
  // -9223372036854775808 is INT64_MIN although 9223372036854775808 alone overflows.
  const Token& n = peek();
  if (op == UnaryOp::Neg && n.kind == TokenKind::Number && !n.is_float && !n.int_too_big &&
      n.int_value == (uint64_t{1} << 63) && !peek(1).is_op("**") && !peek(1).is_op("[") &&
      !peek(1).is_op("(") && !peek(1).is_op(".")) {
    take();
    return finish(std::make_unique<Constant>(tok.loc, Value(INT64_MIN).at(tok.loc)));
  }
  return finish(std::make_unique<Unary>(tok.loc, op, factor()));
}

ExprPtr Parser::power() {
  ExprPtr base = primary();
  if (!at_op("**")) return base;
  Token tok = take();
  DepthGuard guard(depth_, limits_.max_depth, tok.loc);
  ExprPtr exponent = factor();
  return finish(
      std::make_unique<Binary>(tok.loc, BinOp::Pow, std::move(base), std::move(exponent)));
}

ExprPtr Parser::primary() {
  ExprPtr e = atom();
  for (;;) {
    if (at_op(".")) {
      Token dot = take();
      if (peek().kind != TokenKind::Name || is_keyword(peek().text))
        syntax_error("expected an attribute name after '.', got " + describe(peek()), peek().loc);
      Token name = take();
      e = finish(std::make_unique<Attribute>(name.loc, std::move(e), name.text));
    } else if (at_op("(")) {
      Token open = take();
      e = call(open, std::move(e));
    } else if (at_op("[")) {
      Token open = take();
      ExprPtr index = subscript_index();
      expect_close(open, "]");
      e = finish(std::make_unique<Subscript>(open.loc, std::move(e), std::move(index)));
    } else {
      return e;
    }
  }
}

ExprPtr Parser::atom() {
  const Token& t = peek();
  switch (t.kind) {
    case TokenKind::Name: {
      Token tok = take();
      if (tok.text == "True" || tok.text == "False")
        return finish(std::make_unique<Constant>(tok.loc, Value(tok.text == "True").at(tok.loc)));
      if (tok.text == "None")
        return finish(std::make_unique<Constant>(tok.loc, Value().at(tok.loc)));
      if (is_keyword(tok.text)) {
        if (const char* what = statement_name(tok.text))
          fail(std::string("unsupported: ") + what, tok.loc);
        syntax_error("invalid syntax (unexpected keyword '" + tok.text + "')", tok.loc);
      }
      return finish(std::make_unique<Name>(tok.loc, tok.text));
    }
    case TokenKind::Number:
      return number();
    case TokenKind::String:
      return strings();
    case TokenKind::Op: {
      if (t.is_op("...")) fail("unsupported: Ellipsis '...'", t.loc);
      if (!t.is_op("(") && !t.is_op("[") && !t.is_op("{")) break;
      Token open = take();  // nesting is counted by expression() inside the brackets
      if (open.text == "(") return parenthesized(open);
      if (open.text == "[") return list_display(open);
      return brace_display(open);
    }
    default:
      break;
  }
  syntax_error("expected an expression, got " + describe(t), t.loc);
}

ExprPtr Parser::number() {
  Token tok = take();
  if (tok.is_float)
    return finish(std::make_unique<Constant>(tok.loc, Value(tok.float_value).at(tok.loc)));
  if (tok.int_too_big || tok.int_value > static_cast<uint64_t>(INT64_MAX))
    fail("OverflowError: integer overflow (integer literal does not fit in 64 bits)", tok.loc);
  return finish(
      std::make_unique<Constant>(tok.loc, Value(static_cast<int64_t>(tok.int_value)).at(tok.loc)));
}

ExprPtr Parser::strings() {
  std::vector<Token> tokens;
  while (peek().kind == TokenKind::String) tokens.push_back(take());
  Location loc = tokens.front().loc;
  bool any_f = std::any_of(tokens.begin(), tokens.end(), [](const Token& t) { return t.fstring; });
  if (!any_f) {
    std::string text;
    for (const Token& t : tokens) text += t.text;
    return finish(std::make_unique<Constant>(loc, Value(std::move(text)).at(loc)));
  }
  auto node = std::make_unique<FString>(loc);
  for (const Token& t : tokens) {
    if (t.fstring) {
      fstring_parts(t.body, t.body_loc, t.raw, node->parts, 0);
    } else {
      FPart part;
      part.literal = t.text;
      node->parts.push_back(std::move(part));
    }
  }
  return finish(std::move(node));
}

ExprPtr Parser::parenthesized(const Token& open) {
  if (accept_op(")")) return finish(std::make_unique<Sequence>(ExprKind::Tuple, open.loc));
  if (at_keyword("yield")) fail("unsupported: yield expression", peek().loc);
  ExprPtr first = star_expression();
  if (at_keyword("for") || at_keyword("async")) {
    ExprPtr comp =
        comprehension(Comprehension::Form::Generator, open.loc, std::move(first), nullptr);
    expect_close(open, ")");
    return comp;
  }
  if (at_op(",")) {
    auto tuple = std::make_unique<Sequence>(ExprKind::Tuple, open.loc);
    tuple->elts.push_back(std::move(first));
    while (accept_op(",")) {
      if (at_op(")")) break;
      tuple->elts.push_back(star_expression());
    }
    expect_close(open, ")");
    return finish(std::move(tuple));
  }
  expect_close(open, ")");
  if (first->kind == ExprKind::Starred)
    syntax_error("can't use starred expression here", first->loc);
  return first;
}

ExprPtr Parser::list_display(const Token& open) {
  auto list = std::make_unique<Sequence>(ExprKind::List, open.loc);
  if (accept_op("]")) return finish(std::move(list));
  ExprPtr first = star_expression();
  if (at_keyword("for") || at_keyword("async")) {
    ExprPtr comp = comprehension(Comprehension::Form::List, open.loc, std::move(first), nullptr);
    expect_close(open, "]");
    return comp;
  }
  list->elts.push_back(std::move(first));
  while (accept_op(",")) {
    if (at_op("]")) break;
    list->elts.push_back(star_expression());
  }
  expect_close(open, "]");
  return finish(std::move(list));
}

ExprPtr Parser::brace_display(const Token& open) {
  if (accept_op("}")) return finish(std::make_unique<DictDisplay>(open.loc));
  if (at_op("**")) return dict_display(open, nullptr, nullptr);
  ExprPtr first = star_expression();
  if (accept_op(":")) {
    ExprPtr value = expression();
    if (at_keyword("for") || at_keyword("async")) {
      ExprPtr comp =
          comprehension(Comprehension::Form::Dict, open.loc, std::move(first), std::move(value));
      expect_close(open, "}");
      return comp;
    }
    return dict_display(open, std::move(first), std::move(value));
  }
  if (at_keyword("for"))
    fail("unsupported: set comprehension (sets are not config values)", open.loc);
  if (!at_op(",") && !at_op("}"))
    syntax_error("expected ':', ',' or '}' after '{' opened at " + at_text(open.loc) + ", got " +
                     describe(peek()),
                 peek().loc);
  fail("unsupported: set display (sets are not config values; use a list or tuple)", open.loc);
}

ExprPtr Parser::dict_display(const Token& open, ExprPtr first_key, ExprPtr first_value) {
  auto dict = std::make_unique<DictDisplay>(open.loc);
  if (first_value) {
    DictItem item;
    item.key = std::move(first_key);
    item.value = std::move(first_value);
    dict->items.push_back(std::move(item));
    if (!accept_op(",")) {
      expect_close(open, "}");
      return finish(std::move(dict));
    }
  }
  while (!at_op("}")) {
    DictItem item;
    if (accept_op("**")) {
      item.value = binary(1);
    } else {
      item.key = expression();
      if (!accept_op(":"))
        syntax_error("expected ':' after a dict key, got " + describe(peek()), peek().loc);
      item.value = expression();
    }
    dict->items.push_back(std::move(item));
    if (!accept_op(",")) break;
  }
  expect_close(open, "}");
  return finish(std::move(dict));
}

ExprPtr Parser::comprehension(Comprehension::Form form, Location loc, ExprPtr elt, ExprPtr value) {
  auto node = std::make_unique<Comprehension>(loc, form);
  node->elt = std::move(elt);
  node->value = std::move(value);
  while (at_keyword("for") || at_keyword("async")) {
    if (at_keyword("async")) fail("unsupported: async comprehension", peek().loc);
    take();
    ForClause clause;
    clause.target = target_list();
    check_target(*clause.target, true);
    if (!at_keyword("in"))
      syntax_error("expected 'in' after the comprehension target, got " + describe(peek()),
                   peek().loc);
    take();
    clause.iter = disjunction();
    while (at_keyword("if")) {
      take();
      clause.ifs.push_back(disjunction());
    }
    node->fors.push_back(std::move(clause));
  }
  return finish(std::move(node));
}

ExprPtr Parser::target_list() {
  Location loc = peek().loc;
  auto one = [this]() -> ExprPtr {
    if (!at_op("*")) return binary(1);
    Token star = take();
    return finish(std::make_unique<Starred>(star.loc, binary(1)));
  };
  ExprPtr first = one();
  if (!at_op(",")) return first;
  auto tuple = std::make_unique<Sequence>(ExprKind::Tuple, loc);
  tuple->elts.push_back(std::move(first));
  while (accept_op(",")) {
    if (at_keyword("in")) break;
    tuple->elts.push_back(one());
  }
  return finish(std::move(tuple));
}

ExprPtr Parser::call(const Token& open, ExprPtr func) {
  auto node = std::make_unique<Call>(func->loc, std::move(func));
  bool double_star = false;
  std::set<std::string> names;
  while (!at_op(")")) {
    if (at_op("*")) {
      Token star = take();
      if (double_star)
        syntax_error("iterable argument unpacking follows keyword argument unpacking", star.loc);
      node->args.push_back(finish(std::make_unique<Starred>(star.loc, expression())));
    } else if (accept_op("**")) {
      Keyword kw;
      kw.loc = peek().loc;
      kw.value = expression();
      node->keywords.push_back(std::move(kw));
      double_star = true;
    } else if (peek().kind == TokenKind::Name && !is_keyword(peek().text) && peek(1).is_op("=")) {
      Keyword kw;
      kw.loc = peek().loc;
      kw.name = take().text;
      take();
      if (!names.insert(kw.name).second)
        syntax_error("keyword argument repeated: " + kw.name, kw.loc);
      kw.value = expression();
      node->keywords.push_back(std::move(kw));
    } else {
      ExprPtr arg = expression();
      if (at_keyword("for") || at_keyword("async")) {
        if (!node->args.empty() || !node->keywords.empty())
          syntax_error("Generator expression must be parenthesized", arg->loc);
        Location loc = arg->loc;
        node->args.push_back(
            comprehension(Comprehension::Form::Generator, loc, std::move(arg), nullptr));
        if (!at_op(")")) syntax_error("Generator expression must be parenthesized", loc);
        break;
      }
      if (at_op("="))
        syntax_error("expression cannot contain assignment, perhaps you meant \"==\"?", arg->loc);
      if (!node->keywords.empty())
        syntax_error(double_star ? "positional argument follows keyword argument unpacking"
                                 : "positional argument follows keyword argument",
                     arg->loc);
      node->args.push_back(std::move(arg));
    }
    if (!accept_op(",")) break;
  }
  expect_close(open, ")");
  return finish(std::move(node));
}

ExprPtr Parser::subscript_index() {
  Location loc = peek().loc;
  ExprPtr first = slice_item();
  if (!at_op(",")) return first;
  auto tuple = std::make_unique<Sequence>(ExprKind::Tuple, loc);
  tuple->elts.push_back(std::move(first));
  while (accept_op(",")) {
    if (at_op("]")) break;
    tuple->elts.push_back(slice_item());
  }
  return finish(std::move(tuple));
}

ExprPtr Parser::slice_item() {
  Location loc = peek().loc;
  ExprPtr lower;
  if (!at_op(":")) {
    lower = expression();
    if (!at_op(":")) return lower;
  }
  take();
  auto slice = std::make_unique<Slice>(loc);
  slice->lower = std::move(lower);
  auto ends_part = [this]() { return at_op(":") || at_op("]") || at_op(","); };
  if (!ends_part()) slice->upper = expression();
  if (accept_op(":") && !at_op("]") && !at_op(",")) slice->step = expression();
  return finish(std::move(slice));
}

// ---- f-strings ----

namespace {

void step(Location& cur, char c) {
  if (c == '\n') {
    ++cur.line;
    cur.column = 1;
  } else {
    ++cur.column;
  }
}

}  // namespace

void Parser::fstring_parts(std::string_view body, Location start, bool raw, std::vector<FPart>& out,
                           int nesting) {
  std::string text;   // decoded literal text so far
  std::string chunk;  // undecoded text since the last brace
  Location chunk_loc = start;
  Location cur = start;
  auto flush = [&]() {
    text += raw ? chunk : decode_escapes(chunk, chunk_loc);
    chunk.clear();
  };
  size_t i = 0;
  while (i < body.size()) {
    char c = body[i];
    if ((c == '{' || c == '}') && i + 1 < body.size() && body[i + 1] == c) {
      flush();
      text += c;
      step(cur, c);
      step(cur, c);
      i += 2;
      chunk_loc = cur;
      continue;
    }
    if (c == '}') syntax_error("f-string: single '}' is not allowed", cur);
    if (c == '{') {
      flush();
      if (!text.empty()) {
        FPart lit;
        lit.literal = std::move(text);
        out.push_back(std::move(lit));
        text.clear();
      }
      i = fstring_field(body, i, cur, raw, out, nesting);
      chunk_loc = cur;
      continue;
    }
    chunk += c;
    step(cur, c);
    ++i;
  }
  flush();
  if (!text.empty()) {
    FPart lit;
    lit.literal = std::move(text);
    out.push_back(std::move(lit));
  }
}

// Parses the replacement field starting at body[i] == '{'; returns the index after its '}'.
size_t Parser::fstring_field(std::string_view body, size_t i, Location& cur, bool raw,
                             std::vector<FPart>& out, int nesting) {
  Location field_loc = cur;
  if (nesting >= 2) syntax_error("f-string: expressions nested too deeply", field_loc);
  auto advance = [&]() { step(cur, body[i++]); };
  advance();  // '{'
  size_t expr_begin = i;
  Location expr_loc = cur;
  int brackets = 0;
  char quote = 0;
  size_t quote_len = 0;
  for (; i < body.size(); advance()) {
    char c = body[i];
    if (quote) {
      if (c == quote && body.substr(i, quote_len) == std::string(quote_len, quote)) {
        for (size_t k = 1; k < quote_len; ++k) advance();
        quote = 0;
      }
      continue;
    }
    if (c == '\\') syntax_error("f-string expression part cannot include a backslash", cur);
    if (c == '#') syntax_error("f-string expression part cannot include '#'", cur);
    if (c == '\'' || c == '"') {
      quote = c;
      quote_len = body.substr(i, 3) == std::string(3, c) ? 3 : 1;
      for (size_t k = 1; k < quote_len; ++k) advance();
      continue;
    }
    if (c == '(' || c == '[' || c == '{') {
      ++brackets;
      continue;
    }
    if (c == ')' || c == ']' || c == '}') {
      if (brackets == 0) {
        if (c == '}') break;
        syntax_error(std::string("f-string: unmatched '") + c + "'", cur);
      }
      --brackets;
      continue;
    }
    if (brackets) continue;
    char next = i + 1 < body.size() ? body[i + 1] : '\0';
    char prev = i > expr_begin ? body[i - 1] : '\0';
    if (c == '!' && next != '=') break;
    if (c == ':') break;
    if (c == '=' && next != '=' && prev != '=' && prev != '!' && prev != '<' && prev != '>') break;
  }
  if (i >= body.size()) syntax_error("f-string: expecting '}'", field_loc);
  std::string_view expr_text = body.substr(expr_begin, i - expr_begin);
  if (expr_text.find_first_not_of(" \t\n\r\f") == std::string_view::npos)
    syntax_error("f-string: empty expression not allowed", field_loc);
  FPart part;
  Parser sub(expr_text, expr_loc, limits_, true, depth_ + 1);
  part.expr = sub.parse_expression_input();
  if (body[i] == '=') {
    advance();
    while (i < body.size() && (body[i] == ' ' || body[i] == '\t')) advance();
    part.debug_text = std::string(body.substr(expr_begin, i - expr_begin));
  }
  if (i < body.size() && body[i] == '!') {
    advance();
    if (i >= body.size() || (body[i] != 's' && body[i] != 'r' && body[i] != 'a'))
      syntax_error("f-string: invalid conversion character: expected 's', 'r', or 'a'", cur);
    part.conversion = body[i] == 's' ? 's' : 'r';
    advance();
  }
  if (i < body.size() && body[i] == ':') {
    advance();
    size_t spec_begin = i;
    Location spec_loc = cur;
    int depth = 0;
    for (; i < body.size(); advance()) {
      if (body[i] == '{') ++depth;
      if (body[i] == '}' && depth-- == 0) break;
    }
    if (i >= body.size()) syntax_error("f-string: expecting '}'", field_loc);
    part.has_spec = true;
    fstring_parts(body.substr(spec_begin, i - spec_begin), spec_loc, raw, part.spec, nesting + 1);
  }
  if (i >= body.size() || body[i] != '}') syntax_error("f-string: expecting '}'", cur);
  advance();
  // f'{x=}' shows repr(x) unless a conversion or format spec says otherwise.
  if (!part.debug_text.empty() && !part.conversion && !part.has_spec) part.conversion = 'r';
  out.push_back(std::move(part));
  return i;
}

}  // namespace tubelet::python
