// The OpenAPI document (docs/api/openapi.json) against the server's route table: every route of
// AllRoutes() is documented with its method and path, every documented operation is a real
// route, bodies and parameters agree with the routes, and the copy embedded in the server is the
// file byte for byte. The integration tests check the copy served over HTTP.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "server/http.h"

namespace guichet::server {

extern const char kOpenApiDocument[];  // embedded by src/server/CMakeLists.txt

namespace {

const char* const kMethods[] = {"get",     "put",  "post",  "delete",
                                "options", "head", "patch", "trace"};

std::string ReadSourceFile(const std::string& relative) {
  std::ifstream in(std::string(GUICHET_SOURCE_DIR) + "/" + relative, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

class OpenApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    text_ = new std::string(ReadSourceFile("docs/api/openapi.json"));
    doc_ = new json(json::parse(*text_, nullptr, false));
  }
  void SetUp() override {
    ASSERT_FALSE(text_->empty()) << "docs/api/openapi.json not found under " GUICHET_SOURCE_DIR;
    ASSERT_FALSE(doc_->is_discarded()) << "docs/api/openapi.json is not valid JSON";
  }
  static void TearDownTestSuite() {
    delete text_;
    delete doc_;
  }

  // Follows a local "$ref" ("#/components/…"); returns the value itself otherwise.
  static const json& Resolve(const json& v) {
    if (v.is_object() && v.contains("$ref")) {
      const std::string ref = v["$ref"];
      return doc_->at(json::json_pointer(ref.substr(1)));
    }
    return v;
  }

  static std::set<std::pair<std::string, std::string>> DocumentedOperations() {
    std::set<std::pair<std::string, std::string>> out;
    for (const auto& [path, item] : (*doc_)["paths"].items()) {
      for (const char* m : kMethods) {
        if (item.contains(m)) out.insert({Upper(m), path});
      }
    }
    return out;
  }

  static const json& Operation(const Route& route) {
    static const json kNull;
    const json& paths = (*doc_)["paths"];
    if (!paths.contains(route.path)) return kNull;
    const std::string m = [&] {
      std::string s = route.method;
      for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return s;
    }();
    return paths[route.path].contains(m) ? paths[route.path][m] : kNull;
  }

  static std::string* text_;
  static json* doc_;
};

std::string* OpenApiTest::text_ = nullptr;
json* OpenApiTest::doc_ = nullptr;

TEST_F(OpenApiTest, IsAnOpenApi31Document) {
  EXPECT_EQ((*doc_)["openapi"].get<std::string>().substr(0, 4), "3.1.");
  EXPECT_TRUE((*doc_)["info"].contains("title"));
  EXPECT_TRUE((*doc_)["info"].contains("version"));
  EXPECT_TRUE((*doc_)["paths"].is_object());
}

TEST_F(OpenApiTest, CanBeEmbeddedInTheRawStringLiteral) {
  EXPECT_EQ(text_->find(")__openapi__\""), std::string::npos);
}

TEST_F(OpenApiTest, EmbeddedCopyIsTheFileByteForByte) {
  // configure_file would silently rewrite @VAR@ sequences: compare the built-in copy.
  EXPECT_EQ(std::string(kOpenApiDocument), *text_);
}

TEST_F(OpenApiTest, RouteTableHasNoDuplicates) {
  std::set<std::pair<std::string, std::string>> seen;
  for (const Route& r : AllRoutes()) {
    EXPECT_TRUE(seen.insert({r.method, r.path}).second) << r.method << " " << r.path;
  }
}

TEST_F(OpenApiTest, EveryRouteIsDocumentedAndEveryOperationIsARoute) {
  std::set<std::pair<std::string, std::string>> routes;
  for (const Route& r : AllRoutes()) routes.insert({r.method, r.path});
  const auto documented = DocumentedOperations();
  for (const auto& [method, path] : routes) {
    EXPECT_TRUE(documented.count({method, path}))
        << "undocumented route: " << method << " " << path;
  }
  for (const auto& [method, path] : documented) {
    EXPECT_TRUE(routes.count({method, path}))
        << "documented but not served: " << method << " " << path;
  }
  EXPECT_EQ(routes.size(), documented.size());
}

TEST_F(OpenApiTest, EveryLocalReferenceResolves) {
  std::vector<std::string> broken;
  std::function<void(const json&)> walk = [&](const json& v) {
    if (v.is_object()) {
      if (v.contains("$ref") && v["$ref"].is_string()) {
        const std::string ref = v["$ref"];
        if (ref.rfind("#/", 0) != 0 || !doc_->contains(json::json_pointer(ref.substr(1))))
          broken.push_back(ref);
      }
      for (const auto& [key, child] : v.items()) walk(child);
    } else if (v.is_array()) {
      for (const auto& child : v) walk(child);
    }
  };
  walk(*doc_);
  EXPECT_TRUE(broken.empty()) << broken.size() << " broken, first: " << broken[0];
}

TEST_F(OpenApiTest, EveryOperationIsDescribedSecuredAndAnswered) {
  for (const Route& route : AllRoutes()) {
    SCOPED_TRACE(route.method + " " + route.path);
    const json& op = Operation(route);
    ASSERT_TRUE(op.is_object());
    EXPECT_FALSE(op.value("summary", "").empty());
    EXPECT_FALSE(op.value("description", "").empty());
    EXPECT_FALSE(op.value("operationId", "").empty());
    EXPECT_TRUE(op.contains("security"));
    ASSERT_TRUE(op.contains("responses"));
    bool has_success = false;
    for (const auto& [code, response] : op["responses"].items()) {
      if (code[0] == '2' || code == "303") has_success = true;  // 303: a form's redirect
      const json& r = Resolve(response);
      EXPECT_FALSE(r.value("description", "").empty()) << code;
      if (code[0] == '4' || code == "default") {
        // Errors are RFC 9457 problems.
        ASSERT_TRUE(r.contains("content")) << code;
        EXPECT_TRUE(r["content"].contains("application/problem+json")) << code;
      }
    }
    EXPECT_TRUE(has_success);
  }
}

TEST_F(OpenApiTest, PathParametersAreDeclared) {
  static const std::regex kParam(R"(\{([a-z_]+)\})");
  for (const Route& route : AllRoutes()) {
    SCOPED_TRACE(route.method + " " + route.path);
    const json& op = Operation(route);
    ASSERT_TRUE(op.is_object());
    std::set<std::string> in_path;
    for (auto it = std::sregex_iterator(route.path.begin(), route.path.end(), kParam);
         it != std::sregex_iterator(); ++it) {
      in_path.insert((*it)[1]);
    }
    std::set<std::string> declared;
    for (const json& p : op.value("parameters", json::array())) {
      const json& param = Resolve(p);
      if (param.value("in", "") == "path") {
        EXPECT_TRUE(param.value("required", false)) << param.dump();
        declared.insert(param.value("name", ""));
      }
    }
    EXPECT_EQ(in_path, declared);
  }
}

TEST_F(OpenApiTest, RequestBodiesMatchTheRoutes) {
  for (const Route& route : AllRoutes()) {
    SCOPED_TRACE(route.method + " " + route.path);
    const json& op = Operation(route);
    ASSERT_TRUE(op.is_object());
    switch (route.body) {
      case BodyKind::kNone:
        EXPECT_FALSE(op.contains("requestBody"));
        break;
      case BodyKind::kJson: {
        ASSERT_TRUE(op.contains("requestBody"));
        const json& content = Resolve(op["requestBody"])["content"];
        ASSERT_TRUE(content.contains("application/json"));
        const json& schema = Resolve(content["application/json"]["schema"]);
        EXPECT_EQ(schema.value("type", ""), "object");
        // Unknown fields are rejected by every reader: the schemas say so.
        EXPECT_EQ(schema.value("additionalProperties", true), false);
        // JSON routes answer 400 (bad JSON), 413 (too large), 415 (not JSON), 422 (fields).
        for (const char* code : {"400", "413", "415", "422"})
          EXPECT_TRUE(op["responses"].contains(code)) << code;
        break;
      }
      case BodyKind::kForm:
      case BodyKind::kFormWithFiles: {
        ASSERT_TRUE(op.contains("requestBody"));
        const json& content = Resolve(op["requestBody"])["content"];
        std::vector<std::string> types = {"application/x-www-form-urlencoded"};
        if (route.body == BodyKind::kFormWithFiles) types.push_back("multipart/form-data");
        for (const std::string& type : types) {
          ASSERT_TRUE(content.contains(type)) << type;
          const json& schema = Resolve(content[type]["schema"]);
          EXPECT_TRUE(schema["properties"].contains("csrf_token")) << type;
        }
        // Forms answer 400 (not decodable), 403 (CSRF), 413 (too large), 415 (not a form).
        for (const char* code : {"400", "403", "413", "415"})
          EXPECT_TRUE(op["responses"].contains(code)) << code;
        break;
      }
      case BodyKind::kBinary: {
        ASSERT_TRUE(op.contains("requestBody"));
        const json& content = Resolve(op["requestBody"])["content"];
        EXPECT_FALSE(content.contains("application/json"));
        EXPECT_TRUE(content.contains("image/png"));
        for (const char* code : {"413", "415"}) EXPECT_TRUE(op["responses"].contains(code)) << code;
        break;
      }
    }
  }
}

TEST_F(OpenApiTest, VersionedChangesDocumentIfMatchAnd428) {
  for (const Route& route : AllRoutes()) {
    const bool versioned = route.path == "/api/v1/requests/{id}" && route.method == "PATCH";
    const bool action = route.path == "/api/v1/requests/{id}/assign" ||
                        route.path == "/api/v1/requests/{id}/status";
    if (!versioned && !action) continue;
    SCOPED_TRACE(route.method + " " + route.path);
    const json& op = Operation(route);
    bool has_if_match = false;
    for (const json& p : op["parameters"]) {
      const json& param = Resolve(p);
      has_if_match |= param["in"] == "header" && param["name"] == "If-Match";
    }
    EXPECT_TRUE(has_if_match);
    for (const char* code : {"409", "428"}) EXPECT_TRUE(op["responses"].contains(code)) << code;
  }
}

TEST_F(OpenApiTest, ListRequestsDocumentsEveryFilter) {
  const json& op = (*doc_)["paths"]["/api/v1/requests"]["get"];
  std::set<std::string> names;
  for (const json& p : op["parameters"]) {
    const json& param = Resolve(p);
    if (param["in"] == "query") names.insert(param["name"]);
  }
  EXPECT_EQ(names, (std::set<std::string>{"status", "team_id", "assignee_id", "category",
                                          "priority", "channel", "created_from", "created_to", "q",
                                          "limit", "cursor", "sla", "triage"}));
  EXPECT_TRUE(op["responses"].contains("400"));
}

TEST_F(OpenApiTest, HasTheSharedSchemas) {
  const json& schemas = (*doc_)["components"]["schemas"];
  for (const char* name :
       {"Request", "NewRequest", "RequestPatch", "Message", "NewMessage", "User", "NewUser", "Team",
        "Category", "Attachment", "AuditEntry", "Problem", "RequestPage", "MessagePage", "UserPage",
        "TeamPage", "CategoryPage", "AttachmentPage", "AuditPage"}) {
    EXPECT_TRUE(schemas.contains(name)) << name;
  }
  const json& problem = schemas["Problem"];
  for (const char* field : {"type", "title", "status", "detail"}) {
    EXPECT_NE(std::find(problem["required"].begin(), problem["required"].end(), field),
              problem["required"].end())
        << field;
  }
  const json& error = Resolve(problem["properties"]["errors"]["items"]);
  EXPECT_TRUE(error["properties"].contains("field"));
  EXPECT_TRUE(error["properties"].contains("reason"));
  for (const auto& [name, schema] : schemas.items()) {
    if (name.size() > 4 && name.substr(name.size() - 4) == "Page") {
      EXPECT_TRUE(schema["properties"].contains("items")) << name;
      EXPECT_TRUE(schema["properties"].contains("next_cursor")) << name;
    }
  }
  // The statuses of the schema are the domain's.
  std::set<std::string> statuses;
  for (const auto& s : schemas["Request"]["properties"]["status"]["enum"]) statuses.insert(s);
  std::set<std::string> domain;
  for (auto s : core::RequestStatusNames()) domain.insert(std::string(s));
  EXPECT_EQ(statuses, domain);
}

TEST_F(OpenApiTest, DocumentsBothWaysToAuthenticate) {
  const json& schemes = (*doc_)["components"]["securitySchemes"];
  bool bearer = false, cookie = false, csrf = false;
  for (const auto& [name, s] : schemes.items()) {
    bearer |= s.value("type", "") == "http" && s.value("scheme", "") == "bearer";
    cookie |= s.value("in", "") == "cookie" && s.value("name", "") == "guichet_session";
    csrf |= s.value("in", "") == "header" && s.value("name", "") == "X-CSRF-Token";
  }
  EXPECT_TRUE(bearer);
  EXPECT_TRUE(cookie);
  EXPECT_TRUE(csrf);
}

}  // namespace
}  // namespace guichet::server
