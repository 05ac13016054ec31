#include "app/labeled_data.h"

#include <zlib.h>

#include <algorithm>
#include <optional>
#include <sstream>

#include "app/csv.h"
#include "common/text.h"

namespace guichet::app {
namespace {

constexpr std::size_t kMaxDataBytes = std::size_t{1} << 30;

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::vector<std::string> SplitTabs(const std::string& line) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  for (;;) {
    const std::size_t tab = line.find('\t', start);
    fields.push_back(
        line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) return fields;
    start = tab + 1;
  }
}

// Every record of the file as fields, with its line number.
Result<std::vector<CsvRecord>> Records(const std::string& path, const std::string& text, bool tsv) {
  std::vector<CsvRecord> records;
  if (tsv) {
    std::istringstream in(text);
    int line_number = 0;
    for (std::string line; std::getline(in, line);) {
      ++line_number;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) continue;
      records.push_back({SplitTabs(line), line_number, ""});
    }
  } else {
    std::istringstream in(text);
    CsvReader reader(in);
    CsvRecord record;
    while (reader.Next(record)) {
      if (!record.error.empty())
        return InvalidArgument(path + ":" + std::to_string(record.line) + ": " + record.error);
      records.push_back(record);
    }
  }
  if (!records.empty() && !records[0].fields.empty() &&
      records[0].fields[0].starts_with("\xEF\xBB\xBF"))
    records[0].fields[0].erase(0, 3);  // a UTF-8 byte order mark
  return records;
}

}  // namespace

Result<std::string> ReadMaybeGzipped(const std::string& path, std::size_t max_bytes) {
  gzFile file = gzopen(path.c_str(), "rb");  // reads plain files as they are, too
  if (file == nullptr) return NotFound("cannot open " + path);
  std::string out;
  char buffer[1 << 16];
  for (;;) {
    const int n = gzread(file, buffer, sizeof buffer);
    if (n < 0) {
      int code = 0;
      const std::string why = gzerror(file, &code);
      gzclose(file);
      return InvalidArgument("cannot read " + path + ": " + why);
    }
    if (n == 0) break;
    out.append(buffer, static_cast<std::size_t>(n));
    if (out.size() > max_bytes) {
      gzclose(file);
      return InvalidArgument(path + " is larger than " + std::to_string(max_bytes >> 20) +
                             " MiB once uncompressed");
    }
  }
  gzclose(file);
  return out;
}

Result<Table> ReadTable(const std::string& path) {
  std::string base = path;
  if (EndsWith(base, ".gz")) base.resize(base.size() - 3);
  const bool tsv = EndsWith(base, ".tsv");
  if (!tsv && !EndsWith(base, ".csv"))
    return InvalidArgument(path + ": the file name must end in .tsv or .csv (optionally .gz)");
  GUICHET_ASSIGN_OR_RETURN(const std::string text, ReadMaybeGzipped(path, kMaxDataBytes));
  if (!IsValidUtf8(text)) return InvalidArgument(path + " is not valid UTF-8");
  GUICHET_ASSIGN_OR_RETURN(auto records, Records(path, text, tsv));
  if (records.empty()) return InvalidArgument(path + " is empty (no header row)");
  Table table;
  table.path = path;
  table.header = std::move(records[0].fields);
  for (std::size_t r = 1; r < records.size(); ++r) {
    if (records[r].fields.size() != table.header.size())
      return InvalidArgument(path + ":" + std::to_string(records[r].line) + ": " +
                             std::to_string(records[r].fields.size()) +
                             " fields where the header has " + std::to_string(table.header.size()));
    table.rows.push_back(std::move(records[r]));
  }
  return table;
}

Result<std::size_t> Table::Column(const std::string& name) const {
  auto found = std::find(header.begin(), header.end(), name);
  if (found != header.end()) return static_cast<std::size_t>(found - header.begin());
  std::string names;
  for (const auto& h : header) names += (names.empty() ? "" : ", ") + h;
  return InvalidArgument(path + " has no column \"" + name + "\"; its columns are: " + names);
}

Result<LabeledData> ReadLabeledData(const LabeledDataSpec& spec) {
  if (spec.text_columns.empty()) return InvalidArgument("no text column given");
  GUICHET_ASSIGN_OR_RETURN(const Table table, ReadTable(spec.path));
  std::vector<std::size_t> text_at;
  for (const auto& name : spec.text_columns) {
    GUICHET_ASSIGN_OR_RETURN(const std::size_t at, table.Column(name));
    text_at.push_back(at);
  }
  GUICHET_ASSIGN_OR_RETURN(const std::size_t label_at, table.Column(spec.label_column));
  std::optional<std::size_t> group_at;
  if (!spec.group_column.empty()) {
    GUICHET_ASSIGN_OR_RETURN(group_at, table.Column(spec.group_column));
  }

  LabeledData out;
  for (const CsvRecord& rec : table.rows) {
    std::string label(Trim(rec.fields[label_at]));
    if (!spec.label_separator.empty())
      label = std::string(Trim(label.substr(0, label.find(spec.label_separator))));
    if (label.empty()) {
      ++out.skipped_without_label;
      continue;
    }
    triage::Example e;
    e.label = std::move(label);
    if (group_at) e.group = rec.fields[*group_at];
    for (std::size_t at : text_at) {
      const std::string_view part = Trim(rec.fields[at]);
      if (part.empty()) continue;
      if (!e.text.empty()) e.text += ". ";
      e.text += part;
    }
    out.examples.push_back(std::move(e));
  }
  return out;
}

}  // namespace guichet::app
