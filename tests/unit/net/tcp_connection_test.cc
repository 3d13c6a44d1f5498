// TcpConnection and ConnectionTable lifetimes with completions injected directly (issue 10
// defects 1 and 2, force close, deadlines). Run under ASan to catch use-after-free.
#include "net/tcp_connection.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <string>

#include "net_test_util.h"

namespace asobi {
namespace {

using nettest::Events;
using nettest::NetTest;
using nettest::ScriptedHandler;
using Peer = TcpConnectionTestPeer;

class TcpConnectionTest : public NetTest {};

// Defect 1. Connection A is released first (the old table flush got queued), then B queues
// a response and is released by an RST while its previous send was in flight, all in one
// turn. The old table flush freed B before B's own queued flush ran on it: ASan reported a
// heap-use-after-free in Reactor::RunFlushes. Now each connection is freed in its own flush.
TEST_F(TcpConnectionTest, ReleaseInTheTurnOfAnotherReleaseDoesNotFreeAQueuedConnection) {
  Events ea, eb;
  TcpConnection* conn_a = NewConn(&ea);
  TcpConnection* conn_b = NewConn(&eb);
  ConnId id_a = conn_a->id(), id_b = conn_b->id();
  conn_b->Send("response 1");
  Turn();  // B's first send is now in flight
  ASSERT_TRUE(Peer::send_inflight(*conn_b));

  // The completions of one turn: A closes (EOF after our Close), then B's peer resets.
  conn_a->Close();
  Turn();  // A: shutdown issued, waiting for its receive to end
  ASSERT_TRUE(Peer::shut_down(*conn_a));
  Peer::Recv(*conn_a, 0, 0);  // A released: in the old code this queued the table's flush
  EXPECT_EQ(table().Find(id_a), nullptr);
  conn_b->Send("response 2");  // B queues its flush after the table's
  Peer::Recv(*conn_b, -ECONNRESET, 0);
  Peer::Sent(*conn_b, -ECONNRESET);  // B released in the same turn
  EXPECT_EQ(table().Find(id_b), nullptr);
  EXPECT_EQ(table().graveyard_size(), 2u);
  Turn();  // the flushes: must not touch freed memory
  EXPECT_EQ(table().graveyard_size(), 0u);
  EXPECT_EQ(ea.closed, 1);
  EXPECT_EQ(eb.closed, 1);
  EXPECT_EQ(table().size(), 0u);
}

TEST_F(TcpConnectionTest, RstWhileASendIsInFlightDropsQueuedBytesAndReleasesOnce) {
  Events ev;
  TcpConnection* c = NewConn(&ev);
  ConnId id = c->id();
  Peer::RecvData(*c, "GET / HTTP/1.1\r\n\r\n");
  EXPECT_EQ(ev.data, "GET / HTTP/1.1\r\n\r\n");
  c->Send("first part");
  Turn();
  ASSERT_TRUE(Peer::send_inflight(*c));
  c->Send("second part");
  Peer::Recv(*c, -ECONNRESET, 0);  // the peer resets: nothing can be delivered any more
  EXPECT_EQ(Peer::pending_bytes(*c), 0u);
  c->Send("after the reset");  // dropped
  EXPECT_EQ(Peer::pending_bytes(*c), 0u);
  Turn();
  EXPECT_TRUE(Peer::send_inflight(*c));  // the stuck send is still the kernel's
  EXPECT_EQ(ev.closed, 0);
  Peer::Sent(*c, -EPIPE);
  EXPECT_EQ(ev.closed, 1);
  EXPECT_EQ(table().Find(id), nullptr);
  Turn();
  EXPECT_EQ(table().graveyard_size(), 0u);
  EXPECT_EQ(ev.closed, 1);
}

// A receive retry posted for a connection (buffer ring empty) must find it gone, not run on
// freed memory, when the connection is released before the retry runs.
TEST_F(TcpConnectionTest, PostedReceiveRetryAfterReleaseFindsNothing) {
  Events ev;
  TcpConnection* c = NewConn(&ev);
  ConnId id = c->id();
  Peer::Recv(*c, -ENOBUFS, 0);  // multishot ended, retry posted for the next turn
  EXPECT_FALSE(Peer::recv_armed(*c));
  c->Close();
  Turn();  // flush: shutdown; no receive armed, nothing in flight: released and freed
  EXPECT_EQ(table().Find(id), nullptr);
  EXPECT_EQ(ev.closed, 1);
  Turn();  // the posted retry runs now
  Turn();
  EXPECT_EQ(table().graveyard_size(), 0u);
  // The slot is reused with a new generation: the old id stays dead.
  Events ev2;
  TcpConnection* c2 = NewConn(&ev2);
  EXPECT_EQ(c2->id().index, id.index);
  EXPECT_NE(c2->id().gen, id.gen);
  EXPECT_EQ(table().Find(id), nullptr);
  EXPECT_EQ(table().Find(c2->id()), c2);
}

TEST_F(TcpConnectionTest, PeerEofStillDeliversTheQueuedResponse) {
  Events ev;
  TcpConnection* c = NewConn(&ev);
  ConnId id = c->id();
  Peer::RecvData(*c, "request");
  c->Send("response");
  Peer::Recv(*c, 0, 0);  // half-close after the request
  Turn();
  ASSERT_TRUE(Peer::send_inflight(*c));
  EXPECT_EQ(Peer::Inflight(*c), "response");
  EXPECT_EQ(ev.closed, 0);
  Peer::Sent(*c, 8);
  Turn();  // sent: shut down, released and freed
  EXPECT_EQ(ev.closed, 1);
  EXPECT_EQ(table().Find(id), nullptr);
}

class SendQueueBoundTest : public NetTest {
 protected:
  void SetUp() override {
    TcpConnection::Limits l;
    l.send_queue_bytes_max = 1000;
    table().SetLimits(l);
  }
};

TEST_F(SendQueueBoundTest, ExactlyAtTheBoundIsNoOverflowOneMoreByteIs) {
  Events ev;
  TcpConnection* c = NewConn(&ev);
  c->Send(std::string(1000, 'a'));
  EXPECT_EQ(ev.overflows, 0);
  EXPECT_FALSE(c->closing());
  c->Send("b");
  EXPECT_EQ(ev.overflows, 1);
  EXPECT_TRUE(c->closing());
  EXPECT_EQ(Peer::Pending(*c), "BYE");  // AbortWith dropped the queue, kept the final bytes
  EXPECT_EQ(metrics().send_overflow_closes.load(), 1u);
}

// Defect 2. With bytes in flight within one close frame of the bound, the old AbortWith ->
// Send -> CheckOverflow -> OnSendOverflow -> AbortWith recursed until the stack overflowed.
TEST_F(SendQueueBoundTest, CloseFrameWithinTheBoundOfTheInflightBytesDoesNotRecurse) {
  Events ev;
  TcpConnection* c = NewConn(&ev);
  c->Send(std::string(998, 'a'));
  Turn();
  ASSERT_EQ(Peer::inflight_bytes(*c), 998u);
  c->Send("xyz");  // 1001 queued: overflow; the handler aborts with "BYE" (998 + 3 > 1000)
  EXPECT_EQ(ev.overflows, 1);
  EXPECT_EQ(Peer::Pending(*c), "BYE");
  c->Send("late frame");  // nothing after the final bytes
  c->Send(SharedBuffer::Copy("late shared frame"));
  EXPECT_EQ(Peer::Pending(*c), "BYE");
  EXPECT_EQ(ev.overflows, 1);
  Peer::Sent(*c, 998);
  Turn();
  EXPECT_EQ(Peer::Inflight(*c), "BYE");
  Peer::Sent(*c, 3);
  Turn();
  EXPECT_TRUE(Peer::shut_down(*c));
}

TEST_F(SendQueueBoundTest, AHandlerThatSendsFromOnSendOverflowIsClosedOnce) {
  Events ev;
  ScriptedHandler* h = nullptr;
  TcpConnection* c = NewConn(&ev, &h);
  h->on_overflow = [](TcpConnection& conn) { conn.Send(std::string(5000, 'z')); };
  c->Send(std::string(1001, 'a'));
  EXPECT_EQ(ev.overflows, 1);
  EXPECT_TRUE(c->closing());  // closed for it (gracefully: what was queued still goes)
  size_t queued = c->queued_bytes();
  c->Send("more");
  EXPECT_EQ(c->queued_bytes(), queued);
}

TEST_F(SendQueueBoundTest, CloseThenAbortAppendsNoSecondFinalFrame) {
  Events ev;
  TcpConnection* c = NewConn(&ev);
  c->Send("close-frame-1");
  c->Close();
  c->AbortWith("close-frame-2");
  EXPECT_EQ(Peer::Pending(*c), "");  // abort discards; the first close decided the end
  c->Send("data");
  EXPECT_EQ(Peer::Pending(*c), "");
}

class ForceCloseTest : public NetTest {
 protected:
  void SetUp() override {
    TcpConnection::Limits l;
    l.close_timeout_ms = 1000;
    table().SetLimits(l);
  }
};

TEST_F(ForceCloseTest, CloseWithAStuckSendIsResetAfterTheCloseTimeout) {
  Events ev;
  TcpConnection* c = NewConn(&ev);
  ConnId id = c->id();
  c->Send(std::string(100, 'x'));
  Turn();
  ASSERT_TRUE(Peer::send_inflight(*c));
  c->Close();  // the peer never reads: the send never completes
  Turn(500);
  EXPECT_FALSE(Peer::shut_down(*c));
  EXPECT_EQ(metrics().force_closes.load(), 0u);
  Turn(700);  // 1,200 ms after Close(): at most one 100 ms tick late
  EXPECT_EQ(metrics().force_closes.load(), 1u);
  EXPECT_TRUE(Peer::shut_down(*c));
  // shutdown(2) and the cancel complete both operations; then the connection goes.
  Peer::Sent(*c, -ECANCELED);
  EXPECT_EQ(ev.closed, 0);
  Peer::Recv(*c, 0, 0);
  EXPECT_EQ(ev.closed, 1);
  EXPECT_EQ(table().Find(id), nullptr);
  Turn();
  EXPECT_EQ(table().graveyard_size(), 0u);
  // The socket was reset, not drained: our end is closed, the peer sees the end of it.
  char b;
  EXPECT_LE(::recv(peers_[0], &b, 1, MSG_DONTWAIT), 0);
}

TEST_F(ForceCloseTest, SendProgressWhileClosingPostponesTheForceClose) {
  Events ev;
  TcpConnection* c = NewConn(&ev);
  c->Send(std::string(100, 'x'));
  Turn();
  c->Close();
  Turn(800);
  Peer::Sent(*c, 50);  // a slow reader, but a reader: re-armed from now
  Turn(700);           // 1,500 ms after Close(), 700 ms after progress
  EXPECT_EQ(metrics().force_closes.load(), 0u);
  EXPECT_FALSE(Peer::shut_down(*c));
  Turn(500);  // 1,200 ms after the last progress
  EXPECT_EQ(metrics().force_closes.load(), 1u);
  EXPECT_TRUE(Peer::shut_down(*c));
}

TEST_F(ForceCloseTest, AClosedConnectionThatDrainsIsNotForced) {
  Events ev;
  TcpConnection* c = NewConn(&ev);
  c->Send("bye");
  c->Close();
  Turn();
  Peer::Sent(*c, 3);
  Turn();
  Peer::Recv(*c, 0, 0);
  EXPECT_EQ(ev.closed, 1);
  Turn(5000);
  EXPECT_EQ(metrics().force_closes.load(), 0u);
}

TEST_F(TcpConnectionTest, DeadlineFiresOnceNeverEarlyAndReArmingPostponesIt) {
  Events ev;
  ScriptedHandler* h = nullptr;
  TcpConnection* c = NewConn(&ev, &h);
  h->on_deadline = [](TcpConnection&) {};  // count only
  c->SetDeadline(1000);
  const int64_t first = c->deadline_ms();
  EXPECT_EQ(first, now() + 1000);
  Turn(500);
  c->SetDeadline(1000);  // re-arm (e.g. a byte arrived)
  EXPECT_EQ(c->deadline_ms(), now() + 1000);
  const int64_t due = c->deadline_ms();
  Turn(due - 1 - now());  // passes the first deadline, 1 ms before the second
  EXPECT_EQ(ev.deadlines, 0);
  EXPECT_EQ(c->deadline_ms(), due);
  Turn(101);  // the tick after `due` has passed
  EXPECT_EQ(ev.deadlines, 1);
  EXPECT_EQ(c->deadline_ms(), 0);
  Turn(5000);
  EXPECT_EQ(ev.deadlines, 1);
}

TEST_F(TcpConnectionTest, ClearedDeadlineNeverFires) {
  Events ev;
  TcpConnection* c = NewConn(&ev);
  c->SetDeadline(200);
  c->ClearDeadline();
  EXPECT_EQ(c->deadline_ms(), 0);
  Turn(1000);
  EXPECT_EQ(ev.deadlines, 0);
  EXPECT_FALSE(c->closing());
}

TEST_F(TcpConnectionTest, DefaultOnDeadlineClosesAtOnceDiscardingQueuedData) {
  Events ev;
  TcpConnection* c = NewConn(&ev);
  ConnId id = c->id();
  c->SetDeadline(100);
  c->Send("unsent");
  Turn(300);
  EXPECT_EQ(ev.deadlines, 1);
  EXPECT_TRUE(c->closing());
  EXPECT_EQ(Peer::Pending(*c), "");
  EXPECT_TRUE(Peer::shut_down(*c));
  Peer::Recv(*c, 0, 0);
  EXPECT_EQ(table().Find(id), nullptr);
}

TEST_F(TcpConnectionTest, DeadlineOfAReleasedConnectionNeverFires) {
  Events ev;
  TcpConnection* c = NewConn(&ev);
  c->SetDeadline(100);
  c->Close();
  Turn();
  Peer::Recv(*c, 0, 0);  // released and (next flush) freed with its deadline armed
  Turn(1000);
  EXPECT_EQ(ev.deadlines, 0);
  EXPECT_EQ(table().graveyard_size(), 0u);
}

TEST_F(TcpConnectionTest, ManyIdleDeadlinesCostNoWorkUntilTheirTick) {
  std::vector<Events> evs(2000);
  for (Events& ev : evs) {
    ScriptedHandler* h = nullptr;
    TcpConnection* c = NewConn(&ev, &h);
    h->on_deadline = [](TcpConnection&) {};
    c->SetDeadline(60000);
  }
  EXPECT_EQ(reactor().wheel().armed_count(), 2000u);
  EXPECT_EQ(reactor().timer_heap_size(), 0u);  // no heap timer per connection
  Turn(59000);
  int fired = 0;
  for (Events& ev : evs) fired += ev.deadlines;
  EXPECT_EQ(fired, 0);
  Turn(1100);
  fired = 0;
  for (Events& ev : evs) fired += ev.deadlines;
  EXPECT_EQ(fired, 2000);
}

}  // namespace
}  // namespace asobi
