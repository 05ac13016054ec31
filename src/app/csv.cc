#include "app/csv.h"

#include <sstream>

namespace guichet::app {

CsvReader::CsvReader(std::istream& in, CsvOptions options) : in_(in), options_(options) {}

int CsvReader::Get() {
  if (pending_pos_ < pending_.size()) return static_cast<unsigned char>(pending_[pending_pos_++]);
  const auto c = in_.get();
  return c == std::char_traits<char>::eof() ? -1 : static_cast<unsigned char>(c);
}

int CsvReader::Peek() {
  if (pending_pos_ < pending_.size()) return static_cast<unsigned char>(pending_[pending_pos_]);
  const auto c = in_.peek();
  return c == std::char_traits<char>::eof() ? -1 : static_cast<unsigned char>(c);
}

void CsvReader::SkipRestOfLine() {
  for (;;) {
    const int c = Get();
    if (c == -1) return;
    if (c == '\n') break;
    if (c == '\r') {
      if (Peek() == '\n') Get();
      break;
    }
  }
  ++line_;
}

bool CsvReader::Next(CsvRecord& out) {
  if (!started_) {
    started_ = true;
    // Only the full three-byte mark is dropped; a partial one is given back as data (it is
    // then invalid UTF-8, for the caller to report).
    std::string head;
    for (const int expected : {0xEF, 0xBB, 0xBF}) {
      if (Peek() != expected) break;
      head += static_cast<char>(Get());
    }
    if (head.size() < 3) pending_ = head;
  }
  // Blank lines between records carry no data.
  for (;;) {
    const int c = Peek();
    if (c == -1) return false;
    if (c == '\n') {
      Get();
      ++line_;
    } else if (c == '\r') {
      Get();
      if (Peek() == '\n') Get();
      ++line_;
    } else {
      break;
    }
  }

  CsvRecord record;
  record.line = line_;
  std::string field;
  std::size_t bytes = 0;
  bool too_long = false;
  enum class State { kFieldStart, kUnquoted, kQuoted, kAfterQuote } state = State::kFieldStart;
  int opened_on = line_;

  auto finish = [&]() {
    if (too_long) {
      record.fields.clear();
      record.error =
          "the row is longer than " + std::to_string(options_.max_record_bytes) + " bytes";
    }
    out = std::move(record);
    return true;
  };
  auto push_field = [&]() {
    if (!too_long) record.fields.push_back(std::move(field));
    field.clear();
  };
  auto append = [&](int c) {
    if (too_long) return;
    if (++bytes > options_.max_record_bytes) {
      too_long = true;
      field.clear();
      record.fields.clear();
      return;
    }
    field += static_cast<char>(c);
  };
  auto fail = [&](std::string reason) {
    record.error = std::move(reason);
    SkipRestOfLine();
    out = std::move(record);
    return true;
  };

  for (;;) {
    const int c = Get();
    switch (state) {
      case State::kFieldStart:
        if (c == '"') {
          state = State::kQuoted;
          opened_on = line_;
          if (++bytes > options_.max_record_bytes) too_long = true;
          continue;
        }
        state = State::kUnquoted;
        [[fallthrough]];
      case State::kUnquoted:
        if (c == -1) {
          push_field();
          return finish();
        }
        if (c == ',') {
          push_field();
          ++bytes;
          state = State::kFieldStart;
        } else if (c == '\n' || c == '\r') {
          if (c == '\r' && Peek() == '\n') Get();
          ++line_;
          push_field();
          return finish();
        } else if (c == '"') {
          return fail(
              "a quote appears inside an unquoted field (quote the whole field and "
              "double the quotes in it)");
        } else {
          append(c);
        }
        break;
      case State::kQuoted:
        if (c == -1) {
          record.fields.clear();
          record.error =
              "a quoted field opened on line " + std::to_string(opened_on) + " is never closed";
          out = std::move(record);
          return true;
        }
        if (c == '"') {
          if (Peek() == '"') {
            Get();
            append('"');
          } else {
            state = State::kAfterQuote;
          }
        } else {
          if (c == '\n' || (c == '\r' && Peek() != '\n')) ++line_;
          append(c);
        }
        break;
      case State::kAfterQuote:
        if (c == ',') {
          push_field();
          ++bytes;
          state = State::kFieldStart;
        } else if (c == -1) {
          push_field();
          return finish();
        } else if (c == '\n' || c == '\r') {
          if (c == '\r' && Peek() == '\n') Get();
          ++line_;
          push_field();
          return finish();
        } else {
          return fail(
              "unexpected text after a closing quote (a quote inside a quoted field "
              "must be doubled)");
        }
        break;
    }
  }
}

std::vector<CsvRecord> ParseCsv(std::string_view text, CsvOptions options) {
  std::istringstream in{std::string(text)};
  CsvReader reader(in, options);
  std::vector<CsvRecord> out;
  CsvRecord record;
  while (reader.Next(record)) out.push_back(std::move(record));
  return out;
}

std::string FormatCsvRecord(const std::vector<std::string>& fields) {
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out += ',';
    const std::string& f = fields[i];
    const bool quote = f.find_first_of(",\"\r\n") != std::string::npos ||
                       (!f.empty() && (f.front() == ' ' || f.back() == ' '));
    if (!quote) {
      out += f;
      continue;
    }
    out += '"';
    for (char c : f) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  return out;
}

}  // namespace guichet::app
