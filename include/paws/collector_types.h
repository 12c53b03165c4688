#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "paws/result.h"

namespace paws {

// What paws knows of one collector type: its streams and how the upstream
// PAWS collector of that type spelled them (DESIGN.md, "Streams and legacy
// configuration"; docs/migration.md). The one place that knows legacy
// names: everything that needs a stream name, a legacy list variable or a
// legacy state field asks here.
//
// The initial state of a stream is not described here: it is the source's
// (Source::InitialState), in the upstream shape of its type. A type known
// here that no source implements can be reported (`paws migrate`) but not
// run.
struct CollectorType {
  std::string name;            // paws_type_name: "salesforce", "okta", ...
  std::string stream_concept;  // "object names", "API names", ...
  // False: the type has one stream, named as the type ("okta").
  bool has_streams = false;
  // The upstream variable that lists the streams when collector_streams is
  // absent ("paws_collector_param_string_2"); empty for none.
  std::string legacy_list_var;
  // The field of an upstream state that names its stream ("object");
  // empty when the type has no streams.
  std::string legacy_state_field;
  // The streams the type can collect; empty: any non-empty name.
  std::vector<std::string> streams;
  // The [collector.params] key that upstream's paws_collector_param_string_1
  // and _2 become when they are not the stream list; empty: not used.
  std::string param_string_1;
  std::string param_string_2;
  // False for paws's own types (http_json, fake), which have no upstream
  // variables or states.
  bool upstream = true;

  // Whether `stream` is one this type can collect.
  bool KnowsStream(std::string_view stream) const;
  // "AuditLogEvents, SearchAlerts, ..." or "any name".
  std::string StreamList() const;
};

// The two free-form upstream variables; per type, one may be the legacy
// stream list and the other a parameter (CollectorType::param_string_1/_2).
inline constexpr const char* kUpstreamParamStrings[2] = {"paws_collector_param_string_1",
                                                         "paws_collector_param_string_2"};

// Every type, in the order of the DESIGN.md table, then paws's own.
const std::vector<CollectorType>& CollectorTypes();

// The type of that name, or null.
const CollectorType* FindCollectorType(std::string_view name);

// The stream a state of `type` belongs to: its "stream" field, else the
// type's legacy state field, else the type's name when it has no streams.
// Empty when the state names none (or is not a JSON object).
std::string StreamOfState(const CollectorType& type, const std::string& state_json);

// The streams of `type` from a stream-list value (collector_streams or the
// legacy list variable): a JSON array of distinct non-empty strings, each
// one the type knows. On error, kInvalidArgument (PAWS000103) naming
// `variable` and the value.
Result<std::vector<std::string>> ParseStreamList(const CollectorType& type,
                                                 std::string_view variable,
                                                 std::string_view value);

}  // namespace paws
