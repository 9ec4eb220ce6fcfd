// yubin-remote against real peers on loopback: dnsmasq for DNS, Postfix's
// smtp-sink and yubin's own smtpd (under tcpserver) for SMTP.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include <gtest/gtest.h>

#include "lib/control/remote_control.h"
#include "lib/dns/dns_servers.h"
#include "lib/dns/resolver.h"
#include "lib/remote/remote_delivery.h"
#include "tests/harness/harness.h"
#include "tests/remote_peers.h"
#include "tests/smtpd_fixture.h"

namespace yubin::testing {
namespace {

const std::vector<std::string> kRecords = {
    "--mx-host=sink.test,mx.sink.test,10",
    "--host-record=mx.sink.test,127.0.0.1",
    "--mx-host=smtpd.test,mx.smtpd.test,10",
    "--host-record=mx.smtpd.test,127.0.0.1",
    "--host-record=nomx.test,127.0.0.1",
    "--mx-host=v6.test,mx.v6.test,10",
    "--host-record=mx.v6.test,::1",
    "--mx-host=fallback.test,dead.fallback.test,10",
    "--mx-host=fallback.test,live.fallback.test,20",
    "--host-record=dead.fallback.test,127.0.0.2",
    "--host-record=live.fallback.test,127.0.0.1",
    "--mx-host=hang.test,black.hang.test,10",
    "--mx-host=hang.test,live.hang.test,20",
    "--host-record=black.hang.test,127.0.0.3",
    "--host-record=live.hang.test,127.0.0.1",
    "--mx-host=silent.test,mx.silent.test,10",
    "--host-record=mx.silent.test,127.0.0.4",
    "--mx-host=loop.test,me.test,10",
    "--mx-host=addrloop.test,self.addrloop.test,10",
    "--host-record=self.addrloop.test,127.0.0.1",
    "--mx-host=override.test,mx.override.test,10",
    "--host-record=mx.override.test,127.0.0.2",
    "--host-record=relay.test,127.0.0.1",
};

class RemoteTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dns_ = new Dnsmasq();
    ASSERT_TRUE(dns_->Start(kRecords)) << "dnsmasq did not start";
  }
  static void TearDownTestSuite() {
    delete dns_;
    dns_ = nullptr;
  }
  void SetUp() override {
    root_ = MakeTempDir("remote-root");
    mkdir((root_ + "/control").c_str(), 0755);
    mkdir((root_ + "/queue").c_str(), 0700);
    mkdir((root_ + "/queue/lock").c_str(), 0700);
    Control("me", "me.test\n");
    Control("dnsservers", dns_->server() + "\n");
    Control("timeoutconnect", "1\n");
    Control("timeoutremote", "2\n");
    Control("timeoutdns", "1\n");
  }
  void Control(const std::string& name, const std::string& text) {
    WriteFileOrDie(root_ + "/control/" + name, text);
  }
  ProcessResult Remote(const std::string& host,
                       const std::vector<std::string>& rcpts,
                       const std::string& message = "Subject: t\n\nbody\n") {
    std::vector<std::string> argv = {RunfilePath("cmd/yubin-remote/yubin-remote"),
                                     host, "sender@me.test"};
    for (const std::string& r : rcpts) argv.push_back(r);
    return RunProcess(argv, {.input = message, .env = {"YUBIN_ROOT=" + root_},
                             .timeout = 30s});
  }
  static Dnsmasq* dns_;
  std::string root_;
};

Dnsmasq* RemoteTest::dns_ = nullptr;

TEST_F(RemoteTest, DeliversToSmtpSinkThroughMx) {
  SmtpSink sink;
  ASSERT_TRUE(sink.Start("127.0.0.1"));
  Control("smtproutes", "sink.test::" + std::to_string(sink.port()) + "\n");
  ProcessResult r = Remote("sink.test", {"a@sink.test", "b@sink.test"},
                           "Subject: t\n\n.leading dot\nbare\rcr\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> rep = SplitReport(r.out);
  ASSERT_EQ(rep.size(), 3u) << r.out;
  EXPECT_EQ(rep[0][0], 'r') << rep[0];
  EXPECT_EQ(rep[1][0], 'r') << rep[1];
  EXPECT_EQ(rep[2].substr(0, 1), "K") << rep[2];
  EXPECT_NE(rep[2].find("250 2.0.0 Ok"), std::string::npos) << rep[2];
  std::vector<std::string> dumps = sink.Dumps();
  ASSERT_EQ(dumps.size(), 1u);
  EXPECT_NE(dumps[0].find("X-Rcpt-Args: <a@sink.test>"), std::string::npos);
  EXPECT_NE(dumps[0].find("X-Rcpt-Args: <b@sink.test>"), std::string::npos);
  EXPECT_NE(dumps[0].find("X-Helo-Args: me.test"), std::string::npos)
      << dumps[0];
  EXPECT_NE(dumps[0].find("\n.leading dot\n"), std::string::npos) << dumps[0];
  EXPECT_NE(dumps[0].find("\nbare\ncr\n"), std::string::npos)
      << "a bare CR must become a line break; got " << dumps[0];
}

TEST_F(RemoteTest, DeliversToYubinSmtpdWithPerRecipientResults) {
  SmtpdServer smtpd;
  ASSERT_TRUE(smtpd.Start({.control = {{"me", "mx.smtpd.test\n"},
                                       {"rcpthosts", "smtpd.test\n"}}}));
  Control("smtproutes", "smtpd.test::" + std::to_string(smtpd.port()) + "\n");
  Control("helohost", "helo.me.test\n");
  ProcessResult r = Remote("smtpd.test", {"good@smtpd.test", "bad@elsewhere.test"},
                           "Subject: x\n\nline\n.\nafter\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> rep = SplitReport(r.out);
  ASSERT_EQ(rep.size(), 3u) << r.out;
  EXPECT_EQ(rep[0][0], 'r') << rep[0];
  EXPECT_EQ(rep[1][0], 'h') << "got " << rep[1] << ", want a permanent refusal";
  EXPECT_NE(rep[1].find("does not like recipient"), std::string::npos) << rep[1];
  EXPECT_EQ(rep[2][0], 'K') << rep[2];
  ASSERT_TRUE(WaitUntil([&] { return smtpd.Queued().size() == 1; }, 5s));
  std::string id = smtpd.Queued()[0];
  std::string msg = ReadFileOrEmpty(smtpd.queue_dir() + "/" + id + ".msg");
  EXPECT_NE(msg.find("\nline\n.\nafter\n"), std::string::npos) << msg;
  EXPECT_NE(msg.find("helo.me.test"), std::string::npos) << msg;
  std::string env = ReadFileOrEmpty(smtpd.queue_dir() + "/" + id + ".env");
  EXPECT_EQ(env, std::string("Fsender@me.test\0Tgood@smtpd.test\0\0", 34));
}

TEST_F(RemoteTest, SizeLimitIsRespected) {
  SmtpdServer smtpd;
  ASSERT_TRUE(smtpd.Start({.control = {{"rcpthosts", "smtpd.test\n"},
                                       {"databytes", "100\n"}}}));
  Control("smtproutes", "smtpd.test::" + std::to_string(smtpd.port()) + "\n");
  ProcessResult r = Remote("smtpd.test", {"good@smtpd.test"},
                           "Subject: big\n\n" + std::string(500, 'x') + "\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> rep = SplitReport(r.out);
  ASSERT_EQ(rep.size(), 2u) << r.out;
  EXPECT_EQ(rep[0][0], 'h') << rep[0];
  EXPECT_EQ(rep[1][0], 'D') << rep[1];
  EXPECT_NE(rep[1].find("SIZE 100"), std::string::npos) << rep[1];
  EXPECT_TRUE(smtpd.Queued().empty());
}

TEST_F(RemoteTest, RejectsAndGreylisting) {
  SmtpSink hard;
  ASSERT_TRUE(hard.Start("127.0.0.1", {"-f", "RCPT", "-B", "550 5.1.1 No such user"}));
  SmtpSink grey;
  ASSERT_TRUE(grey.Start("127.0.0.1",
                         {"-r", "RCPT", "-b", "451 4.7.1 Greylisted, try later"}));
  SmtpSink drop;
  ASSERT_TRUE(drop.Start("127.0.0.1", {"-q", "DATA"}));
  const std::pair<SmtpSink*, std::string> cases[] = {
      {&hard, "hD"}, {&grey, "sZ"}, {&drop, "sZ"}};
  for (const auto& [sink, want] : cases) {
    Control("smtproutes", "sink.test::" + std::to_string(sink->port()) + "\n");
    ProcessResult r = Remote("sink.test", {"a@sink.test"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::string> rep = SplitReport(r.out);
    ASSERT_EQ(rep.size(), 2u) << r.out;
    EXPECT_EQ(std::string() + rep[0][0] + rep[1][0], want)
        << "got " << rep[0] << " / " << rep[1];
    // smtp-sink may open a dump at MAIL time; no message text reached it.
    for (const std::string& d : sink->Dumps()) {
      EXPECT_EQ(d.find("\nbody\n"), std::string::npos) << d;
    }
  }
}

TEST_F(RemoteTest, OutgoingIpAndHeloFallback) {
  SmtpSink sink;
  ASSERT_TRUE(sink.Start("127.0.0.1", {"-e"}));  // no ESMTP: EHLO refused
  Control("smtproutes", "sink.test::" + std::to_string(sink.port()) + "\n");
  Control("outgoingip", "127.0.0.5\n");
  ProcessResult r = Remote("sink.test", {"a@sink.test"});
  std::vector<std::string> rep = SplitReport(r.out);
  ASSERT_EQ(rep.size(), 2u) << r.out << r.err;
  EXPECT_EQ(rep[1][0], 'K') << rep[1];
  std::vector<std::string> dumps = sink.Dumps();
  ASSERT_EQ(dumps.size(), 1u);
  EXPECT_NE(dumps[0].find("X-Client-Addr: 127.0.0.5"), std::string::npos)
      << dumps[0];
  EXPECT_NE(dumps[0].find("X-Client-Proto: SMTP"), std::string::npos)
      << "want HELO after the refused EHLO; got " << dumps[0];
}

TEST_F(RemoteTest, SmtproutesOverridesMx) {
  SmtpSink sink;
  ASSERT_TRUE(sink.Start("127.0.0.1"));
  // override.test's MX (127.0.0.2) has no server: only the route works.
  Control("smtproutes", "override.test:relay.test:" + std::to_string(sink.port()) +
                            "\n");
  ProcessResult r = Remote("override.test", {"a@override.test"});
  std::vector<std::string> rep = SplitReport(r.out);
  ASSERT_EQ(rep.size(), 2u) << r.out;
  EXPECT_EQ(rep[1][0], 'K') << rep[1];
  EXPECT_EQ(sink.Dumps().size(), 1u);
}

TEST_F(RemoteTest, NoMxFallsBackToAddress) {
  SmtpSink sink;
  ASSERT_TRUE(sink.Start("127.0.0.1"));
  Control("smtproutes", "nomx.test::" + std::to_string(sink.port()) + "\n");
  std::vector<std::string> rep = SplitReport(Remote("nomx.test", {"a@nomx.test"}).out);
  ASSERT_EQ(rep.size(), 2u);
  EXPECT_EQ(rep[1][0], 'K') << rep[1] << "\nsmtp-sink: " << sink.Log();
}

TEST_F(RemoteTest, Ipv6Loopback) {
  SmtpSink sink;
  ASSERT_TRUE(sink.Start("::1"));
  Control("smtproutes", "v6.test::" + std::to_string(sink.port()) + "\n");
  std::vector<std::string> rep = SplitReport(Remote("v6.test", {"a@v6.test"}).out);
  ASSERT_EQ(rep.size(), 2u);
  EXPECT_EQ(rep[1][0], 'K') << rep[1];
  EXPECT_NE(rep[1].find("[::1]"), std::string::npos) << rep[1];
  std::vector<std::string> dumps = sink.Dumps();
  ASSERT_EQ(dumps.size(), 1u);
  EXPECT_NE(dumps[0].find("X-Client-Addr: ipv6:::1"), std::string::npos);
}

TEST_F(RemoteTest, MxLoopIsPermanent) {
  for (const char* domain : {"loop.test", "addrloop.test"}) {
    ProcessResult r = Remote(domain, {std::string("a@") + domain});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::string> rep = SplitReport(r.out);
    ASSERT_EQ(rep.size(), 2u) << r.out;
    EXPECT_EQ(rep[0][0], 'h') << rep[0];
    EXPECT_EQ(rep[1][0], 'D') << rep[1];
    EXPECT_NE(rep[1].find("best-preference MX"), std::string::npos) << rep[1];
  }
}

TEST_F(RemoteTest, DnsErrorsAreClassified) {
  ProcessResult nx = Remote("nx.test", {"a@nx.test"});
  std::vector<std::string> rep = SplitReport(nx.out);
  ASSERT_EQ(rep.size(), 2u) << nx.out;
  EXPECT_EQ(rep[1][0], 'D') << "NXDOMAIN: " << rep[1];
  // Outside its zone this dnsmasq has no upstream and refuses: temporary.
  rep = SplitReport(Remote("elsewhere.example", {"a@elsewhere.example"}).out);
  ASSERT_EQ(rep.size(), 2u);
  EXPECT_EQ(rep[1][0], 'Z') << rep[1];
  // A DNS server that does not answer at all: temporary, within the bound.
  Control("dnsservers", "127.0.0.1:" + std::to_string(PickFreePort()) + "\n");
  auto start = std::chrono::steady_clock::now();
  rep = SplitReport(Remote("sink.test", {"a@sink.test"}).out);
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_EQ(rep.size(), 2u);
  EXPECT_EQ(rep[1][0], 'Z') << rep[1];
  EXPECT_LT(took, 10s);
}

TEST_F(RemoteTest, SilentDnsServerTimesOut) {
  // A UDP socket that never answers: each try waits timeoutdns (1 s here).
  int udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(udp, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  getsockname(udp, reinterpret_cast<sockaddr*>(&a), &len);
  Control("dnsservers", "127.0.0.1:" + std::to_string(ntohs(a.sin_port)) + "\n");
  auto start = std::chrono::steady_clock::now();
  ProcessResult r = Remote("sink.test", {"a@sink.test"});
  auto took = std::chrono::steady_clock::now() - start;
  close(udp);
  std::vector<std::string> rep = SplitReport(r.out);
  ASSERT_EQ(rep.size(), 2u) << r.out;
  EXPECT_EQ(rep[0][0], 's') << rep[0];
  EXPECT_EQ(rep[1][0], 'Z') << rep[1];
  EXPECT_NE(rep[1].find("#4.4.3"), std::string::npos) << rep[1];
  EXPECT_GE(took, 1s);
  EXPECT_LT(took, 15s);
}

TEST_F(RemoteTest, DeadMxFallsBackToNextPreference) {
  SmtpSink sink;
  ASSERT_TRUE(sink.Start("127.0.0.1"));
  // dead.fallback.test is 127.0.0.2: nothing listens there on this port.
  Control("smtproutes", "fallback.test::" + std::to_string(sink.port()) + "\n");
  std::vector<std::string> rep =
      SplitReport(Remote("fallback.test", {"a@fallback.test"}).out);
  ASSERT_EQ(rep.size(), 2u);
  EXPECT_EQ(rep[1][0], 'K') << rep[1];
  EXPECT_EQ(sink.Dumps().size(), 1u);
}

TEST_F(RemoteTest, HangingHostTimesOutAndIsRemembered) {
  SmtpSink sink;
  ASSERT_TRUE(sink.Start("127.0.0.1"));
  SilentListener black;
  ASSERT_TRUE(black.Start("127.0.0.3", sink.port(), /*backlog_full=*/true));
  Control("smtproutes", "hang.test::" + std::to_string(sink.port()) + "\n");
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::string> rep = SplitReport(Remote("hang.test", {"a@hang.test"}).out);
  auto first = std::chrono::steady_clock::now() - t0;
  ASSERT_EQ(rep.size(), 2u);
  EXPECT_EQ(rep[1][0], 'K') << rep[1];
  EXPECT_GE(first, 900ms) << "the first run waits timeoutconnect (1 s)";
  EXPECT_TRUE(FileExists(root_ + "/queue/lock/tcpto"));
  t0 = std::chrono::steady_clock::now();
  rep = SplitReport(Remote("hang.test", {"b@hang.test"}).out);
  auto second = std::chrono::steady_clock::now() - t0;
  ASSERT_EQ(rep.size(), 2u);
  EXPECT_EQ(rep[1][0], 'K') << rep[1];
  EXPECT_LT(second, 900ms) << "the second run skips the remembered host";
  EXPECT_EQ(sink.Dumps().size(), 2u);
}

TEST_F(RemoteTest, SilentServerHitsTimeoutremote) {
  int port = PickFreePort();
  SilentListener quiet;
  ASSERT_TRUE(quiet.Start("127.0.0.4", port, /*backlog_full=*/false));
  Control("smtproutes", "silent.test::" + std::to_string(port) + "\n");
  auto t0 = std::chrono::steady_clock::now();
  ProcessResult r = Remote("silent.test", {"a@silent.test"});
  auto took = std::chrono::steady_clock::now() - t0;
  std::vector<std::string> rep = SplitReport(r.out);
  ASSERT_EQ(rep.size(), 2u) << r.out;
  EXPECT_EQ(rep[0][0], 's') << rep[0];
  EXPECT_EQ(rep[1][0], 'Z') << rep[1];
  EXPECT_NE(rep[1].find("timed out"), std::string::npos) << rep[1];
  EXPECT_GE(took, 1900ms);
  EXPECT_LT(took, 10s);
}

TEST_F(RemoteTest, BatchReusesOneConnection) {
  SmtpSink sink;
  // -n 1: smtp-sink exits after one session, so a second connection for
  // the second message would be refused.
  ASSERT_TRUE(sink.Start("127.0.0.1", {"-n", "1"}));
  Control("smtproutes", "sink.test::" + std::to_string(sink.port()) + "\n");
  Result<control::RemoteControl> c =
      control::LoadRemoteControl(root_ + "/control", "unused");
  ASSERT_TRUE(c.ok()) << c.status().message();
  dns::ResolverOptions ro;
  ro.servers_csv = *dns::DnsServersCsv(c->dnsservers);
  Result<std::unique_ptr<dns::Resolver>> resolver = dns::Resolver::Create(ro);
  ASSERT_TRUE(resolver.ok());
  std::vector<std::unique_ptr<FILE, int (*)(FILE*)>> files;
  std::vector<smtpclient::OutgoingMessage> batch;
  for (int i = 0; i < 3; ++i) {
    files.emplace_back(tmpfile(), fclose);
    std::string text = "Subject: " + std::to_string(i) + "\n\nbody\n";
    fputs(text.c_str(), files.back().get());
    fflush(files.back().get());
    batch.push_back({"s@me.test", {"r" + std::to_string(i) + "@sink.test"},
                     fileno(files.back().get()), text.size(), false});
  }
  remote::RemoteDelivery rd(*c, **resolver, "", remote::LocalAddresses());
  std::vector<smtpclient::MessageOutcome> out = rd.DeliverBatch("sink.test", batch);
  ASSERT_EQ(out.size(), 3u);
  for (const smtpclient::MessageOutcome& o : out) {
    EXPECT_EQ(o.verdict, smtpclient::Verdict::kAccepted) << o.text;
  }
  std::vector<std::string> dumps = sink.Dumps();
  ASSERT_EQ(dumps.size(), 3u);
  std::string all = dumps[0] + dumps[1] + dumps[2];
  for (int i = 0; i < 3; ++i) {
    EXPECT_NE(all.find("X-Rcpt-Args: <r" + std::to_string(i) + "@sink.test>"),
              std::string::npos);
  }
}

TEST_F(RemoteTest, UsageAndBadControl) {
  ProcessResult usage = RunProcess({RunfilePath("cmd/yubin-remote/yubin-remote"), "x"});
  EXPECT_EQ(usage.exit_code, 100);
  Control("smtproutes", "broken line\n");
  ProcessResult r = Remote("sink.test", {"a@sink.test"});
  EXPECT_EQ(r.exit_code, 111) << r.out;
  EXPECT_TRUE(r.out.empty()) << "no report when it could not run";
}

}  // namespace
}  // namespace yubin::testing
