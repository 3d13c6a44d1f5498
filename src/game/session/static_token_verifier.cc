#include "game/session/static_token_verifier.h"

#include <fstream>
#include <sstream>

namespace asobi {

Result<std::shared_ptr<const StaticTokenVerifier::Table>> StaticTokenVerifier::LoadFile(
    const std::string& path) {
  std::ifstream in(path);
  if (!in) return MakeError("bad_file", "cannot read " + path);
  auto table = std::make_shared<Table>();
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    std::string token, player;
    if (!(ls >> token >> player)) {
      return MakeError("bad_file",
                       path + ":" + std::to_string(lineno) + ": expected 'token player_id'");
    }
    (*table)[token] = player;
  }
  return std::shared_ptr<const Table>(std::move(table));
}

void StaticTokenVerifier::Verify(std::string_view token, Callback done) {
  auto it = table_->find(std::string(token));
  if (it == table_->end()) {
    done(MakeError("invalid_token", "unknown token"));
  } else {
    done(VerifiedPlayer{it->second});
  }
}

}  // namespace asobi
