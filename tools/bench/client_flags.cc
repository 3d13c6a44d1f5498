#include "client_flags.h"

#include <cstdlib>

namespace asobi::bench {

bool Flag(int argc, char** argv, int* i, const char* name, std::string* out) {
  std::string a = argv[*i];
  std::string eq = std::string(name) + "=";
  if (a.rfind(eq, 0) == 0) {
    *out = a.substr(eq.size());
    return true;
  }
  if (a == name && *i + 1 < argc) {
    *out = argv[++*i];
    return true;
  }
  return false;
}

bool CommonClientFlag(int argc, char** argv, int* i, const ClientFlags& f) {
  std::string v, a = argv[*i];
  if (a == "--help" || a == "-h") {
    *f.help = true;
  } else if (a == "--json") {
    *f.json = true;
  } else if (Flag(argc, argv, i, "--host", &v)) {
    *f.host = v;
  } else if (Flag(argc, argv, i, "--port", &v)) {
    *f.port = uint16_t(std::atoi(v.c_str()));
  } else {
    return false;
  }
  return true;
}

}  // namespace asobi::bench
