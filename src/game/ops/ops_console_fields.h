// Reading the JSON members of the console's edit routes (ops_console_edits.h) into statement
// parameters, collecting one message per bad member for 422 `validation_failed` (the same
// `fields` shape as the player API, rest.md §1.3). Absent members give NULL parameters, which
// the statements read as "keep the stored value" (or the column default on insert).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "db/pg_param.h"
#include "game/http_api.h"
#include "protocol/json_value.h"

namespace asobi::ops {

/// Most bytes of a `metadata` / `content` JSON object an edit route stores.
inline constexpr size_t kEditJsonBytesMax = 16384;
/// Text columns are VARCHAR(255) (rest.md §5).
inline constexpr size_t kEditTextBytesMax = 255;

/// Collects parameters and problems for one request body. Test-free helper, any thread.
class EditFields {
 public:
  explicit EditFields(JsonValue body) : body_(body) {}

  /// A string member of 1-255 bytes. `required` and absent is a problem.
  db::Param Text(std::string_view key, bool required);
  /// A boolean member.
  db::Param Bool(std::string_view key);
  /// An integer member within [lo, hi]. `required` and absent is a problem.
  db::Param Int32(std::string_view key, int64_t lo, int64_t hi, bool required);
  /// A canonical UUID member. `required` and absent is a problem.
  db::Param Uuid(std::string_view key, bool required);
  /// A JSON object member of at most kEditJsonBytesMax bytes (as JSONB).
  db::Param Object(std::string_view key);
  /// The member's value as text when it was valid (for audit details), else "".
  std::string TextOf(std::string_view key) const;

  bool ok() const { return problems_.empty(); }
  /// True when none of `keys` is present (an edit that changes nothing).
  bool NonePresent(std::initializer_list<std::string_view> keys) const;
  /// Answers 422 `validation_failed` with {"fields":{key:[message]}} (details and top level).
  void RespondProblems(HttpCall& call) const;

 private:
  JsonValue body_;
  std::vector<std::pair<std::string, std::string>> problems_;
};

/// Answers 422 `validation_failed` for one member.
void RespondFieldProblem(HttpCall& call, std::string_view key, std::string_view message);

}  // namespace asobi::ops
