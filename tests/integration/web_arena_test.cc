// The bundled browser page (web/) plays the bundled arena (lua/arena, issue 13) in headless
// Chromium against the real server and PostgreSQL: it queues for `arena` (bots fill the
// seats), holds D (move right) and the left mouse button over the canvas (aim and shoot)
// through DevTools Input events, sees the between-round vote as buttons, clicks one, sees the
// result, and after the match finds its score on the leaderboard over REST.
//
// The server plays a copy of the bundled games whose arena rounds last 20 s instead of 90 s
// (the other phases keep the script's lengths): a whole match takes about 1 min 45 s.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "chromium_driver.h"
#include "itest_clock.h"
#include "json_doc.h"
#include "server_suite.h"

namespace asobi::itest {
namespace {

constexpr int64_t kRoundWaitMs = 60000;  // bot fill (1 s) + 8 s warmup, on a loaded machine
constexpr int64_t kPhaseWaitMs = 60000;  // a 20 s round plus the intermission
constexpr int64_t kActWaitMs = 30000;    // page reaction to our input

class WebArenaTest : public ServerSuite<WebArenaTest> {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    ASSERT_TRUE(db_->ok()) << db_->error();
    server_ = new ServerProcess();
    ServerOptions o;
    o.flags = db_->ServerFlags();
    dir_ = new std::string(CopyBundledGames(
        "/tmp/asobi_web_arena_XXXXXX",
        {{"arena/match.lua", "local ROUND_MS        = 90000", "local ROUND_MS        = 20000"}}));
    o.flags.insert(o.flags.end(),
                   {"--game-dir", *dir_, "--bot-fill-ms", "1000", "--ws-connect-limit", "100000"});
    ASSERT_TRUE(StartReady(server_, o));
  }
};

// The #status element's text and data-* attributes.
JsonDoc PageStatus(DevTools& dt) {
  JsonDoc d;
  d.Parse(dt.EvalString(
      "JSON.stringify(Object.assign({text: document.getElementById('status').textContent},"
      " document.getElementById('status').dataset))"));
  return d;
}

// Polls the page status until `pred` holds or `timeout_ms` passes; the last status in *out.
template <typename Pred>
bool WaitStatus(DevTools& dt, Pred pred, int64_t timeout_ms, JsonDoc* out) {
  int64_t deadline = NowMs() + timeout_ms;
  while (NowMs() < deadline) {
    *out = PageStatus(dt);
    if (out->ok() && pred(*out)) return true;
    if (out->ok() && out->Str({"phase"}).value_or("") == "error") return false;
    usleep(200 * 1000);
  }
  return false;
}

std::string Field(const JsonDoc& d, std::string_view key) { return d.Str({key}).value_or(""); }

// Centre of the element `selector` (scrolled into view) in CSS pixels; *right its right edge.
bool CentreOf(DevTools& dt, const std::string& selector, double* x, double* y,
              double* right = nullptr) {
  JsonDoc r;
  r.Parse(dt.EvalString("(() => { const e = document.querySelector('" + selector +
                        "'); if (!e) return ''; e.scrollIntoView({block: 'center'});"
                        " const b = e.getBoundingClientRect();"
                        " return JSON.stringify({x: b.left + b.width / 2, y: b.top + b.height / 2,"
                        " r: b.right}); })()"));
  if (!r.ok()) return false;
  *x = std::stod(r.Raw({"x"}).value_or("0"));
  *y = std::stod(r.Raw({"y"}).value_or("0"));
  if (right) *right = std::stod(r.Raw({"r"}).value_or("0"));
  return true;
}

std::string Mouse(const char* type, double x, double y, bool left) {
  std::string p = R"({"type":")" + std::string(type) + R"(","x":)" + std::to_string(x) +
                  R"(,"y":)" + std::to_string(y);
  if (left) p += R"(,"button":"left","buttons":1,"clickCount":1)";
  return p + "}";
}

TEST_F(WebArenaTest, BrowserPlaysARoundVotesAndIsOnTheLeaderboard) {
  std::string chromium = FindChromium();
  ASSERT_FALSE(chromium.empty()) << "chromium not installed (tools/setup.sh installs it)";
  Chromium browser;
  ASSERT_TRUE(browser.Start(
      chromium, "http://127.0.0.1:" + std::to_string(server_->port()) + "/?auto=1&mode=arena"));
  std::string page = browser.PagePath();
  ASSERT_FALSE(page.empty()) << browser.Log();
  DevTools dt;
  ASSERT_TRUE(dt.Open(browser.devtools_port(), page));

  // Round 1 is on.
  JsonDoc st;
  ASSERT_TRUE(WaitStatus(
      dt, [](const JsonDoc& s) { return Field(s, "gamePhase") == "round"; }, kRoundWaitMs, &st))
      << st.text() << "\nchromium:\n"
      << browser.Log();
  std::string player_id = Field(st, "playerId");
  ASSERT_FALSE(player_id.empty()) << st.text();

  // Hold D, aim at the canvas' right edge and hold the left button.
  double cx = 0, cy = 0, right = 0;
  ASSERT_TRUE(CentreOf(dt, "#arena", &cx, &cy, &right));
  ASSERT_TRUE(dt.Command("Input.dispatchKeyEvent",
                         R"({"type":"keyDown","key":"d","code":"KeyD","windowsVirtualKeyCode":68})")
                  .ok());
  double aim_x = right - 12;  // near the right edge of the canvas
  ASSERT_TRUE(dt.Command("Input.dispatchMouseEvent", Mouse("mouseMoved", aim_x, cy, false)).ok());
  ASSERT_TRUE(dt.Command("Input.dispatchMouseEvent", Mouse("mousePressed", aim_x, cy, true)).ok());
  EXPECT_TRUE(WaitStatus(
      dt,
      [](const JsonDoc& s) {
        return Field(s, "moved") == "1" && Field(s, "fired") == "1" && Field(s, "shots") == "1";
      },
      kActWaitMs, &st))
      << st.text();
  dt.Command("Input.dispatchMouseEvent", Mouse("mouseReleased", aim_x, cy, true));
  dt.Command("Input.dispatchKeyEvent",
             R"({"type":"keyUp","key":"d","code":"KeyD","windowsVirtualKeyCode":68})");

  // The intermission's vote shows up as buttons; click "vampire".
  ASSERT_TRUE(WaitStatus(
      dt, [](const JsonDoc& s) { return Field(s, "vote") == "open"; }, kPhaseWaitMs, &st))
      << st.text();
  EXPECT_EQ(dt.EvalString("String(document.querySelectorAll('#vote-buttons button').length)"), "3");
  double bx = 0, by = 0;
  ASSERT_TRUE(CentreOf(dt, "#vote-buttons button[data-option=vampire]", &bx, &by));
  dt.Command("Input.dispatchMouseEvent", Mouse("mouseMoved", bx, by, false));
  dt.Command("Input.dispatchMouseEvent", Mouse("mousePressed", bx, by, true));
  dt.Command("Input.dispatchMouseEvent", Mouse("mouseReleased", bx, by, true));
  ASSERT_TRUE(WaitStatus(
      dt, [](const JsonDoc& s) { return Field(s, "myVote") == "vampire"; }, kActWaitMs, &st))
      << st.text();
  ASSERT_TRUE(WaitStatus(
      dt, [](const JsonDoc& s) { return Field(s, "vote") == "result"; }, kActWaitMs, &st))
      << st.text();
  std::string winner = Field(st, "voteWinner");
  EXPECT_TRUE(winner == "rapid_fire" || winner == "heavy_rounds" || winner == "vampire")
      << st.text();
  EXPECT_NE(dt.EvalString("document.getElementById('vote-note').textContent").find("result"),
            std::string::npos);
  // Round 1's scores were shown at its end.
  EXPECT_EQ(Field(st, "roundsOver"), "1") << st.text();

  // After round 3: the standings table, the reward note, then the match ends.
  ASSERT_TRUE(WaitStatus(
      dt, [](const JsonDoc& s) { return Field(s, "phase") == "finished"; }, 3 * kPhaseWaitMs, &st))
      << st.text();
  EXPECT_EQ(Field(st, "results"), "1") << st.text();
  std::string score = Field(st, "finalScore");
  ASSERT_FALSE(score.empty()) << st.text();
  EXPECT_EQ(Field(st, "score"), score) << st.text();  // from the script's reward note
  EXPECT_NE(dt.EvalString("document.getElementById('scores').textContent").find("Final standings"),
            std::string::npos);

  // Its score is on the arena's leaderboard over REST.
  auto [reader_id, token] = Register("arena_reader");
  ASSERT_FALSE(token.empty());
  JsonDoc b = Json(Call("GET", "/api/v1/leaderboards/arena_match_score", "", token));
  EXPECT_EQ(b.Str({"entries", "0", "player_id"}).value_or(""), player_id) << b.text();
  EXPECT_EQ(std::to_string(b.Int({"entries", "0", "score"}).value_or(-1)), score) << b.text();
}

}  // namespace
}  // namespace asobi::itest
