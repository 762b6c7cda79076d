// Running the `tubelet` command built next to the test binary (build/bin/tubelet), for
// tests that go through a command as a user does: arguments in, exit status, stdout and
// stderr out.
#pragma once

#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "support/paths.h"

namespace tubelet::test {

inline std::filesystem::path tubelet_command() {
  return std::filesystem::read_symlink("/proc/self/exe").parent_path() / "tubelet";
}

#define TUBELET_REQUIRE_COMMAND()                                                             \
  do {                                                                                        \
    if (!std::filesystem::exists(::tubelet::test::tubelet_command()))                         \
      GTEST_SKIP() << "the tubelet command is not built next to this test: "                  \
                   << ::tubelet::test::tubelet_command() << " (cmake --build build --target " \
                   << "tubelet_cli)";                                                         \
  } while (0)

// One argument for the shell, single-quoted.
inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct CommandResult {
  int status = -1;  // the exit status; -1 if it did not exit normally
  std::string out, err;
};

// Runs `tubelet ARGS` (ARGS already quoted for the shell); its stdout and stderr go through
// files `scratch`/`name`.out and .err, which stay for a failing test's message.
inline CommandResult run_tubelet(const std::string& args, const std::filesystem::path& scratch,
                                 const std::string& name) {
  const auto out = scratch / (name + ".out"), err = scratch / (name + ".err");
  const std::string cmd = shell_quote(tubelet_command().string()) + " " + args + " >" +
                          shell_quote(out.string()) + " 2>" + shell_quote(err.string());
  const int raw = std::system(cmd.c_str());
  CommandResult r;
  r.status = raw != -1 && WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = read_text(out);
  r.err = read_text(err);
  return r;
}

// Runs each of `args` as run_tubelet(args[i], scratch, names[i]), a few at a time: each run
// is a process that loads LibTorch, most of its time when the work is small.
inline std::vector<CommandResult> run_tubelet_all(const std::vector<std::string>& args,
                                                  const std::filesystem::path& scratch,
                                                  const std::vector<std::string>& names) {
  std::vector<CommandResult> results(args.size());
  std::atomic<size_t> next{0};
  std::vector<std::thread> workers;
  const unsigned n = std::max(2u, std::min(8u, std::thread::hardware_concurrency()));
  for (unsigned w = 0; w < n; ++w)
    workers.emplace_back([&] {
      for (size_t i; (i = next++) < args.size();)
        results[i] = run_tubelet(args[i], scratch, names[i]);
    });
  for (auto& t : workers) t.join();
  return results;
}

}  // namespace tubelet::test
