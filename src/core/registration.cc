#include "core/registration.h"

#include <spdlog/spdlog.h>

namespace paws {

Result<RegistrationReport> RegisterCollectors(Backend* backend, const CollectorSet& collectors,
                                              Clock* clock) {
  RegistrationReport report;
  for (const auto& [id, entry] : collectors.entries()) {
    for (const auto& stream : entry.spec.streams) {
      PAWS_ASSIGN_OR_RETURN(auto row, backend->store()->GetStream(id, stream));
      if (row.has_value()) {
        ++report.existing;
        continue;
      }
      if (entry.spec.takeover) {
        // Registering it would start a second chain beside the upstream
        // message that may still be in the queue.
        ++report.takeover;
        report.takeover_streams.push_back(id + "/" + stream);
        continue;
      }
      auto initial = entry.source->InitialState(stream);
      if (!initial.ok()) {
        return initial.status().Annotate("collector " + id + " stream " + stream);
      }
      WallTime now = clock->Now();
      StreamSeed seed;
      seed.row.collector_id = id;
      seed.row.stream = stream;
      seed.row.epoch = 1;
      seed.row.seq = 0;
      seed.row.checkpoint = *initial;
      seed.row.due_at = now;
      seed.row.first_seen = now;
      seed.body = SerializeStateMessage(StateMessage{id, 1, 1, 0, *initial, false});
      Status st = backend->SeedStream(seed);
      if (st.code() == StatusCode::kConflict) {
        ++report.existing;
        continue;
      }
      PAWS_RETURN_IF_ERROR(st.Annotate("collector " + id + " stream " + stream));
      ++report.seeded;
      report.seeded_streams.push_back(id + "/" + stream);
      spdlog::info("registered collector {} stream {}", id, stream);
    }
  }
  return report;
}

}  // namespace paws
