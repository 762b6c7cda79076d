// Entry points: source text -> checks -> parser -> evaluator.
#include "config/python/evaluate.h"

#include "config/python/budget.h"
#include "config/python/evaluator.h"
#include "config/python/parser.h"
#include "config/python/text.h"

namespace tubelet::python {

namespace {

// Python reads sources as UTF-8 with universal newlines; a BOM is skipped.
std::string prepare_source(std::string_view source,
                           const std::shared_ptr<const std::string>& file) {
  if (source.substr(0, 3) == "\xEF\xBB\xBF") source.remove_prefix(3);
  size_t nul = source.find('\0');
  if (nul != std::string_view::npos)
    fail("syntax error: source code cannot contain null bytes",
         advance(Location{file, 1, 1}, source, nul));
  size_t bad = find_invalid_utf8(source);
  if (bad != std::string_view::npos)
    fail("syntax error: invalid UTF-8 in source", advance(Location{file, 1, 1}, source, bad));
  std::string out;
  out.reserve(source.size());
  for (size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\r') {
      out += '\n';
      if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
    } else {
      out += source[i];
    }
  }
  return out;
}

}  // namespace

Dict evaluate_module(std::string_view source, std::shared_ptr<const std::string> filename,
                     const EvalLimits& limits) {
  std::string text = prepare_source(source, filename);
  Parser parser(text, Location{filename, 1, 1}, limits, false);
  Module module = parser.parse_module();
  Evaluator evaluator(limits);
  evaluator.run(module);
  return evaluator.take_globals();
}

Value evaluate_expression(std::string_view source, std::shared_ptr<const std::string> filename,
                          const EvalLimits& limits) {
  std::string text = prepare_source(source, filename);
  Parser parser(text, Location{filename, 1, 1}, limits, true);
  ExprPtr expr = parser.parse_expression_input();
  Evaluator evaluator(limits);
  return evaluator.evaluate(*expr);
}

}  // namespace tubelet::python
