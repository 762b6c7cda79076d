// tubelet dist-train CONFIG --nproc N [train arguments...]
// tubelet dist-test CONFIG CHECKPOINT --nproc N [test arguments...]
// MMAction2's tools/dist_train.sh and dist_test.sh (torchrun --nproc_per_node=N
// tools/train.py --launcher pytorch) without Python: starts N copies of this binary as
// `tubelet train|test CONFIG ... --launcher pytorch ...` with torchrun's variables (RANK,
// LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE, MASTER_ADDR=127.0.0.1, a free MASTER_PORT unless one is
// set), waits for them, and ends the others as soon as one fails, returning the failed one's
// status. Global options given before `dist-train` (--plugin) go to every worker.
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "commands.h"

namespace tubelet::cli {

namespace {

struct LauncherArgs {
  std::string command;                   // "train" or "test"
  std::vector<std::string> positionals;  // CONFIG [CHECKPOINT]
  int nproc = 2;
  std::vector<std::string> extra_args;  // the rest, for the command
};

// A port nobody listens on now (the kernel picks it); rank 0's TCPStore binds it next.
int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("cannot open a socket to find a free port");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot find a free port on 127.0.0.1");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

// The arguments this program got before `dist-train`/`dist-test` (global options such as
// --plugin), which every worker needs too.
std::vector<std::string> global_arguments(const std::string& launcher_command) {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::vector<std::string> args;
  for (std::string arg; std::getline(in, arg, '\0');) args.push_back(arg);
  std::vector<std::string> out;
  for (size_t i = 1; i < args.size() && args[i] != launcher_command; ++i) out.push_back(args[i]);
  return out;
}

std::string self_path() {
  std::vector<char> buffer(4096);
  ssize_t n = ::readlink("/proc/self/exe", buffer.data(), buffer.size() - 1);
  if (n <= 0) throw std::runtime_error("cannot find this program (/proc/self/exe)");
  return std::string(buffer.data(), static_cast<size_t>(n));
}

[[noreturn]] void exec_worker(const std::string& exe, const std::vector<std::string>& argv,
                              int rank, const LauncherArgs& a, int port) {
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);  // no orphans when the launcher dies
  ::setenv("RANK", std::to_string(rank).c_str(), 1);
  ::setenv("LOCAL_RANK", std::to_string(rank).c_str(), 1);
  ::setenv("WORLD_SIZE", std::to_string(a.nproc).c_str(), 1);
  ::setenv("LOCAL_WORLD_SIZE", std::to_string(a.nproc).c_str(), 1);
  ::setenv("MASTER_ADDR", "127.0.0.1", 0);
  ::setenv("MASTER_PORT", std::to_string(port).c_str(), 1);
  std::vector<char*> args;
  for (const auto& s : argv) args.push_back(const_cast<char*>(s.c_str()));
  args.push_back(nullptr);
  ::execv(exe.c_str(), args.data());
  std::cerr << "dist-" << a.command << ": cannot start " << exe << "\n";
  ::_exit(127);
}

int exit_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

std::string describe(int status) {
  if (WIFSIGNALED(status)) return "was killed by signal " + std::to_string(WTERMSIG(status));
  return "exited with status " + std::to_string(exit_code(status));
}

// SIGTERM to the workers still running, SIGKILL to those left after 10 s.
void stop_all(std::vector<pid_t>& running) {
  for (pid_t pid : running) ::kill(pid, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!running.empty() && std::chrono::steady_clock::now() < deadline) {
    for (size_t i = 0; i < running.size();) {
      int status = 0;
      if (::waitpid(running[i], &status, WNOHANG) == running[i])
        running.erase(running.begin() + static_cast<long>(i));
      else
        ++i;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  for (pid_t pid : running) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
}

int launch_workers(const LauncherArgs& a) {
  if (a.nproc < 1)
    throw std::invalid_argument("dist-" + a.command + ": --nproc must be at least 1");
  const char* given_port = std::getenv("MASTER_PORT");
  const int port = given_port && *given_port ? std::atoi(given_port) : free_port();
  // torchrun's habit, with the cores shared out rather than 1 thread each.
  if (!std::getenv("OMP_NUM_THREADS")) {
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    ::setenv("OMP_NUM_THREADS", std::to_string(std::max(1u, cores / a.nproc)).c_str(), 1);
  }
  const std::string exe = self_path();
  std::vector<std::string> argv{exe};
  for (const auto& arg : global_arguments("dist-" + a.command)) argv.push_back(arg);
  argv.push_back(a.command);
  argv.insert(argv.end(), a.positionals.begin(), a.positionals.end());
  for (const char* arg : {"--launcher", "pytorch"}) argv.push_back(arg);
  argv.insert(argv.end(), a.extra_args.begin(), a.extra_args.end());
  std::vector<pid_t> running;
  std::vector<int> rank_of_pid;
  for (int rank = 0; rank < a.nproc; ++rank) {
    pid_t pid = ::fork();
    if (pid < 0) {
      stop_all(running);
      throw std::runtime_error("dist-" + a.command + ": cannot start worker " +
                               std::to_string(rank));
    }
    if (pid == 0) exec_worker(exe, argv, rank, a, port);
    running.push_back(pid);
  }
  const std::vector<pid_t> pids = running;
  while (!running.empty()) {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) break;
    auto it = std::find(running.begin(), running.end(), pid);
    if (it == running.end()) continue;
    running.erase(it);
    if (exit_code(status) != 0) {
      const long rank = std::find(pids.begin(), pids.end(), pid) - pids.begin();
      std::cerr << "dist-" << a.command << ": worker " << rank << " (pid " << pid << ") "
                << describe(status) << "; stopping the other workers\n";
      stop_all(running);
      return exit_code(status);
    }
  }
  return 0;
}

}  // namespace

namespace {

// `dist-<command> POSITIONALS... --nproc N [more arguments]` for `tubelet <command>`.
void add_launcher(CLI::App& app, const std::string& command,
                  const std::vector<std::pair<std::string, std::string>>& positionals,
                  const std::string& help) {
  auto a = std::make_shared<LauncherArgs>();
  a->command = command;
  a->positionals.resize(positionals.size());
  CLI::App* cmd = app.add_subcommand("dist-" + command, help);
  for (size_t i = 0; i < positionals.size(); ++i)
    cmd->add_option(positionals[i].first, a->positionals[i], positionals[i].second)->required();
  cmd->add_option("--nproc", a->nproc, "Number of worker processes")->check(CLI::PositiveNumber);
  cmd->allow_extras();
  cmd->callback([a, cmd] {
    a->extra_args = cmd->remaining();
    int code = launch_workers(*a);
    if (code != 0) std::exit(code);
  });
}

}  // namespace

void add_dist_launchers(CLI::App& app) {
  add_launcher(app, "train", {{"config", "Config file"}},
               "Train on N local processes (MMAction2's tools/dist_train.sh); other arguments go "
               "to `tubelet train`");
  add_launcher(app, "test", {{"config", "Config file"}, {"checkpoint", "Checkpoint (.pth)"}},
               "Test on N local processes (MMAction2's tools/dist_test.sh); other arguments go "
               "to `tubelet test`");
}

}  // namespace tubelet::cli
