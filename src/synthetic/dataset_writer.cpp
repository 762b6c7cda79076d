// Writing the synthetic motion dataset: mp4 files encoded by the ffmpeg command (raw RGB
// frames piped in), optional JPEG rawframes, and MMAction2's annotation lists.
#include <fcntl.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "synthetic/synthetic_common.h"
#include "tubelet/fileio/atomic_file.h"
#include "tubelet/synthetic/motion_dataset.h"

extern char** environ;

namespace tubelet::synthetic {

namespace fs = std::filesystem;

namespace {

constexpr int64_t kBatch = 8;  // videos per ffmpeg process

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A name no other thread or process is using, next to `target`.
fs::path temp_name(const fs::path& target, const std::string& suffix) {
  static std::atomic<uint64_t> counter{0};
  return target.parent_path() /
         ("." + target.filename().string() + ".tmp" + std::to_string(::getpid()) + "_" +
          std::to_string(counter++) + suffix);
}

struct ProcessResult {
  int status = -1;     // exit code, or -1 when killed by a signal
  std::string output;  // stdout and stderr
};

// Runs argv (argv[0] an executable path, no shell) with `input` on its stdin. The input goes
// through a socket with MSG_NOSIGNAL, so a child that dies early gives an error, not SIGPIPE;
// close-on-exec keeps one encode's socket out of concurrent children.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& input,
                          const fs::path& log) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    throw std::runtime_error(std::string("socketpair: ") + std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, sv[1], 0);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = ::posix_spawn(&pid, argv[0].c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(sv[1]);
  if (rc != 0) {
    ::close(sv[0]);
    throw std::runtime_error("cannot run " + argv[0] + ": " + std::strerror(rc));
  }
  for (size_t sent = 0; sent < input.size();) {
    ssize_t n = ::send(sv[0], input.data() + sent, input.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // the child stopped reading; its status and log say why
    sent += static_cast<size_t>(n);
  }
  ::close(sv[0]);
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  ProcessResult result;
  result.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1;
  result.output = read_file(log);
  std::error_code ec;
  fs::remove(log, ec);
  return result;
}

std::string list_line_video(int64_t index, int label) {
  char name[32];
  std::snprintf(name, sizeof(name), "video_%05lld", static_cast<long long>(index));
  return std::string(name) + ".mp4 " + std::to_string(label);
}

std::string video_stem(int64_t index) {
  char name[32];
  std::snprintf(name, sizeof(name), "video_%05lld", static_cast<long long>(index));
  return name;
}

void make_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir))
    throw std::runtime_error("make-synthetic: cannot create the directory " + dir.string() + ": " +
                             (ec ? ec.message() : "a file of that name is in the way"));
}

void check_options(const fs::path& out, const MotionDatasetOptions& o) {
  const int64_t classes = static_cast<int64_t>(motion_class_names().size());
  auto fail = [](const std::string& what) {
    throw std::invalid_argument("make-synthetic: " + what);
  };
  if (out.empty()) fail("no output directory given");
  if (o.videos() < 2 * classes)
    fail("--videos " + std::to_string(o.videos()) + " is too few: the " + std::to_string(classes) +
         " classes need at least " + std::to_string(2 * classes) +
         " videos (one train and one val video each)");
  if (o.size() < 16 || o.size() % 2 != 0)
    fail("--size " + std::to_string(o.size()) + ": frames must be even-sized (yuv420p) and >= 16");
  if (o.frames() < 2) fail("--frames " + std::to_string(o.frames()) + ": clips need >= 2 frames");
  if (o.fps() <= 0) fail("--fps " + std::to_string(o.fps()) + " must be positive");
  if (!(o.val_ratio() > 0 && o.val_ratio() < 1))
    fail("val_ratio " + std::to_string(o.val_ratio()) + " must be in (0, 1)");
}

std::string resolve_ffmpeg(const MotionDatasetOptions& o) {
  std::string ffmpeg = o.ffmpeg().empty() ? find_executable("ffmpeg") : o.ffmpeg();
  if (ffmpeg.empty() || ::access(ffmpeg.c_str(), X_OK) != 0)
    throw std::runtime_error(
        "make-synthetic: the ffmpeg command was not found" +
        (o.ffmpeg().empty() ? std::string(" on PATH") : " at " + o.ffmpeg()) +
        "; install FFmpeg (scripts/bootstrap.sh installs Debian's ffmpeg package)");
  return ffmpeg;
}

// Runs work(i) for i in [0, n) on `jobs` threads; the first exception stops the rest and is
// rethrown.
void parallel_for(int64_t n, int jobs, const std::function<void(int64_t)>& work) {
  std::atomic<int64_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto worker = [&] {
    for (int64_t i; !failed && (i = next++) < n;) {
      try {
        work(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!failed.exchange(true)) error = std::current_exception();
      }
    }
  };
  std::vector<std::thread> threads;
  for (int j = 1; j < jobs; ++j) threads.emplace_back(worker);
  worker();
  for (std::thread& t : threads) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace

// Frames as img_00001.jpg ... (MMAction2's RawframeDataset template), in a folder that gets
// its final name once every frame is written.
void write_rawframes(const std::vector<cv::Mat>& rgb, const fs::path& dir) {
  fs::path tmp = temp_name(dir, "");
  make_dir(tmp);
  for (size_t t = 0; t < rgb.size(); ++t) {
    char name[32];
    std::snprintf(name, sizeof(name), "img_%05zu.jpg", t + 1);
    cv::Mat bgr;
    cv::cvtColor(rgb[t], bgr, cv::COLOR_RGB2BGR);
    if (!cv::imwrite((tmp / name).string(), bgr, {cv::IMWRITE_JPEG_QUALITY, 95}))
      throw std::runtime_error("cannot write " + (tmp / name).string());
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::rename(tmp, dir);
}

int MotionDatasetOptions::label_of(int64_t index) const {
  return static_cast<int>(index % static_cast<int64_t>(motion_class_names().size()));
}

bool MotionDatasetOptions::is_val(int64_t index) const {
  return is_val_item(index, videos(), static_cast<int64_t>(motion_class_names().size()),
                     val_ratio());
}

std::string find_executable(const std::string& name) {
  if (name.find('/') != std::string::npos) return ::access(name.c_str(), X_OK) == 0 ? name : "";
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    fs::path candidate = fs::path(dir.empty() ? "." : dir) / name;
    std::error_code ec;
    if (fs::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0)
      return candidate.string();
  }
  return "";
}

std::string pick_encoder(const std::string& ffmpeg) {
  fs::path log = temp_name(fs::temp_directory_path() / "tubelet_ffmpeg_encoders", ".txt");
  ProcessResult r = run_process({ffmpeg, "-hide_banner", "-encoders"}, "", log);
  if (r.status != 0) throw std::runtime_error(ffmpeg + " -encoders failed:\n" + r.output);
  return r.output.find(" libx264 ") != std::string::npos ? "libx264" : "mpeg4";
}

void encode_mp4(const std::vector<cv::Mat>& rgb_frames, const fs::path& path,
                const std::string& ffmpeg, const std::string& encoder, int fps) {
  encode_mp4s({rgb_frames}, {path}, ffmpeg, encoder, fps);
}

void encode_mp4s(const std::vector<std::vector<cv::Mat>>& clips, const std::vector<fs::path>& paths,
                 const std::string& ffmpeg, const std::string& encoder, int fps) {
  if (clips.empty() || clips.size() != paths.size() || clips[0].empty())
    throw std::invalid_argument("encode_mp4s: needs one output path per non-empty clip");
  const size_t length = clips[0].size();
  const cv::Size size = clips[0][0].size();
  std::string raw;
  raw.reserve(clips.size() * length * size.area() * 3);
  for (size_t c = 0; c < clips.size(); ++c) {
    for (const cv::Mat& f : clips[c]) {
      if (clips[c].size() != length || f.size() != size || f.type() != CV_8UC3)
        throw std::invalid_argument("encode_mp4s: the clips for " + paths[c].string() +
                                    " and the others must be 8-bit RGB of one size and length");
      cv::Mat m = f.isContinuous() ? f : f.clone();
      raw.append(reinterpret_cast<const char*>(m.data), m.total() * 3);
    }
  }
  // The segment muxer cuts the stream into one file per clip, each starting on a forced key
  // frame with its own timestamps from 0.
  const fs::path dir = temp_name(paths[0], ".d");
  make_dir(dir);
  std::string cuts;
  // Every boundary, the last included: without a list the muxer would cut every 2 s.
  for (size_t c = 1; c <= clips.size(); ++c)
    cuts += (c > 1 ? "," : "") + std::to_string(c * length);
  std::vector<std::string> argv = {ffmpeg,
                                   "-hide_banner",
                                   "-loglevel",
                                   "error",
                                   "-y",
                                   "-f",
                                   "rawvideo",
                                   "-pix_fmt",
                                   "rgb24",
                                   "-s",
                                   std::to_string(size.width) + "x" + std::to_string(size.height),
                                   "-r",
                                   std::to_string(fps),
                                   "-i",
                                   "pipe:0",
                                   "-an",
                                   "-c:v",
                                   encoder};
  if (encoder == "libx264") {
    argv.insert(argv.end(), {"-preset", "medium", "-crf", "18"});
  } else {
    argv.insert(argv.end(), {"-q:v", "2"});
  }
  // One thread and bitexact: the same frames give the same bytes on every run.
  argv.insert(argv.end(), {"-pix_fmt",
                           "yuv420p",
                           "-threads",
                           "1",
                           "-force_key_frames",
                           "expr:eq(mod(n," + std::to_string(length) + "),0)",
                           "-fflags",
                           "+bitexact",
                           "-flags:v",
                           "+bitexact",
                           "-map_metadata",
                           "-1",
                           "-f",
                           "segment",
                           "-segment_format",
                           "mp4",
                           "-segment_format_options",
                           "fflags=+bitexact",
                           "-reset_timestamps",
                           "1",
                           "-segment_frames",
                           cuts});
  argv.push_back((dir / "%05d.mp4").string());
  ProcessResult r = run_process(argv, raw, temp_name(paths[0], ".log"));
  std::error_code ec;
  if (r.status != 0) {
    fs::remove_all(dir, ec);
    throw std::runtime_error("ffmpeg could not encode " + paths[0].string() +
                             (paths.size() > 1 ? " and the next clips" : "") + " (exit status " +
                             std::to_string(r.status) + "): " + r.output);
  }
  for (size_t c = 0; c < paths.size(); ++c) {
    char name[32];
    std::snprintf(name, sizeof(name), "%05zu.mp4", c);
    fs::rename(dir / name, paths[c], ec);
    if (ec) {
      fs::remove_all(dir, ec);
      throw std::runtime_error("ffmpeg wrote no " + std::string(name) + " for " +
                               paths[c].string() + ": " + r.output);
    }
  }
  fs::remove_all(dir, ec);
}

MotionDatasetSummary make_motion_dataset(const fs::path& out, const MotionDatasetOptions& o) {
  check_options(out, o);
  const std::string ffmpeg = resolve_ffmpeg(o);
  make_dir(out / "videos");
  if (o.rawframes()) make_dir(out / "rawframes");
  MotionDatasetSummary summary;
  summary.encoder = pick_encoder(ffmpeg);
  const int jobs = o.jobs() > 0 ? o.jobs() : std::max(1u, std::thread::hardware_concurrency());
  std::mutex progress_mutex;
  int64_t done = 0;
  // Batches of consecutive videos share one ffmpeg process (starting one costs more than
  // encoding a clip); batches are fixed by index, so the bytes do not depend on `jobs`.
  const int64_t batches = (o.videos() + kBatch - 1) / kBatch;
  parallel_for(batches, jobs, [&](int64_t b) {
    std::vector<std::vector<cv::Mat>> clips;
    std::vector<fs::path> paths;
    for (int64_t i = b * kBatch; i < std::min(o.videos(), (b + 1) * kBatch); ++i) {
      clips.push_back(render_clip(sample_clip(o.label_of(i), o.seed(), i, o.size(), o.frames())));
      paths.push_back(out / "videos" / (video_stem(i) + ".mp4"));
      if (o.rawframes()) write_rawframes(clips.back(), out / "rawframes" / video_stem(i));
    }
    encode_mp4s(clips, paths, ffmpeg, summary.encoder, o.fps());
    std::lock_guard<std::mutex> lock(progress_mutex);
    for (size_t k = 0; k < clips.size(); ++k)
      if (o.progress()) o.progress()(++done, o.videos());
  });
  std::string train, val, train_raw, val_raw, labels;
  for (int64_t i = 0; i < o.videos(); ++i) {
    const int label = o.label_of(i);
    const bool in_val = o.is_val(i);
    (in_val ? val : train) += list_line_video(i, label) + "\n";
    (in_val ? val_raw : train_raw) +=
        video_stem(i) + " " + std::to_string(o.frames()) + " " + std::to_string(label) + "\n";
    ++(in_val ? summary.val_videos : summary.train_videos);
  }
  for (const std::string& name : motion_class_names()) labels += name + "\n";
  write_file_atomically(out / "train_list.txt", train);
  write_file_atomically(out / "val_list.txt", val);
  write_file_atomically(out / "label_map.txt", labels);
  if (o.rawframes()) {
    write_file_atomically(out / "train_list_rawframes.txt", train_raw);
    write_file_atomically(out / "val_list_rawframes.txt", val_raw);
  }
  return summary;
}

}  // namespace tubelet::synthetic
