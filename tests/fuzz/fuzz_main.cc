// Replay driver for fuzz targets when libFuzzer is not available (gcc builds).
// Usage: <target> [file-or-dir ...]. Runs every given input, then 20000 pseudo-random
// inputs (fixed seed, so a failure reproduces), some mutated from the given files.
#include <dirent.h>
#include <sys/stat.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

void Collect(const std::string& path, std::vector<std::string>* out) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return;
  if (S_ISDIR(st.st_mode)) {
    DIR* d = opendir(path.c_str());
    if (!d) return;
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") Collect(path + "/" + n, out);
    }
    closedir(d);
    return;
  }
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  out->push_back(ss.str());
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> seeds;
  for (int i = 1; i < argc; ++i) Collect(argv[i], &seeds);
  for (const auto& s : seeds) {
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  }
  std::mt19937_64 rng(12345);
  for (int i = 0; i < 20000; ++i) {
    std::string in;
    if (!seeds.empty() && (i & 1)) {
      in = seeds[rng() % seeds.size()];
      int muts = 1 + int(rng() % 8);
      for (int m = 0; m < muts && !in.empty(); ++m) {
        size_t pos = rng() % in.size();
        switch (rng() % 3) {
          case 0:
            in[pos] = char(rng());
            break;
          case 1:
            in.erase(pos, 1 + rng() % 4);
            break;
          default:
            in.insert(pos, 1, char(rng()));
            break;
        }
      }
    } else {
      size_t len = rng() % 512;
      in.resize(len);
      for (auto& c : in) c = char(rng());
    }
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(in.data()), in.size());
  }
  std::printf("fuzz replay: %zu seeds + 20000 random inputs, no crash\n", seeds.size());
  return 0;
}
