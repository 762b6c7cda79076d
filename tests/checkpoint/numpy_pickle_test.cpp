// numpy arrays inside pickles (tests/fixtures/pose, tools/fixtures/make_pose_fixtures.py):
// numpy 1.24 wrote them with pickle protocols 2, 4 and 5 (plus the numpy 2 spellings,
// numpy._core.*); the unpickler must give the same tensors torch.from_numpy gives, and
// refuse object/str/complex arrays and data that do not fit the shape with a CheckpointError,
// for every truncation and byte corruption (never a crash).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "support/paths.h"
#include "tubelet/checkpoint/pickle.h"
#include "tubelet/checkpoint/pth.h"

namespace tubelet::numpy_pickle_test {
namespace {

using checkpoint::CheckpointError;
using checkpoint::PyObject;
using Kind = PyObject::Kind;
using namespace std::string_literals;

std::filesystem::path fixture(const std::string& name) {
  return test::source_dir() / "tests/fixtures/pose" / name;
}

std::string bytes_of(const std::string& name) {
  return test::read_text(fixture(name));
}

void expect_same(const torch::Tensor& actual, const torch::Tensor& expected,
                 const std::string& what) {
  ASSERT_TRUE(actual.defined()) << what;
  EXPECT_EQ(actual.scalar_type(), expected.scalar_type()) << what;
  EXPECT_EQ(actual.sizes(), expected.sizes()) << what;
  EXPECT_TRUE(actual.is_contiguous()) << what;
  EXPECT_TRUE(torch::equal(actual, expected)) << what;
}

class NumpyPickleFiles : public ::testing::TestWithParam<std::string> {};

TEST_P(NumpyPickleFiles, ArraysEqualNumpys) {
  checkpoint::Pickle expected = checkpoint::read_pth(fixture("numpy_expected.pth").string());
  checkpoint::Pickle p = checkpoint::load_pickle(bytes_of(GetParam()), GetParam());
  ASSERT_TRUE(p.root->is(Kind::Dict));
  ASSERT_EQ(expected.root->entries.size(), 16u);
  for (const auto& [k, v] : expected.root->entries) {
    const PyObject* got = p.root->get(k->s);
    ASSERT_NE(got, nullptr) << k->s;
    ASSERT_TRUE(got->is(Kind::Tensor)) << k->s << " is a " << got->type_name();
    expect_same(got->tensor, v->tensor, GetParam() + " " + k->s);
    EXPECT_EQ(got->sizes, v->tensor.sizes().vec()) << k->s;
  }
  // The hand-checked values: dtypes, 0-d, empty, fortran order, big-endian.
  EXPECT_EQ(p.root->get("i64")->tensor[0].item<int64_t>(), INT64_MIN);
  EXPECT_EQ(p.root->get("zero_d")->tensor.dim(), 0);
  EXPECT_EQ(p.root->get("zero_d")->tensor.item<float>(), 3.5f);
  EXPECT_EQ(p.root->get("empty")->tensor.sizes(), (std::vector<int64_t>{0, 3}));
  EXPECT_EQ(p.root->get("fortran3")->tensor[1][2][3].item<int64_t>(), 23);
  EXPECT_EQ(p.root->get("big_endian")->tensor[1][2].item<float>(), 5.0f);
  EXPECT_EQ(p.root->get("strided")->tensor[3][2].item<float>(), 19.0f);
  EXPECT_EQ(p.root->get("latin1")->tensor[1].item<int64_t>(), 255);
  EXPECT_EQ(p.root->get("bool")->tensor.scalar_type(), torch::kBool);
  // Arrays nested in lists and dicts, numpy scalars, and one array memoised twice.
  const PyObject* nested = p.root->get("nested");
  ASSERT_TRUE(nested && nested->is(Kind::Dict));
  const PyObject* list = nested->get("list");
  ASSERT_TRUE(list && list->is(Kind::List) && list->items.size() == 2);
  expect_same(list->items[0]->tensor, expected.root->get("f32")->tensor, "nested f32");
  expect_same(list->items[1]->get("deep")->tensor, expected.root->get("i16")->tensor, "deep");
  ASSERT_TRUE(nested->get("scalar")->is(Kind::Int));
  EXPECT_EQ(nested->get("scalar")->i, 7);
  const PyObject* shared = p.root->get("shared");
  ASSERT_EQ(shared->items.size(), 2u);
  EXPECT_EQ(shared->items[0], shared->items[1]);
  expect_same(shared->items[1]->tensor, expected.root->get("u8")->tensor, "shared");
  // Arrays are not torch storages: nothing for materialize_tensors.
  EXPECT_TRUE(p.arena->tensors.empty());
}

INSTANTIATE_TEST_SUITE_P(Protocols, NumpyPickleFiles,
                         ::testing::Values("numpy_p2.pkl", "numpy_p4.pkl", "numpy_p5.pkl",
                                           "numpy2_p2.pkl", "numpy2_p5.pkl"));

TEST(NumpyPickle, OffByDefaultArraysStayObjects) {
  const std::string data = bytes_of("numpy_p2.pkl");
  checkpoint::PickleArena arena;
  size_t consumed = 0;
  const PyObject* root = checkpoint::unpickle(data, arena, &consumed);
  EXPECT_EQ(consumed, data.size());
  const PyObject* f32 = root->get("f32");
  ASSERT_TRUE(f32->is(Kind::Object));
  EXPECT_EQ(f32->s, "numpy.core.multiarray._reconstruct");
  checkpoint::PickleArena arena5;
  const std::string data5 = bytes_of("numpy_p5.pkl");
  root = checkpoint::unpickle(data5, arena5, &consumed);
  EXPECT_EQ(root->get("f32")->s, "numpy.core.numeric._frombuffer");
}

TEST(NumpyPickle, UnsupportedArraysAreClearErrors) {
  auto error = [](const std::string& name) {
    return test::error_of([&] { checkpoint::load_pickle(bytes_of(name), name); });
  };
  EXPECT_NE(error("numpy_object.pkl")
                .find("numpy_object.pkl: numpy arrays of dtype 'O8 (object)'"
                      " are not supported"),
            std::string::npos)
      << error("numpy_object.pkl");
  EXPECT_NE(error("numpy_unicode.pkl").find("dtype 'U2 (string)' are not supported"),
            std::string::npos)
      << error("numpy_unicode.pkl");
  EXPECT_NE(error("numpy_complex.pkl").find("dtype 'c16 (complex)'"), std::string::npos)
      << error("numpy_complex.pkl");
  EXPECT_NE(error("numpy_badsize.pkl")
                .find("malformed numpy array: 10 bytes for shape [3, 4] of "
                      "4-byte elements at byte "),
            std::string::npos)
      << error("numpy_badsize.pkl");
  EXPECT_NE(error("numpy_badsize_p5.pkl").find("8 bytes for shape [2, 2] of 8-byte elements"),
            std::string::npos)
      << error("numpy_badsize_p5.pkl");
  EXPECT_THROW(checkpoint::load_pickle(bytes_of("numpy_object.pkl"), "x"), CheckpointError);
  const std::string missing = (fixture("no_such.pkl")).string();
  EXPECT_EQ(test::error_of([&] { checkpoint::load_pickle_file(missing); }),
            "cannot open pickle file '" + missing + "'");
}

// Every prefix is a CheckpointError; every single-byte corruption either loads or is one.
TEST(NumpyPickle, TruncatedAndCorruptNeverCrash) {
  for (const char* name : {"numpy_p2.pkl", "numpy_p5.pkl", "numpy2_p2.pkl"}) {
    const std::string data = bytes_of(name);
    for (size_t n = 0; n < data.size(); ++n)
      EXPECT_THROW(checkpoint::load_pickle(std::string_view(data).substr(0, n), name),
                   CheckpointError)
          << name << " cut at " << n;
    for (size_t at = 0; at < data.size(); ++at)
      for (unsigned char b : {0x00, 0x01, 0x7f, 0xff}) {
        std::string bad = data;
        bad[at] = static_cast<char>(b);
        try {
          checkpoint::load_pickle(bad, name);
        } catch (const CheckpointError&) {
        }
      }
  }
}

// Hand-made protocol-2 pickles: the shape/data checks before any copy.
TEST(NumpyPickle, HandMadeArrays) {
  // _reconstruct(ndarray, (0,), b'b') BUILD (1, (2,), dtype('i2', False, True)+state, False,
  // b'\x01\x00\x02\x00')
  auto make = [](const std::string& shape, const std::string& raw, const std::string& code) {
    std::string p = "\x80\x02"s + "cnumpy.core.multiarray\n_reconstruct\n"s + "cnumpy\nndarray\n"s;
    p += "K\x00\x85"s + "C\x01"s + "b\x87R"s;
    p += "(K\x01"s + shape + "cnumpy\ndtype\n"s + "X\x02\x00\x00\x00"s + code + "\x89\x88\x87R"s +
         "(K\x03X\x01\x00\x00\x00<NNN"s + "J\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb"s;
    p += "\x89"s + "C"s + std::string(1, static_cast<char>(raw.size())) + raw + "tb."s;
    return p;
  };
  checkpoint::Pickle ok =
      checkpoint::load_pickle(make("K\x02\x85"s, "\x01\x00\xff\xff"s, "i2"), "hand");
  ASSERT_TRUE(ok.root->is(Kind::Tensor));
  EXPECT_TRUE(torch::equal(ok.root->tensor, torch::tensor({1, -1}, torch::kShort)));
  EXPECT_NE(test::error_of([&] {
              checkpoint::load_pickle(make("K\x03\x85"s, "\x01\x00"s, "i2"), "h");
            }).find("2 bytes for shape [3] of 2-byte elements"),
            std::string::npos);
  // A huge shape: the product overflows, no allocation is tried.
  const std::string huge = "J\xff\xff\xff\x7fJ\xff\xff\xff\x7fJ\xff\xff\xff\x7f\x87"s;
  EXPECT_NE(test::error_of([&] {
              checkpoint::load_pickle(make(huge, "", "f4"), "h");
            }).find("malformed numpy array"),
            std::string::npos);
  EXPECT_NE(test::error_of([&] {
              checkpoint::load_pickle(make("J\xff\xff\xff\xff\x85"s, "", "f4"), "h");
            }).find("a size is not a natural number"),
            std::string::npos);
  EXPECT_NE(test::error_of([&] {
              checkpoint::load_pickle(make("K\x01\x85"s, "\x02", "b1"), "h");
            }).find("a bool byte is 2"),
            std::string::npos);
  EXPECT_NE(test::error_of([&] {
              checkpoint::load_pickle(make("K\x01\x85"s, "\x00\x00"s, "u2"), "h");
            }).find("dtype 'u2' are not supported"),
            std::string::npos);
}

}  // namespace
}  // namespace tubelet::numpy_pickle_test
