// The `ffmpeg` command in tests: small videos encoded from its test pattern, and live streams
// it serves on the loopback interface for as long as a test holds the process.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace tubelet::test {

inline bool have_ffmpeg() {
  return std::system("ffmpeg -version >/dev/null 2>&1") == 0;
}

#define TUBELET_REQUIRE_FFMPEG()                                                           \
  do {                                                                                     \
    if (!::tubelet::test::have_ffmpeg())                                                   \
      GTEST_SKIP() << "ffmpeg is not on PATH (scripts/bootstrap.sh installs it): skipped"; \
  } while (0)

// `frames` frames of FFmpeg's testsrc pattern (a counter and moving colours) at `fps`, encoded
// with `codec` into `path` (its extension picks the container).
inline void encode_test_video(const std::filesystem::path& path, int frames, int width, int height,
                              int fps, const std::string& codec = "mpeg4") {
  const std::string cmd =
      "ffmpeg -nostdin -v error -y -f lavfi -i testsrc=size=" + std::to_string(width) + "x" +
      std::to_string(height) + ":rate=" + std::to_string(fps) + " -frames:v " +
      std::to_string(frames) + " -c:v " + codec + " -g 10 -pix_fmt yuv420p '" + path.string() + "'";
  if (std::system(cmd.c_str()) != 0) throw std::runtime_error("ffmpeg failed: " + cmd);
}

// A UDP port on the loopback interface that was free a moment ago.
inline int free_udp_port() {
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// `ffmpeg ARGS` running in the background, killed and reaped when the object goes (a failed
// assertion returns from the test, so the server never outlives it).
class FfmpegProcess {
 public:
  explicit FfmpegProcess(const std::vector<std::string>& args) {
    std::vector<std::string> all = {"ffmpeg", "-nostdin", "-v", "error"};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    const int rc = posix_spawnp(&pid_, "ffmpeg", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start ffmpeg");
  }
  ~FfmpegProcess() {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  FfmpegProcess(const FfmpegProcess&) = delete;
  FfmpegProcess& operator=(const FfmpegProcess&) = delete;

 private:
  pid_t pid_ = -1;
};

// ffmpeg serving its test pattern live (-re: at its frame rate) as MPEG-TS over UDP to
// 127.0.0.1:`port` for `seconds`. MPEG-2 video with a key frame every 5 frames: a receiver
// that joins late starts decoding within 5 frames.
inline std::vector<std::string> udp_test_stream_args(int port, double seconds, int fps = 25,
                                                     int width = 64, int height = 48) {
  return {"-re",
          "-f",
          "lavfi",
          "-i",
          "testsrc=size=" + std::to_string(width) + "x" + std::to_string(height) +
              ":rate=" + std::to_string(fps),
          "-t",
          std::to_string(seconds),
          "-c:v",
          "mpeg2video",
          "-g",
          "5",
          "-f",
          "mpegts",
          "udp://127.0.0.1:" + std::to_string(port) + "?pkt_size=1316"};
}

}  // namespace tubelet::test
