#include "token_file.h"

#include <fstream>
#include <sstream>

namespace asobi::bench {

void LoadTokenFile(const std::string& path, std::vector<std::string>* tokens,
                   std::vector<std::string>* player_ids) {
  std::ifstream f(path);
  std::string line;
  while (std::getline(f, line)) {
    std::istringstream ss(line);
    std::string token, id;
    if (!(ss >> token) || token[0] == '#') continue;
    if (player_ids != nullptr) {
      if (!(ss >> id)) continue;
      player_ids->push_back(id);
    }
    tokens->push_back(token);
  }
}

}  // namespace asobi::bench
