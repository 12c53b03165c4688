// ConfigEnv::Real(): the process environment and POSIX file reads.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "config/config_loader.h"

namespace paws {
namespace {

constexpr off_t kMaxFileBytes = 16 << 20;

Status ErrnoStatus(int err) {
  std::string reason = std::strerror(err);
  if (err == ENOENT || err == ENOTDIR) return Status::NotFound(reason);
  return Status::Unavailable(reason);
}

Result<std::string> ReadWholeFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno);
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return ErrnoStatus(errno);
  if (S_ISDIR(st.st_mode)) return Status::Unavailable("is a directory");
  if (S_ISREG(st.st_mode) && st.st_size > kMaxFileBytes) {
    return Status::Unavailable("larger than 16 MiB");
  }
  std::string out;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    // Pipes and devices have no size up front.
    if (out.size() > static_cast<size_t>(kMaxFileBytes)) {
      return Status::Unavailable("larger than 16 MiB");
    }
  }
  return out;
}

}  // namespace

ConfigEnv ConfigEnv::Real() {
  ConfigEnv env;
  env.getenv = [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
  env.read_file = ReadWholeFile;
  return env;
}

}  // namespace paws
