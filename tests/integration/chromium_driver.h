// Headless Chromium driven over the DevTools protocol (our own WsClient), for the browser
// client tests (web_client_test.cc, web_arena_test.cc). Test-thread only.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sodium.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "http_client.h"
#include "json_doc.h"
#include "ws_client.h"

extern char** environ;

namespace asobi::itest {

/// The Chromium binary, or "" when none is installed.
inline std::string FindChromium() {
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
    if (access(p, X_OK) == 0) return p;
  }
  return "";
}

// A headless Chromium with a private profile, killed (by pid) when this object goes.
class Chromium {
 public:
  ~Chromium() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      for (int i = 0; i < 50 && waitpid(pid_, nullptr, WNOHANG) == 0; ++i) usleep(100 * 1000);
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (!profile_.empty()) {
      std::string cmd = "rm -rf '" + profile_ + "'";
      if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "cannot remove %s\n", cmd.c_str());
    }
  }

  ::testing::AssertionResult Start(const std::string& binary, const std::string& url) {
    char tmpl[] = "/tmp/asobi_chromium_XXXXXX";
    if (mkdtemp(tmpl) == nullptr) return ::testing::AssertionFailure() << "mkdtemp";
    profile_ = tmpl;
    std::vector<std::string> args = {binary,
                                     "--headless",
                                     "--no-sandbox",
                                     "--disable-gpu",
                                     "--disable-quic",
                                     "--no-first-run",
                                     "--disable-background-networking",
                                     "--disable-component-update",
                                     "--disable-sync",
                                     "--disable-dev-shm-usage",
                                     "--remote-debugging-port=0",
                                     "--user-data-dir=" + profile_,
                                     "--window-size=1000,900",
                                     url};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    std::string log = profile_ + "/chromium.log";
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    int rc = posix_spawn(&pid_, binary.c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) return ::testing::AssertionFailure() << "spawn failed: " << rc;
    // Chromium writes its DevTools port into the profile once it listens.
    for (int i = 0; i < 300; ++i) {
      std::ifstream f(profile_ + "/DevToolsActivePort");
      int port = 0;
      if (f >> port && port > 0) {
        devtools_port_ = uint16_t(port);
        return ::testing::AssertionSuccess();
      }
      usleep(100 * 1000);
    }
    return ::testing::AssertionFailure() << "no DevToolsActivePort; log:\n" << Log();
  }

  // The page target's DevTools WebSocket path (/devtools/page/<id>).
  std::string PagePath() {
    for (int i = 0; i < 100; ++i) {
      HttpClient c;
      if (c.Connect(devtools_port_)) {
        std::optional<HttpResponse> r = c.Get("/json/list");
        if (r && r->status == 200) {
          size_t at = r->body.find("/devtools/page/");
          if (at != std::string::npos) {
            size_t end = r->body.find('"', at);
            return r->body.substr(at, end - at);
          }
        }
      }
      usleep(100 * 1000);
    }
    return "";
  }

  std::string Log() const {
    std::ifstream f(profile_ + "/chromium.log");
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
  }
  uint16_t devtools_port() const { return devtools_port_; }

 private:
  pid_t pid_ = -1;
  std::string profile_;
  uint16_t devtools_port_ = 0;
};

// Minimal DevTools protocol client: Runtime.evaluate returning a string.
class DevTools {
 public:
  ::testing::AssertionResult Open(uint16_t port, const std::string& path) {
    WsUpgradeOptions o;
    o.path = path;
    return ws_.Open(port, o);
  }
  // Page.captureScreenshot as PNG bytes; "" on failure.
  std::string ScreenshotPng() {
    int id = ++id_;
    ws_.SendText(R"({"id":)" + std::to_string(id) + R"(,"method":"Page.captureScreenshot"})");
    for (int i = 0; i < 50; ++i) {
      JsonDoc d;
      if (!ws_.RecvJson(&d, 10000)) return "";
      if (d.Int({"id"}).value_or(-1) != id) continue;
      std::string b64 = d.Str({"result", "data"}).value_or("");
      std::string png(b64.size(), '\0');
      size_t len = 0;
      if (sodium_base642bin(reinterpret_cast<unsigned char*>(png.data()), png.size(), b64.data(),
                            b64.size(), nullptr, &len, nullptr,
                            sodium_base64_VARIANT_ORIGINAL) != 0) {
        return "";
      }
      png.resize(len);
      return png;
    }
    return "";
  }

  /// Sends one DevTools command (`params_json` an object) and returns its reply (not ok()
  /// when none came within 5 s).
  JsonDoc Command(const std::string& method, const std::string& params_json) {
    int id = ++id_;
    ws_.SendText(R"({"id":)" + std::to_string(id) + R"(,"method":")" + method + R"(","params":)" +
                 params_json + "}");
    for (int i = 0; i < 50; ++i) {
      JsonDoc d;
      if (!ws_.RecvJson(&d, 5000)) break;
      if (d.Int({"id"}).value_or(-1) == id) return d;
    }
    return JsonDoc();
  }

  // Evaluates `expr` (must produce a string) in the page; "" on failure.
  std::string EvalString(const std::string& expr) {
    int id = ++id_;
    std::string escaped;
    for (char c : expr) {
      if (c == '"' || c == '\\') escaped.push_back('\\');
      escaped.push_back(c);
    }
    ws_.SendText(R"({"id":)" + std::to_string(id) +
                 R"(,"method":"Runtime.evaluate","params":{"expression":")" + escaped +
                 R"(","returnByValue":true}})");
    for (int i = 0; i < 50; ++i) {
      JsonDoc d;
      if (!ws_.RecvJson(&d, 5000)) return "";
      if (d.Int({"id"}).value_or(-1) == id) {
        return d.Str({"result", "result", "value"}).value_or("");
      }
    }
    return "";
  }

 private:
  WsClient ws_;
  int id_ = 0;
};

}  // namespace asobi::itest
