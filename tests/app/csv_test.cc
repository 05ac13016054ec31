// The RFC 4180 reader (app/csv.h): quoting, line breaks, line numbers, errors and recovery.
#include "app/csv.h"

#include <gtest/gtest.h>

#include <sstream>

namespace guichet::app {
namespace {

using Fields = std::vector<std::string>;

std::vector<Fields> AllFields(const std::vector<CsvRecord>& records) {
  std::vector<Fields> out;
  for (const auto& r : records) out.push_back(r.fields);
  return out;
}

TEST(CsvTest, PlainRecords) {
  const auto records = ParseCsv("a,b,c\n1,2,3\n");
  EXPECT_EQ(AllFields(records), (std::vector<Fields>{{"a", "b", "c"}, {"1", "2", "3"}}));
  EXPECT_EQ(records[0].line, 1);
  EXPECT_EQ(records[1].line, 2);
  EXPECT_TRUE(records[0].error.empty());
}

TEST(CsvTest, LastRecordWithoutLineBreak) {
  EXPECT_EQ(AllFields(ParseCsv("a,b\n1,2")), (std::vector<Fields>{{"a", "b"}, {"1", "2"}}));
}

TEST(CsvTest, EmptyInputHasNoRecords) {
  EXPECT_TRUE(ParseCsv("").empty());
  EXPECT_TRUE(ParseCsv("\n\r\n\n").empty());
}

TEST(CsvTest, EmptyFieldsAreKept) {
  EXPECT_EQ(AllFields(ParseCsv(",a,,\n")), (std::vector<Fields>{{"", "a", "", ""}}));
  EXPECT_EQ(AllFields(ParseCsv("\"\",x")), (std::vector<Fields>{{"", "x"}}));
}

TEST(CsvTest, QuotedFieldsHoldCommasQuotesAndLineBreaks) {
  const auto records = ParseCsv(
      "subject,description\n"
      "\"Hello, world\",\"She said \"\"hi\"\"\"\n"
      "\"two\nlines\",\"three\r\nlines\nhere\"\n"
      "after,it\n");
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[1].fields, (Fields{"Hello, world", "She said \"hi\""}));
  EXPECT_EQ(records[2].fields, (Fields{"two\nlines", "three\r\nlines\nhere"}));
  EXPECT_EQ(records[3].fields, (Fields{"after", "it"}));
  // Records are numbered by the physical line they start on.
  EXPECT_EQ(records[1].line, 2);
  EXPECT_EQ(records[2].line, 3);
  EXPECT_EQ(records[3].line, 7);
}

TEST(CsvTest, CrLfAndCrLineBreaks) {
  const auto records = ParseCsv("a,b\r\n1,2\r3,4\r\n");
  EXPECT_EQ(AllFields(records), (std::vector<Fields>{{"a", "b"}, {"1", "2"}, {"3", "4"}}));
  EXPECT_EQ(records[2].line, 3);
}

TEST(CsvTest, BlankLinesAreSkippedButCounted) {
  const auto records = ParseCsv("a\n\n\nb\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].fields, (Fields{"b"}));
  EXPECT_EQ(records[1].line, 4);
}

TEST(CsvTest, ByteOrderMarkIsDropped) {
  EXPECT_EQ(AllFields(ParseCsv("\xEF\xBB\xBFsubject,x\n")),
            (std::vector<Fields>{{"subject", "x"}}));
  // A partial mark is data, left for the UTF-8 check of the caller.
  EXPECT_EQ(AllFields(ParseCsv("\xEF\xBBz\n")), (std::vector<Fields>{{"\xEF\xBBz"}}));
}

TEST(CsvTest, SpacesAndUtf8AreData) {
  EXPECT_EQ(AllFields(ParseCsv(" a , Éclairage public \n")),
            (std::vector<Fields>{{" a ", " Éclairage public "}}));
}

TEST(CsvTest, QuoteInsideUnquotedFieldIsAnErrorAndReadingResumes) {
  const auto records = ParseCsv("a,b\nx,say \"hi\"\nc,d\n");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_NE(records[1].error.find("quote"), std::string::npos) << records[1].error;
  EXPECT_EQ(records[1].line, 2);
  EXPECT_TRUE(records[2].error.empty());
  EXPECT_EQ(records[2].fields, (Fields{"c", "d"}));
  EXPECT_EQ(records[2].line, 3);
}

TEST(CsvTest, TextAfterClosingQuoteIsAnError) {
  const auto records = ParseCsv("\"abc\"def,x\nok,1\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_NE(records[0].error.find("after a closing quote"), std::string::npos);
  EXPECT_EQ(records[1].fields, (Fields{"ok", "1"}));
  EXPECT_EQ(records[1].line, 2);
}

TEST(CsvTest, UnterminatedQuoteIsAnError) {
  const auto records = ParseCsv("a,b\n1,\"never closed\n2,3\n");
  ASSERT_EQ(records.size(), 2u);
  EXPECT_TRUE(records[0].error.empty());
  EXPECT_NE(records[1].error.find("opened on line 2"), std::string::npos) << records[1].error;
}

TEST(CsvTest, RecordOverTheSizeLimitIsAnError) {
  CsvOptions options;
  options.max_record_bytes = 10;
  const auto records = ParseCsv(
      "short,1\n" + std::string(50, 'x') + ",\"" + std::string(20, 'y') + "\nstill\"\nnext,2\n",
      options);
  ASSERT_EQ(records.size(), 3u);
  EXPECT_TRUE(records[0].error.empty());
  EXPECT_NE(records[1].error.find("longer than 10 bytes"), std::string::npos);
  EXPECT_TRUE(records[1].fields.empty());
  EXPECT_EQ(records[2].fields, (Fields{"next", "2"}));
  EXPECT_EQ(records[2].line, 4);
}

TEST(CsvTest, ReaderStreamsRecordByRecord) {
  std::istringstream in("a,b\n\"c\nd\",e\n");
  CsvReader reader(in);
  CsvRecord record;
  ASSERT_TRUE(reader.Next(record));
  EXPECT_EQ(record.fields, (Fields{"a", "b"}));
  ASSERT_TRUE(reader.Next(record));
  EXPECT_EQ(record.fields, (Fields{"c\nd", "e"}));
  EXPECT_FALSE(reader.Next(record));
  EXPECT_FALSE(reader.Next(record));
}

TEST(CsvTest, FormatRoundTrips) {
  const Fields fields = {"plain", "with, comma", "with \"quotes\"", "two\nlines", "", " pad "};
  const std::string line = FormatCsvRecord(fields);
  EXPECT_EQ(line, "plain,\"with, comma\",\"with \"\"quotes\"\"\",\"two\nlines\",,\" pad \"");
  const auto records = ParseCsv(line + "\r\n");
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].fields, fields);
}

}  // namespace
}  // namespace guichet::app
