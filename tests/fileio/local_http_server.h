// A tiny HTTP/1.1 server on 127.0.0.1 for the download tests: fixed responses by path, one
// request per connection, a count of requests per path. Nothing leaves the machine, and the
// test suite needs no Python.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

namespace tubelet::test {

class LocalHttpServer {
 public:
  struct Response {
    int status = 200;
    std::string body;
    std::string location;                  // a Location header (for redirects)
    size_t cut_after = std::string::npos;  // close the connection after this many body bytes
  };

  LocalHttpServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error("socket: " + std::string(std::strerror(errno)));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;  // any free port
    socklen_t len = sizeof addr;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(fd_, 16) != 0 || ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len))
      throw std::runtime_error("cannot listen on 127.0.0.1: " + std::string(std::strerror(errno)));
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~LocalHttpServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  LocalHttpServer(const LocalHttpServer&) = delete;
  LocalHttpServer& operator=(const LocalHttpServer&) = delete;

  void route(const std::string& path, Response response) {
    std::lock_guard<std::mutex> lock(mutex_);
    routes_[path] = std::move(response);
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int hits(const std::string& path) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = hits_.find(path);
    return it == hits_.end() ? 0 : it->second;
  }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;  // wakes up to see stop_
      const int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) continue;
      timeval timeout{2, 0};
      ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
      respond(client, path_of(read_head(client)));
      ::close(client);
    }
  }

  static std::string read_head(int client) {
    std::string head;
    char buffer[1024];
    while (head.find("\r\n\r\n") == std::string::npos && head.size() < 16384) {
      const ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      head.append(buffer, static_cast<size_t>(n));
    }
    return head;
  }

  // "GET /path HTTP/1.1" -> "/path".
  static std::string path_of(const std::string& head) {
    const size_t start = head.find(' ');
    const size_t end = start == std::string::npos ? start : head.find(' ', start + 1);
    return end == std::string::npos ? "" : head.substr(start + 1, end - start - 1);
  }

  void respond(int client, const std::string& path) {
    Response r;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      ++hits_[path];
      auto it = routes_.find(path);
      r = it != routes_.end() ? it->second : Response{404, "not found", "", std::string::npos};
    }
    std::string text = "HTTP/1.1 " + std::to_string(r.status) + " " + reason(r.status) +
                       "\r\nContent-Length: " + std::to_string(r.body.size()) +
                       "\r\nConnection: close\r\n";
    if (!r.location.empty()) text += "Location: " + r.location + "\r\n";
    text += "\r\n" + r.body.substr(0, r.cut_after);
    // MSG_NOSIGNAL: a client that hangs up early must not kill the test with SIGPIPE.
    for (size_t sent = 0; sent < text.size();) {
      const ssize_t n = ::send(client, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
  }

  static std::string reason(int status) {
    switch (status) {
      case 200:
        return "OK";
      case 302:
        return "Found";
      case 404:
        return "Not Found";
      default:
        return "Status";
    }
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mutex_;
  std::map<std::string, Response> routes_;
  std::map<std::string, int> hits_;
};

}  // namespace tubelet::test
