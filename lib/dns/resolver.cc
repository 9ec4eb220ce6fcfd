#include "lib/dns/resolver.h"

#include <ares.h>
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <poll.h>

#include <cerrno>
#include <mutex>

#include "lib/control/smtpd_control.h"

namespace yubin::dns {

// Filled in by OnAnswer; c-ares calls it exactly once per query.
struct QuerySlot {
  bool done = false;
  int status = ARES_ETIMEOUT;
  std::vector<unsigned char> bytes;
};

namespace {

ares_channel Channel(void* c) { return static_cast<ares_channel>(c); }

void OnAnswer(void* arg, int status, int /*timeouts*/, unsigned char* abuf,
              int alen) {
  auto* slot = static_cast<QuerySlot*>(arg);
  slot->done = true;
  slot->status = status;
  if (status == ARES_SUCCESS && abuf != nullptr && alen > 0) {
    slot->bytes.assign(abuf, abuf + alen);
  }
}

std::string CanonicalHost(const char* name) {
  std::string host = control::AsciiLower(name == nullptr ? "" : name);
  while (!host.empty() && host.back() == '.') host.pop_back();
  return host;
}

bool IsMissing(int status) {
  return status == ARES_ENOTFOUND;  // NXDOMAIN
}

bool IsNoData(int status) { return status == ARES_ENODATA; }

Status QueryError(const std::string& name, int status) {
  if (IsMissing(status)) {
    return Status::Permanent("Sorry, I couldn't find any host named " + name +
                             ". (#5.1.2)");
  }
  return Status::Temporary("DNS lookup of " + name +
                           " failed: " + ares_strerror(status) + " (#4.4.3)");
}

}  // namespace

Result<std::unique_ptr<Resolver>> Resolver::Create(
    const ResolverOptions& options) {
  static std::once_flag init_once;
  static int init_status = ARES_SUCCESS;
  std::call_once(init_once,
                 [] { init_status = ares_library_init(ARES_LIB_INIT_ALL); });
  if (init_status != ARES_SUCCESS) {
    return Status::Temporary(std::string("c-ares init: ") +
                             ares_strerror(init_status));
  }
  ares_options opts{};
  opts.timeout = options.timeout_ms;
  opts.tries = options.tries;
  ares_channel channel = nullptr;
  int rc = ares_init_options(&channel, &opts,
                             ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES);
  if (rc != ARES_SUCCESS) {
    return Status::Temporary(std::string("c-ares: ") + ares_strerror(rc));
  }
  if (!options.servers_csv.empty()) {
    rc = ares_set_servers_ports_csv(channel, options.servers_csv.c_str());
    if (rc != ARES_SUCCESS) {
      ares_destroy(channel);
      return Status::Permanent("dnsservers: " + std::string(ares_strerror(rc)));
    }
  }
  return std::unique_ptr<Resolver>(new Resolver(channel));
}

Resolver::~Resolver() { ares_destroy(Channel(channel_)); }

QuerySlot Resolver::Query(const std::string& name, int type) {
  QuerySlot slot;
  ares_channel ch = Channel(channel_);
  ares_query(ch, name.c_str(), ns_c_in, type, OnAnswer, &slot);
  // c-ares keeps its own timers: ares_timeout says how long poll may wait,
  // ares_process_fd with no fd fires the expired ones.
  while (!slot.done) {
    ares_socket_t socks[ARES_GETSOCK_MAXNUM];
    int bits = ares_getsock(ch, socks, ARES_GETSOCK_MAXNUM);
    pollfd fds[ARES_GETSOCK_MAXNUM];
    int n = 0;
    for (int i = 0; i < ARES_GETSOCK_MAXNUM; ++i) {
      short events = 0;
      if (ARES_GETSOCK_READABLE(bits, i)) events |= POLLIN;
      if (ARES_GETSOCK_WRITABLE(bits, i)) events |= POLLOUT;
      if (events == 0) continue;
      fds[n].fd = socks[i];
      fds[n].events = events;
      fds[n].revents = 0;
      ++n;
    }
    timeval tv{};
    timeval* tvp = ares_timeout(ch, nullptr, &tv);
    int wait_ms = tvp == nullptr ? 1000
                                 : static_cast<int>(tvp->tv_sec * 1000 +
                                                    tvp->tv_usec / 1000);
    int ready = poll(fds, n, wait_ms);
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) {
      ares_process_fd(ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
      continue;
    }
    for (int i = 0; i < n; ++i) {
      if (fds[i].revents == 0) continue;
      bool readable = (fds[i].revents & (POLLIN | POLLERR | POLLHUP)) != 0;
      bool writable = (fds[i].revents & POLLOUT) != 0;
      ares_process_fd(ch, readable ? fds[i].fd : ARES_SOCKET_BAD,
                      writable ? fds[i].fd : ARES_SOCKET_BAD);
    }
  }
  if (!slot.done) ares_cancel(ch);  // poll failed: the callback runs now
  return slot;
}

Result<std::vector<MxRecord>> Resolver::LookupMx(const std::string& domain) {
  QuerySlot a = Query(domain, ns_t_mx);
  if (IsNoData(a.status)) return std::vector<MxRecord>{};
  if (a.status != ARES_SUCCESS) return QueryError(domain, a.status);
  ares_mx_reply* reply = nullptr;
  int rc = ares_parse_mx_reply(a.bytes.data(), static_cast<int>(a.bytes.size()),
                               &reply);
  if (IsNoData(rc)) return std::vector<MxRecord>{};
  if (rc != ARES_SUCCESS) return QueryError(domain, rc);
  std::vector<MxRecord> records;
  bool null_mx = false;
  for (ares_mx_reply* r = reply; r != nullptr; r = r->next) {
    MxRecord m;
    m.preference = r->priority;
    m.host = CanonicalHost(r->host);
    if (m.host.empty()) {
      null_mx = true;
      continue;
    }
    if (records.size() < kMaxMxRecords) records.push_back(std::move(m));
  }
  ares_free_data(reply);
  if (null_mx && records.empty()) {
    return Status::Permanent("Sorry, " + domain +
                             " does not accept mail (null MX). (#5.1.10)");
  }
  return records;
}

Result<std::vector<IpAddress>> Resolver::LookupAddresses(
    const std::string& host) {
  std::vector<IpAddress> out;
  int statuses[2] = {ARES_SUCCESS, ARES_SUCCESS};
  const int types[2] = {ns_t_a, ns_t_aaaa};
  for (int k = 0; k < 2; ++k) {
    QuerySlot a = Query(host, types[k]);
    statuses[k] = a.status;
    if (a.status != ARES_SUCCESS) continue;
    if (types[k] == ns_t_a) {
      ares_addrttl addrs[kMaxAddressesPerHost];
      int count = kMaxAddressesPerHost;
      int rc = ares_parse_a_reply(a.bytes.data(),
                                  static_cast<int>(a.bytes.size()), nullptr,
                                  addrs, &count);
      statuses[k] = rc;
      if (rc != ARES_SUCCESS) continue;
      for (int i = 0; i < count; ++i) {
        char text[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &addrs[i].ipaddr, text, sizeof text);
        out.push_back({false, text});
      }
    } else {
      ares_addr6ttl addrs[kMaxAddressesPerHost];
      int count = kMaxAddressesPerHost;
      int rc = ares_parse_aaaa_reply(a.bytes.data(),
                                     static_cast<int>(a.bytes.size()),
                                     nullptr, addrs, &count);
      statuses[k] = rc;
      if (rc != ARES_SUCCESS) continue;
      for (int i = 0; i < count; ++i) {
        char text[INET6_ADDRSTRLEN];
        inet_ntop(AF_INET6, &addrs[i].ip6addr, text, sizeof text);
        out.push_back({true, text});
      }
    }
  }
  if (!out.empty()) return out;
  // No address: temporary if either lookup failed temporarily.
  for (int s : statuses) {
    if (s != ARES_SUCCESS && !IsMissing(s) && !IsNoData(s)) {
      return QueryError(host, s);
    }
  }
  if (IsMissing(statuses[0]) || IsMissing(statuses[1])) {
    return QueryError(host, ARES_ENOTFOUND);
  }
  return out;  // the name exists without addresses
}

}  // namespace yubin::dns
