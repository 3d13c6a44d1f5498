#include "game/modes/mode_watcher.h"

#include <dirent.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <chrono>

#include "base/log.h"
#include "game/modes/mode_loader.h"
#include "script/script_file.h"

namespace asobi::modes {
namespace {

constexpr uint32_t kMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE |
                           IN_DELETE_SELF | IN_ATTRIB;

bool EndsWithLua(const std::string& name) {
  return name.size() > 4 && name.compare(name.size() - 4, 4, ".lua") == 0;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

ModeWatcher::ModeWatcher(std::string game_dir, ModeRegistry* registry, Listener on_files_changed,
                         int debounce_ms)
    : game_dir_(std::move(game_dir)),
      registry_(registry),
      on_files_changed_(std::move(on_files_changed)),
      debounce_ms_(debounce_ms) {}

ModeWatcher::~ModeWatcher() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) close(fd_);
}

Status ModeWatcher::Start() {
  char real[PATH_MAX];
  if (realpath(game_dir_.c_str(), real) == nullptr) {
    return MakeError("watch_failed", game_dir_ + ": no such directory");
  }
  game_dir_ = real;
  fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd_ < 0) return MakeError("watch_failed", "inotify_init1 failed");
  AddWatchTree(game_dir_, nullptr);
  thread_ = std::thread([this] { Run(); });
  return Ok{};
}

void ModeWatcher::AddWatchTree(const std::string& dir, ChangedFiles* found) {
  int wd = inotify_add_watch(fd_, dir.c_str(), kMask | IN_ONLYDIR);
  if (wd < 0) return;
  dirs_[wd] = dir;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    if (e->d_type == DT_DIR) {
      AddWatchTree(dir + "/" + name, found);
    } else if (found != nullptr && EndsWithLua(name)) {
      (*found)[dir + "/" + name] = nullptr;
    }
  }
  closedir(d);
}

void ModeWatcher::ReadEvents(ChangedFiles* pending) {
  alignas(inotify_event) char buf[16384];
  for (;;) {
    ssize_t n = read(fd_, buf, sizeof(buf));
    if (n <= 0) return;
    for (char* p = buf; p < buf + n;) {
      auto* ev = reinterpret_cast<inotify_event*>(p);
      p += sizeof(inotify_event) + ev->len;
      auto it = dirs_.find(ev->wd);
      if (it == dirs_.end() || ev->len == 0) continue;
      std::string path = it->second + "/" + ev->name;
      if ((ev->mask & IN_ISDIR) != 0) {
        if ((ev->mask & (IN_CREATE | IN_MOVED_TO)) != 0) AddWatchTree(path, pending);
        continue;
      }
      if (EndsWithLua(ev->name)) (*pending)[path] = nullptr;
    }
  }
}

void ModeWatcher::Run() {
  ChangedFiles pending;
  int64_t last_event_ms = 0;
  while (!stop_.load()) {
    pollfd pfd{fd_, POLLIN, 0};
    int timeout_ms = pending.empty() ? 200 : debounce_ms_;
    if (poll(&pfd, 1, timeout_ms) > 0) {
      size_t before = pending.size();
      ReadEvents(&pending);
      if (!pending.empty() || pending.size() != before) last_event_ms = NowMs();
      continue;
    }
    if (!pending.empty() && NowMs() - last_event_ms >= debounce_ms_) {
      Process(std::move(pending));
      pending.clear();
    }
  }
}

void ModeWatcher::Process(ChangedFiles pending) {
  // Read the directory once (require's sources) and take the changed texts from that read, so
  // a reloading instance sees the same bytes for its main script and its modules. Published
  // before anyone is told, whatever the modes' fate: running instances reload from it.
  std::shared_ptr<const script::ModuleSources> sources =
      script::ModuleSources::Scan(game_dir_, {}, registry_->sources().Current());
  for (auto& [path, content] : pending) content = sources->Text(path);
  registry_->sources().Publish(sources);
  Result<ModeSet> set = LoadModes(game_dir_, sources);
  if (set.ok()) {
    int64_t count = int64_t(set->modes.size());
    registry_->Publish(std::make_shared<const ModeSet>(std::move(set.value())));
    LOG_INFO("lua modes reloaded").KV("modes", count);
  } else {
    LOG_ERROR("lua modes reload failed").KV("reason", set.error().message);
  }
  if (on_files_changed_) {
    on_files_changed_(std::make_shared<const ChangedFiles>(std::move(pending)));
  }
}

}  // namespace asobi::modes
