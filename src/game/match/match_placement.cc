// MatchService: server-side placement of a formed group (the matchmaker's PlaceGroup), and
// recording memberships on the sockets' shards.
#include "game/match/match_router.h"
#include "game/match/match_service.h"

namespace asobi::match {

struct GroupJob {
  std::string match_id;
  std::vector<PlacedMember> members;
  size_t next = 0;
  GroupPlacement result;
  std::function<void(GroupPlacement)> done;
};

void MatchService::CreateAndJoin(const std::string& mode, std::vector<PlacedMember> members,
                                 std::function<void(GroupPlacement)> done,
                                 const std::string& match_id) {
  Result<std::string> id = Create(mode, match_id);
  if (!id.ok()) {
    const std::string& r = id.error().reason;
    GroupPlacement failed;
    failed.reason =
        (r == "not_found" || r == "wrong_mode_type") ? "no_game_module" : "match_start_failed";
    done(std::move(failed));
    return;
  }
  auto job = std::make_shared<GroupJob>();
  job->match_id = id.value();
  job->members = std::move(members);
  job->result.match_id = job->match_id;
  job->done = std::move(done);
  JoinNext(std::move(job));
}

void MatchService::JoinNext(std::shared_ptr<GroupJob> job) {
  if (job->next >= job->members.size()) {
    job->done(std::move(job->result));
    return;
  }
  const PlacedMember& m = job->members[job->next++];
  JoinRequest req;
  req.match_id = job->match_id;
  req.player_id = m.player_id;
  req.clients = m.clients;
  req.rate_limit = false;
  Join(std::move(req), [this, job](JoinOutcome o) {
    const PlacedMember& joined = job->members[job->next - 1];
    if (o.ok()) {
      job->result.joined.push_back(joined.player_id);
      AttachClients(job->match_id, joined.player_id, joined.clients);
    } else {
      job->result.refused.push_back(joined.player_id);
    }
    JoinNext(job);
  });
}

void MatchService::AttachClients(const std::string& match_id, const std::string& player_id,
                                 const std::vector<ClientRef>& clients) {
  for (const ClientRef& ref : clients) {
    host_.SubmitReplyTo(ref.shard, [match_id, player_id, ref] {
      MatchService* s = MatchService::OnThisShard();
      if (s == nullptr) return;
      if (s->host().FindClient(ref) == nullptr) {  // gone meanwhile: leave again
        RouteDetach(match_id, player_id, ref, true);
        return;
      }
      if (const std::string* prev = s->clients().Find(ref); prev && *prev != match_id) {
        RouteDetach(*prev, player_id, ref, false);
      }
      s->clients().Set(ref, match_id);
    });
  }
}

}  // namespace asobi::match
