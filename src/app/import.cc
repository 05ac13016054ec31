// guichet import requests: read and check every row, report, then create the valid ones.
#include "app/import.h"

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "app/commands.h"
#include "app/csv.h"
#include "app/progress.h"
#include "common/crypto.h"
#include "common/text.h"
#include "core/enums.h"
#include "server/request_json.h"

namespace guichet::app {
namespace {

using json = nlohmann::json;

std::string Join(std::span<const std::string_view> names) {
  std::string out;
  for (auto n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

// Reads one physical line without its line break. Keeps at most `max` bytes: a longer line is
// consumed to its end and flagged, so that a huge line never sits in memory.
bool ReadLine(std::istream& in, std::string& line, bool& too_long, std::size_t max) {
  line.clear();
  too_long = false;
  std::streambuf* buffer = in.rdbuf();
  bool any = false;
  for (;;) {
    const int c = buffer->sbumpc();
    if (c == std::char_traits<char>::eof()) {
      in.setstate(std::ios::eofbit);
      break;
    }
    any = true;
    if (c == '\n') break;
    if (too_long) continue;
    if (line.size() >= max + 1) {  // + 1: room for a CR before the LF
      too_long = true;
      line.clear();
      continue;
    }
    line.push_back(static_cast<char>(c));
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.size() > max) {
    too_long = true;
    line.clear();
  }
  return any;
}

std::string UnknownCategory(const CategorySlugs& categories) {
  std::string reason = "is not a known category";
  if (categories.empty()) return reason + " (there are no categories yet)";
  if (categories.size() <= 20) {
    std::string known;
    for (const auto& [slug, id] : categories) known += (known.empty() ? "" : ", ") + slug;
    reason += " (known: " + known + ")";
  }
  return reason;
}

// Resolves the enum and category columns of a CSV row.
void ReadEnumsAndCategory(const std::optional<std::string>& channel,
                          const std::optional<std::string>& priority,
                          const std::optional<std::string>& category,
                          const CategorySlugs& categories, core::NewRequest& r,
                          const std::function<void(const std::string&, std::string)>& error) {
  if (channel) {
    if (auto c = core::ParseChannel(*channel)) {
      r.channel = *c;
    } else {
      error("channel", "must be one of: " + Join(core::ChannelNames()));
    }
  }
  if (priority) {
    if (auto p = core::ParsePriority(*priority)) {
      r.priority = *p;
    } else {
      error("priority", "must be one of: " + Join(core::PriorityNames()));
    }
  }
  if (category) {
    auto it = categories.find(*category);
    if (it != categories.end()) {
      r.category_id = it->second;
    } else {
      error("category", UnknownCategory(categories));
    }
  }
}

// One JSONL row, read with the same rules as POST /api/v1/requests.
void ReadJsonRow(const std::string& text, int line, const CategorySlugs& categories,
                 ImportBatch& batch) {
  std::vector<RowError> errors;
  json doc;
  const server::JsonTextError parse_error = server::ParseJsonObjectText(text, doc);
  if (parse_error != server::JsonTextError::kNone) {
    errors.push_back({line, "line", server::DescribeJsonTextError(parse_error)});
  } else {
    const auto resolve = [&categories](const json& value) -> std::optional<core::Id> {
      if (!value.is_string()) return std::nullopt;  // imports name categories by slug
      auto it = categories.find(value.get<std::string>());
      return it == categories.end() ? std::nullopt : std::optional<core::Id>(it->second);
    };
    auto read = server::NewRequestFromJson(doc, resolve);
    if (auto* request = std::get_if<core::NewRequest>(&read)) {
      batch.valid.push_back({line, std::move(*request)});
    } else {
      for (auto& e : std::get<std::vector<core::FieldError>>(read)) {
        if (e.field == "category" && e.reason == "is not a known category")
          e.reason = UnknownCategory(categories);
        errors.push_back({line, e.field, e.reason});
      }
    }
  }
  if (!errors.empty()) {
    ++batch.invalid_rows;
    for (auto& e : errors) batch.errors.push_back(std::move(e));
  }
}

void ReadJsonl(std::istream& in, const CategorySlugs& categories, ImportBatch& batch) {
  std::string text;
  bool too_long = false;
  for (int line = 1; ReadLine(in, text, too_long, kMaxImportLineBytes); ++line) {
    if (!too_long && Trim(text).empty()) continue;
    ++batch.rows;
    if (too_long) {
      ++batch.invalid_rows;
      batch.errors.push_back({line, "line", "is longer than 1 MiB"});
    } else if (!IsValidUtf8(text)) {
      ++batch.invalid_rows;
      batch.errors.push_back({line, "line", "is not valid UTF-8"});
    } else {
      ReadJsonRow(text, line, categories, batch);
    }
  }
}

constexpr std::string_view kCsvColumns[] = {
    "subject", "description",  "channel",       "category",      "priority",        "language",
    "tags",    "citizen_name", "citizen_email", "citizen_phone", "citizen_language"};
constexpr std::string_view kRequiredCsvColumns[] = {"subject", "description", "channel"};

// "citizen.email" → "citizen_email", "tags[3]" → "tags": errors name the CSV column.
std::string CsvColumnOf(const std::string& field) {
  if (field.rfind("citizen.", 0) == 0) return "citizen_" + field.substr(8);
  if (field.rfind("tags[", 0) == 0) return "tags";
  return field;
}

void ReadCsv(std::istream& in, const CategorySlugs& categories, ImportBatch& batch) {
  CsvReader reader(in, CsvOptions{kMaxImportLineBytes});
  CsvRecord header;
  if (!reader.Next(header)) return;  // an empty file has no rows
  auto fatal = [&](std::string field, std::string reason) {
    batch.fatal = true;
    batch.errors.push_back({header.line, std::move(field), std::move(reason)});
  };
  if (!header.error.empty()) return fatal("header", header.error);
  std::map<std::string, size_t, std::less<>> columns;
  for (size_t i = 0; i < header.fields.size(); ++i) {
    const std::string name = AsciiLower(Trim(header.fields[i]));
    if (std::find(std::begin(kCsvColumns), std::end(kCsvColumns), name) == std::end(kCsvColumns)) {
      std::string known;
      for (auto c : kCsvColumns) known += (known.empty() ? "" : ", ") + std::string(c);
      return fatal("header", "column \"" + header.fields[i] +
                                 "\" is not known (known columns: " + known + ")");
    }
    if (!columns.emplace(name, i).second) {
      return fatal("header", "column \"" + name + "\" appears twice");
    }
  }
  for (auto required : kRequiredCsvColumns) {
    if (!columns.count(required)) {
      return fatal("header", "the required column \"" + std::string(required) + "\" is missing");
    }
  }

  CsvRecord record;
  while (reader.Next(record)) {
    ++batch.rows;
    const int line = record.line;
    std::vector<RowError> errors;
    auto error = [&](const std::string& field, std::string reason) {
      errors.push_back({line, field, std::move(reason)});
    };
    if (!record.error.empty()) {
      error("row", record.error);
    } else if (record.fields.size() != header.fields.size()) {
      error("row", "has " + std::to_string(record.fields.size()) + " fields but the header has " +
                       std::to_string(header.fields.size()));
    } else {
      for (const auto& [name, index] : columns) {
        if (!IsValidUtf8(record.fields[index])) error(name, "is not valid UTF-8");
      }
    }
    if (errors.empty()) {
      // An empty cell is an absent value.
      auto cell = [&](std::string_view column) -> std::optional<std::string> {
        auto it = columns.find(column);
        if (it == columns.end() || record.fields[it->second].empty()) return std::nullopt;
        return record.fields[it->second];
      };
      auto trimmed = [&](std::string_view column) -> std::optional<std::string> {
        auto v = cell(column);
        if (!v) return v;
        std::string t(Trim(*v));
        if (t.empty()) return std::nullopt;
        return t;
      };
      core::NewRequest r;
      r.subject = cell("subject").value_or("");
      r.description = cell("description").value_or("");
      const auto channel = trimmed("channel");
      if (!channel) error("channel", "is required");
      ReadEnumsAndCategory(channel, trimmed("priority"), trimmed("category"), categories, r, error);
      r.language = trimmed("language").value_or("");
      if (auto tags = cell("tags")) {
        std::string_view rest = *tags;
        for (;;) {
          const size_t bar = rest.find('|');
          const std::string_view tag = Trim(rest.substr(0, bar));
          if (!tag.empty()) r.tags.emplace_back(tag);
          if (bar == std::string_view::npos) break;
          rest.remove_prefix(bar + 1);
        }
      }
      core::NewCitizen c;
      c.name = trimmed("citizen_name").value_or("");
      c.email = trimmed("citizen_email").value_or("");
      c.phone = trimmed("citizen_phone").value_or("");
      c.language = trimmed("citizen_language").value_or("");
      if (!c.name.empty() || !c.email.empty() || !c.phone.empty() || !c.language.empty()) {
        r.citizen = c;
      }
      if (errors.empty()) {
        for (auto& e : core::ValidateNewRequest(r)) error(CsvColumnOf(e.field), e.reason);
      }
      if (errors.empty()) batch.valid.push_back({line, std::move(r)});
    }
    if (!errors.empty()) {
      ++batch.invalid_rows;
      for (auto& e : errors) batch.errors.push_back(std::move(e));
    }
  }
}

}  // namespace

std::optional<ImportFormat> ParseImportFormat(std::string_view name) {
  if (name == "jsonl") return ImportFormat::kJsonl;
  if (name == "csv") return ImportFormat::kCsv;
  return std::nullopt;
}

ImportBatch ReadImport(std::istream& in, ImportFormat format, const CategorySlugs& categories) {
  ImportBatch batch;
  if (format == ImportFormat::kJsonl) {
    ReadJsonl(in, categories, batch);
  } else {
    ReadCsv(in, categories, batch);
  }
  return batch;
}

int RunImport(const Config& config, const ImportFlags& flags, const Io& io) {
  const auto format = ParseImportFormat(flags.format);
  if (!format) return Fail(io, "unknown import format \"" + flags.format + "\"");
  const bool from_stdin = flags.file == "-";
  const std::string name = from_stdin ? "<stdin>" : flags.file;
  std::ifstream file;
  if (!from_stdin) {
    file.open(flags.file, std::ios::binary);
    if (!file) return Fail(io, "cannot read " + flags.file);
  }

  auto store = OpenCliStore(config.database_url);
  if (!store.ok()) return Fail(io, store.status().message());
  storage::Store& s = **store;
  auto categories = s.ListCategories();
  if (!categories.ok()) return Fail(io, categories.status().message());
  CategorySlugs slugs;
  for (const auto& c : *categories) slugs[c.slug] = c.id;

  const ImportBatch batch = ReadImport(from_stdin ? io.in : file, *format, slugs);
  if (!from_stdin && file.bad()) return Fail(io, "cannot read " + flags.file);

  // The report: one "FILE:LINE: field: reason" line per problem, on stderr.
  const size_t shown = flags.max_errors <= 0
                           ? batch.errors.size()
                           : std::min(batch.errors.size(), static_cast<size_t>(flags.max_errors));
  for (size_t i = 0; i < shown; ++i) {
    const RowError& e = batch.errors[i];
    io.err << name << ':' << e.line << ": " << e.field << ": " << e.reason << '\n';
  }
  if (shown < batch.errors.size()) {
    io.err << name << ": … and " << batch.errors.size() - shown
           << " more errors (use --max-errors 0 to see them all)\n";
  }

  if (batch.fatal) return Fail(io, name + " cannot be imported; nothing was imported");
  const auto valid = static_cast<std::int64_t>(batch.valid.size());
  if (batch.invalid_rows > 0 && !flags.skip_invalid) {
    return Fail(io, std::to_string(batch.invalid_rows) + " of " + std::to_string(batch.rows) +
                        " rows in " + name +
                        " are invalid; nothing was imported (fix them, or "
                        "use --skip-invalid to import the " +
                        std::to_string(valid) + " valid rows)");
  }
  if (flags.dry_run) {
    io.out << "dry run: " << valid << " of " << batch.rows << " rows in " << name
           << " are valid; nothing was imported\n";
    return batch.invalid_rows > 0 && valid == 0 ? kExitFailed : kExitOk;
  }
  if (batch.rows == 0) {
    io.out << "nothing to import: " << name << " has no rows\n";
    return kExitOk;
  }
  if (valid == 0) return Fail(io, "no valid rows in " + name + "; nothing was imported");

  Progress progress(io.err, io.progress, "import", valid);
  const storage::Actor actor = storage::Actor::System("import");
  std::int64_t imported = 0;
  for (const ImportRow& row : batch.valid) {
    // A fresh private-link secret per request; its hash only is kept (it is never shown here).
    auto created = s.CreateRequest(row.request, Sha256Hex(RandomToken()), actor);
    if (!created.ok()) {
      progress.Done();
      return Fail(io, name + ":" + std::to_string(row.line) + ": " + created.status().message() +
                          "; " + std::to_string(imported) + " of " + std::to_string(valid) +
                          " requests were imported before this failure");
    }
    ++imported;
    progress.Set(imported);
  }
  progress.Done();
  io.out << "imported " << imported << (imported == 1 ? " request" : " requests") << " from "
         << name;
  if (batch.invalid_rows > 0) {
    io.out << "; skipped " << batch.invalid_rows << " invalid "
           << (batch.invalid_rows == 1 ? "row" : "rows");
  }
  io.out << '\n';
  return kExitOk;
}

}  // namespace guichet::app
