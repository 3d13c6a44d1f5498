#include "script/module_sources.h"

#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <vector>

namespace asobi::script {
namespace {

bool EndsWithLua(const std::string& name) {
  return name.size() > 4 && name.compare(name.size() - 4, 4, ".lua") == 0;
}

}  // namespace

std::shared_ptr<const ModuleSources> ModuleSources::Scan(
    const std::string& root, const Limits& limits,
    const std::shared_ptr<const ModuleSources>& previous) {
  auto out = std::make_shared<ModuleSources>();
  char real[PATH_MAX];
  if (realpath(root.c_str(), real) == nullptr) {
    out->root_ = root;
    return out;
  }
  out->root_ = real;
  // Depth-first over directories; names are sorted per directory so the limits cut the same
  // files every time.
  struct Dir {
    std::string path;
    int depth;
  };
  std::vector<Dir> stack{{out->root_, 0}};
  while (!stack.empty()) {
    Dir dir = std::move(stack.back());
    stack.pop_back();
    DIR* d = opendir(dir.path.c_str());
    if (d == nullptr) continue;
    std::vector<std::string> names;
    while (dirent* e = readdir(d)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(std::move(name));
    }
    closedir(d);
    std::sort(names.begin(), names.end());
    std::vector<std::string> subdirs;
    for (const std::string& name : names) {
      const std::string path = dir.path + "/" + name;
      struct stat st;
      if (lstat(path.c_str(), &st) != 0) continue;
      if (S_ISDIR(st.st_mode)) {
        if (dir.depth < limits.depth_max) subdirs.push_back(path);
        continue;
      }
      if (!EndsWithLua(name)) continue;
      Entry entry;
      if (S_ISLNK(st.st_mode)) {
        entry.kind = Kind::kSymlink;
      } else if (!S_ISREG(st.st_mode)) {
        continue;
      } else if (out->files_.size() >= limits.files_max ||
                 size_t(st.st_size) > limits.file_max_bytes ||
                 out->total_bytes_ + size_t(st.st_size) > limits.total_max_bytes) {
        ++out->skipped_;
      } else if (Result<std::string> text = ReadScriptFile(path, limits.file_max_bytes);
                 text.ok() && out->total_bytes_ + text->size() <= limits.total_max_bytes) {
        entry.kind = Kind::kFile;
        std::shared_ptr<const std::string> same = previous ? previous->Text(path) : nullptr;
        entry.text = same && *same == *text ? std::move(same)
                                            : std::make_shared<const std::string>(std::move(*text));
        out->total_bytes_ += entry.text->size();
      }
      out->files_.emplace(path, std::move(entry));
    }
    for (auto it = subdirs.rbegin(); it != subdirs.rend(); ++it) {
      stack.push_back(Dir{std::move(*it), dir.depth + 1});
    }
  }
  return out;
}

const ModuleSources::Entry* ModuleSources::Find(std::string_view path) const {
  auto it = files_.find(path);
  return it == files_.end() ? nullptr : &it->second;
}

std::shared_ptr<const std::string> ModuleSources::Text(std::string_view path) const {
  const Entry* e = Find(path);
  return e != nullptr && e->kind == Kind::kFile ? e->text : nullptr;
}

}  // namespace asobi::script
