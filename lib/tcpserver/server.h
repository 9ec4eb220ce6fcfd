// server.h: tcpserver's accept loop and per-connection child.
//
//   Result<ServerOptions> o = ParseServerOptions(argc, argv);
//   return ExitWith(RunServer(*o));   // returns only on a fatal error
//
// The parent binds host:port, drops privileges (-u/-g, privileges.h), prints
// the port (-1), then runs one poll loop over the listening socket and a
// self-pipe that the SIGCHLD handler writes to. At the -c limit the
// listening socket is left out of the poll set, so new connections wait in
// the kernel's backlog until a child exits (as ucspi-tcp, which stops
// accepting). -C and -L are decided in the parent before fork; a refused
// connection is closed at once with a logged reason.
//
// When no DNS lookup is asked for (-H and -l), nothing can block, so the
// parent reads the rules, builds the environment and prints the log lines,
// and the forked child only execs (fewer page faults per connection).
// Otherwise the forked child writes the -B banner, looks up host names,
// reopens and consults the -x rules cdb, sets PROTO, TCPLOCALIP,
// TCPLOCALPORT, TCPLOCALHOST, TCPREMOTEIP, TCPREMOTEPORT, TCPREMOTEHOST and
// the rule's variables, removes TCPREMOTEINFO (no ident lookups are made),
// exits 100 on deny and otherwise runs the program with the connection on
// descriptors 0 and 1. SIGTERM ends the server, not the running children.
#ifndef YUBIN_LIB_TCPSERVER_SERVER_H_
#define YUBIN_LIB_TCPSERVER_SERVER_H_

#include "lib/base/status.h"
#include "lib/tcpserver/options.h"

namespace yubin::tcpserver {

Status RunServer(const ServerOptions& options);

}  // namespace yubin::tcpserver

#endif  // YUBIN_LIB_TCPSERVER_SERVER_H_
