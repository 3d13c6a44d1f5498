// StaticFiles: what is loaded from the web directory and which request paths can name a file
// (no traversal, no encoded tricks, no symlinks).
#include "server/static_files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

namespace asobi {
namespace {

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/asobi_static_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    // A file outside the served root that traversal attempts aim at.
    outside_ = root_ + "_secret.txt";
    Write(outside_, "secret");
    web_ = root_ + "/web";
    ASSERT_EQ(mkdir(web_.c_str(), 0755), 0);
    ASSERT_EQ(mkdir((web_ + "/css").c_str(), 0755), 0);
    Write(web_ + "/index.html", "<!doctype html><title>x</title>");
    Write(web_ + "/app.js", "console.log(1)");
    Write(web_ + "/css/site.css", "body{}");
    Write(web_ + "/notes.md", "not served: unknown extension");
    Write(web_ + "/.hidden.js", "hidden");
    ASSERT_EQ(symlink(outside_.c_str(), (web_ + "/link.txt").c_str()), 0);
  }
  void TearDown() override {
    std::string cmd = "rm -rf '" + root_ + "' '" + outside_ + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
  }
  static void Write(const std::string& path, const std::string& body) {
    std::ofstream(path) << body;
  }

  std::string root_, web_, outside_;
};

TEST_F(StaticFilesTest, LoadsKnownTypesRecursivelyAndSkipsTheRest) {
  auto files = StaticFiles::Load(web_);
  ASSERT_TRUE(files.ok()) << files.error().message;
  EXPECT_EQ(files.value()->Paths(),
            (std::vector<std::string>{"app.js", "css/site.css", "index.html"}));
  const StaticFile* js = files.value()->Find("app.js");
  ASSERT_NE(js, nullptr);
  EXPECT_EQ(js->body, "console.log(1)");
  EXPECT_EQ(js->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(files.value()->Find("index.html")->content_type, "text/html; charset=utf-8");
  EXPECT_EQ(files.value()->Find("css/site.css")->content_type, "text/css; charset=utf-8");
  EXPECT_FALSE(js->etag.empty());
  EXPECT_NE(js->etag, files.value()->Find("index.html")->etag);
}

TEST_F(StaticFilesTest, SymlinksDotfilesAndUnknownTypesAreNeverServed) {
  auto files = StaticFiles::Load(web_);
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(files.value()->Find("link.txt"), nullptr);
  EXPECT_EQ(files.value()->Find(".hidden.js"), nullptr);
  EXPECT_EQ(files.value()->Find("notes.md"), nullptr);
}

TEST_F(StaticFilesTest, MaliciousPathsNameNothing) {
  auto files = StaticFiles::Load(web_);
  ASSERT_TRUE(files.ok());
  const StaticFiles& f = *files.value();
  const std::string secret = outside_.substr(outside_.rfind('/') + 1);
  for (const std::string& p : std::vector<std::string>{std::string("../") + secret,
                                                       "../../etc/passwd",
                                                       "/etc/passwd",
                                                       "/app.js",
                                                       "css/../app.js",
                                                       "./app.js",
                                                       "css//site.css",
                                                       "%2e%2e/" + secret,
                                                       "..%2fapp.js",
                                                       "app.js%00",
                                                       std::string("app.js\0.png", 11),
                                                       "css\\site.css",
                                                       "..\\" + secret,
                                                       "",
                                                       ".",
                                                       "..",
                                                       "css/",
                                                       "app.js/",
                                                       "APP.JS",
                                                       "app.js ",
                                                       "\x01"
                                                       "app.js"}) {
    EXPECT_EQ(f.Find(p), nullptr) << p;
  }
  EXPECT_NE(f.Find("css/site.css"), nullptr);
}

TEST(StaticFilesPaths, PlainRelativePathRules) {
  EXPECT_TRUE(StaticFiles::IsPlainRelativePath("a.js"));
  EXPECT_TRUE(StaticFiles::IsPlainRelativePath("a/b/c.css"));
  EXPECT_TRUE(StaticFiles::IsPlainRelativePath("a..b.js"));  // dots inside a name are fine
  EXPECT_FALSE(StaticFiles::IsPlainRelativePath("a/./b"));
  EXPECT_FALSE(StaticFiles::IsPlainRelativePath("a/../b"));
  EXPECT_FALSE(StaticFiles::IsPlainRelativePath("a%2Fb"));
  EXPECT_FALSE(StaticFiles::IsPlainRelativePath(std::string_view("a\0b", 3)));
}

TEST(StaticFilesLoad, MissingDirectoryIsAnError) {
  auto files = StaticFiles::Load("/nonexistent/asobi/web");
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(files.error().reason, "bad_static_dir");
}

TEST(StaticFilesLoad, BundledWebClientLoads) {
  auto files = StaticFiles::Load(DefaultStaticDir());
  ASSERT_TRUE(files.ok()) << files.error().message;
  EXPECT_NE(files.value()->Find("index.html"), nullptr);
  EXPECT_NE(files.value()->Find("app.js"), nullptr);
}

TEST(StaticFilesTypes, ContentTypes) {
  EXPECT_EQ(StaticFiles::ContentTypeFor("a.svg"), "image/svg+xml");
  EXPECT_EQ(StaticFiles::ContentTypeFor("a.png"), "image/png");
  EXPECT_EQ(StaticFiles::ContentTypeFor("a"), "");
  EXPECT_EQ(StaticFiles::ContentTypeFor("a.exe"), "");
  EXPECT_EQ(StaticFiles::ContentTypeFor("a.html.bak"), "");
}

}  // namespace
}  // namespace asobi
