// File descriptors: fork/dup share a socket, close() sends FIN only when the
// last reference goes; FD_CLOEXEC + exec; EMFILE at the fd limit.
#include <gtest/gtest.h>

#include "helpers.hpp"

namespace tcpsim {
namespace {
using test::callResult;
using test::errnoOf;

Time first_fin_from(const Trace& t, const std::string& host) {
  for (const auto& e : t.events)
    if (e.kind == EventKind::Segment && e.seg_op == SegOp::Send && (e.seg.flags & kFin) &&
        t.meta.hosts[e.host].name == host)
      return e.t;
  return -1;
}

const char* kServer = R"(  server:
    host: server
    run:
      - listen: {port: 80, as: lsock}
      - accept: {socket: lsock, as: conn}
      - recv: {socket: conn, until: eof}
      - close: conn
)";

TEST(FdRefcount, DupedSocketSendsFinOnlyWhenLastDescriptorCloses) {
  const Trace t = test::run_yaml(std::string(kServer) + R"(  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
      - dup: {socket: sock, as: sock2}
      - at: 1s
        close: sock
      - at: 2s
        close: sock2
)");
  EXPECT_EQ(first_fin_from(t, "client"), sec(2));
}

TEST(FdRefcount, ForkedChildKeepsConnectionOpenAfterParentCloses) {
  const Trace t = test::run_yaml(std::string(kServer) + R"(  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
      - fork: {run: [{at: 3s, close: sock}]}
      - at: 1s
        close: sock
)");
  EXPECT_EQ(first_fin_from(t, "client"), sec(3));
}

TEST(FdRefcount, CloexecDescriptorIsClosedByExec) {
  const Trace t = test::run_yaml(std::string(kServer) + R"(  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
      - setsockopt: {socket: sock, cloexec: true}
      - fork: {run: [{at: 2s, exec: true}, {sleep: 100s}]}
      - at: 1s
        close: sock
)");
  EXPECT_EQ(first_fin_from(t, "client"), sec(2));
}

TEST(FdRefcount, WithoutCloexecExecKeepsTheConnection) {
  const Trace t = test::run_yaml(std::string(kServer) + R"(  client:
    host: client
    run:
      - connect: {to: "server:80", as: sock}
      - fork: {run: [{at: 2s, exec: true}, {at: 5s, exit: 0}]}
      - at: 1s
        close: sock
)");
  EXPECT_EQ(first_fin_from(t, "client"), sec(5));
}

TEST(FdRefcount, SocketBeyondFdLimitFailsWithEmfile) {
  const Trace t = test::run_yaml(R"(  client:
    host: client
    fd_limit: 5
    run:
      - socket: {as: a}
      - socket: {as: b}
      - socket: {as: c}
        on_error: continue
)");
  EXPECT_EQ(callResult(t, "client", "socket", 1)->ret, 3);
  EXPECT_EQ(callResult(t, "client", "socket", 2)->ret, 4);
  EXPECT_EQ(errnoOf(callResult(t, "client", "socket", 3)), "EMFILE");
}

}  // namespace
}  // namespace tcpsim
