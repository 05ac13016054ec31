// An RFC 4180 CSV reader: comma-separated fields, records ended by CRLF, LF or CR, fields
// optionally enclosed in double quotes, in which commas, line breaks and doubled quotes ("")
// stand for themselves. A UTF-8 byte order mark at the very start is skipped, blank lines are
// skipped, and the last record may end without a line break.
//
// Each record carries the physical line on which it starts (1-based), so that errors can point
// into the file even when quoted fields span several lines. Malformed input (a quote inside an
// unquoted field, text after a closing quote, an unterminated quote, a record over the size
// limit) is reported for that record, and reading resumes at the next line break, so that one bad
// row does not hide the others. The reader does not check UTF-8; callers do.
//
// Thread-safety: a CsvReader is used by one thread at a time; ParseCsv is thread-safe.
#pragma once

#include <cstddef>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace guichet::app {

struct CsvRecord {
  std::vector<std::string> fields;
  int line = 0;       // physical line where the record starts, 1-based
  std::string error;  // non-empty when the record is malformed; `fields` is then partial
};

struct CsvOptions {
  // A longer record is reported as an error (and its content dropped) instead of being kept in
  // memory. Counted in bytes, line breaks inside quotes included.
  std::size_t max_record_bytes = 1 << 20;
};

class CsvReader {
 public:
  // `in` is not owned and must outlive the reader.
  explicit CsvReader(std::istream& in, CsvOptions options = {});

  // Reads the next record into `out`. Returns false at the end of the input (then `out` is left
  // untouched). A malformed record is returned with `out.error` set.
  bool Next(CsvRecord& out);

 private:
  int Get();   // next byte, or -1 at the end of the input
  int Peek();  // the byte Get() would return
  // After an error: drops the rest of the physical line, line break included.
  void SkipRestOfLine();

  std::istream& in_;
  CsvOptions options_;
  std::string pending_;  // bytes read ahead and given back (a partial byte order mark)
  std::size_t pending_pos_ = 0;
  int line_ = 1;
  bool started_ = false;
};

// Parses a whole text; for tests and small inputs.
std::vector<CsvRecord> ParseCsv(std::string_view text, CsvOptions options = {});

// Formats one record as an RFC 4180 line (CRLF not added): a field is quoted when it holds a
// comma, a quote, CR or LF, or leading/trailing spaces.
std::string FormatCsvRecord(const std::vector<std::string>& fields);

}  // namespace guichet::app
