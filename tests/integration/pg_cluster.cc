#include "pg_cluster.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdio>
#include <sstream>

namespace asobi::itest {

PrivateCluster::PrivateCluster() {
  const char* src = getenv("ASOBI_SOURCE_ROOT");
  if (src == nullptr) return;
  char tmpl[] = "/tmp/asobi-pgtest-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return;
  chmod(tmpl, 0755);  // the cluster may run as another user (root runs it as postgres)
  root_ = tmpl;
  script_ = std::string(src) + "/tools/dev-db.sh";
}

PrivateCluster::~PrivateCluster() {
  if (!ok()) return;
  Stop();
  Run("rm -rf '" + root_ + "'");
}

bool PrivateCluster::Run(const std::string& cmd) {
  output_.clear();
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return false;
  char buf[512];
  while (fgets(buf, sizeof buf, p)) output_ += buf;
  int st = pclose(p);
  return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

bool PrivateCluster::Start() {
  if (!ok() || !Run("bash '" + script_ + "' start '" + root_ + "/pg'")) return false;
  env_ = output_;
  return !EnvValue("ASOBI_DB_PORT").empty();
}

bool PrivateCluster::Stop() {
  return ok() && Run("bash '" + script_ + "' stop '" + root_ + "/pg'");
}

bool PrivateCluster::Restart() {
  return ok() && Run("bash '" + script_ + "' restart '" + root_ + "/pg'");
}

std::string PrivateCluster::EnvValue(const std::string& key) const {
  std::istringstream in(env_);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + "=", 0) == 0) return line.substr(key.size() + 1);
  }
  return "";
}

std::vector<std::string> PrivateCluster::ServerFlags() const {
  return {"--db-host", EnvValue("ASOBI_DB_HOST"), "--db-port", EnvValue("ASOBI_DB_PORT"),
          "--db-user", EnvValue("ASOBI_DB_USER"), "--db-name", "asobi"};
}

std::string PrivateCluster::Conninfo() const {
  return "host=" + EnvValue("ASOBI_DB_HOST") + " port=" + EnvValue("ASOBI_DB_PORT") +
         " user=" + EnvValue("ASOBI_DB_USER") + " dbname=asobi";
}

}  // namespace asobi::itest
