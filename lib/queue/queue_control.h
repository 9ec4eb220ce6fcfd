// queue_control.h: yubin-queuectl, holding, releasing, deleting and
// requeueing queued messages by id (docs/queue.md, "Holding and deleting").
//
//   int code = RunQueueCtl(root, {"hold", "1234", "5678"}, 1);
//   int code = RunQueueCtl(root, {"requeue", "ALL"}, 1);
//
// One line per message on out_fd ("1234: held"), warnings on stderr. Runs
// only as the owner of ROOT/queue or as root (100 otherwise); as root, what
// it creates is given to the queue's owner. Returns 0 when every id was
// handled, 100 on a usage error or when an id is not queued (the others are
// still handled), 111 on a system error (it wins over 100).
#ifndef YUBIN_LIB_QUEUE_QUEUE_CONTROL_H_
#define YUBIN_LIB_QUEUE_QUEUE_CONTROL_H_

#include <string>
#include <vector>

namespace yubin::queue {

inline constexpr char kQueueCtlUsage[] =
    "yubin-queuectl hold|release|delete ID... | requeue ID...|ALL";

int RunQueueCtl(const std::string& root, const std::vector<std::string>& args,
                int out_fd);

}  // namespace yubin::queue

#endif  // YUBIN_LIB_QUEUE_QUEUE_CONTROL_H_
