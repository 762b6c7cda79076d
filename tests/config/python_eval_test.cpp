// Tests of the Python-subset evaluator that reads MMAction2 config files.
#include <gtest/gtest.h>

#include <string>

#include "config/python/evaluate.h"

namespace tubelet::python {
namespace {

const auto kFile = std::make_shared<const std::string>("cfg.py");

Dict run(std::string_view src, const EvalLimits& limits = {}) {
  return evaluate_module(src, kFile, limits);
}

Value eval(std::string_view src) {
  return evaluate_expression(src, kFile);
}

// repr() of an expression's value.
std::string r(std::string_view src) {
  return repr(eval(src));
}

// repr() of a module variable.
std::string var(std::string_view src, std::string_view name) {
  return repr(run(src).at(name));
}

// Runs `src` (a module, or an expression when !module) and checks the error it raises:
// the message contains `message` and the location is line:column.
void expect_error(std::string_view src, const std::string& message, int line, int column,
                  bool module = true, const EvalLimits& limits = {}) {
  SCOPED_TRACE(std::string(src));
  try {
    if (module) {
      run(src, limits);
    } else {
      evaluate_expression(src, kFile, limits);
    }
    ADD_FAILURE() << "expected an error containing: " << message;
  } catch (const ConfigError& e) {
    EXPECT_NE(e.message().find(message), std::string::npos) << e.message();
    EXPECT_EQ(e.where().line, line) << e.message();
    EXPECT_EQ(e.where().column, column) << e.message();
    EXPECT_EQ(e.where().file, kFile);
  }
}

// ---- literals ----

TEST(PythonEval, IntLiterals) {
  EXPECT_EQ(r("42"), "42");
  EXPECT_EQ(r("0x1F"), "31");
  EXPECT_EQ(r("0o17"), "15");
  EXPECT_EQ(r("0b101"), "5");
  EXPECT_EQ(r("1_000_000"), "1000000");
  EXPECT_EQ(r("0x_ff"), "255");
  EXPECT_EQ(r("-9223372036854775808"), "-9223372036854775808");
  EXPECT_TRUE(eval("7").is_int());
}

TEST(PythonEval, FloatLiterals) {
  EXPECT_EQ(r("1e-4"), "0.0001");
  EXPECT_EQ(r(".5"), "0.5");
  EXPECT_EQ(r("1."), "1.0");
  EXPECT_EQ(r("1_000.5"), "1000.5");
  EXPECT_EQ(r("1e400"), "inf");
  EXPECT_EQ(r("2.5e-5"), "2.5e-05");
  EXPECT_TRUE(eval("1.").is_float());
  EXPECT_TRUE(eval("1e3").is_float());
}

TEST(PythonEval, StringLiterals) {
  EXPECT_EQ(eval("'single'").as_str(), "single");
  EXPECT_EQ(eval("\"double\"").as_str(), "double");
  EXPECT_EQ(eval("'''tri\nple'''").as_str(), "tri\nple");
  EXPECT_EQ(eval(R"('a\tb\n\\ \' \" \x41 \101 \u00e9')").as_str(), "a\tb\n\\ ' \" A A \xc3\xa9");
  EXPECT_EQ(eval(R"(r'\d+\n')").as_str(), "\\d+\\n");
  EXPECT_EQ(eval(R"('\d')").as_str(), "\\d");  // unknown escapes are kept
  EXPECT_EQ(eval("'a' 'b' \"c\"").as_str(), "abc");
  EXPECT_EQ(r("'it\\'s'"), "\"it's\"");
  EXPECT_EQ(eval("u'x'").as_str(), "x");
}

TEST(PythonEval, Constants) {
  EXPECT_EQ(r("True"), "True");
  EXPECT_EQ(r("False"), "False");
  EXPECT_EQ(r("None"), "None");
  EXPECT_TRUE(eval("True").is_bool());
}

TEST(PythonEval, ListsAndTuples) {
  EXPECT_EQ(r("[1, 'a', [2.0]]"), "[1, 'a', [2.0]]");
  EXPECT_EQ(r("(1, )"), "(1,)");
  EXPECT_EQ(r("()"), "()");
  EXPECT_EQ(r("[1, 2,]"), "[1, 2]");
  EXPECT_EQ(var("a = 1, 2", "a"), "(1, 2)");
  EXPECT_EQ(var("a = 1,", "a"), "(1,)");
  EXPECT_EQ(r("[*[1, 2], *'ab', 3]"), "[1, 2, 'a', 'b', 3]");
  EXPECT_EQ(r("(*range(2),)"), "(0, 1)");
}

TEST(PythonEval, DictCalls) {
  EXPECT_EQ(r("dict()"), "{}");
  EXPECT_EQ(r("dict(a=1, b=dict(c=(2, )))"), "{'a': 1, 'b': {'c': (2,)}}");
  EXPECT_EQ(r("dict({'a': 1}, b=2)"), "{'a': 1, 'b': 2}");
  EXPECT_EQ(r("dict([('a', 1), ('b', 2)])"), "{'a': 1, 'b': 2}");
  EXPECT_EQ(var("m = dict(a=1)\nn = dict(**m, b=2)", "n"), "{'a': 1, 'b': 2}");
  EXPECT_EQ(var("m = dict(type='SGD', lr=0.1)\nn = dict(m, lr=0.2)", "n"),
            "{'type': 'SGD', 'lr': 0.2}");
}

TEST(PythonEval, DictDisplays) {
  EXPECT_EQ(r("{'a': 1, **{'b': 2}, 'c': [3]}"), "{'a': 1, 'b': 2, 'c': [3]}");
  EXPECT_EQ(r("{'a': 1, 'b': 2, 'a': 3}"), "{'a': 3, 'b': 2}");
  EXPECT_EQ(r("{1: 'a', 1.0: 'b', True: 'c'}"), "{1: 'c'}");
  EXPECT_EQ(r("{(1, 2): None}"), "{(1, 2): None}");
  EXPECT_EQ(r("{}"), "{}");
}

TEST(PythonEval, CommentsAndContinuations) {
  Dict d =
      run("# header\na = 1  # trailing\n\nb = (1 +\n     2)\nc = 1 + \\\n    3\n"
          "d = [\n  1,\n  2,\n]\n");
  EXPECT_EQ(repr(d.at("b")), "3");
  EXPECT_EQ(repr(d.at("c")), "4");
  EXPECT_EQ(repr(d.at("d")), "[1, 2]");
  EXPECT_EQ(var("a = 1\r\nb = 2\r\n", "b"), "2");
}

// ---- statements ----

TEST(PythonEval, Assignments) {
  Dict d = run("a = b = [1]\nc, d = 1, 2\n(e, f), g = (3, 4), 5\nh, *i = 'xyz'\n");
  EXPECT_EQ(repr(d.at("a")), "[1]");
  EXPECT_EQ(repr(d.at("b")), "[1]");
  EXPECT_EQ(repr(d.at("d")), "2");
  EXPECT_EQ(repr(d.at("f")), "4");
  EXPECT_EQ(repr(d.at("i")), "['y', 'z']");
}

TEST(PythonEval, NamespaceKeepsFirstAssignmentOrder) {
  Dict d = run("a = 1\nb = 2\na = 3\n_base_ = ['x.py']\n__x = 0\n");
  std::string order;
  for (const auto& [k, v] : d) order += k.as_str() + "=" + repr(v) + " ";
  EXPECT_EQ(order, "a=3 b=2 _base_=['x.py'] __x=0 ");
}

TEST(PythonEval, DocstringsPassAndSemicolons) {
  Dict d = run("\"\"\"Module docstring.\"\"\"\npass\na = 1; b = 2;\n'another string'\n");
  EXPECT_EQ(d.size(), 2u);
  EXPECT_EQ(repr(d.at("b")), "2");
}

TEST(PythonEval, ItemAssignment) {
  EXPECT_EQ(var("data = dict(val=dict(a=1), test=None)\ndata['test'] = data['val']", "data"),
            "{'val': {'a': 1}, 'test': {'a': 1}}");
  EXPECT_EQ(var("d = dict(a=dict(b=1))\nd['a']['c'] = 2\nd['z'] = 0", "d"),
            "{'a': {'b': 1, 'c': 2}, 'z': 0}");
  EXPECT_EQ(var("l = [1, 2]\nl[-1] = 5", "l"), "[1, 5]");
  // Python would change `b` too; copy-on-write values cannot, so it is refused.
  expect_error("a = dict()\nb = a\na['x'] = 1", "also referenced elsewhere", 3, 2);
  expect_error("t = (1, 2)\nt[0] = 5", "TypeError: 'tuple' object does not support item assignment",
               2, 2);
  expect_error("l = [1]\nl[1] = 5", "IndexError: list assignment index out of range", 2, 2);
}

// ---- expressions ----

TEST(PythonEval, NamesAndSubscripts) {
  Dict d = run("a = [1, 2, 3]\nb = a[0] + a[-1]\nc = dict(k='v')['k']\ne = 'abc'[1]");
  EXPECT_EQ(repr(d.at("b")), "4");
  EXPECT_EQ(repr(d.at("c")), "'v'");
  EXPECT_EQ(repr(d.at("e")), "'b'");
}

TEST(PythonEval, Slices) {
  EXPECT_EQ(r("[1, 2, 3, 4][1:3]"), "[2, 3]");
  EXPECT_EQ(r("[1, 2, 3][::-1]"), "[3, 2, 1]");
  EXPECT_EQ(r("(1, 2, 3)[-2:]"), "(2, 3)");
  EXPECT_EQ(r("'hello'[::2]"), "'hlo'");
  EXPECT_EQ(r("[1, 2, 3][-10:10]"), "[1, 2, 3]");
  EXPECT_EQ(r("range(10)[1:8:3]"), "range(1, 8, 3)");
  EXPECT_EQ(r("'\u65e5\u672c\u8a9e'[::-1]"), "'\u8a9e\u672c\u65e5'");
}

TEST(PythonEval, Arithmetic) {
  EXPECT_EQ(r("1 / 2"), "0.5");
  EXPECT_EQ(r("4 / 2"), "2.0");
  EXPECT_EQ(r("7 // 2"), "3");
  EXPECT_EQ(r("-7 // 2"), "-4");
  EXPECT_EQ(r("-7 % 3"), "2");
  EXPECT_EQ(r("7 % -3"), "-2");
  EXPECT_EQ(r("-7.5 // 2"), "-4.0");
  EXPECT_EQ(r("7.5 % -2"), "-0.5");
  EXPECT_EQ(r("2 ** 10"), "1024");
  EXPECT_EQ(r("2 ** -1"), "0.5");
  EXPECT_EQ(r("-2 ** 2"), "-4");
  EXPECT_EQ(r("2 ** 3 ** 2"), "512");
  EXPECT_EQ(r("1 + 2 * 3 - 4"), "3");
  EXPECT_EQ(r("True + 1"), "2");
  EXPECT_EQ(r("True * 2.5"), "2.5");
  EXPECT_EQ(r("-True"), "-1");
  EXPECT_EQ(r("0.1 + 0.2"), "0.30000000000000004");
  EXPECT_EQ(r("1 << 4 | 3 & 1 ^ 8"), "25");
  EXPECT_TRUE(eval("6 // 3").is_int());
  EXPECT_TRUE(eval("6 / 3").is_float());
  EXPECT_TRUE(eval("6.0 // 3").is_float());
}

TEST(PythonEval, SequenceOperators) {
  EXPECT_EQ(r("[1] + [2]"), "[1, 2]");
  EXPECT_EQ(r("(1,) + (2,)"), "(1, 2)");
  EXPECT_EQ(r("'a' + 'b'"), "'ab'");
  EXPECT_EQ(r("[0] * 3"), "[0, 0, 0]");
  EXPECT_EQ(r("2 * 'ab'"), "'abab'");
  EXPECT_EQ(r("[1] * -1"), "[]");
  EXPECT_EQ(r("{'a': 1} | {'b': 2}"), "{'a': 1, 'b': 2}");
}

TEST(PythonEval, Comparisons) {
  EXPECT_EQ(r("1 < 2 < 3"), "True");
  EXPECT_EQ(r("1 < 3 < 2"), "False");
  EXPECT_EQ(r("1 == 1.0 == True"), "True");
  EXPECT_EQ(r("[1] == (1,)"), "False");
  EXPECT_EQ(r("(1, 'a') < (1, 'b')"), "True");
  EXPECT_EQ(r("2 in [1, 2] and 'b' in 'abc' and 'k' in {'k': 1}"), "True");
  EXPECT_EQ(r("3 not in range(0, 10, 2)"), "True");
  EXPECT_EQ(r("None is None is not False"), "True");
  EXPECT_EQ(r("2 ** 53 + 1 == 2.0 ** 53"), "False");
}

TEST(PythonEval, BooleanOperatorsAndConditional) {
  EXPECT_EQ(r("[] or 'x'"), "'x'");
  EXPECT_EQ(r("0 and 1"), "0");
  EXPECT_EQ(r("1 and 2"), "2");
  EXPECT_EQ(r("not ''"), "True");
  EXPECT_EQ(r("'y' if 0 else 'n'"), "'n'");
  EXPECT_EQ(r("1 if 0 else 2 if 0 else 3"), "3");
}

TEST(PythonEval, Comprehensions) {
  EXPECT_EQ(r("[x * 2 for x in range(3)]"), "[0, 2, 4]");
  EXPECT_EQ(r("[x for x in range(10) if x % 2 if x > 3]"), "[5, 7, 9]");
  EXPECT_EQ(r("[(x, y) for x in range(2) for y in 'ab']"),
            "[(0, 'a'), (0, 'b'), (1, 'a'), (1, 'b')]");
  EXPECT_EQ(r("{k: v * 2 for k, v in {'a': 1}.items()}"), "{'a': 2}");
  EXPECT_EQ(r("[[j for j in range(i)] for i in range(3)]"), "[[], [0], [0, 1]]");
  EXPECT_EQ(r("[a for a, *b in [(1, 2, 3)]]"), "[1]");
  EXPECT_EQ(r("sum(x for x in range(5))"), "10");
  EXPECT_EQ(r("[k for k in {'a': 1, 'b': 2}]"), "['a', 'b']");
  // The posec3d limb configs.
  Value probs = eval("{i: 1 + int(i >= 60) for i in range(120)}");
  EXPECT_EQ(probs.as_dict().size(), 120u);
  EXPECT_EQ(repr(*probs.as_dict().find(Value(59))), "1");
  EXPECT_EQ(repr(*probs.as_dict().find(Value(60))), "2");
}

TEST(PythonEval, ComprehensionScoping) {
  Dict d = run("n = 3\ni = 'outer'\nx = [n * i for i in range(n)]\ny = i\n");
  EXPECT_EQ(repr(d.at("x")), "[0, 3, 6]");
  EXPECT_EQ(repr(d.at("y")), "'outer'");  // Python 3: the loop variable does not leak
  expect_error("x = [j for j in range(2)]\ny = j", "NameError: name 'j' is not defined", 2, 5);
}

TEST(PythonEval, Methods) {
  EXPECT_EQ(r("{'a': 1}.get('a')"), "1");
  EXPECT_EQ(r("{'a': 1}.get('b', 0)"), "0");
  EXPECT_EQ(r("list({'a': 1, 'b': 2}.keys())"), "['a', 'b']");
  EXPECT_EQ(r("{'a': 1}.values()"), "[1]");
  EXPECT_EQ(r("'{}-{x}'.format(1, x='y')"), "'1-y'");
  EXPECT_EQ(r("'-'.join(['a', 'b'])"), "'a-b'");
  EXPECT_EQ(r("'AbC'.upper() + 'AbC'.lower()"), "'ABCabc'");
  EXPECT_EQ(r("'a.b.c'.replace('.', '/')"), "'a/b/c'");
  EXPECT_EQ(r("'a b  c'.split()"), "['a', 'b', 'c']");
  EXPECT_EQ(r("'a,b,c'.rsplit(',', 1)"), "['a,b', 'c']");
  EXPECT_EQ(r("'  x '.strip()"), "'x'");
  EXPECT_EQ(r("'abc'.startswith(('x', 'a'))"), "True");
  expect_error("x = 'a'.zfill(3)", "unsupported: method call .zfill()", 1, 9);
  expect_error("x = (1).real", "unsupported: attribute access '.real'", 1, 9);
}

// ---- builtins ----

TEST(PythonEval, Range) {
  Value v = eval("range(0, 10, 3)");
  ASSERT_TRUE(v.is_range());
  EXPECT_EQ(v.as_range().size(), 4);
  EXPECT_EQ(r("range(5)"), "range(0, 5)");
  EXPECT_EQ(r("list(range(5, 0, -2))"), "[5, 3, 1]");
  EXPECT_EQ(r("len(range(0, 10, 3))"), "4");
  expect_error("range(1, 2, 0)", "ValueError: range() arg 3 must not be zero", 1, 1, false);
}

TEST(PythonEval, ConversionBuiltins) {
  EXPECT_EQ(r("int(3.9)"), "3");
  EXPECT_EQ(r("int(-3.9)"), "-3");
  EXPECT_EQ(r("int(' -1_0 ')"), "-10");
  EXPECT_EQ(r("int('ff', 16) + int('0x10', 0)"), "271");
  EXPECT_EQ(r("float('1.5') + float(2)"), "3.5");
  EXPECT_EQ(r("float('-inf')"), "-inf");
  EXPECT_EQ(r("float('nan')"), "nan");
  EXPECT_EQ(r("str(1.0)"), "'1.0'");
  EXPECT_EQ(r("str([1, 'a'])"), "\"[1, 'a']\"");
  EXPECT_EQ(r("str('x')"), "'x'");
  EXPECT_EQ(r("bool([]), bool('a')"), "(False, True)");
  EXPECT_EQ(r("list('ab'), tuple([1])"), "(['a', 'b'], (1,))");
  expect_error("int('abc')", "ValueError: invalid literal for int() with base 10: 'abc'", 1, 1,
               false);
}

TEST(PythonEval, NumericBuiltins) {
  EXPECT_EQ(r("len([1, 2]) + len('h\xc3\xa9') + len({'a': 1})"), "5");
  EXPECT_EQ(r("min([3, 1, 2])"), "1");
  EXPECT_EQ(r("max(3, 1.5, 2)"), "3");
  EXPECT_EQ(r("sum([1, 2, 3])"), "6");
  EXPECT_EQ(r("sum([1.5, 2], 1)"), "4.5");
  EXPECT_EQ(r("sum([[1], [2]], [])"), "[1, 2]");
  EXPECT_EQ(r("abs(-3), abs(-2.5)"), "(3, 2.5)");
  EXPECT_EQ(r("round(2.5), round(3.5), round(-0.5)"), "(2, 4, 0)");
  EXPECT_EQ(r("round(2.675, 2)"), "2.67");
  EXPECT_EQ(r("round(1234.5, -2)"), "1200.0");
  EXPECT_EQ(r("round(25, -1)"), "20");
  EXPECT_TRUE(eval("round(2.5)").is_int());
  EXPECT_TRUE(eval("round(2.5, 0)").is_float());
  expect_error("max([])", "ValueError: max() arg is an empty sequence", 1, 1, false);
}

TEST(PythonEval, SequenceBuiltins) {
  EXPECT_EQ(r("sorted([3, 1, 2])"), "[1, 2, 3]");
  EXPECT_EQ(r("sorted(['b', 'a'], reverse=True)"), "['b', 'a']");
  EXPECT_EQ(r("reversed([1, 2, 3])"), "[3, 2, 1]");
  EXPECT_EQ(r("list(zip([1, 2, 3], 'ab'))"), "[(1, 'a'), (2, 'b')]");
  EXPECT_EQ(r("list(enumerate('ab', 1))"), "[(1, 'a'), (2, 'b')]");
  EXPECT_EQ(r("any([0, 1]), all([])"), "(True, True)");
  expect_error("sorted([1, 'a'])",
               "TypeError: '<' not supported between instances of 'str' and 'int'", 1, 1, false);
}

TEST(PythonEval, ShadowedBuiltin) {
  EXPECT_EQ(var("len = 5\ny = len", "y"), "5");
  expect_error("len = 5\ny = len([1])", "TypeError: 'int' object is not callable", 2, 5);
}

// ---- string formatting ----

TEST(PythonEval, PercentFormatting) {
  EXPECT_EQ(r("'%s-%s' % (1, 'a')"), "'1-a'");
  EXPECT_EQ(r("'%d|%i' % (3.7, True)"), "'3|1'");
  EXPECT_EQ(r("'%.3f|%5.1f|%-4d|%05d' % (1/3, 2.25, 7, -3)"), "'0.333|  2.2|7   |-0003'");
  EXPECT_EQ(r("'%r %s' % ('a', 'a')"), "\"'a' a\"");
  EXPECT_EQ(r("'%x %X %#o %%' % (255, 255, 8)"), "'ff FF 0o10 %'");
  EXPECT_EQ(r("'%(a)s/%(b)03d' % {'a': 'x', 'b': 7}"), "'x/007'");
  EXPECT_EQ(r("'%s' % [1]"), "'[1]'");
  EXPECT_EQ(r("'%e %g' % (1234.5, 0.0001)"), "'1.234500e+03 0.0001'");
  expect_error("'%s %s' % (1,)", "TypeError: not enough arguments for format string", 1, 9, false);
  expect_error("'%s' % (1, 2)", "TypeError: not all arguments converted during string formatting",
               1, 6, false);
}

TEST(PythonEval, FStrings) {
  Dict d =
      run("work_dir = './w'\nlr = 0.01\nn = 7\n"
          "a = f'{work_dir}/results.json'\n"
          "b = f'{lr:.3f}|{n:03d}|{n!r}|{\"s\"!r}|{{x}}'\n"
          "c = f'{[1, 2][-1] * 2}|{len(work_dir)}|{dict(k=1)[\"k\"]}'\n"
          "e = f'{n:>{n - 4}}|{1234567:,}|{0.25:.0%}|{n=}'\n"
          "g = 'pre-' f'{n}' '-post'\n");
  EXPECT_EQ(d.at("a").as_str(), "./w/results.json");
  EXPECT_EQ(d.at("b").as_str(), "0.010|007|7|'s'|{x}");
  EXPECT_EQ(d.at("c").as_str(), "4|3|1");
  EXPECT_EQ(d.at("e").as_str(), "  7|1,234,567|25%|n=7");
  EXPECT_EQ(d.at("g").as_str(), "pre-7-post");
}

TEST(PythonEval, FormatSpecs) {
  EXPECT_EQ(r("'{:.2f}|{:>6}|{:*^7}|{:+d}|{:#x}|{:e}'.format(3.14159, 'ab', 'mid', 3, 255, 1.5)"),
            "'3.14|    ab|**mid**|+3|0xff|1.500000e+00'");
  EXPECT_EQ(r("'{:g}|{:.3}|{:.3}|{}'.format(1e-5, 1234.5, 1.0, 1e16)"),
            "'1e-05|1.23e+03|1.0|1e+16'");
  EXPECT_EQ(r("'{:010,}|{:08.3f}|{:_b}'.format(1234, -3.14159, 10)"), "'00,001,234|-003.142|1010'");
  EXPECT_EQ(r("'{0[k]} {0[k]!r}'.format({'k': 'v'})"), "\"v 'v'\"");
  expect_error("'{:x}'.format(1.5)",
               "ValueError: Unknown format code 'x' for object of type 'float'", 1, 8, false);
}

// ---- locations ----

TEST(PythonEval, ValuesKeepTheirLocation) {
  Dict d = run("a = 1\nmodel = dict(\n    depth=50,\n    out=(1, 2))\nb = [a]\n");
  const Value& model = d.at("model");
  EXPECT_EQ(model.location().str(), "cfg.py:2:9");
  EXPECT_EQ(model.as_dict().at("depth").location().str(), "cfg.py:3:11");
  EXPECT_EQ(model.as_dict().at("out").location().str(), "cfg.py:4:9");
  // A name reference keeps the location where its value was written.
  EXPECT_EQ(d.at("b").as_list()[0].location().str(), "cfg.py:1:5");
  // Keys of the namespace point at the first assignment.
  EXPECT_EQ(d.items()[1].first.location().str(), "cfg.py:2:1");
}

// ---- errors ----

TEST(PythonEvalErrors, SyntaxErrors) {
  expect_error("a = dict(x=1,\n         y=2",
               "syntax error: expected ')' to close '(' opened at 1:9", 2, 13);
  expect_error("a = [1, 2)", "closing parenthesis ')' does not match opening parenthesis '['", 1,
               10);
  expect_error("a = 1\n  b = 2", "syntax error: unexpected indent", 2, 3);
  expect_error("a = 1 2", "syntax error: invalid syntax", 1, 7);
  expect_error("a = ", "syntax error: expected an expression", 1, 5);
  expect_error("a = 1 if b", "expected 'else'", 1, 11);
  expect_error("1 = a", "syntax error: cannot assign to literal", 1, 1);
  expect_error("a = dict(x=1, x=2)", "keyword argument repeated: x", 1, 15);
  expect_error("a = 007", "leading zeros in decimal integer literals", 1, 5);
  expect_error("a = $", "invalid character '$'", 1, 5);
  expect_error("a = {'a' 1}", "syntax error: expected ':', ',' or '}'", 1, 10);
}

TEST(PythonEvalErrors, UnterminatedStrings) {
  expect_error("a = 1\nb = 'abc\nc = 2", "unterminated string literal (detected at line 2)", 2, 5);
  expect_error("a = '''abc\n\n", "unterminated triple-quoted string literal", 1, 5);
  expect_error("a = f'abc", "unterminated string literal", 1, 5);
  expect_error("a = f'{1'", "f-string: expecting '}'", 1, 7);
  expect_error("a = f'x}'", "f-string: single '}' is not allowed", 1, 8);
  expect_error("a = '\\xZ'", "truncated \\xXX escape", 1, 6);
}

TEST(PythonEvalErrors, UnsupportedStatements) {
  expect_error("import os", "unsupported: import statement", 1, 1);
  expect_error("a = 1\nfrom x import y", "unsupported: import statement", 2, 1);
  expect_error("def f():\n    return 1", "unsupported: function definition", 1, 1);
  expect_error("class A:\n    pass", "unsupported: class definition", 1, 1);
  expect_error("if True:\n    a = 1", "unsupported: if statement", 1, 1);
  expect_error("for i in range(3):\n    pass", "unsupported: for loop", 1, 1);
  expect_error("a = 1\na += 1", "unsupported: augmented assignment '+='", 2, 3);
  expect_error("a = dict()\na.b = 1", "unsupported: attribute assignment", 2, 3);
  expect_error("print(1)", "unsupported: expression statement", 1, 1);
  expect_error("@dec\ndef f(): pass", "unsupported: decorator", 1, 1);
  expect_error("a = b = (c := 1)", "unsupported: assignment expression", 1, 12);
}

TEST(PythonEvalErrors, UnsupportedExpressions) {
  expect_error("f = lambda x: x", "unsupported: lambda", 1, 5);
  expect_error("a = foo(1)", "unsupported: call of 'foo' (only dict() and the builtins range, len",
               1, 5);
  expect_error("a = open('x')", "unsupported: call of 'open'", 1, 5);
  expect_error("a = {1, 2}", "unsupported: set display", 1, 5);
  expect_error("a = {x for x in 'ab'}", "unsupported: set comprehension", 1, 5);
  expect_error("a = (x for x in 'ab')", "unsupported: generator expression", 1, 5);
  expect_error("a = len", "unsupported: builtin 'len' used as a value", 1, 5);
  expect_error("a = b'x'", "unsupported: bytes literal", 1, 5);
  expect_error("a = 1j", "unsupported: complex number literal", 1, 5);
}

TEST(PythonEvalErrors, NameError) {
  expect_error("a = 1\nb = [a, c]", "NameError: name 'c' is not defined", 2, 9);
  expect_error("a = f'{missing}'", "NameError: name 'missing' is not defined", 1, 8);
}

TEST(PythonEvalErrors, TypeErrors) {
  expect_error("a = 1 + 'x'", "TypeError: unsupported operand type(s) for +: 'int' and 'str'", 1,
               7);
  expect_error("a = 'x' + 1", "TypeError: can only concatenate str (not \"int\") to str", 1, 9);
  expect_error("a = [1] * 2.0", "TypeError: can't multiply sequence by non-int of type 'float'", 1,
               9);
  expect_error("a = None < 1",
               "TypeError: '<' not supported between instances of 'NoneType' and 'int'", 1, 10);
  expect_error("a = -'x'", "TypeError: bad operand type for unary -: 'str'", 1, 5);
  expect_error("a = 5[0]", "TypeError: 'int' object is not subscriptable", 1, 6);
  expect_error("a = {[1]: 2}", "TypeError: unhashable type: 'list'", 1, 6);
  expect_error("a = 1 in 2", "TypeError: argument of type 'int' is not iterable", 1, 7);
  expect_error("a, b = 1", "TypeError: cannot unpack non-iterable int object", 1, 1);
}

TEST(PythonEvalErrors, LookupErrors) {
  expect_error("d = dict(a=1)\nx = d['b']", "KeyError: 'b'", 2, 6);
  expect_error("x = [1, 2][2]", "IndexError: list index out of range", 1, 11);
  expect_error("x = (1, 2)[-3]", "IndexError: tuple index out of range", 1, 11);
  expect_error("x = 'ab'[5]", "IndexError: string index out of range", 1, 9);
  expect_error("a, b = 1, 2, 3", "ValueError: too many values to unpack (expected 2)", 1, 1);
}

TEST(PythonEvalErrors, ZeroDivision) {
  expect_error("a = 1 / 0", "ZeroDivisionError: division by zero", 1, 7);
  expect_error("a = 1 // 0", "ZeroDivisionError: integer division or modulo by zero", 1, 7);
  expect_error("a = 1 % 0", "ZeroDivisionError: integer modulo by zero", 1, 7);
  expect_error("a = 1.0 / 0", "ZeroDivisionError: float division by zero", 1, 9);
  expect_error("a = 1.0 // 0", "ZeroDivisionError: float floor division by zero", 1, 9);
  expect_error("a = 1.0 % 0", "ZeroDivisionError: float modulo", 1, 9);
  expect_error("a = 0 ** -1", "ZeroDivisionError: 0.0 cannot be raised to a negative power", 1, 7);
}

TEST(PythonEvalErrors, Overflow) {
  expect_error("a = 2 ** 63", "OverflowError: integer overflow", 1, 7);
  expect_error("a = 9223372036854775807 + 1", "OverflowError: integer overflow", 1, 25);
  expect_error("a = -9223372036854775808 // -1", "OverflowError: integer overflow", 1, 26);
  expect_error("a = 1 << 63", "OverflowError: integer overflow", 1, 7);
  expect_error("a = 99999999999999999999", "OverflowError: integer overflow", 1, 5);
  expect_error("a = int(1e300)", "OverflowError: integer overflow", 1, 5);
  expect_error("a = 10.0 ** 400", "OverflowError: (34, 'Numerical result out of range')", 1, 10);
  EXPECT_EQ(r("-9223372036854775808 % -1"), "0");
}

TEST(PythonEvalErrors, NestingLimits) {
  EvalLimits limits;
  limits.max_depth = 50;
  std::string deep = "a = " + std::string(60, '[') + std::string(60, ']');
  expect_error(deep, "nesting too deep", 1, 5 + 50, true, limits);
  std::string chain = "a = 1";
  for (int i = 0; i < 60; ++i) chain += " + 1";
  expect_error(chain, "nesting too deep", 1, 7 + 4 * 49, true, limits);
  expect_error("a = " + std::string(60, '-') + "1", "nesting too deep", 1, 5 + 49, true, limits);
  // Values may nest deeper than one expression by building on earlier names.
  limits.max_value_depth = 20;
  std::string grow = "a = 0\n";
  for (int i = 0; i < 12; ++i) grow += "a = [[a]]\n";
  expect_error(grow, "nesting too deep: values could nest more than 20", 12, 5, true, limits);
}

TEST(PythonEvalErrors, StepAndSizeLimits) {
  EvalLimits limits;
  limits.max_steps = 1000;
  limits.max_container = 500;
  expect_error("a = [i for i in range(10000)]", "MemoryError: list too large", 1, 5, true, limits);
  expect_error("a = sum([i for i in range(10000) if i < 0])", "step limit exceeded", 1, 21, true,
               limits);
  expect_error("a = [0] * 100000", "MemoryError", 1, 9, true, limits);
  expect_error("a = 'ab' * 1000", "MemoryError", 1, 10, true, limits);
  expect_error("a = list(range(10 ** 6))", "MemoryError", 1, 5, true, limits);
  expect_error("a = [[i, j] for i in range(40) for j in range(40)]", "step limit exceeded", 1, 7,
               true, limits);
  // A lazy range is fine however long it is.
  EXPECT_EQ(repr(run("a = range(10 ** 18)", limits).at("a")), "range(0, 1000000000000000000)");
}

TEST(PythonEvalErrors, HostileInputDoesNotCrash) {
  EvalLimits limits;
  limits.max_steps = 10000;
  limits.max_container = 1000;
  for (const char* src : {"a = '\\",
                          "a = f'{",
                          "a = (",
                          "a = [1 for",
                          "\xff\xfe",
                          "a = '\0'",
                          "a = 1 if",
                          "a = {**",
                          "a = 'x' % ",
                          "a = -9223372036854775808 - 1",
                          "a = range(-9223372036854775807, 9223372036854775807)[::-1][5]",
                          "a = '%*d' % (10 ** 9, 1)",
                          "a = f'{1:{2:{3}}}'",
                          "a = round(1.5, -400)",
                          "a = [1][::-9223372036854775807 - 1]",
                          "a = 'abc'[9223372036854775807:]",
                          "a = 'abc'[::9223372036854775807]",
                          "a = round(-9223372036854775807 - 1, -1)",
                          "a = 'a' * 10000 in 'a' * 100000",
                          "a = {'%s' % i: i for i in range(100)}"}) {
    try {
      run(src, limits);
    } catch (const ConfigError&) {
    }
  }
}

}  // namespace
}  // namespace tubelet::python
