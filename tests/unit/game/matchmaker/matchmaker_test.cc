// Matchmaker across fake shards: tickets, replies, pushes, expiry, disconnects, bots and
// placement (websocket.md §6, rest.md §3.11, lua.md §10).
#include "game/matchmaker/matchmaker.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "fake_cluster.h"
#include "game/match/match_id.h"

namespace asobi::matchmaker {
namespace {

using testing::FakeClient;
using testing::FakeCluster;

// "p" + n without operator+ (GCC 12 reports a false -Wrestrict on it at -O3).
std::string Name(const char* prefix, size_t n) {
  return std::string(prefix).append(std::to_string(n));
}

struct PlaceCall {
  int shard;
  std::string mode;
  std::vector<PlacedPlayer> players;
  std::string match_id;  // the id the matchmaker chose ("" = none)
};

// A seat claim or release seen by the fake database (docs/decisions.md "Seat claims").
struct SeatCall {
  std::vector<std::string> players;
  std::string match_id;
};

class MatchmakerTest : public ::testing::Test {
 protected:
  void Start(int shards, MatchmakerOptions opts = {}) {
    cluster_ = std::make_unique<FakeCluster>(shards);
    node_ = std::make_unique<MatchmakerNode>(
        opts,
        [this](const std::string& name) -> std::optional<ModeInfo> {
          auto it = modes_.find(name);
          if (it == modes_.end()) return std::nullopt;
          return it->second;
        },
        shards);
    for (int s = 0; s < shards; ++s) {
      MatchmakerDeps deps;
      deps.place = [this, s](const std::string& mode, const std::string& match_id,
                             std::vector<PlacedPlayer> players,
                             std::function<void(PlacementResult)> done) {
        places_.push_back(PlaceCall{s, mode, players, match_id});
        PlacementResult r;
        if (fail_placement_) {
          r.reason = "match_start_failed";
        } else {
          r.match_id = match_id.empty() ? Name("match-", places_.size()) : match_id;
          for (const auto& p : players) {
            (refuse_.count(p.player_id) ? r.refused : r.joined).push_back(p.player_id);
          }
        }
        done(r);
      };
      deps.in_match = [this](const std::string& p) { return in_match_.count(p) > 0; };
      deps.shard_load = [this](int shard) { return loads_.count(shard) ? loads_[shard] : 0; };
      if (seats_) {
        deps.claim_seats = [this](std::vector<std::string> players, std::string match_id,
                                  MatchmakerDeps::SeatsDone done) {
          claims_.push_back(SeatCall{players, match_id});
          if (seat_error_) return done(MakeError("db_unavailable"));
          std::vector<std::string> held;
          for (const std::string& p : players) {
            if (held_elsewhere_.count(p)) held.push_back(p);
          }
          done(std::move(held));
        };
        deps.release_seats = [this](std::vector<std::string> players, std::string match_id) {
          releases_.push_back(SeatCall{std::move(players), std::move(match_id)});
        };
      }
      mms_.push_back(std::make_unique<Matchmaker>(*node_, cluster_->host(s), deps));
    }
  }
  void AddMode(const std::string& name, int size, std::string strategy = "fill",
               int bot_target = 0) {
    ModeInfo m;
    m.name = name;
    m.match_size = size;
    m.max_players = size;
    m.strategy = std::move(strategy);
    m.bot_target = bot_target;
    modes_[name] = m;
  }
  Result<AddReply> Add(FakeClient& c, const std::string& mode, double skill = 1000) {
    AddRequest req;
    req.player_id = c.player_id();
    req.mode = mode;
    req.skill = skill;
    req.client = c.ref();
    return AddAs(c.ref().shard, std::move(req));
  }
  Result<AddReply> AddAs(int shard, AddRequest req) {
    std::optional<Result<AddReply>> out;
    mms_[size_t(shard)]->Add(std::move(req), [&](Result<AddReply> r) { out = std::move(r); });
    cluster_->Drain();
    EXPECT_TRUE(out.has_value());
    return out.value_or(Result<AddReply>(MakeError("no_reply")));
  }
  Status Remove(int shard, const std::string& ticket, const std::string& player) {
    std::optional<Status> out;
    mms_[size_t(shard)]->Remove(ticket, player, [&](Status s) { out = std::move(s); });
    cluster_->Drain();
    EXPECT_TRUE(out.has_value());
    return out.value_or(Status(MakeError("no_reply")));
  }
  Result<TicketStatus> Get(int shard, const std::string& ticket, const std::string& player) {
    std::optional<Result<TicketStatus>> out;
    mms_[size_t(shard)]->Get(ticket, player, [&](Result<TicketStatus> r) { out = std::move(r); });
    cluster_->Drain();
    EXPECT_TRUE(out.has_value());
    return out.value_or(Result<TicketStatus>(MakeError("no_reply")));
  }
  size_t Queued(const std::string& mode) {
    return mms_[size_t(node_->QueueShardOf(mode))]->QueuedHere(mode);
  }

  std::unique_ptr<FakeCluster> cluster_;
  std::unique_ptr<MatchmakerNode> node_;
  std::vector<std::unique_ptr<Matchmaker>> mms_;
  std::map<std::string, ModeInfo> modes_;
  std::vector<PlaceCall> places_;
  std::set<std::string> in_match_, refuse_;
  std::map<int, int64_t> loads_;
  bool fail_placement_ = false;
  // Seat claims: on when seats_ is set before Start.
  bool seats_ = false;
  bool seat_error_ = false;
  std::set<std::string> held_elsewhere_;
  std::vector<SeatCall> claims_, releases_;
};

TEST_F(MatchmakerTest, TwoPlayersOnDifferentShardsGetTheSameMatch) {
  Start(3);
  AddMode("duel", 2);
  FakeClient& a = cluster_->Connect(0, "alice");
  FakeClient& b = cluster_->Connect(2, "bob");
  auto ra = Add(a, "duel");
  ASSERT_TRUE(ra.ok());
  EXPECT_EQ(ra->players_needed, 2);
  EXPECT_FALSE(ra->already_queued);
  EXPECT_EQ(match::OwnerShardOf(ra->ticket_id, 3), node_->QueueShardOf("duel"));
  EXPECT_EQ(node_->pending_tickets(), 1);
  ASSERT_TRUE(Add(b, "duel").ok());
  EXPECT_TRUE(a.With("match.matched").empty());  // the eager pass has not run yet
  cluster_->Advance(50);
  ASSERT_EQ(a.With("match.matched").size(), 1u);
  ASSERT_EQ(b.With("match.matched").size(), 1u);
  EXPECT_EQ(a.With("match.matched")[0], b.With("match.matched")[0]);
  EXPECT_EQ(
      a.With("match.matched")[0],
      R"({"type":"match.matched","payload":{"match_id":"match-1","players":["alice","bob"]}})");
  EXPECT_EQ(Queued("duel"), 0u);
  EXPECT_EQ(node_->pending_tickets(), 0);
  EXPECT_EQ(mms_[0]->SocketTickets(a.ref()), 0u);
  auto st = Get(1, ra->ticket_id, "alice");
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->status, "matched");
  EXPECT_EQ(st->match_id, "match-1");
}

TEST_F(MatchmakerTest, ReAddReturnsTheSameTicketAndKeepsWaitingTime) {
  Start(2);
  AddMode("duel", 2);
  FakeClient& a = cluster_->Connect(0, "alice");
  FakeClient& a2 = cluster_->Connect(1, "alice");
  auto first = Add(a, "duel");
  cluster_->Advance(30'000);
  auto again = Add(a2, "duel");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->already_queued);
  EXPECT_EQ(again->ticket_id, first->ticket_id);
  EXPECT_EQ(Queued("duel"), 1u);
  EXPECT_EQ(node_->pending_tickets(), 1);
  cluster_->Advance(31'000);  // 61 s after the first add: expired for both sockets
  EXPECT_EQ(a.With("match.matchmaker_expired").size(), 1u);
  EXPECT_EQ(a2.With("match.matchmaker_expired").size(), 1u);
  EXPECT_NE(a.frames.back().find(first->ticket_id), std::string::npos);
}

// The node drains (SIGTERM): every queued ticket, whichever shard owns its queue, leaves
// with match.matchmaker_expired so that its player queues again on another node.
TEST_F(MatchmakerTest, DropAllTicketsExpiresEveryQueuedTicket) {
  Start(2);
  AddMode("duel", 2);
  AddMode("trio", 3);
  FakeClient& a = cluster_->Connect(0, "alice");
  FakeClient& b = cluster_->Connect(1, "bob");
  auto ra = Add(a, "duel");
  auto rb = Add(b, "trio");
  ASSERT_TRUE(ra.ok());
  ASSERT_TRUE(rb.ok());
  for (auto& m : mms_) m->DropAllTickets();
  cluster_->Drain();
  EXPECT_EQ(Queued("duel"), 0u);
  EXPECT_EQ(Queued("trio"), 0u);
  EXPECT_EQ(node_->pending_tickets(), 0);
  ASSERT_EQ(a.With("match.matchmaker_expired").size(), 1u);
  ASSERT_EQ(b.With("match.matchmaker_expired").size(), 1u);
  EXPECT_NE(a.With("match.matchmaker_expired")[0].find(ra->ticket_id), std::string::npos);
  EXPECT_NE(b.With("match.matchmaker_expired")[0].find(rb->ticket_id), std::string::npos);
}

TEST_F(MatchmakerTest, UnknownModeQueueFullAndInMatchAreRefused) {
  MatchmakerOptions o;
  o.queue_max = 2;
  Start(2, o);
  AddMode("solo4", 4);
  FakeClient& a = cluster_->Connect(0, "a");
  FakeClient& b = cluster_->Connect(0, "b");
  FakeClient& c = cluster_->Connect(1, "c");
  FakeClient& d = cluster_->Connect(1, "d");
  EXPECT_EQ(Add(a, "nope").error().reason, "unknown_mode");
  ASSERT_TRUE(Add(a, "solo4").ok());
  ASSERT_TRUE(Add(b, "solo4").ok());
  EXPECT_EQ(Add(c, "solo4").error().reason, "queue_full");
  EXPECT_TRUE(Add(a, "solo4")->already_queued);  // a re-add never counts against the cap
  in_match_.insert("d");
  EXPECT_EQ(Add(d, "solo4").error().reason, "already_in_match");
  EXPECT_EQ(node_->pending_tickets(), 2);
}

TEST_F(MatchmakerTest, RemoveTwiceAndSomeoneElsesTicket) {
  Start(2);
  AddMode("duel", 2);
  FakeClient& a = cluster_->Connect(0, "alice");
  auto t = Add(a, "duel");
  EXPECT_EQ(Remove(1, t->ticket_id, "mallory").error().reason, "not_owner");
  EXPECT_EQ(Get(1, t->ticket_id, "mallory").error().reason, "not_owner");
  EXPECT_TRUE(Remove(0, t->ticket_id, "alice").ok());
  EXPECT_EQ(Remove(0, t->ticket_id, "alice").error().reason, "not_found");
  EXPECT_EQ(Remove(0, "not-a-ticket", "alice").error().reason, "not_found");
  EXPECT_EQ(Get(0, t->ticket_id, "alice").error().reason, "not_found");
  EXPECT_EQ(node_->pending_tickets(), 0);
  EXPECT_EQ(mms_[0]->SocketTickets(a.ref()), 0u);
}

TEST_F(MatchmakerTest, DisconnectWhileQueuedDropsTheTicketSilently) {
  Start(2);
  AddMode("duel", 2);
  FakeClient& a = cluster_->Connect(0, "alice");
  auto t = Add(a, "duel");
  EXPECT_EQ(mms_[0]->SocketTickets(a.ref()), 1u);
  ClientRef ref = cluster_->Disconnect(a);
  mms_[0]->OnClientClosed(ref);
  cluster_->Drain();
  EXPECT_EQ(Queued("duel"), 0u);
  EXPECT_EQ(node_->pending_tickets(), 0);
  FakeClient& b = cluster_->Connect(1, "bob");
  Add(b, "duel");
  cluster_->Advance(2000);
  EXPECT_TRUE(b.With("match.matched").empty());  // alice is not matched after she left
}

TEST_F(MatchmakerTest, RestTicketSurvivesSocketsAndExpires) {
  Start(2);
  AddMode("duel", 2);
  AddRequest req;
  req.player_id = "alice";
  req.mode = "duel";
  auto t = AddAs(1, req);
  ASSERT_TRUE(t.ok());
  FakeClient& a = cluster_->Connect(0, "alice");
  EXPECT_TRUE(Add(a, "duel")->already_queued);
  mms_[0]->OnClientClosed(cluster_->Disconnect(a));
  cluster_->Drain();
  EXPECT_EQ(Queued("duel"), 1u);
  auto st = Get(0, t->ticket_id, "alice");
  EXPECT_EQ(st->status, "pending");
  EXPECT_GT(st->submitted_at_ms, 0);
  cluster_->Advance(62'000);
  EXPECT_EQ(Get(0, t->ticket_id, "alice")->status, "expired");
  cluster_->Advance(61'000);
  EXPECT_EQ(Get(0, t->ticket_id, "alice").error().reason, "not_found");
}

TEST_F(MatchmakerTest, BotsFillAQueueWithOneHuman) {
  Start(2);
  AddMode("skirmish", 4, "fill", 4);
  modes_["skirmish"].bot_names = {"Ada", "bad name!", ""};
  FakeClient& a = cluster_->Connect(1, "alice");
  Add(a, "skirmish");
  cluster_->Advance(100);
  EXPECT_TRUE(places_.empty());
  cluster_->Advance(8000);  // lua.md §10: every 8 s
  ASSERT_EQ(places_.size(), 1u);
  ASSERT_EQ(places_[0].players.size(), 4u);
  EXPECT_EQ(places_[0].players[0].player_id, "alice");
  std::vector<std::string> bots;
  for (size_t i = 1; i < 4; ++i) {
    EXPECT_TRUE(places_[0].players[i].bot);
    bots.push_back(places_[0].players[i].player_id);
  }
  EXPECT_EQ(bots[0].rfind("bot_Ada_", 0), 0u);
  EXPECT_EQ(bots[1].rfind("bot_2_", 0), 0u);  // invalid name: position number
  EXPECT_EQ(bots[2].rfind("bot_3_", 0), 0u);
  EXPECT_EQ(bots[0].size(), std::string("bot_Ada_").size() + 6);
  ASSERT_EQ(a.With("match.matched").size(), 1u);
  EXPECT_NE(a.With("match.matched")[0].find(bots[2]), std::string::npos);
  EXPECT_EQ(node_->pending_tickets(), 0);
}

TEST_F(MatchmakerTest, NoHumanNoBots) {
  Start(1);
  AddMode("skirmish", 4, "fill", 4);
  FakeClient& a = cluster_->Connect(0, "alice");
  auto t = Add(a, "skirmish");
  Remove(0, t->ticket_id, "alice");
  cluster_->Advance(9000);
  EXPECT_TRUE(places_.empty());
  EXPECT_EQ(Queued("skirmish"), 0u);
}

TEST_F(MatchmakerTest, FailedPlacementTellsEveryoneAndEmptiesTheQueue) {
  Start(2);
  AddMode("duel", 2);
  fail_placement_ = true;
  FakeClient& a = cluster_->Connect(0, "alice");
  FakeClient& b = cluster_->Connect(1, "bob");
  auto t = Add(a, "duel");
  Add(b, "duel");
  cluster_->Advance(50);
  EXPECT_EQ(a.With("match.matchmaker_failed").size(), 1u);
  EXPECT_EQ(b.frames.back(),
            R"({"type":"match.matchmaker_failed","payload":{"reason":"match_start_failed"}})");
  EXPECT_EQ(Queued("duel"), 0u);
  EXPECT_EQ(Get(0, t->ticket_id, "alice")->status, "failed");
}

TEST_F(MatchmakerTest, RefusedPlayerIsToldAndOthersPlay) {
  Start(1);
  AddMode("duel", 2);
  refuse_.insert("bob");
  FakeClient& a = cluster_->Connect(0, "alice");
  FakeClient& b = cluster_->Connect(0, "bob");
  Add(a, "duel");
  Add(b, "duel");
  cluster_->Advance(50);
  ASSERT_EQ(a.With("match.matched").size(), 1u);
  EXPECT_EQ(a.With("match.matched")[0].find("bob"), std::string::npos);
  EXPECT_EQ(b.With("match.matchmaker_failed").size(), 1u);
}

TEST_F(MatchmakerTest, GroupsGoToTheLeastLoadedShards) {
  Start(3);
  AddMode("duel", 2);
  loads_ = {{0, 5}, {1, 0}, {2, 1}};
  for (int i = 0; i < 6; ++i) cluster_->Connect(i % 3, Name("p", i));
  for (int i = 0; i < 6; ++i) {
    AddRequest req;
    req.player_id = Name("p", i);
    req.mode = "duel";
    AddAs(i % 3, req);
  }
  cluster_->Advance(50);
  ASSERT_EQ(places_.size(), 3u);
  std::multiset<int> shards;
  for (const auto& p : places_) shards.insert(p.shard);
  EXPECT_EQ(shards, (std::multiset<int>{1, 1, 2}));
}

TEST_F(MatchmakerTest, ABurstIsMatchedOnceEach) {
  Start(2);
  AddMode("four", 4);
  std::vector<FakeClient*> cs;
  for (int i = 0; i < 1000; ++i) cs.push_back(&cluster_->Connect(i % 2, Name("p", i)));
  for (FakeClient* c : cs) ASSERT_TRUE(Add(*c, "four").ok());
  cluster_->Advance(50);
  EXPECT_EQ(places_.size(), 250u);
  std::set<std::string> seen;
  for (const auto& p : places_) {
    for (const auto& pl : p.players) EXPECT_TRUE(seen.insert(pl.player_id).second);
  }
  for (FakeClient* c : cs) EXPECT_EQ(c->With("match.matched").size(), 1u);
  EXPECT_EQ(node_->pending_tickets(), 0);
}

TEST_F(MatchmakerTest, APlayerInAMatchIsNeverPlacedAgainAndTheOthersWaitOn) {
  Start(2);
  AddMode("duel", 2);
  FakeClient& a = cluster_->Connect(0, "alice");
  FakeClient& b = cluster_->Connect(1, "bob");
  FakeClient& c = cluster_->Connect(1, "carol");
  auto ta = Add(a, "duel");
  auto tb = Add(b, "duel");
  in_match_.insert("bob");  // bob got into a match after queueing (e.g. match.join)
  cluster_->Advance(50);
  EXPECT_TRUE(places_.empty());
  EXPECT_TRUE(a.With("match.").empty());
  EXPECT_TRUE(b.With("match.").empty());  // bob's ticket is gone without a push
  EXPECT_EQ(Queued("duel"), 1u);          // alice waits on, with her original ticket
  EXPECT_EQ(Get(0, ta->ticket_id, "alice")->status, "pending");
  Result<TicketStatus> dropped = Get(1, tb->ticket_id, "bob");  // reads failed, no match id
  ASSERT_TRUE(dropped.ok());
  EXPECT_EQ(dropped->status, "failed");
  EXPECT_TRUE(dropped->match_id.empty());
  Add(c, "duel");
  cluster_->Advance(50);
  ASSERT_EQ(places_.size(), 1u);
  EXPECT_EQ(places_[0].players[0].player_id, "alice");
  EXPECT_EQ(places_[0].players[1].player_id, "carol");
}

TEST_F(MatchmakerTest, ConcurrentPlacementsClaimEachPlayerOnce) {
  Start(1);
  std::vector<std::string> claimed = {"x", "y"};
  EXPECT_TRUE(node_->Claim(claimed, nullptr).empty());
  EXPECT_EQ(node_->Claim({"y", "z"}, nullptr), (std::vector<std::string>{"y"}));
  EXPECT_TRUE(node_->Claim({"z"}, nullptr).empty());  // all or nothing: z was not kept above
  node_->Unclaim(claimed);
  EXPECT_TRUE(node_->Claim({"y"}, nullptr).empty());
}

// Clustered nodes (docs/decisions.md "Seat claims"): the group's seats are claimed under the
// match's future id, which the match is then created with; bots take no seat.
TEST_F(MatchmakerTest, SeatsAreClaimedUnderTheMatchIdBeforePlacement) {
  seats_ = true;
  Start(2);
  AddMode("duel", 2);
  FakeClient& a = cluster_->Connect(0, "alice");
  FakeClient& b = cluster_->Connect(1, "bob");
  Add(a, "duel");
  Add(b, "duel");
  cluster_->Advance(50);
  ASSERT_EQ(claims_.size(), 1u);
  EXPECT_EQ(claims_[0].players, (std::vector<std::string>{"alice", "bob"}));
  ASSERT_EQ(places_.size(), 1u);
  EXPECT_FALSE(places_[0].match_id.empty());
  EXPECT_EQ(places_[0].match_id, claims_[0].match_id);
  EXPECT_EQ(match::OwnerShardOf(claims_[0].match_id, 2), places_[0].shard);
  ASSERT_EQ(a.With("match.matched").size(), 1u);
  EXPECT_NE(a.With("match.matched")[0].find(claims_[0].match_id), std::string::npos);
  EXPECT_TRUE(releases_.empty());  // everyone joined: seats go back when they leave
}

// A seat held by another node: that player's ticket is dropped silently, the group's seats are
// given back, the others wait on and play with the next player.
TEST_F(MatchmakerTest, APlayerSeatedOnAnotherNodeIsDroppedAndTheOthersWaitOn) {
  seats_ = true;
  Start(2);
  AddMode("duel", 2);
  held_elsewhere_.insert("bob");
  FakeClient& a = cluster_->Connect(0, "alice");
  FakeClient& b = cluster_->Connect(1, "bob");
  FakeClient& c = cluster_->Connect(1, "carol");
  auto ta = Add(a, "duel");
  Add(b, "duel");
  cluster_->Advance(50);
  EXPECT_TRUE(places_.empty());
  EXPECT_TRUE(a.With("match.").empty());
  EXPECT_TRUE(b.With("match.").empty());
  ASSERT_EQ(releases_.size(), 1u);
  EXPECT_EQ(releases_[0].match_id, claims_[0].match_id);
  EXPECT_EQ(Queued("duel"), 1u);
  EXPECT_EQ(Get(0, ta->ticket_id, "alice")->status, "pending");
  EXPECT_TRUE(node_->Claim({"alice", "bob"}, nullptr).empty());  // the local claim was undone
  node_->Unclaim({"alice", "bob"});
  Add(c, "duel");
  cluster_->Advance(50);
  ASSERT_EQ(places_.size(), 1u);
  EXPECT_EQ(places_[0].players[0].player_id, "alice");
  EXPECT_EQ(places_[0].players[1].player_id, "carol");
}

// The claim statement failed (database down): nobody is seated, the group is told, the
// seats that may have been taken are given back.
TEST_F(MatchmakerTest, AFailedSeatClaimFailsTheGroup) {
  seats_ = true;
  seat_error_ = true;
  Start(1);
  AddMode("duel", 2);
  FakeClient& a = cluster_->Connect(0, "alice");
  FakeClient& b = cluster_->Connect(0, "bob");
  auto ta = Add(a, "duel");
  Add(b, "duel");
  cluster_->Advance(50);
  EXPECT_TRUE(places_.empty());
  EXPECT_EQ(a.With("match.matchmaker_failed").size(), 1u);
  EXPECT_EQ(b.frames.back(),
            R"({"type":"match.matchmaker_failed","payload":{"reason":"match_start_failed"}})");
  ASSERT_EQ(releases_.size(), 1u);
  EXPECT_EQ(releases_[0].players, (std::vector<std::string>{"alice", "bob"}));
  EXPECT_EQ(Queued("duel"), 0u);
  EXPECT_EQ(Get(0, ta->ticket_id, "alice")->status, "failed");
}

// Members the match did not accept get their seats back at once.
TEST_F(MatchmakerTest, SeatsOfRefusedMembersAreReleased) {
  seats_ = true;
  Start(1);
  AddMode("duel", 2);
  refuse_.insert("bob");
  FakeClient& a = cluster_->Connect(0, "alice");
  FakeClient& b = cluster_->Connect(0, "bob");
  Add(a, "duel");
  Add(b, "duel");
  cluster_->Advance(50);
  ASSERT_EQ(places_.size(), 1u);
  ASSERT_EQ(releases_.size(), 1u);
  EXPECT_EQ(releases_[0].players, (std::vector<std::string>{"bob"}));
  EXPECT_EQ(releases_[0].match_id, places_[0].match_id);
}

TEST_F(MatchmakerTest, MatchedSocketWithdrawsItsOtherTickets) {
  Start(2);
  AddMode("duel", 2);
  AddMode("four", 4);
  FakeClient& a = cluster_->Connect(0, "alice");
  FakeClient& b = cluster_->Connect(1, "bob");
  Add(a, "four");
  Add(a, "duel");
  EXPECT_EQ(mms_[0]->SocketTickets(a.ref()), 2u);
  Add(b, "duel");
  cluster_->Advance(50);
  EXPECT_EQ(a.With("match.matched").size(), 1u);
  EXPECT_EQ(Queued("four"), 0u);
  EXPECT_EQ(mms_[0]->SocketTickets(a.ref()), 0u);
  EXPECT_EQ(node_->pending_tickets(), 0);
}

TEST_F(MatchmakerTest, SkillBasedModeWaitsForAFairGroup) {
  Start(1);
  AddMode("ranked", 2, "skill_based");
  FakeClient& a = cluster_->Connect(0, "a");
  FakeClient& b = cluster_->Connect(0, "b");
  FakeClient& c = cluster_->Connect(0, "c");
  Add(a, "ranked", 1000);
  Add(b, "ranked", 1900);
  Add(c, "ranked", 1060);
  cluster_->Advance(50);
  ASSERT_EQ(places_.size(), 1u);
  EXPECT_EQ(places_[0].players[0].player_id, "a");
  EXPECT_EQ(places_[0].players[1].player_id, "c");
  EXPECT_TRUE(b.With("match.matched").empty());
}

TEST_F(MatchmakerTest, FullMailboxOnAddAnswersQueueFull) {
  Start(2);
  AddMode("duel", 2);
  FakeClient& a = cluster_->Connect(0, "alice");
  cluster_->FailSubmits(1);
  AddRequest req;
  req.player_id = "alice";
  req.mode = "duel";
  req.client = a.ref();
  std::optional<Result<AddReply>> out;
  mms_[0]->Add(req, [&](Result<AddReply> r) { out = std::move(r); });
  cluster_->Drain();
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->error().reason, "queue_full");
  EXPECT_EQ(node_->pending_tickets(), 0);
}

}  // namespace
}  // namespace asobi::matchmaker
