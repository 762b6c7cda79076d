#include "tubelet/engine/hooks/tensorboard_logger_hook.h"

#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "tubelet/engine/hooks/logger_hook.h"
#include "tubelet/engine/runner.h"

namespace tubelet {

namespace {

std::array<uint32_t, 256> crc32c_table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = c & 1 ? 0x82F63B78u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}

void put_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

template <class T>
void put_fixed(std::string& out, T v) {
  // Protobuf's fixed32/fixed64 and TFRecord's lengths are little-endian, as is the host.
  static_assert(sizeof(T) == 4 || sizeof(T) == 8);
  char bytes[sizeof(T)];
  std::memcpy(bytes, &v, sizeof(T));
  out.append(bytes, sizeof(T));
}

void put_bytes(std::string& out, uint32_t field, const std::string& bytes) {
  put_varint(out, field << 3 | 2);
  put_varint(out, bytes.size());
  out += bytes;
}

// Event.wall_time (field 1, double) and, when not 0 (proto3 leaves it out), Event.step
// (field 2, varint).
std::string event_header(double wall_time, int64_t step) {
  std::string out;
  put_varint(out, 1 << 3 | 1);
  put_fixed(out, wall_time);
  if (step != 0) {
    put_varint(out, 2 << 3 | 0);
    put_varint(out, static_cast<uint64_t>(step));
  }
  return out;
}

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string hostname() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "localhost";
  return name;
}

}  // namespace

uint32_t crc32c(const void* data, size_t size) {
  static const std::array<uint32_t, 256> table = crc32c_table();
  const auto* p = static_cast<const unsigned char*>(data);
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < size; ++i) c = table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

uint32_t masked_crc32c(const void* data, size_t size) {
  const uint32_t c = crc32c(data, size);
  return ((c >> 15) | (c << 17)) + 0xa282ead8u;
}

std::string encode_version_event(double wall_time, const std::string& file_version) {
  std::string out = event_header(wall_time, 0);
  put_bytes(out, 3, file_version);
  return out;
}

std::string encode_scalar_event(double wall_time, int64_t step, const std::string& tag,
                                float value) {
  std::string summary_value;
  put_bytes(summary_value, 1, tag);
  put_varint(summary_value, 2 << 3 | 5);  // simple_value: a oneof member, always written
  put_fixed(summary_value, value);
  std::string summary;
  put_bytes(summary, 1, summary_value);
  std::string out = event_header(wall_time, step);
  put_bytes(out, 5, summary);
  return out;
}

EventFileWriter::EventFileWriter(const std::filesystem::path& log_dir) {
  static std::atomic<int> uid{0};
  std::filesystem::create_directories(log_dir);
  const double now = now_seconds();
  char name[512];
  std::snprintf(name, sizeof name, "events.out.tfevents.%010lld.%s.%d.%d",
                static_cast<long long>(now), hostname().c_str(), static_cast<int>(getpid()), uid++);
  path_ = log_dir / name;
  file_ = std::fopen(path_.c_str(), "wb");
  if (!file_)
    throw std::runtime_error("cannot create the TensorBoard event file " + path_.string());
  write_record(encode_version_event(now, "brain.Event:2"));
  flush();
}

EventFileWriter::~EventFileWriter() {
  close();
}

void EventFileWriter::add_scalar(const std::string& tag, float value, int64_t step,
                                 double wall_time) {
  write_record(encode_scalar_event(wall_time < 0 ? now_seconds() : wall_time, step, tag, value));
}

void EventFileWriter::write_record(const std::string& data) {
  if (!file_)
    throw std::runtime_error("the TensorBoard event file " + path_.string() + " is closed");
  std::string record;
  const uint64_t length = data.size();
  put_fixed(record, length);
  put_fixed(record, masked_crc32c(record.data(), 8));
  record += data;
  put_fixed(record, masked_crc32c(data.data(), data.size()));
  if (std::fwrite(record.data(), 1, record.size(), file_) != record.size())
    throw std::runtime_error("cannot write the TensorBoard event file " + path_.string());
}

void EventFileWriter::flush() {
  if (file_) std::fflush(file_);
}

void EventFileWriter::close() {
  if (file_) std::fclose(file_);
  file_ = nullptr;
}

namespace {

class TensorboardLoggerHook : public LoggerHook {
 public:
  TensorboardLoggerHook(LoggerHookOptions options, std::string log_dir)
      : LoggerHook(options), log_dir_(std::move(log_dir)) {}
  std::string type() const override { return "TensorboardLoggerHook"; }

  void before_run(Runner& runner) override {
    LoggerHook::before_run(runner);
    if (runner.rank() != 0) return;
    std::filesystem::path dir =
        log_dir_.empty() ? runner.work_dir() / "tf_logs" : std::filesystem::path(log_dir_);
    writer_ = std::make_unique<EventFileWriter>(dir);
  }

  void after_run(Runner&) override {
    if (writer_) writer_->close();
  }

 protected:
  void log(Runner& runner) override {
    if (!writer_) return;
    const std::string mode = mode_of(runner);
    const int64_t step = iter_of(runner, false);
    for (const auto& [name, value] : runner.log_buffer().output()) {
      // eval_iter_num is bookkeeping that mmcv's TextLoggerHook (registered first) removes
      // before this hook sees the buffer.
      if (name == "time" || name == "data_time" || name == "eval_iter_num") continue;
      writer_->add_scalar(mode + "/" + name, static_cast<float>(value), step);
    }
    if (runner.has_optimizer()) {
      writer_->add_scalar("learning_rate", static_cast<float>(runner.current_lr().at(0)), step);
      writer_->add_scalar("momentum", static_cast<float>(runner.current_momentum().at(0)), step);
    }
    writer_->flush();
  }

 private:
  std::string log_dir_;
  std::unique_ptr<EventFileWriter> writer_;
};

std::shared_ptr<Hook> build_tensorboard_logger_hook(Args& args) {
  LoggerHookOptions o = read_logger_hook_options(args);
  std::string log_dir = args.get<std::optional<std::string>>("log_dir", std::nullopt).value_or("");
  return std::make_shared<TensorboardLoggerHook>(o, log_dir);
}

}  // namespace

TUBELET_REGISTER(HOOKS, TensorboardLoggerHook, build_tensorboard_logger_hook);

}  // namespace tubelet
