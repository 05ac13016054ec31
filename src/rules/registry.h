// The schemes a desk offers: every scheme.toml under one folder (the config's rules.dir), loaded
// and checked once at start, looked up by id, and described as JSON for the API (the facts with
// their types, allowed values, bounds and questions; the rules with their texts and legal
// references; the tables; the amount).
//
// A registry is all or nothing: one scheme that does not load, or two with the same id, and
// LoadSchemeRegistry fails with every problem listed, so a desk never runs with a rule file half
// read. Source names are paths relative to the folder ("cantine/scheme.toml"), so messages and
// API answers never show where the server keeps its files.
//
// Thread-safety: a SchemeRegistry is immutable once built; any number of threads may read it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "rules/scheme.h"

namespace guichet::rules {

class SchemeRegistry {
 public:
  SchemeRegistry() = default;  // no schemes

  // Sorted by id.
  const std::vector<Scheme>& schemes() const { return schemes_; }
  // The scheme with this id, or nullptr. The pointer lives as long as the registry.
  const Scheme* Find(std::string_view id) const;

  // A registry of these schemes. kInvalidArgument when two share an id, or when an id cannot be
  // a path segment of the API (1 to 40 of A-Z, a-z, 0-9, '-', '.', '_').
  static Result<SchemeRegistry> FromSchemes(std::vector<Scheme> schemes);

 private:
  std::vector<Scheme> schemes_;
};

// Every scheme.toml under `dir`, recursively (a folder with none gives an empty registry).
// kNotFound when `dir` is not a readable folder; kInvalidArgument listing, one per line, every
// "file:line:col: message" of the files that do not load, and duplicate or unusable ids.
Result<SchemeRegistry> LoadSchemeRegistry(const std::string& dir);

// What a list shows: {id, title_fr, title_en, description_fr, description_en, authority,
// example, automatic_approval, has_amount, valid_from, valid_to}.
nlohmann::json SchemeSummaryJson(const Scheme& scheme);
// The summary plus facts (in the file's order) [{id, type, label_fr, label_en, question_fr,
// question_en, values?, min?, max?, max_years_ago?, not_after_as_of?}], derived [{id, type,
// label_fr, label_en}], rules [{id, fr, en, legal, on_fail, valid_from, valid_to}], tables [{id,
// label_fr, label_en, key, value, legal, periods [{valid_from, valid_to, rows [{from, to,
// value}]}]}] and amount ({fr, en, legal} or null). Bounds and rows are in the fact's or table's
// own units (money as euro strings, dates as "YYYY-MM-DD").
nlohmann::json SchemeDetailJson(const Scheme& scheme);

}  // namespace guichet::rules
