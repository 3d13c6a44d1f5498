// The island page (web/world.html, issue 14 item 7) in two headless Chromium instances against
// the real server and PostgreSQL: both join one `island` world (world.find_or_create), player
// A holds D through DevTools Input events and walks from zone (0,0) across the border into
// zone (1,0) (its own camera follows it), and player B's page sees A's entity there.
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "chromium_driver.h"
#include "itest_clock.h"
#include "json_doc.h"
#include "server_suite.h"

namespace asobi::itest {
namespace {

constexpr int64_t kJoinWaitMs = 30000;  // page load, sign-in, world start on a loaded machine
constexpr int64_t kMoveWaitMs = 30000;  // island walks 80 units/s; the border is 50 units away

class WebWorldTest : public ServerSuite<WebWorldTest> {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    ASSERT_TRUE(db_->ok()) << db_->error();
    server_ = new ServerProcess();
    ServerOptions o;
    o.flags = db_->ServerFlags();
    o.flags.insert(o.flags.end(), {"--ws-connect-limit", "100000"});
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

std::string Field(const JsonDoc& d, std::string_view key) { return d.Str({key}).value_or(""); }

// Polls the page status until `pred` holds or `timeout_ms` passes; the last status in *out.
template <typename Pred>
bool WaitStatus(DevTools& dt, Pred pred, int64_t timeout_ms, JsonDoc* out) {
  int64_t deadline = NowMs() + timeout_ms;
  while (NowMs() < deadline) {
    *out = PageStatus(dt);
    if (out->ok() && pred(*out)) return true;
    if (out->ok() && Field(*out, "phase") == "error") return false;
    usleep(200 * 1000);
  }
  return false;
}

// x of player `id` as page `dt` sees it, or -1 when it is not in view.
double SeenX(DevTools& dt, const std::string& id) {
  std::string v = dt.EvalString("(() => { const p = window.worldPlayers()['" + id +
                                "']; return p ? String(p.x) : '-1'; })()");
  return v.empty() ? -1 : std::stod(v);
}

struct Page {
  Chromium browser;
  DevTools dt;
  JsonDoc st;
};

void OpenPage(Page* p, const std::string& url) {
  ASSERT_TRUE(p->browser.Start(FindChromium(), url));
  std::string path = p->browser.PagePath();
  ASSERT_FALSE(path.empty()) << p->browser.Log();
  ASSERT_TRUE(p->dt.Open(p->browser.devtools_port(), path));
  ASSERT_TRUE(WaitStatus(
      p->dt,
      [](const JsonDoc& s) { return Field(s, "phase") == "in_world" && !Field(s, "x").empty(); },
      kJoinWaitMs, &p->st))
      << p->st.text() << "\nchromium:\n"
      << p->browser.Log();
}

TEST_F(WebWorldTest, PlayerCrossesAZoneBorderAndTheOtherPageSeesItMove) {
  ASSERT_FALSE(FindChromium().empty()) << "chromium not installed (tools/setup.sh installs it)";
  std::string url =
      "http://127.0.0.1:" + std::to_string(server_->port()) + "/web/world.html?auto=1";
  Page a, b;
  ASSERT_NO_FATAL_FAILURE(OpenPage(&a, url));
  ASSERT_NO_FATAL_FAILURE(OpenPage(&b, url));
  std::string a_id = Field(a.st, "playerId");
  ASSERT_FALSE(a_id.empty()) << a.st.text();
  EXPECT_EQ(Field(b.st, "worldId"), Field(a.st, "worldId")) << a.st.text() << b.st.text();
  EXPECT_EQ(Field(a.st, "zone"), "0,0") << a.st.text();  // island spawns everyone at (50, 50)

  // B sees A standing in zone (0,0).
  double before = -1;
  int64_t deadline = NowMs() + kJoinWaitMs;
  while (NowMs() < deadline && (before = SeenX(b.dt, a_id)) < 0) usleep(200 * 1000);
  ASSERT_GE(before, 0) << "B never saw A";
  ASSERT_LT(before, 100);

  // A holds D and walks east across the border at x = 100.
  ASSERT_TRUE(
      a.dt.Command("Input.dispatchKeyEvent",
                   R"({"type":"keyDown","key":"d","code":"KeyD","windowsVirtualKeyCode":68})")
          .ok());
  ASSERT_TRUE(WaitStatus(
      a.dt, [](const JsonDoc& s) { return Field(s, "zone") == "1,0"; }, kMoveWaitMs, &a.st))
      << a.st.text();
  a.dt.Command("Input.dispatchKeyEvent",
               R"({"type":"keyUp","key":"d","code":"KeyD","windowsVirtualKeyCode":68})");

  // B, still in zone (0,0), sees A's entity on the other side of the border.
  double after = -1;
  deadline = NowMs() + kMoveWaitMs;
  while (NowMs() < deadline && (after = SeenX(b.dt, a_id)) < 100) usleep(200 * 1000);
  EXPECT_GE(after, 100) << "A as B sees it: x " << after;
  JsonDoc bst = PageStatus(b.dt);
  EXPECT_EQ(Field(bst, "zone"), "0,0") << bst.text();
  EXPECT_GE(std::stoi(Field(bst, "others").empty() ? "0" : Field(bst, "others")), 1) << bst.text();
}

}  // namespace
}  // namespace asobi::itest
