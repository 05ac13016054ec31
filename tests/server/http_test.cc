// Unit tests of the framework-neutral HTTP helpers in src/server/http.h: JSON body parsing with
// its limits, FieldReader, and the Status → problem response mapping. No network, no database.
#include "server/http.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <variant>
#include <vector>

namespace guichet::server {
namespace {

using core::FieldError;

json BodyOf(const HttpResponse& r) { return json::parse(r.body); }

// The problem a ParseJsonObject call answered; fails the test when it accepted the body.
HttpResponse Rejected(const std::string& body) {
  auto parsed = ParseJsonObject(body);
  EXPECT_TRUE(std::holds_alternative<HttpResponse>(parsed)) << "accepted: " << body.substr(0, 80);
  if (auto* r = std::get_if<HttpResponse>(&parsed)) return *r;
  return {};
}

void ExpectProblem(const HttpResponse& r, int status, const std::string& slug) {
  EXPECT_EQ(r.status, status);
  EXPECT_EQ(r.content_type, "application/problem+json");
  const json body = BodyOf(r);
  EXPECT_EQ(body.value("type", ""), "urn:guichet:problem:" + slug) << r.body;
  EXPECT_EQ(body.value("status", 0), status);
  EXPECT_FALSE(body.value("title", "").empty());
  EXPECT_FALSE(body.value("detail", "").empty());
}

std::string NestedObjects(int depth) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += i + 1 == depth ? "{\"a\":1" : "{\"a\":";
  return s + std::string(depth, '}');
}

// ---- ParseJsonObject -------------------------------------------------------------------------

TEST(ParseJsonObjectTest, AcceptsAnObject) {
  auto parsed = ParseJsonObject(R"({"subject": "Passeport", "n": [1, 2, {"x": null}]})");
  ASSERT_TRUE(std::holds_alternative<json>(parsed));
  EXPECT_EQ(std::get<json>(parsed)["subject"], "Passeport");
}

TEST(ParseJsonObjectTest, RejectsAnEmptyOrBlankBody) {
  ExpectProblem(Rejected(""), 400, "invalid-json");
  ExpectProblem(Rejected(" \r\n\t "), 400, "invalid-json");
}

TEST(ParseJsonObjectTest, RejectsInvalidJson) {
  for (const char* body :
       {"{", "{\"a\":}", "{'a': 1}", "{\"a\": 1,}", "nul", "{\"a\":1} x", "]]]]{\"a\":1}"}) {
    SCOPED_TRACE(body);
    ExpectProblem(Rejected(body), 400, "invalid-json");
  }
}

TEST(ParseJsonObjectTest, RejectsJsonThatIsNotAnObject) {
  for (const char* body : {"[]", "[{\"a\": 1}]", "1", "\"text\"", "null", "true"}) {
    SCOPED_TRACE(body);
    const HttpResponse r = Rejected(body);
    ExpectProblem(r, 400, "invalid-json");
    EXPECT_NE(BodyOf(r)["detail"].get<std::string>().find("object"), std::string::npos);
  }
}

TEST(ParseJsonObjectTest, RejectsInvalidUtf8) {
  ExpectProblem(Rejected("{\"subject\": \"caf\xe9\"}"), 400, "invalid-utf8");       // Latin-1
  ExpectProblem(Rejected("{\"subject\": \"\xc0\xaf\"}"), 400, "invalid-utf8");      // overlong
  ExpectProblem(Rejected("{\"subject\": \"\xed\xa0\x80\"}"), 400, "invalid-utf8");  // surrogate
  ExpectProblem(Rejected("{\"s\xff\": 1}"), 400, "invalid-utf8");
}

TEST(ParseJsonObjectTest, AcceptsValidUtf8) {
  auto parsed = ParseJsonObject("{\"subject\": \"Acte de naissance — été 🌞\"}");
  ASSERT_TRUE(std::holds_alternative<json>(parsed));
}

TEST(ParseJsonObjectTest, NestingDepth32IsAcceptedAnd33Rejected) {
  EXPECT_TRUE(std::holds_alternative<json>(ParseJsonObject(NestedObjects(32))));
  const HttpResponse r = Rejected(NestedObjects(33));
  ExpectProblem(r, 400, "invalid-json");
  EXPECT_NE(BodyOf(r)["detail"].get<std::string>().find("32"), std::string::npos);

  // Arrays count as levels too: the object is level 1.
  const std::string arrays32 = "{\"a\":" + std::string(31, '[') + std::string(31, ']') + "}";
  const std::string arrays33 = "{\"a\":" + std::string(32, '[') + std::string(32, ']') + "}";
  EXPECT_TRUE(std::holds_alternative<json>(ParseJsonObject(arrays32)));
  ExpectProblem(Rejected(arrays33), 400, "invalid-json");
}

TEST(ParseJsonObjectTest, BracketsInsideStringsDoNotCount) {
  const std::string body =
      "{\"a\": \"" + std::string(100, '[') + "\\\"" + std::string(100, '{') + "\"}";
  auto parsed = ParseJsonObject(body);
  ASSERT_TRUE(std::holds_alternative<json>(parsed));
  EXPECT_EQ(std::get<json>(parsed)["a"].get<std::string>().size(), 201u);
}

TEST(ParseJsonObjectTest, AMebibyteOfOpeningBracketsIsRejectedWithoutCrashing) {
  ExpectProblem(Rejected(std::string(1 << 20, '[')), 400, "invalid-json");
  ExpectProblem(Rejected(std::string(1 << 20, '{')), 400, "invalid-json");
  ExpectProblem(Rejected("{\"a\":" + std::string(1 << 20, '[')), 400, "invalid-json");
}

// ---- FieldReader -----------------------------------------------------------------------------

TEST(FieldReaderTest, ReadsEachType) {
  const json body = json::parse(R"({
    "s": "text", "i": 42, "n": 1.5, "ni": 2, "b": true, "sl": ["a", "b"], "il": [1, 2],
    "sm": {"k": "v"}, "o": {"x": 1}, "z": null})");
  std::vector<FieldError> errors;
  FieldReader reader(body, errors);
  EXPECT_EQ(reader.String("s"), "text");
  EXPECT_EQ(reader.Integer("i"), 42);
  EXPECT_EQ(reader.Number("n"), 1.5);
  EXPECT_EQ(reader.Number("ni"), 2.0);
  EXPECT_EQ(reader.Bool("b"), true);
  EXPECT_EQ(reader.StringList("sl"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(reader.IntegerList("il"), (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(reader.StringMap("sm"), (std::map<std::string, std::string>{{"k", "v"}}));
  const json* o = reader.Object("o");
  ASSERT_NE(o, nullptr);
  EXPECT_EQ((*o)["x"], 1);
  EXPECT_TRUE(reader.IsNull("z"));
  EXPECT_FALSE(reader.IsNull("s"));
  EXPECT_FALSE(reader.IsNull("absent"));
  EXPECT_EQ(reader.String("z"), std::nullopt);  // null reads as absent
  reader.RejectUnknown();
  EXPECT_TRUE(errors.empty()) << errors[0].field << " " << errors[0].reason;
}

TEST(FieldReaderTest, AbsentFieldsAreNulloptAndRequiredOnesAreErrors) {
  const json body = json::parse(R"({"nothing_here": null})");
  std::vector<FieldError> errors;
  FieldReader reader(body, errors);
  EXPECT_EQ(reader.String("a"), std::nullopt);
  EXPECT_EQ(reader.Integer("b"), std::nullopt);
  EXPECT_EQ(reader.String("c", /*required=*/true), std::nullopt);
  EXPECT_EQ(reader.Integer("d", /*required=*/true), std::nullopt);
  EXPECT_EQ(reader.String("nothing_here", /*required=*/true), std::nullopt);
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].field, "c");
  EXPECT_EQ(errors[0].reason, "is required");
  EXPECT_EQ(errors[1].field, "d");
  EXPECT_EQ(errors[2].field, "nothing_here");
}

TEST(FieldReaderTest, WrongTypesAreErrorsNamingBothTypes) {
  const json body = json::parse(R"({
    "s": 5, "i": 1.5, "i2": "7", "n": "1", "b": "yes", "sl": "a", "sl2": ["a", 2],
    "il": [1, "x"], "sm": [], "sm2": {"k": 1}, "o": [1]})");
  std::vector<FieldError> errors;
  FieldReader reader(body, errors);
  EXPECT_EQ(reader.String("s"), std::nullopt);
  EXPECT_EQ(reader.Integer("i"), std::nullopt);
  EXPECT_EQ(reader.Integer("i2"), std::nullopt);
  EXPECT_EQ(reader.Number("n"), std::nullopt);
  EXPECT_EQ(reader.Bool("b"), std::nullopt);
  EXPECT_EQ(reader.StringList("sl"), std::nullopt);
  EXPECT_EQ(reader.StringList("sl2"), std::nullopt);
  EXPECT_EQ(reader.IntegerList("il"), std::nullopt);
  EXPECT_EQ(reader.StringMap("sm"), std::nullopt);
  EXPECT_EQ(reader.StringMap("sm2"), std::nullopt);
  EXPECT_EQ(reader.Object("o"), nullptr);
  reader.RejectUnknown();
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"s", "must be a string, not a number"},
      {"i", "must be an integer, not a number"},
      {"i2", "must be an integer, not a string"},
      {"n", "must be a number, not a string"},
      {"b", "must be a boolean, not a string"},
      {"sl", "must be an array of strings, not a string"},
      {"sl2[1]", "must be a string"},
      {"il[1]", "must be an integer"},
      {"sm", "must be an object of strings, not an array"},
      {"sm2.k", "must be a string"},
      {"o", "must be an object, not an array"},
  };
  ASSERT_EQ(errors.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(errors[i].field, expected[i].first);
    EXPECT_EQ(errors[i].reason, expected[i].second);
  }
}

TEST(FieldReaderTest, UnknownFieldsAreReportedEachOnce) {
  const json body = json::parse(R"({"known": "x", "extra": 1, "another": null})");
  std::vector<FieldError> errors;
  FieldReader reader(body, errors);
  (void)reader.String("known");
  reader.RejectUnknown();
  ASSERT_EQ(errors.size(), 2u);
  std::set<std::string> fields = {errors[0].field, errors[1].field};
  EXPECT_EQ(fields, (std::set<std::string>{"extra", "another"}));
  for (const auto& e : errors) EXPECT_EQ(e.reason, "is not a known field");
}

TEST(FieldReaderTest, NestedReadersPrefixTheirFields) {
  const json body = json::parse(R"({"location": {"lat": "north", "zone": 3}})");
  std::vector<FieldError> errors;
  FieldReader reader(body, errors);
  const json* location = reader.Object("location");
  ASSERT_NE(location, nullptr);
  FieldReader nested(*location, errors, "location.");
  EXPECT_EQ(nested.Number("lat"), std::nullopt);
  EXPECT_EQ(nested.String("address", /*required=*/true), std::nullopt);
  nested.RejectUnknown();
  reader.RejectUnknown();
  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].field, "location.lat");
  EXPECT_EQ(errors[0].reason, "must be a number, not a string");
  EXPECT_EQ(errors[1].field, "location.address");
  EXPECT_EQ(errors[1].reason, "is required");
  EXPECT_EQ(errors[2].field, "location.zone");
  EXPECT_EQ(errors[2].reason, "is not a known field");
}

// ---- Problems --------------------------------------------------------------------------------

TEST(ProblemForTest, MapsEveryStatusCode) {
  struct Case {
    Status status;
    int http;
    const char* slug;
  };
  const Case cases[] = {
      {InvalidArgument("team 9 does not exist"), 422, "validation-failed"},
      {NotFound("request 3 does not exist"), 404, "not-found"},
      {AlreadyExists("a record with the same key already exists"), 409, "already-exists"},
      {Conflict("request 3 was changed"), 409, "edit-conflict"},
      {FailedPrecondition("a request cannot move from closed to open"), 409, "invalid-state"},
      {PermissionDenied("no"), 403, "forbidden"},
      {Unauthenticated("who?"), 401, "unauthenticated"},
      {ResourceExhausted("disk full"), 507, "storage-full"},
      {Unavailable("the database is busy"), 503, "unavailable"},
      {Internal("database error"), 500, "internal"},
      {Status::Ok(), 500, "internal"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.status.ToString());
    ExpectProblem(ProblemFor(c.status), c.http, c.slug);
  }
}

TEST(ProblemForTest, PassesReadableMessagesButHidesInternalOnes) {
  EXPECT_EQ(BodyOf(ProblemFor(NotFound("request 3 does not exist")))["detail"],
            "request 3 does not exist");
  EXPECT_NE(BodyOf(ProblemFor(Conflict("request 3 was changed")))["detail"].get<std::string>().find(
                "request 3 was changed"),
            std::string::npos);
  for (const Status& s : {Internal("SELECT * FROM users: /srv/guichet/db.sqlite"),
                          Unavailable("could not connect to postgres at /run/sock")}) {
    const std::string body = ProblemFor(s).body;
    for (const char* secret : {"SELECT", "/srv/", "postgres", "sqlite"}) {
      EXPECT_EQ(body.find(secret), std::string::npos) << body;
    }
  }
}

TEST(ProblemForTest, UnauthenticatedAsksForBearer) {
  const HttpResponse r = UnauthenticatedProblem();
  ExpectProblem(r, 401, "unauthenticated");
  bool has_challenge = false;
  for (const auto& [name, value] : r.headers) {
    has_challenge |= name == "WWW-Authenticate" && value.rfind("Bearer", 0) == 0;
  }
  EXPECT_TRUE(has_challenge);
}

TEST(ProblemTest, ValidationAndQueryProblemsListTheirErrors) {
  const std::vector<FieldError> errors = {{"subject", "is required"},
                                          {"channel", "must be one of: web"},
                                          {"tags[0]", "must be a string"},
                                          {"priority", "is set by the desk"}};
  const HttpResponse v = ValidationProblem(errors);
  ExpectProblem(v, 422, "validation-failed");
  const json body = BodyOf(v);
  ASSERT_EQ(body["errors"].size(), 4u);
  EXPECT_EQ(body["errors"][2], (json{{"field", "tags[0]"}, {"reason", "must be a string"}}));
  EXPECT_NE(body["detail"].get<std::string>().find("4 invalid fields"), std::string::npos);
  EXPECT_NE(body["detail"].get<std::string>().find("subject is required"), std::string::npos);

  const HttpResponse q = QueryProblem({{"limit", "must be a positive integer"}});
  ExpectProblem(q, 400, "invalid-query");
  EXPECT_EQ(BodyOf(q)["errors"][0]["field"], "limit");
  EXPECT_NE(BodyOf(q)["detail"].get<std::string>().find("1 invalid query parameter:"),
            std::string::npos);

  EXPECT_FALSE(BodyOf(NotFoundProblem("gone")).contains("errors"));
}

// ---- Small parsers ---------------------------------------------------------------------------

TEST(ParsePositiveIntTest, AcceptsOnlyWholePositiveIntegers) {
  EXPECT_EQ(ParsePositiveInt("1"), 1);
  EXPECT_EQ(ParsePositiveInt("9223372036854775807"), INT64_MAX);
  for (const char* bad : {"", "0", "-1", "+1", "1.0", "1e3", " 1", "1 ", "0x10", "abc",
                          "9223372036854775808", "99999999999999999999"}) {
    EXPECT_EQ(ParsePositiveInt(bad), std::nullopt) << bad;
  }
}

TEST(PathIdTest, ReadsNumericPathParameters) {
  HttpContext ctx;
  ctx.path_params = {{"id", "42"}, {"bad", "4x"}};
  EXPECT_EQ(PathId(ctx, "id"), 42);
  EXPECT_EQ(PathId(ctx, "bad"), std::nullopt);
  EXPECT_EQ(PathId(ctx, "missing"), std::nullopt);
}

}  // namespace
}  // namespace guichet::server
