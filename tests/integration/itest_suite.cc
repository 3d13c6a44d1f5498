#include "itest_suite.h"

#include <stdlib.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "http_call.h"

namespace asobi::itest {

std::string MakeGameDir(const std::string& tmpl,
                        const std::vector<std::pair<std::string, std::string>>& files) {
  std::string dir = tmpl;
  if (mkdtemp(dir.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp " << tmpl;
    return dir;
  }
  for (const auto& [name, content] : files) std::ofstream(dir + "/" + name) << content;
  return dir;
}

std::string CopyBundledGames(const std::string& tmpl, const std::vector<GameFileEdit>& edits) {
  std::string dir = tmpl;
  const char* root = std::getenv("ASOBI_SOURCE_ROOT");
  if (root == nullptr || mkdtemp(dir.data()) == nullptr) {
    ADD_FAILURE() << "ASOBI_SOURCE_ROOT unset or mkdtemp " << tmpl << " failed";
    return dir;
  }
  std::error_code ec;
  std::filesystem::copy(std::string(root) + "/lua", dir, std::filesystem::copy_options::recursive,
                        ec);
  if (ec) ADD_FAILURE() << "copy of " << root << "/lua: " << ec.message();
  for (const GameFileEdit& e : edits) {
    std::string path = dir + "/" + e.file;
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    size_t at = text.find(e.from);
    if (at == std::string::npos) {
      ADD_FAILURE() << e.file << " has no \"" << e.from << "\"";
      continue;
    }
    text.replace(at, e.from.size(), e.to);
    std::ofstream(path, std::ios::trunc) << text;
  }
  return dir;
}

void RemoveDir(const std::string& dir) { std::system(("rm -rf '" + dir + "'").c_str()); }

::testing::AssertionResult StartReady(ServerProcess* server, const ServerOptions& options) {
  if (auto r = server->Start(options); !r) return r;
  for (int i = 0; i < 200 && HttpCall(server->port(), "GET", "/ready").status != 200; ++i) {
    usleep(50 * 1000);
  }
  if (HttpCall(server->port(), "GET", "/ready").status != 200) {
    return ::testing::AssertionFailure() << "not ready: " << server->log();
  }
  return ::testing::AssertionSuccess();
}

std::pair<std::string, std::string> RegisterPlayer(uint16_t port, const std::string& user) {
  HttpResponse r = HttpCall(port, "POST", "/api/v1/auth/register",
                            R"({"username":")" + user + R"(","password":"password123"})");
  EXPECT_EQ(r.status, 200) << r.body;
  JsonDoc d;
  EXPECT_TRUE(d.Parse(r.body));
  return {d.Str({"player_id"}).value_or(""), d.Str({"access_token"}).value_or("")};
}

JsonDoc ParseBody(const HttpResponse& r) {
  JsonDoc d;
  EXPECT_TRUE(d.Parse(r.body)) << r.status << " " << r.body;
  return d;
}

}  // namespace asobi::itest
