#include "lib/smtpclient/connection.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace yubin::smtpclient {
namespace {

bool FillAddress(const dns::IpAddress& ip, int port, sockaddr_storage* ss,
                 socklen_t* len) {
  std::memset(ss, 0, sizeof *ss);
  if (ip.ipv6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(static_cast<uint16_t>(port));
    *len = sizeof *a;
    return inet_pton(AF_INET6, ip.text.c_str(), &a->sin6_addr) == 1;
  }
  auto* a = reinterpret_cast<sockaddr_in*>(ss);
  a->sin_family = AF_INET;
  a->sin_port = htons(static_cast<uint16_t>(port));
  *len = sizeof *a;
  return inet_pton(AF_INET, ip.text.c_str(), &a->sin_addr) == 1;
}

}  // namespace

Result<UniqueFd> ConnectTcp(const dns::IpAddress& ip, int port,
                            const std::string& bind_ip, int timeout_ms,
                            bool* timed_out) {
  *timed_out = false;
  sockaddr_storage ss;
  socklen_t len = 0;
  if (!FillAddress(ip, port, &ss, &len)) {
    return Status::Permanent("not an IP address: " + ip.text);
  }
  UniqueFd fd(socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                     0));
  if (!fd.valid()) return Status::FromErrno("socket", errno);
  if (!bind_ip.empty()) {
    dns::IpAddress local{ip.ipv6, bind_ip};
    sockaddr_storage ls;
    socklen_t llen = 0;
    // An outgoingip of the other family does not apply to this address.
    if (FillAddress(local, 0, &ls, &llen) &&
        bind(fd.get(), reinterpret_cast<sockaddr*>(&ls), llen) != 0) {
      return Status::FromErrno("bind " + bind_ip, errno);
    }
  }
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0) {
    if (errno != EINPROGRESS) return Status::FromErrno("connect", errno);
    pollfd p{fd.get(), POLLOUT, 0};
    int ready;
    do {
      ready = poll(&p, 1, timeout_ms);
    } while (ready < 0 && errno == EINTR);
    if (ready < 0) return Status::FromErrno("poll", errno);
    if (ready == 0) {
      *timed_out = true;
      return Status::Temporary("connect timed out");
    }
    int err = 0;
    socklen_t elen = sizeof err;
    if (getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &elen) != 0) {
      return Status::FromErrno("getsockopt", errno);
    }
    if (err != 0) return Status::FromErrno("connect", err);
  }
  // Commands are written whole (a pipelined group in one write), so Nagle's
  // algorithm would only add a delayed-ACK wait between them.
  int one = 1;
  (void)setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

Connection::Connection(UniqueFd fd, int timeout_ms)
    : fd_(std::move(fd)), timeout_ms_(timeout_ms) {
  (void)SetNonBlocking(fd_.get(), true);
}

Status Connection::WaitFor(short events, const char* what) {
  if (!fd_.valid()) return Status::Temporary("connection closed");
  pollfd p{fd_.get(), events, 0};
  int ready;
  do {
    ready = poll(&p, 1, timeout_ms_);
  } while (ready < 0 && errno == EINTR);
  if (ready < 0) return Status::FromErrno("poll", errno);
  if (ready == 0) return Status::Temporary(std::string(what) + " timed out");
  return Status::Ok();
}

Status Connection::Write(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = send(fd_.get(), data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (Status s = WaitFor(POLLOUT, "write"); !s.ok()) return s;
      continue;
    }
    return Status::FromErrno("write", n < 0 ? errno : EPIPE);
  }
  return Status::Ok();
}

Status Connection::ReadLine(std::string* line) {
  line->clear();
  bool cut = false;
  for (;;) {
    size_t nl = buffer_.find('\n', start_);
    size_t end = nl == std::string::npos ? buffer_.size() : nl;
    if (!cut) {
      size_t room = kMaxServerLineBytes - line->size();
      size_t take = std::min(room, end - start_);
      line->append(buffer_, start_, take);
      if (take < end - start_) cut = true;
    }
    if (nl != std::string::npos) {
      start_ = nl + 1;
      if (!line->empty() && line->back() == '\r') line->pop_back();
      return Status::Ok();
    }
    buffer_.clear();
    start_ = 0;
    char chunk[kReadChunkBytes];
    ssize_t n = recv(fd_.get(), chunk, sizeof chunk, 0);
    if (n > 0) {
      buffer_.assign(chunk, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) return Status::Temporary("connection closed by server");
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (Status s = WaitFor(POLLIN, "read"); !s.ok()) return s;
      continue;
    }
    return Status::FromErrno("read", errno);
  }
}

}  // namespace yubin::smtpclient
