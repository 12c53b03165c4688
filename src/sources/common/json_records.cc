#include "sources/common/json_records.h"

#include <iterator>
#include <nlohmann/json.hpp>

namespace paws {
namespace {

using json = nlohmann::json;

// An iterator over the body that remembers the last byte the JSON lexer
// read. The lexer reads a structural character ('{', '}', '[', ']') exactly
// when it hands the parser that token, so at start_object/end_object the
// last byte read is the brace itself.
class TrackingIterator {
 public:
  using iterator_category = std::forward_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  TrackingIterator(const char* p, const char** last) : p_(p), last_(last) {}
  reference operator*() const {
    *last_ = p_;
    return *p_;
  }
  TrackingIterator& operator++() {
    ++p_;
    return *this;
  }
  TrackingIterator operator++(int) {
    TrackingIterator old = *this;
    ++p_;
    return old;
  }
  bool operator==(const TrackingIterator& o) const { return p_ == o.p_; }
  bool operator!=(const TrackingIterator& o) const { return p_ != o.p_; }

 private:
  const char* p_;
  const char** last_;
};

class Splitter : public nlohmann::json_sax<json> {
 public:
  Splitter(const char** last, const std::vector<std::string>& names) : last_(last), names_(names) {}

  bool null() override { return Scalar(); }
  bool boolean(bool) override { return Scalar(); }
  bool number_integer(number_integer_t) override { return Scalar(); }
  bool number_unsigned(number_unsigned_t) override { return Scalar(); }
  bool number_float(number_float_t, const string_t&) override { return Scalar(); }
  bool binary(binary_t&) override { return Scalar(); }
  bool string(string_t& s) override {
    if (depth_ == 2 && member_ >= 0 && records_.back().is_object) {
      records_.back().members[static_cast<size_t>(member_)] = s;
    }
    return Scalar();
  }
  bool start_object(std::size_t) override { return Open(true); }
  bool key(string_t& k) override {
    member_ = -1;
    if (depth_ == 2) {
      for (size_t i = 0; i < names_.size(); ++i) {
        if (names_[i] == k) member_ = static_cast<int>(i);
      }
    }
    return true;
  }
  bool end_object() override { return Close(); }
  bool start_array(std::size_t) override { return Open(false); }
  bool end_array() override { return Close(); }
  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception&) override {
    error_at_ = position;
    return false;
  }

  std::vector<RawRecord> records_;
  bool top_is_array_ = false;
  std::size_t error_at_ = 0;

 private:
  // A scalar element of the top array is a record of its own; one inside a
  // record ends the member it was the value of.
  bool Scalar() {
    if (depth_ == 1) {
      // Scalars are tokens the lexer may have read one byte past; their
      // text is not needed by any source, so they are kept empty.
      records_.push_back(RawRecord{{}, false, std::vector<std::optional<std::string>>(names_.size())});
    }
    if (depth_ == 2) member_ = -1;
    return true;
  }
  bool Open(bool object) {
    if (depth_ == 0) top_is_array_ = !object;
    if (depth_ == 1) {
      start_ = *last_;
      records_.push_back(
          RawRecord{{}, object, std::vector<std::optional<std::string>>(names_.size())});
    }
    if (depth_ == 2) member_ = -1;  // a nested value is never the member asked for
    ++depth_;
    return true;
  }
  bool Close() {
    --depth_;
    if (depth_ == 1) {
      records_.back().raw = std::string_view(start_, static_cast<size_t>(*last_ + 1 - start_));
    }
    return true;
  }

  const char** last_;
  const std::vector<std::string>& names_;
  int depth_ = 0;
  int member_ = -1;
  const char* start_ = nullptr;
};

}  // namespace

Result<std::vector<RawRecord>> SplitJsonArray(std::string_view body,
                                              const std::vector<std::string>& names) {
  const char* last = body.data();
  Splitter sax(&last, names);
  TrackingIterator first(body.data(), &last), end(body.data() + body.size(), &last);
  if (!json::sax_parse(first, end, &sax)) {
    return Status::InvalidArgument("not JSON (at byte " + std::to_string(sax.error_at_) + ")");
  }
  if (!sax.top_is_array_) return Status::InvalidArgument("not a JSON array");
  return std::move(sax.records_);
}

}  // namespace paws
