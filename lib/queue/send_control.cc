// send_control.cc: see send_control.h.
#include "lib/queue/send_control.h"

#include <unistd.h>

#include "lib/control/control_file.h"
#include "lib/queue/retry_schedule.h"

namespace yubin::queue {
namespace {

std::string HostName() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

}  // namespace

Result<SendControl> ReadSendControl(const std::string& root) {
  const std::string dir = root + "/control/";
  SendControl c;
  Result<std::string> me = control::ReadControlValue(dir + "me", HostName());
  if (!me.ok()) return me.status();
  c.bounce.me = *me;
  auto locals = control::ReadControlLines(dir + "locals");
  if (!locals.ok()) return locals.status();
  auto virt = control::ReadControlLines(dir + "virtualdomains");
  if (!virt.ok()) return virt.status();
  c.rules = MakeRecipientRules(
      locals->has_value() ? **locals : std::vector<std::string>{*me},
      virt->has_value() ? **virt : std::vector<std::string>{});
  auto conc = control::ReadControlNumber(dir + "concurrencylocal",
                                         kDefaultConcurrencyLocal,
                                         kMaxConcurrencyLocal);
  if (!conc.ok()) return conc.status();
  c.concurrency_local = *conc == 0 ? 1 : static_cast<unsigned>(*conc);
  auto rconc = control::ReadControlNumber(dir + "concurrencyremote",
                                          kDefaultConcurrencyRemote,
                                          kMaxConcurrencyRemote);
  if (!rconc.ok()) return rconc.status();
  c.concurrency_remote = *rconc == 0 ? 1 : static_cast<unsigned>(*rconc);
  auto life = control::ReadControlNumber(dir + "queuelifetime",
                                         kDefaultQueueLifetime, 100u * 365 * 86400);
  if (!life.ok()) return life.status();
  c.queue_lifetime = static_cast<time_t>(*life);
  struct {
    const char* name;
    std::string* value;
    std::string fallback;
  } values[] = {
      {"bouncefrom", &c.bounce.bouncefrom, "MAILER-DAEMON"},
      {"bouncehost", &c.bounce.bouncehost, *me},
      {"doublebounceto", &c.bounce.doublebounceto, "postmaster"},
      {"doublebouncehost", &c.bounce.doublebouncehost, *me},
  };
  for (auto& v : values) {
    Result<std::string> r = control::ReadControlValue(dir + v.name, v.fallback);
    if (!r.ok()) return r.status();
    *v.value = *r;
  }
  return c;
}

}  // namespace yubin::queue
