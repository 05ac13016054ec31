// Request import: reading and checking rows of JSON Lines or CSV into NewRequests, with every
// problem reported against its line, before anything is written.
//
// A JSON Lines row is one object with the API's request shape: subject, description, channel
// (required), category (a slug), priority, language, tags (list of strings), citizen {name,
// email, phone, language}, location {lat, lon, address}, custom_fields {string: string}; unknown
// fields are errors. A CSV file has a header row naming its columns, in any order: subject,
// description, channel (required), category, priority, language, tags ("|" separated),
// citizen_name, citizen_email, citizen_phone, citizen_language; an empty cell is an absent value.
// Blank lines are skipped. A line (or CSV row) longer than 1 MiB, invalid UTF-8, unknown enum
// values and unknown category slugs are errors, as is anything core::ValidateNewRequest refuses.
//
// Pure functions over their inputs; thread-safe.
#pragma once

#include <cstddef>
#include <istream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"

namespace guichet::app {

enum class ImportFormat { kJsonl, kCsv };
std::optional<ImportFormat> ParseImportFormat(std::string_view name);

inline constexpr std::size_t kMaxImportLineBytes = 1 << 20;

struct RowError {
  int line = 0;
  std::string field;  // "subject", "citizen.email", "tags[2]", "line" for the row as a whole
  std::string reason;
};

struct ImportRow {
  int line = 0;
  core::NewRequest request;
};

struct ImportBatch {
  std::vector<ImportRow> valid;
  std::vector<RowError> errors;  // in line order
  int rows = 0;                  // data rows read (CSV header excluded)
  int invalid_rows = 0;
  // Set when nothing can be read row by row (e.g. a bad CSV header); `errors` says why.
  bool fatal = false;
};

// Category slug → id, from Store::ListCategories.
using CategorySlugs = std::map<std::string, core::Id, std::less<>>;

ImportBatch ReadImport(std::istream& in, ImportFormat format, const CategorySlugs& categories);

}  // namespace guichet::app
