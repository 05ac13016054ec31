// Private to src/app: tables and labelled texts from a TSV or CSV file with a header row (the
// format is chosen by the extension, under an optional .gz), columns chosen by name — the input of
// `guichet train triage` and `guichet eval triage`. TSV has no quoting; CSV follows RFC 4180.
// Rows with an empty label are skipped and counted; a missing column, bad UTF-8 or a malformed
// row is an error naming the file and line.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "app/csv.h"
#include "common/status.h"
#include "triage/classifier.h"

namespace guichet::app {

struct LabeledDataSpec {
  std::string path;
  std::vector<std::string> text_columns;  // joined with ". " when several
  std::string label_column;
  std::string label_separator;  // when set, the label column is a list: its first value counts
  std::string group_column;     // optional: examples sharing its value are held out together
};

struct LabeledData {
  std::vector<triage::Example> examples;
  std::size_t skipped_without_label = 0;
};

Result<LabeledData> ReadLabeledData(const LabeledDataSpec& spec);

// A whole TSV or CSV file (by extension, optionally .gz) with its header row; every row has as
// many fields as the header, or the error names the line.
struct Table {
  std::string path;
  std::vector<std::string> header;
  std::vector<CsvRecord> rows;
  // The position of the column `name`, or an error listing the columns there are.
  Result<std::size_t> Column(const std::string& name) const;
};
Result<Table> ReadTable(const std::string& path);

// The whole file, gunzipped when its name ends in .gz; at most `max_bytes` once uncompressed.
Result<std::string> ReadMaybeGzipped(const std::string& path, std::size_t max_bytes);

}  // namespace guichet::app
