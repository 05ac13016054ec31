// Private to src/server: the fields of an HTML form post (application/x-www-form-urlencoded).
// Pure functions, thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace guichet::server::web {

class FormFields {
 public:
  explicit FormFields(std::vector<std::pair<std::string, std::string>> fields)
      : fields_(std::move(fields)) {}
  // The first value of `name`, or nullopt when the form has no such field.
  std::optional<std::string> Get(std::string_view name) const;
  // Every value of `name`, in order (a group of checkboxes).
  std::vector<std::string> All(std::string_view name) const;
  // The value of `name`, "" when absent.
  std::string Value(std::string_view name) const { return Get(name).value_or(""); }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

// Decodes `body` ("a=1&b=x+y%C3%A9"): '+' is a space, %XX a byte. InvalidArgument, with a readable
// message, for a malformed escape, more than `max_fields` fields or text that is not UTF-8.
Result<FormFields> ParseForm(std::string_view body, std::size_t max_fields = 50);

}  // namespace guichet::server::web
