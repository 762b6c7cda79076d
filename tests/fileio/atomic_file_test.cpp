// write_file_atomically: the content arrives whole, and no failure leaves a partial file or a
// temporary behind.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/paths.h"
#include "tubelet/fileio/atomic_file.h"

namespace tubelet::atomic_file_test {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

// Runs `f` and returns the message of the std::runtime_error it must throw.
template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error was thrown";
  return "";
}

TEST(AtomicFile, WritesTheStreamedContent) {
  test::TempDir dir;
  const fs::path target = dir.path() / "out.bin";
  const std::string big(200000, 'x');  // larger than the stream's buffer: written directly
  write_file_atomically(target, [&](std::ostream& out) {
    out << "head " << 42 << '\n';
    out.write("\0\1\2", 3);
    out << big << "tail";
  });
  EXPECT_EQ(test::read_text(target),
            std::string("head 42\n") + std::string("\0\1\2", 3) + big + "tail");
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"out.bin"});
}

TEST(AtomicFile, WritesBytesAndEmptyFiles) {
  test::TempDir dir;
  write_file_atomically(dir.path() / "a.json", std::string_view("[1, 2]\n"));
  write_file_atomically(dir.path() / "empty", std::string_view(), FileSync::kNoSync);
  EXPECT_EQ(test::read_text(dir.path() / "a.json"), "[1, 2]\n");
  EXPECT_TRUE(fs::exists(dir.path() / "empty"));
  EXPECT_EQ(fs::file_size(dir.path() / "empty"), 0u);
  EXPECT_EQ(names_in(dir.path()), (std::vector<std::string>{"a.json", "empty"}));
}

TEST(AtomicFile, ReplacesAnExistingTarget) {
  test::TempDir dir;
  const fs::path target = dir.write("results.json", "a much longer old content than the new one");
  write_file_atomically(target, std::string_view("new"));
  EXPECT_EQ(test::read_text(target), "new");
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"results.json"});
}

TEST(AtomicFile, AThrowingWriterLeavesTheOldTargetAndNoTemporary) {
  test::TempDir dir;
  const std::string old = std::string("old\0bytes", 9);
  const fs::path target = dir.write("epoch_1.pth", old);
  EXPECT_THROW(write_file_atomically(target,
                                     [](std::ostream& out) {
                                       out << std::string(100000, 'n');
                                       throw std::invalid_argument("the writer gave up");
                                     }),
               std::invalid_argument);
  EXPECT_EQ(test::read_text(target), old);
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"epoch_1.pth"});
}

TEST(AtomicFile, AFailedStreamIsAnErrorAndLeavesNothing) {
  test::TempDir dir;
  const fs::path target = dir.path() / "x.csv";
  const std::string message = error_of([&] {
    write_file_atomically(target, [](std::ostream& out) { out.setstate(std::ios::badbit); });
  });
  EXPECT_NE(message.find("cannot write " + target.string()), std::string::npos) << message;
  EXPECT_TRUE(names_in(dir.path()).empty());
}

TEST(AtomicFile, AMissingDirectoryIsNamed) {
  test::TempDir dir;
  const fs::path target = dir.path() / "no_such_dir" / "out.json";
  const std::string message = error_of([&] { write_file_atomically(target, "x"); });
  EXPECT_NE(message.find(target.string()), std::string::npos) << message;
  EXPECT_NE(message.find("does not exist"), std::string::npos) << message;
  EXPECT_FALSE(fs::exists(target.parent_path()));
}

TEST(AtomicFile, AFileInPlaceOfTheDirectoryIsNamed) {
  test::TempDir dir;
  const fs::path target = dir.write("plain_file", "keep") / "out.json";
  const std::string message = error_of([&] { write_file_atomically(target, "x"); });
  EXPECT_NE(message.find("is not a directory"), std::string::npos) << message;
  EXPECT_EQ(test::read_text(dir.path() / "plain_file"), "keep");
}

TEST(AtomicFile, AnUnwritableDirectoryIsAnErrorAndLeavesNothing) {
  test::TempDir dir;
  const fs::path locked = dir.path() / "locked";
  fs::create_directory(locked);
  ::chmod(locked.c_str(), 0500);
  if (::access(locked.c_str(), W_OK) == 0) {  // root writes anyway
    ::chmod(locked.c_str(), 0700);
    GTEST_SKIP() << "the directory stays writable (running as root)";
  }
  const fs::path target = locked / "out.json";
  const std::string message = error_of([&] { write_file_atomically(target, "x"); });
  ::chmod(locked.c_str(), 0700);
  EXPECT_NE(message.find("cannot write " + target.string()), std::string::npos) << message;
  EXPECT_NE(message.find("Permission denied"), std::string::npos) << message;
  EXPECT_TRUE(names_in(locked).empty());
}

}  // namespace
}  // namespace tubelet::atomic_file_test
