#include "sinks/jsonl/jsonl_sink.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <mutex>

#include "paws/codes.h"
#include "sinks/event_lines.h"

namespace paws {
namespace {

Status Failed(const std::string& path, const std::string& what, int err) {
  return Status::Unavailable("jsonl sink " + path + ": " + what + ": " + std::strerror(err),
                             codes::kSinkFailed);
}

}  // namespace

struct JsonlSink::Impl {
  std::string path;
  int fd = -1;
  bool fsync = false;
  std::mutex mu;
};

JsonlSink::JsonlSink(std::string path, int fd, bool fsync) : impl_(std::make_unique<Impl>()) {
  impl_->path = std::move(path);
  impl_->fd = fd;
  impl_->fsync = fsync;
}

JsonlSink::~JsonlSink() {
  if (impl_->fd >= 0) close(impl_->fd);
}

Result<std::unique_ptr<Sink>> JsonlSink::Make(const SinkOptions& options) {
  if (options.path.empty()) {
    return Status::Unavailable("jsonl sink: no path configured", codes::kSinkFailed);
  }
  std::filesystem::path parent = std::filesystem::path(options.path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) return Failed(options.path, "cannot create " + parent.string(), ec.value());
  }
  int fd = open(options.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return Failed(options.path, "cannot open", errno);
  return std::unique_ptr<Sink>(new JsonlSink(options.path, fd, options.fsync));
}

Status JsonlSink::Write(const SinkBatch& batch) {
  if (batch.events.empty()) return Status::Ok();
  const std::string lines = FormatEventLines(batch);
  std::lock_guard<std::mutex> lock(impl_->mu);
  struct stat before {};
  const bool sized = fstat(impl_->fd, &before) == 0;
  size_t done = 0;
  while (done < lines.size()) {
    ssize_t n = ::write(impl_->fd, lines.data() + done, lines.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = n < 0 ? errno : EIO;
      // Cut off the partial batch so the file still ends with a whole line
      // (best effort: another process appending to it defeats this).
      if (done > 0 && sized) (void)ftruncate(impl_->fd, before.st_size);
      return Failed(impl_->path, "write", err);
    }
    done += static_cast<size_t>(n);
  }
  if (impl_->fsync && ::fsync(impl_->fd) != 0) return Failed(impl_->path, "fsync", errno);
  return Status::Ok();
}

}  // namespace paws
