#pragma once

// How state records and stream rows are laid out in the PawsCollectorStates
// table (DynamoDB's JSON attribute-value form), and back. Kept apart from
// the store so that the encoding can be tested without a server.
//
// Items are nlohmann::json objects of the wire form:
//   {"CollectorId": {"S": "c1"}, "Updated": {"N": "1767225600.123"}, ...}

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "paws/clock.h"
#include "paws/result.h"
#include "paws/state.h"

namespace paws::aws {

// The sort-key prefix of stream rows; state records never start with it
// (their MessageId is an SQS message id).
inline constexpr const char* kStreamKeyPrefix = "STREAM#";

// Attribute names. The record ones are upstream's and must not change.
namespace attr {
inline constexpr const char* kCollectorId = "CollectorId";
inline constexpr const char* kMessageId = "MessageId";
inline constexpr const char* kCid = "Cid";
inline constexpr const char* kUpdated = "Updated";
inline constexpr const char* kExpireDate = "ExpireDate";
inline constexpr const char* kStatus = "Status";
inline constexpr const char* kStream = "Stream";
inline constexpr const char* kReason = "Reason";
inline constexpr const char* kEpoch = "Epoch";
inline constexpr const char* kSeq = "Seq";
inline constexpr const char* kRetryCount = "RetryCount";
inline constexpr const char* kCheckpoint = "Checkpoint";
inline constexpr const char* kLastStatus = "LastStatus";
inline constexpr const char* kLastError = "LastError";
inline constexpr const char* kLastSuccess = "LastSuccess";
inline constexpr const char* kLastAttempt = "LastAttempt";
inline constexpr const char* kLastErrorAt = "LastErrorAt";
inline constexpr const char* kDueAt = "DueAt";
inline constexpr const char* kFirstSeen = "FirstSeen";
inline constexpr const char* kWriteId = "WriteId";
}  // namespace attr

// {"S": s} and {"N": n}.
nlohmann::json S(const std::string& s);
nlohmann::json N(int64_t n);
nlohmann::json NText(const std::string& number);

// Epoch seconds with a millisecond fraction: "1767225600.123"
// ("1767225600.000" for a whole second, "-0.500" before 1970).
std::string EpochSeconds(WallTime t);
// Whole epoch seconds, rounded down: the TTL attribute (ExpireDate), which
// DynamoDB requires to be seconds.
int64_t EpochSecondsFloor(WallTime t);

// Parses a DynamoDB number ("1767225600", "1767225600.1", "1.7672256E+9",
// "-0.5") as epoch seconds into milliseconds, exactly; digits beyond the
// millisecond are dropped (towards zero). nullopt when it is not a number
// or does not fit.
std::optional<int64_t> ParseEpochSecondsToMillis(const std::string& number);
// Parses a DynamoDB number that must be an integer ("7", "1E+1").
std::optional<int64_t> ParseInteger(const std::string& number);

// The primary key of a stream row and of a state record.
nlohmann::json StreamKey(const std::string& collector_id, const std::string& stream);
nlohmann::json RecordKey(const std::string& collector_id, const std::string& message_id);

// The item of a stream row, with `write_id` (see DynamoDbStore).
nlohmann::json EncodeStreamRow(const StreamRow& row, const std::string& write_id);
// Reads a stream row. kInternal with codes::kStoreCorrupt naming the table,
// the key and the attribute when an attribute is missing or malformed.
// Optional attributes (the Last* times, LastError) may be absent.
Result<StreamRow> DecodeStreamRow(const nlohmann::json& item, const std::string& table);

// The item of a state record as AcquireRecord inserts it: Status
// INCOMPLETE, Updated with milliseconds, ExpireDate in whole seconds;
// Cid, Stream and Reason only when not empty (as upstream writes them).
nlohmann::json EncodeNewRecord(const StateRecord& rec, const std::string& write_id);
// Reads a state record, ours or upstream's (integer Updated, no Stream).
// kInternal with codes::kStoreCorrupt as DecodeStreamRow.
Result<StateRecord> DecodeRecord(const nlohmann::json& item, const std::string& table);

// An integer attribute of `item` (for example RetryCount in the Attributes
// an UpdateItem returns); kStoreCorrupt as DecodeStreamRow.
Result<int64_t> ReadIntegerAttribute(const nlohmann::json& item, const char* name,
                                     const std::string& table);

// The WriteId of an item, or "" when it has none.
std::string WriteIdOf(const nlohmann::json& item);

// Whether a MessageId is that of a stream row.
bool IsStreamKey(const std::string& message_id);

}  // namespace paws::aws
