// Truncated, corrupted and hostile .pth files: each is a CheckpointError that names the file
// and what is wrong, never a crash or a huge allocation.
#include <caffe2/serialize/inline_container.h>
#include <gtest/gtest.h>

#include "support/paths.h"
#include "tubelet/checkpoint/pth.h"

namespace tubelet::checkpoint::pth_errors_test {
namespace {

std::string fixture_bytes(const std::string& name) {
  return test::read_text(test::source_dir() / "tests/fixtures/checkpoint" / name);
}

// The message of the CheckpointError reading `bytes` throws ("" when it does not throw).
std::string error_of(const std::string& bytes) {
  try {
    read_pth_bytes(bytes, "x.pth");
  } catch (const CheckpointError& e) {
    return e.what();
  }
  return "";
}

// Pickle pieces for hand-made hostile files.
std::string le(uint64_t v, int n) {
  std::string s;
  for (int k = 0; k < n; ++k) s += static_cast<char>((v >> (8 * k)) & 0xFF);
  return s;
}
std::string str(const std::string& s) {
  return "X" + le(s.size(), 4) + s;
}
std::string i64(int64_t v) {
  return "\x8a\x08" + le(static_cast<uint64_t>(v), 8);
}

// A pickle of _rebuild_tensor_v2(FloatStorage key '0' of `numel`, offset, sizes, strides).
std::string tensor_pickle(int64_t numel, int64_t offset, std::vector<int64_t> sizes,
                          std::vector<int64_t> strides) {
  std::string p =
      "\x80\x02"
      "ctorch._utils\n_rebuild_tensor_v2\n(";
  p += "(" + str("storage") + "ctorch\nFloatStorage\n" + str("0") + str("cpu") + i64(numel) + "tQ";
  p += i64(offset) + "(";
  for (int64_t s : sizes) p += i64(s);
  p += "t(";
  for (int64_t s : strides) p += i64(s);
  p += "t\x89N"
       "tR.";
  return p;
}

// A zip archive like torch.save's with the given records.
std::string zip(const std::vector<std::pair<std::string, std::string>>& records) {
  std::string out;
  caffe2::serialize::PyTorchStreamWriter w([&out](const void* d, size_t n) {
    out.append(static_cast<const char*>(d), n);
    return n;
  });
  for (const auto& [name, data] : records) w.writeRecord(name, data.data(), data.size());
  w.writeEndOfFile();
  return out;
}

// A legacy file: magic, protocol, sys_info, the object, the storage keys, then storages.
std::string legacy(const std::string& object, const std::string& keys, const std::string& data) {
  std::string magic =
      "\x80\x02\x8a\x0a" + std::string("\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19", 10) + ".";
  std::string proto = "\x80\x02M\xe9\x03.";
  std::string sys = "\x80\x02}.";
  return magic + proto + sys + object + keys + data;
}

TEST(CheckpointErrors, EveryTruncationIsAClearError) {
  for (const char* name :
       {"tensors_legacy.pth", "tensors_zip.pth", "mmcv_legacy.pth", "mmcv_zip.pth"}) {
    std::string bytes = fixture_bytes(name);
    for (size_t n = 0; n < bytes.size(); ++n) {
      std::string msg = error_of(bytes.substr(0, n));
      ASSERT_EQ(msg.rfind("checkpoint x.pth: ", 0), 0u) << name << " cut at " << n << ": " << msg;
    }
  }
  EXPECT_EQ(error_of(fixture_bytes("tensors_legacy.pth").substr(0, 100)),
            "checkpoint x.pth: truncated pickle at byte 100");
}

TEST(CheckpointErrors, CorruptedBytesNeverCrash) {
  for (const char* name : {"tensors_legacy.pth", "tensors_zip.pth", "mmcv_legacy.pth"}) {
    std::string bytes = fixture_bytes(name);
    for (size_t k = 0; k < bytes.size(); ++k)
      for (char flip : {'\xff', '\x01', '\x80'}) {
        std::string bad = bytes;
        bad[k] = static_cast<char>(bad[k] ^ flip);
        try {
          read_pth_bytes(bad, "x.pth");  // some corruptions are harmless (a value changes)
        } catch (const CheckpointError&) {
        }
      }
  }
}

TEST(CheckpointErrors, NotACheckpoint) {
  EXPECT_EQ(error_of(""),
            "checkpoint x.pth: not a PyTorch checkpoint: neither a zip archive nor a pickle");
  EXPECT_EQ(error_of("hello"),
            "checkpoint x.pth: not a PyTorch checkpoint: neither a zip archive nor a pickle");
  std::string bytes = fixture_bytes("tensors_legacy.pth");
  bytes[5] = 0x11;  // inside the magic number
  EXPECT_EQ(error_of(bytes), "checkpoint x.pth: not a PyTorch checkpoint: bad magic number");
  EXPECT_NE(error_of(zip({{"weights.bin", "abc"}})).find("without data.pkl"), std::string::npos);
  // Another top folder name (older torch used the file's stem) is fine.
  std::string other = fixture_bytes("tensors_zip.pth");
  for (size_t at = other.find("archive/"); at != std::string::npos;
       at = other.find("archive/", at + 1))
    other.replace(at, 7, "weights");
  EXPECT_EQ(error_of(other), "");
}

TEST(CheckpointErrors, StorageShorterThanTheTensor) {
  std::string pkl = tensor_pickle(4, 0, {4}, {1});
  EXPECT_EQ(read_pth_bytes(zip({{"data.pkl", pkl}, {"data/0", std::string(16, '\0')}}))
                .root->tensor.numel(),
            4);
  EXPECT_NE(error_of(zip({{"data.pkl", pkl}, {"data/0", std::string(12, '\0')}}))
                .find("holds 12 bytes, fewer than its 4 elements"),
            std::string::npos);
  EXPECT_NE(error_of(zip({{"data.pkl", pkl}})).find("missing storage record data/0"),
            std::string::npos);
  // Views beyond the storage: by size, by stride, by offset, and by overflowing products.
  for (const std::string& bad : {tensor_pickle(4, 0, {5}, {1}), tensor_pickle(4, 0, {2, 2}, {3, 1}),
                                 tensor_pickle(4, 4, {1}, {1}), tensor_pickle(4, -1, {1}, {1}),
                                 tensor_pickle(4, 0, {1 << 30, 1 << 30}, {INT64_MAX / 2, 1}),
                                 tensor_pickle(4, 0, {2}, {-1})}) {
    std::string msg = error_of(zip({{"data.pkl", bad}, {"data/0", std::string(16, '\0')}}));
    EXPECT_NE(msg.find("tensor view outside its storage 0"), std::string::npos) << msg;
  }
}

TEST(CheckpointErrors, HugeDeclaredSizesAreRejectedBeforeAllocating) {
  // A str of 4 GiB, a LONG4 of 2 GiB, a BINBYTES8 of 2^63 bytes.
  EXPECT_EQ(error_of(legacy("\x80\x02X\xff\xff\xff\xff"
                            "abc",
                            "", "")),
            "checkpoint x.pth: truncated pickle at byte 32");
  EXPECT_NE(error_of(legacy("\x80\x02\x8b\xff\xff\xff\x7f", "", "")).find("truncated pickle"),
            std::string::npos);
  EXPECT_NE(error_of(legacy("\x80\x02\x8e" + le(1ull << 63, 8), "", "")).find("truncated pickle"),
            std::string::npos);
  // A legacy storage that claims 2^60 elements.
  std::string obj = tensor_pickle(4, 0, {4}, {1});
  std::string keys = "\x80\x02](" + str("0") + "e.";
  EXPECT_NE(error_of(legacy(obj, keys, le(1ull << 60, 8) + std::string(16, '\0')))
                .find("truncated storage data"),
            std::string::npos);
  EXPECT_EQ(
      read_pth_bytes(legacy(obj, keys, le(4, 8) + std::string(16, '\0'))).root->tensor.numel(), 4);
  // A zip entry that declares more bytes than the archive holds, or a size of its own.
  std::string z = zip({{"data.pkl", obj}, {"data/0", std::string(16, '\0')}});
  size_t cd = z.rfind("archive/data/0") - 46;  // its central directory entry
  std::string huge = z;
  huge.replace(cd + 20, 8, le(0x7fffffff, 4) + le(0x7fffffff, 4));
  EXPECT_EQ(error_of(huge),
            "checkpoint x.pth: corrupt zip archive: entry archive/data/0 extends past the end of "
            "the file");
  std::string inflated = z;
  inflated.replace(cd + 24, 4, le(0x7fffffff, 4));
  EXPECT_NE(error_of(inflated).find("is compressed"), std::string::npos);
  std::string flipped = z;
  size_t local = z.find("archive/data/0") - 30;  // its local header, then name, extra, data
  auto u16 = [&z](size_t at) {
    return static_cast<uint8_t>(z[at]) | static_cast<uint8_t>(z[at + 1]) << 8;
  };
  flipped[local + 30 + u16(local + 26) + u16(local + 28)] =
      1;  // a storage byte: the CRC catches it
  EXPECT_EQ(error_of(flipped),
            "checkpoint x.pth: corrupt zip archive: CRC mismatch in archive/data/0");
}

TEST(CheckpointErrors, MalformedPickles) {
  auto msg = [](const std::string& obj) { return error_of(legacy(obj, "\x80\x02].", "")); };
  EXPECT_NE(msg("\x80\x02"
                "0.")
                .find("stack underflow at byte 28"),
            std::string::npos)
      << msg("\x80\x02"
             "0.");
  EXPECT_NE(msg("\x80\x02h\x05.").find("memo key 5 unset"), std::string::npos);
  EXPECT_NE(msg("\x80\x02"
                "e.")
                .find("no MARK"),
            std::string::npos);
  EXPECT_NE(msg("\x80\x02"
                "N\xff.")
                .find("unsupported pickle opcode 255"),
            std::string::npos);
  EXPECT_NE(msg("\x80\x02"
                "NN.")
                .find("STOP with a bad stack"),
            std::string::npos);
  EXPECT_NE(msg("\x80\x02"
                "N(" +
                str("x") + "Q.")
                .find("persistent id"),
            std::string::npos);
  // Reusing a memoised 1000-byte str thousands of times: rejected, not 20 MB of copies.
  std::string expand = "\x80\x02" + str(std::string(1000, 'a')) + std::string("q\x00", 2);
  for (int k = 0; k < 10000; ++k)
    expand += std::string(
        "h\x00h\x00\x93"
        "0",
        6);
  EXPECT_NE(msg(expand + "N.").find("expands far beyond its size"), std::string::npos)
      << msg(expand + "N.");
  // Cycles and unknown classes load (they are opaque data, not errors).
  EXPECT_EQ(msg(std::string("\x80\x02]q\x00h\x00"
                            "a.",
                            9)),
            "");
  EXPECT_EQ(msg("\x80\x02"
                "cevil\nsystem\n" +
                str("rm -rf /") + "\x85R."),
            "");
}

}  // namespace
}  // namespace tubelet::checkpoint::pth_errors_test
