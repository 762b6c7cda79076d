// TensorboardLoggerHook's event file read back with a reader written here from the format's
// definition (TFRecord framing, CRC-32C computed bit by bit, protobuf wire format): every
// length and CRC checks, the first event is file_version "brain.Event:2", the scalars have
// mmcv's tags and steps and the values the text log has.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <map>

#include "support/paths.h"
#include "toy_training.h"
#include "tubelet/config/config.h"
#include "tubelet/config/dump.h"
#include "tubelet/engine/hooks/tensorboard_logger_hook.h"
#include "tubelet/engine/runner.h"

namespace tubelet::tensorboard_test {
namespace {

uint32_t crc32c_bitwise(const std::string& bytes) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char byte : bytes) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
  }
  return ~crc;
}

uint32_t masked(uint32_t crc) {
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

template <class T>
T read_le(const std::string& bytes, size_t at) {
  T v;
  std::memcpy(&v, bytes.data() + at, sizeof(T));
  return v;
}

struct Event {
  double wall_time = 0;
  int64_t step = 0;
  std::string file_version;
  std::vector<std::pair<std::string, float>> scalars;
};

// Protobuf fields of one message: (field number, wire type) -> raw bytes or integer.
struct Field {
  int number, wire;
  uint64_t integer;
  std::string bytes;
};

std::vector<Field> fields(const std::string& message) {
  std::vector<Field> out;
  size_t at = 0;
  auto varint = [&] {
    uint64_t v = 0;
    for (int shift = 0;; shift += 7) {
      if (at >= message.size()) throw std::runtime_error("truncated varint");
      const unsigned char b = message[at++];
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return v;
    }
  };
  while (at < message.size()) {
    const uint64_t key = varint();
    Field f{static_cast<int>(key >> 3), static_cast<int>(key & 7), 0, {}};
    if (f.wire == 0) {
      f.integer = varint();
    } else if (f.wire == 1 || f.wire == 5) {
      const size_t n = f.wire == 1 ? 8 : 4;
      f.bytes = message.substr(at, n);
      at += n;
    } else if (f.wire == 2) {
      const uint64_t n = varint();
      f.bytes = message.substr(at, n);
      at += n;
    } else {
      throw std::runtime_error("unexpected wire type");
    }
    out.push_back(f);
  }
  return out;
}

Event decode_event(const std::string& data) {
  Event e;
  for (const Field& f : fields(data)) {
    if (f.number == 1 && f.wire == 1) e.wall_time = read_le<double>(f.bytes, 0);
    if (f.number == 2 && f.wire == 0) e.step = static_cast<int64_t>(f.integer);
    if (f.number == 3 && f.wire == 2) e.file_version = f.bytes;
    if (f.number == 5 && f.wire == 2)
      for (const Field& value : fields(f.bytes)) {
        EXPECT_EQ(value.number, 1);
        std::string tag;
        float simple = NAN;
        for (const Field& v : fields(value.bytes)) {
          if (v.number == 1) tag = v.bytes;
          if (v.number == 2 && v.wire == 5) simple = read_le<float>(v.bytes, 0);
        }
        e.scalars.emplace_back(tag, simple);
      }
  }
  return e;
}

std::vector<Event> read_events(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<Event> events;
  size_t at = 0;
  while (at < bytes.size()) {
    if (at + 12 > bytes.size()) throw std::runtime_error("truncated record header");
    const uint64_t length = read_le<uint64_t>(bytes, at);
    EXPECT_EQ(read_le<uint32_t>(bytes, at + 8), masked(crc32c_bitwise(bytes.substr(at, 8))));
    if (at + 12 + length + 4 > bytes.size()) throw std::runtime_error("truncated record");
    const std::string data = bytes.substr(at + 12, length);
    EXPECT_EQ(read_le<uint32_t>(bytes, at + 12 + length), masked(crc32c_bitwise(data)));
    events.push_back(decode_event(data));
    at += 12 + length + 4;
  }
  return events;
}

Value py(const std::string& expr) {
  return load_config_text("x = " + expr + "\n", "/tmp/tensorboard_test.py").at("x");
}

std::filesystem::path only_event_file(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> found;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.path().filename().string().rfind("events.out.tfevents.", 0) == 0)
      found.push_back(entry.path());
  EXPECT_EQ(found.size(), 1u);
  return found.empty() ? std::filesystem::path() : found.front();
}

TEST(TensorboardTest, Crc32cCheckValues) {
  EXPECT_EQ(crc32c("123456789", 9), 0xE3069283u);  // the CRC-32C catalogue's check value
  EXPECT_EQ(crc32c("", 0), 0u);
  const std::string text = "brain.Event:2 and some more bytes";
  EXPECT_EQ(crc32c(text.data(), text.size()), crc32c_bitwise(text));
  EXPECT_EQ(masked_crc32c(text.data(), text.size()), masked(crc32c_bitwise(text)));
}

TEST(TensorboardTest, WriterRecordsReadBack) {
  test::TempDir dir;
  std::filesystem::path file;
  {
    EventFileWriter writer(dir.path() / "logs");
    writer.add_scalar("train/loss", 1.25f, 7, 1700000000.5);
    writer.add_scalar("val/top1_acc", 0.0f, 0, 1700000001.0);
    writer.add_scalar("big_step", -3.5f, int64_t{1} << 40, 1700000002.0);
    file = writer.path();
  }
  const std::vector<Event> events = read_events(file);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].file_version, "brain.Event:2");
  EXPECT_GT(events[0].wall_time, 1.6e9);
  EXPECT_TRUE(events[0].scalars.empty());
  EXPECT_EQ(events[1].step, 7);
  EXPECT_DOUBLE_EQ(events[1].wall_time, 1700000000.5);
  ASSERT_EQ(events[1].scalars.size(), 1u);
  EXPECT_EQ(events[1].scalars[0].first, "train/loss");
  EXPECT_EQ(events[1].scalars[0].second, 1.25f);
  // A zero value is still written (simple_value is a oneof member).
  ASSERT_EQ(events[2].scalars.size(), 1u);
  EXPECT_EQ(events[2].scalars[0].second, 0.0f);
  EXPECT_EQ(events[3].step, int64_t{1} << 40);
  EXPECT_EQ(events[3].scalars[0].second, -3.5f);
}

TEST(TensorboardTest, HookWritesMmcvTagsIntoTfLogs) {
  test::TempDir dir;
  auto model = std::make_shared<test::ToyModel>();
  auto optimizer = std::make_shared<torch::optim::SGD>(
      model->parameters(), torch::optim::SGDOptions(0.05).momentum(0.9));
  RunnerParts parts;
  parts.model = model;
  parts.optimizer = optimizer;
  parts.work_dir = dir.path();
  parts.logger = std::make_shared<Logger>("mmaction", false);
  auto runner =
      RUNNERS().build(py("dict(type='EpochBasedRunner', max_epochs=2)"), {"runner"}, parts);
  runner->register_hook_from_cfg(py("dict(type='IterTimerHook', priority='LOW')"), "timer");
  runner->register_hook_from_cfg(py("dict(type='TextLoggerHook', interval=1, priority='VERY_LOW')"),
                                 "log_config");
  runner->register_hook_from_cfg(
      py("dict(type='TensorboardLoggerHook', interval=1, priority='VERY_LOW')"), "log_config");
  test::ToyLoader train(8, 4);
  runner->run({&train}, {{"train", 1}});

  const std::vector<Event> events = read_events(only_event_file(dir.path() / "tf_logs"));
  ASSERT_EQ(events.size(), 1u + 4 * 4);  // version, then 4 iterations x 4 tags
  std::ifstream json(dir.path() / "run.log.json");
  std::vector<Dict> lines;
  for (std::string line; std::getline(json, line);) lines.push_back(from_json(line).as_dict());
  ASSERT_EQ(lines.size(), 4u);
  for (int i = 0; i < 4; ++i) {
    std::map<std::string, float> tags;
    for (int k = 0; k < 4; ++k) {
      const Event& e = events[1 + 4 * i + k];
      EXPECT_EQ(e.step, i + 1);  // runner.iter + 1
      ASSERT_EQ(e.scalars.size(), 1u);
      tags[e.scalars[0].first] = e.scalars[0].second;
    }
    ASSERT_EQ(tags.size(), 4u);
    EXPECT_NEAR(tags.at("train/loss"), lines[i].at("loss").as_float(), 1e-5);
    EXPECT_NEAR(tags.at("train/loss_mse"), lines[i].at("loss_mse").as_float(), 1e-5);
    EXPECT_FLOAT_EQ(tags.at("learning_rate"), 0.05f);
    EXPECT_FLOAT_EQ(tags.at("momentum"), 0.9f);
  }
}

TEST(TensorboardTest, LogDirOption) {
  test::TempDir dir;
  auto model = std::make_shared<test::ToyModel>();
  RunnerParts parts;
  parts.model = model;
  parts.optimizer =
      std::make_shared<torch::optim::SGD>(model->parameters(), torch::optim::SGDOptions(0.05));
  parts.work_dir = dir.path() / "work";
  parts.logger = std::make_shared<Logger>("mmaction", false);
  auto runner =
      RUNNERS().build(py("dict(type='EpochBasedRunner', max_epochs=1)"), {"runner"}, parts);
  const std::string log_dir = (dir.path() / "elsewhere").string();
  runner->register_hook_from_cfg(
      py("dict(type='TensorboardLoggerHook', interval=2, priority='VERY_LOW', log_dir='" + log_dir +
         "')"),
      "log");
  runner->register_hook_from_cfg(py("dict(type='IterTimerHook', priority='LOW')"), "timer");
  test::ToyLoader train(8, 2);  // 4 iterations, logged at 2 and 4
  runner->run({&train}, {{"train", 1}});
  const std::vector<Event> events = read_events(only_event_file(log_dir));
  ASSERT_EQ(events.size(), 1u + 2 * 4);
  EXPECT_EQ(events[1].step, 2);
  EXPECT_EQ(events[5].step, 4);
  EXPECT_NE(test::error_of([&] {
              runner->register_hook_from_cfg(py("dict(type='TensorboardLoggerHook', logdir='x')"),
                                             "log");
            }).find("logdir"),
            std::string::npos);
}

}  // namespace
}  // namespace tubelet::tensorboard_test
