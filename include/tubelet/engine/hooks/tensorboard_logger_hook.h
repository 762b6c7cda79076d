// mmcv's TensorboardLoggerHook (registered in HOOKS) and the event file it writes, in
// TensorBoard's own format without a protobuf or TensorFlow dependency: TFRecord framing
// (little-endian uint64 length, masked CRC-32C of the length, the record, masked CRC-32C of
// the record) around hand-encoded Event protos; the first event carries file_version
// "brain.Event:2", each scalar is Event{wall_time, step, summary{value{tag, simple_value}}},
// as torch.utils.tensorboard's SummaryWriter.add_scalar writes them.
//
// The hook writes into log_dir (default <work_dir>/tf_logs) one scalar per loggable tag at
// each logging point, with mmcv's tags: "<mode>/<name>" for the log buffer's output (time
// and data_time left out), then "learning_rate" and "momentum" of the first param group, at
// step runner.iter + 1.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

namespace tubelet {

// CRC-32C (Castagnoli), and TFRecord's mask of it: ((crc >> 15) | (crc << 17)) + 0xa282ead8.
uint32_t crc32c(const void* data, size_t size);
uint32_t masked_crc32c(const void* data, size_t size);

// One events.out.tfevents.<time>.<host>.<pid>.<n> file, written as SummaryWriter does.
class EventFileWriter {
 public:
  // Creates log_dir and the file, and writes the file_version event.
  explicit EventFileWriter(const std::filesystem::path& log_dir);
  ~EventFileWriter();
  EventFileWriter(const EventFileWriter&) = delete;
  EventFileWriter& operator=(const EventFileWriter&) = delete;

  // wall_time < 0: now (seconds since the epoch).
  void add_scalar(const std::string& tag, float value, int64_t step, double wall_time = -1);
  void flush();
  void close();
  const std::filesystem::path& path() const { return path_; }

 private:
  void write_record(const std::string& data);
  std::filesystem::path path_;
  std::FILE* file_ = nullptr;
};

// The Event proto bytes (exposed for tests): file_version set when non-empty, else one
// scalar summary value.
std::string encode_version_event(double wall_time, const std::string& file_version);
std::string encode_scalar_event(double wall_time, int64_t step, const std::string& tag,
                                float value);

}  // namespace tubelet
