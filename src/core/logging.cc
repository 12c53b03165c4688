#include "core/logging.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "paws/codes.h"

namespace paws {

Status InitLogging(const LogOptions& options) {
  auto level = spdlog::level::from_str(options.level);
  if (level == spdlog::level::off && options.level != "off") {
    return Status::InvalidArgument("log.level: unknown level \"" + options.level + "\"",
                                   codes::kConfigInvalid);
  }
  try {
    std::shared_ptr<spdlog::logger> logger;
    if (options.path.empty()) {
      logger = std::make_shared<spdlog::logger>(
          "paws", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    } else {
      logger = std::make_shared<spdlog::logger>(
          "paws", std::make_shared<spdlog::sinks::basic_file_sink_mt>(options.path));
    }
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
    logger->set_level(level);
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
  } catch (const spdlog::spdlog_ex& e) {
    return Status::InvalidArgument(std::string("log.path: ") + e.what(), codes::kConfigInvalid);
  }
  return Status::Ok();
}

}  // namespace paws
