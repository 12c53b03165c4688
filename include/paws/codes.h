#pragma once

// Stable operator-facing codes. Each is documented in docs/status-codes.md;
// once published a code keeps its meaning.
namespace paws::codes {

// 1xx: configuration and command line.
inline constexpr const char* kConfigUnreadable = "PAWS000101";  // file missing or unreadable
inline constexpr const char* kConfigSyntax = "PAWS000102";      // not valid TOML
inline constexpr const char* kConfigInvalid = "PAWS000103";     // a key has a bad value
inline constexpr const char* kUnknownType = "PAWS000104";       // unknown source or sink type
inline constexpr const char* kSecretMissing = "PAWS000105";     // secret env var / file missing
inline constexpr const char* kUsage = "PAWS000106";             // bad command line

// 2xx: state messages (poison messages go to the dead-letter area).
inline constexpr const char* kMessageNotJson = "PAWS000201";
inline constexpr const char* kMessageNoState = "PAWS000202";
inline constexpr const char* kMessageBadField = "PAWS000203";
inline constexpr const char* kMessageUnknownCollector = "PAWS000204";
inline constexpr const char* kMessageNoStream = "PAWS000205";
inline constexpr const char* kMessageStale = "PAWS000206";       // fenced out (info)
inline constexpr const char* kClaimLost = "PAWS000207";          // another chain owns the stream

// 3xx: sources and the APIs they poll.
inline constexpr const char* kApiUnauthenticated = "PAWS000301";
inline constexpr const char* kApiRateLimited = "PAWS000302";
inline constexpr const char* kApiUnavailable = "PAWS000303";
inline constexpr const char* kApiMalformed = "PAWS000304";   // response is not what the API documents
inline constexpr const char* kApiTimeout = "PAWS000305";
inline constexpr const char* kStateMalformed = "PAWS000306";  // a state the source cannot use
inline constexpr const char* kStreamRetriesExhausted = "PAWS000307";  // retry count reached the limit
inline constexpr const char* kSourceGap = "PAWS000308";  // part of a window is past what the API keeps

// 4xx: sinks.
inline constexpr const char* kSinkFailed = "PAWS000401";

// 5xx: stream health (the health check; docs/health.md).
inline constexpr const char* kStreamCeased = "PAWS000501";        // no attempt within stall_after
inline constexpr const char* kStreamFailing = "PAWS000502";       // overdue, errors recorded
inline constexpr const char* kStreamStuck = "PAWS000503";         // attempts that never finish
inline constexpr const char* kStreamNeverStarted = "PAWS000504";  // configured, no row after grace
inline constexpr const char* kStreamUnexpected = "PAWS000505";    // a row not in collector_streams
// Collector-level conditions: every stream of the collector in one state.
inline constexpr const char* kCollectorCredential = "PAWS000510";  // all failing, unauthenticated
inline constexpr const char* kCollectorFailing = "PAWS000511";     // all failing
inline constexpr const char* kCollectorCrashLoop = "PAWS000512";   // all stuck
inline constexpr const char* kCollectorStopped = "PAWS000513";     // all ceased or never started
inline constexpr const char* kCollectorUnhealthy = "PAWS000514";   // some streams unhealthy
// Repairs.
inline constexpr const char* kRepairReseeded = "PAWS000520";  // ceased stream re-seeded
inline constexpr const char* kRepairSeeded = "PAWS000521";    // never_started stream seeded
inline constexpr const char* kRepairRetired = "PAWS000522";   // unexpected stream retired
inline constexpr const char* kRepairLost = "PAWS000523";      // another checker repaired it first

// 6xx: store and queue.
inline constexpr const char* kStoreUnavailable = "PAWS000601";
inline constexpr const char* kStoreCorrupt = "PAWS000602";
inline constexpr const char* kAwsCredentials = "PAWS000603";  // no AWS credentials, or AWS rejected them
inline constexpr const char* kAwsRejected = "PAWS000604";     // AWS refused a request (validation, missing table or queue)

}  // namespace paws::codes
