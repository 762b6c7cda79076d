// Results pickles against Python's own: the fixtures in tests/fixtures/results_pickle were
// written by CPython 3.11's pickle (protocol 2, as mmcv.dump) with numpy 1.24
// (make_fixtures.py there). Our writer gives the same bytes for the same objects; our reader
// reads those, other protocols, dtypes and memory orders; bad files are errors naming the file.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "support/paths.h"
#include "tubelet/checkpoint/results_file.h"
#include "tubelet/checkpoint/results_pickle.h"
#include "tubelet/config/dump.h"

namespace tubelet::results_pickle_test {
namespace {

namespace fs = std::filesystem;
using checkpoint::pickle_arrays;
using checkpoint::pickle_value;
using checkpoint::unpickle_results;

fs::path fixture(const std::string& name) {
  return test::source_dir() / "tests/fixtures/results_pickle" / name;
}
std::string fixture_bytes(const std::string& name) {
  return test::read_text(fixture(name));
}
const Dict& expected() {
  static const Value v =
      test::decode_golden(from_json(fixture_bytes("expected.json"), "expected.json"));
  return v.as_dict();
}

// A list of lists of numbers as a [N, C] tensor of `dtype`.
torch::Tensor rows_of(const Value& v, torch::ScalarType dtype) {
  const List& rows = v.as_list();
  std::vector<double> flat;
  for (const Value& row : rows)
    for (const Value& x : row.as_list()) flat.push_back(x.as_float());
  const int64_t n = static_cast<int64_t>(rows.size());
  return torch::tensor(flat, torch::kDouble).reshape({n, -1}).to(dtype);
}

// Bitwise equality, NaN and -0.0 included.
void expect_same(const torch::Tensor& got, const torch::Tensor& want) {
  ASSERT_EQ(got.scalar_type(), want.scalar_type());
  ASSERT_EQ(got.sizes(), want.sizes());
  const torch::Tensor g = got.contiguous(), w = want.contiguous();
  EXPECT_EQ(std::memcmp(g.data_ptr(), w.data_ptr(), g.numel() * g.element_size()), 0)
      << got << "\nvs\n"
      << want;
}

// repr() tells int from float, list from tuple, -0.0 from 0.0.
void expect_same(const Value& got, const Value& want) {
  EXPECT_EQ(repr(got), repr(want));
}

// Where two byte strings first differ, for a readable failure.
std::string first_difference(const std::string& a, const std::string& b) {
  size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  if (i == a.size() && i == b.size()) return "";
  return "differ at byte " + std::to_string(i) + " of " + std::to_string(a.size()) + " and " +
         std::to_string(b.size());
}

std::string read_error(const std::string& data, const std::string& what = "r.pkl") {
  return test::error_of([&] { unpickle_results(data, what); });
}

}  // namespace

// ------------------------------------------------------------------ writing: Python's bytes

TEST(ResultsPickle, ScoreRowsAreTheBytesPythonWrites) {
  const torch::Tensor scores = rows_of(expected().at("scores"), torch::kFloat);
  ASSERT_EQ(scores.sizes(), (std::vector<int64_t>{40, 5}));
  EXPECT_EQ(first_difference(pickle_arrays(scores), fixture_bytes("scores_p2.pkl")), "");
  // One video: APPEND instead of MARK ... APPENDS.
  EXPECT_EQ(
      first_difference(pickle_arrays(scores.slice(0, 3, 4)), fixture_bytes("scores_one_p2.pkl")),
      "");
  EXPECT_EQ(
      first_difference(pickle_arrays(torch::zeros({2, 0})), fixture_bytes("scores_empty_p2.pkl")),
      "");
  // A non-contiguous view writes its values.
  EXPECT_EQ(
      first_difference(pickle_arrays(scores.t().contiguous().t()), fixture_bytes("scores_p2.pkl")),
      "");
}

TEST(ResultsPickle, PlainValuesAreTheBytesPythonWrites) {
  EXPECT_EQ(
      first_difference(pickle_value(expected().at("records")), fixture_bytes("records_p2.pkl")),
      "");
  // Every type; ints of each width; shared keys and single-character strings from the memo;
  // tuples of 0-4 items; non-str keys; batches of 1000; memo indices past 255.
  EXPECT_EQ(first_difference(pickle_value(expected().at("values")), fixture_bytes("values_p2.pkl")),
            "");
}

TEST(ResultsPickle, WriterRejectsWhatIsNotAResult) {
  EXPECT_EQ(test::error_of([] {
              pickle_value(Value(Range{0, 3, 1}));
            }),
            "cannot pickle a range in a results file");
  EXPECT_EQ(test::error_of([] {
              pickle_arrays(torch::zeros({2, 2}, torch::kComplexFloat));
            }),
            "cannot write numpy arrays of type ComplexFloat");
  EXPECT_EQ(test::error_of([] { pickle_arrays(torch::tensor(1.0)); }),
            "pickle_arrays: rows must have a first dimension");
}

// ------------------------------------------------------------------ reading

TEST(ResultsPickle, ReadsPythonScoreRowsOfEveryProtocol) {
  const torch::Tensor scores = rows_of(expected().at("scores"), torch::kFloat);
  auto r = unpickle_results(fixture_bytes("scores_p2.pkl"), "scores_p2.pkl");
  ASSERT_TRUE(r.rows);
  expect_same(*r.rows, scores);
  EXPECT_TRUE(r.value.is_none());
  for (const char* name : {"scores_p4.pkl", "scores_p5.pkl"}) {
    SCOPED_TRACE(name);
    r = unpickle_results(fixture_bytes(name), name);
    ASSERT_TRUE(r.rows);
    expect_same(*r.rows, scores.slice(0, 0, 6));
  }
  r = unpickle_results(fixture_bytes("scores_empty_p2.pkl"), "empty");
  ASSERT_TRUE(r.rows);
  expect_same(*r.rows, torch::zeros({2, 0}));
  r = unpickle_results(fixture_bytes("scores_f8_p2.pkl"), "f8");
  ASSERT_TRUE(r.rows);
  expect_same(*r.rows, rows_of(expected().at("scores_f8"), torch::kDouble));
}

TEST(ResultsPickle, ReadsArraysOfEveryDtypeByteOrderAndMemoryOrder) {
  for (const char* name : {"arrays_p2.pkl", "arrays_p4.pkl"}) {
    SCOPED_TRACE(name);
    auto r = unpickle_results(fixture_bytes(name), name);
    EXPECT_FALSE(r.rows);
    expect_same(r.value, expected().at("arrays"));
  }
}

TEST(ResultsPickle, ReadsRecordsWithPythonOrNumpyNumbers) {
  auto r = unpickle_results(fixture_bytes("records_p2.pkl"), "records");
  EXPECT_FALSE(r.rows);
  expect_same(r.value, expected().at("records"));
  r = unpickle_results(fixture_bytes("records_numpy_p2.pkl"), "records_numpy");
  expect_same(r.value, expected().at("records_numpy"));
  r = unpickle_results(fixture_bytes("values_p2.pkl"), "values");
  expect_same(r.value, expected().at("values"));
}

TEST(ResultsPickle, RoundTripsEveryWritableDtype) {
  torch::manual_seed(0);
  const torch::Tensor base = torch::randn({7, 3, 2}) * 100;
  for (auto dtype : {torch::kFloat, torch::kDouble, torch::kHalf, torch::kLong, torch::kInt,
                     torch::kShort, torch::kChar, torch::kByte, torch::kBool}) {
    SCOPED_TRACE(c10::toString(dtype));
    const torch::Tensor t = base.to(dtype);
    auto r = unpickle_results(pickle_arrays(t), "r.pkl");
    ASSERT_TRUE(r.rows);
    expect_same(*r.rows, t);
  }
  auto empty = unpickle_results(pickle_value(Value::list()), "r.pkl");
  ASSERT_TRUE(empty.rows);
  EXPECT_EQ(empty.rows->numel(), 0);
  expect_same(empty.value, Value::list());
}

TEST(ResultsPickle, BadFilesAreErrorsNamingTheFile) {
  const std::string scores = fixture_bytes("scores_p2.pkl");
  EXPECT_EQ(read_error(scores.substr(0, 90)), "r.pkl: truncated pickle at byte 90");
  EXPECT_EQ(read_error(""), "r.pkl: truncated pickle at byte 0");
  for (size_t n = 0; n < scores.size(); n += 7)  // every cut is an error, none a crash
    EXPECT_EQ(read_error(scores.substr(0, n)).rfind("r.pkl: ", 0), 0u) << n;
  EXPECT_EQ(read_error("not a pickle"), "r.pkl: unsupported pickle opcode 110 at byte 1");
  EXPECT_EQ(read_error(fixture_bytes("object_array.pkl")),
            "r.pkl: cannot read numpy arrays of dtype 'O8' in a results file (bool, int, uint8 "
            "and float arrays only)");
  EXPECT_EQ(read_error(fixture_bytes("complex.pkl")),
            "r.pkl: cannot read numpy arrays of dtype 'c8' in a results file (bool, int, uint8 "
            "and float arrays only)");
  EXPECT_EQ(read_error(fixture_bytes("ragged.pkl")),
            "r.pkl: the arrays differ in shape (item 0: [3], item 1: [4])");
  EXPECT_EQ(read_error(fixture_bytes("unknown_class.pkl")),
            "r.pkl: cannot read a fractions.Fraction object in a results file");
  // An array whose bytes do not fill its shape: 3 float32 announced, the bytes of 2.
  std::string short_data = pickle_arrays(torch::zeros({1, 3}));
  const std::string data12 = std::string("X\x0c\0\0\0", 5) + std::string(12, '\0');
  const size_t at = short_data.find(data12);
  ASSERT_NE(at, std::string::npos);
  short_data.replace(at, data12.size(), std::string("X\x08\0\0\0", 5) + std::string(8, '\0'));
  EXPECT_EQ(read_error(short_data),
            "r.pkl: malformed numpy array: 8 bytes for 3 elements of 4 bytes");
}

// ------------------------------------------------------------------ results files

TEST(ResultsFile, DumpsAndLoadsByExtension) {
  test::TempDir dir;
  const torch::Tensor rows = torch::tensor({0.25f, -1.0f, 3.5f, 0.0f}).reshape({2, 2});
  dump_rows_file(rows, dir.path() / "sub/r.pkl");  // creates the folder, as tools/test.py
  EXPECT_EQ(test::read_text(dir.path() / "sub/r.pkl"), pickle_arrays(rows));
  ResultsFile r = load_results_file(dir.path() / "sub/r.pkl");
  ASSERT_TRUE(r.rows);
  expect_same(*r.rows, rows);

  dump_rows_file(rows, dir.path() / "r.json");
  EXPECT_EQ(test::read_text(dir.path() / "r.json"), "[[0.25, -1.0], [3.5, 0.0]]\n");
  r = load_results_file(dir.path() / "r.json");
  ASSERT_TRUE(r.rows);
  expect_same(*r.rows, rows.to(torch::kDouble));

  Dict record;
  record.set("video_name", Value("v_a"));
  record.set("proposal_list", Value::list());
  const Value records = Value::list({Value(record)});
  dump_value_file(records, dir.path() / "r.pickle");
  EXPECT_EQ(test::read_text(dir.path() / "r.pickle"), pickle_value(records));
  r = load_results_file(dir.path() / "r.pickle");
  EXPECT_FALSE(r.rows);
  expect_same(r.value, records);
  dump_value_file(records, dir.path() / "v.json");
  r = load_results_file(dir.path() / "v.json");
  EXPECT_FALSE(r.rows);
  expect_same(r.value, records);

  EXPECT_TRUE(is_results_file_name("a/b.pkl"));
  EXPECT_TRUE(is_results_file_name("b.pickle"));
  EXPECT_TRUE(is_results_file_name("b.json"));
  EXPECT_FALSE(is_results_file_name("b.yaml"));
  EXPECT_FALSE(is_results_file_name("b.PKL"));
}

TEST(ResultsFile, Errors) {
  test::TempDir dir;
  EXPECT_EQ(test::error_of([&] { load_results_file(dir.path() / "none.pkl"); }),
            "cannot open results file " + (dir.path() / "none.pkl").string());
  EXPECT_EQ(test::error_of([&] {
              dump_rows_file(torch::zeros({1, 1}), dir.path() / "r.yaml");
            }),
            (dir.path() / "r.yaml").string() +
                ": YAML results files are not supported (use .json or .pkl)");
  EXPECT_EQ(test::error_of([&] { dump_value_file(Value(), "r.txt"); }),
            "r.txt: unsupported results format 'txt' (use .json, .pkl or .pickle)");
  EXPECT_EQ(test::error_of([&] { load_results_file("results"); }),
            "results: unsupported results format '' (use .json, .pkl or .pickle)");
  const auto cut = dir.write("cut.pkl", fixture_bytes("scores_p2.pkl").substr(0, 100));
  EXPECT_EQ(test::error_of([&] { load_results_file(cut); }),
            cut.string() + ": truncated pickle at byte 97");  // a str cut short
}

}  // namespace tubelet::results_pickle_test
