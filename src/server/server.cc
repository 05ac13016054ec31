// RESTinio adapter: turns each matched route into an HttpContext, runs the common checks (body
// limits, content type, authentication, CSRF), calls the handler, and writes the response with
// security headers, metrics and an access log line.
#include "server/server.h"

#include <restinio/all.hpp>

#include <chrono>
#include <thread>

#include "common/crypto.h"
#include "common/log.h"
#include "common/text.h"
#include "server/auth.h"
#include "server/http.h"
#include "server/kb_search.h"
#include "server/metrics.h"
#include "server/router.h"
#include "server/triage_service.h"
#include "server/web/page.h"

namespace guichet::server {

std::vector<Route> AllRoutes() {
  std::vector<Route> routes;
  // The router tries the routes of a method in this order, a few string comparisons each: the
  // busiest come first. No two routes match the same path.
  AddRequestRoutes(routes);
  AddSessionRoutes(routes);
  AddDirectoryRoutes(routes);
  AddTrackRoutes(routes);
  AddAuditRoutes(routes);
  AddJobRoutes(routes);
  AddOpsRoutes(routes);
  AddSlaRoutes(routes);
  AddAutomationRoutes(routes);
  AddAiRoutes(routes);
  AddKbRoutes(routes);
  AddPortalRoutes(routes);
  AddAgentRoutes(routes);
  AddCitizenPageRoutes(routes);
  AddDashboardRoutes(routes);
  AddAdminRoutes(routes);
  AddKbSearchRoutes(routes);
  AddSchemeRoutes(routes);
  AddSchemePageRoutes(routes);
  return routes;
}

namespace {

constexpr std::size_t kMaxFormBody = 256 * 1024;  // a request form with its longest text
constexpr std::size_t kMaxFormFiles = 20;         // files on one form (all within the body limit)

struct ServerTraits : restinio::default_traits_t {
  static constexpr bool use_connection_count_limiter = true;
};

const SystemClock kSystemClock;

HttpResponse NotFoundPage(const std::string& path, const std::string& accept_language) {
  HttpContext ctx;
  ctx.path = path;
  ctx.headers["accept-language"] = accept_language;
  return web::MessagePage(ctx, 404, "not_found_title", "not_found_text");
}

const char* Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 303:
      return "See Other";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 409:
      return "Conflict";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 428:
      return "Precondition Required";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    case 507:
      return "Insufficient Storage";
    default:
      return "Status";
  }
}

// Unique per node and cheap: a random prefix drawn once, then a counter. Request ids trace a
// request through the logs; they are not secrets.
std::string NewRequestId() {
  static const std::string prefix = RandomToken(6);
  static std::atomic<std::uint64_t> counter{0};
  return prefix + "-" + std::to_string(++counter);
}

bool IsSafeRequestId(const std::string& id) { return LooksLikeToken(id, 1, 64); }

class RestinioServer final : public Server {
 public:
  RestinioServer(storage::Store& store, const ServerOptions& options)
      : store_(store),
        options_(options),
        clock_(options.clock ? options.clock : &kSystemClock),
        routes_(AllRoutes()),
        router_(routes_),
        tokens_(options.token_cache_ttl) {}

  ~RestinioServer() override { Stop(); }

  Status Start() {
    GUICHET_RETURN_IF_ERROR(kb_search_.Start());
    auto settings = restinio::server_settings_t<ServerTraits>{}
                        .address(options_.host)
                        .port(options_.port)
                        .request_handler(
                            [this](const restinio::request_handle_t& req) { return Dispatch(req); })
                        .max_parallel_connections(options_.max_connections)
                        .incoming_http_msg_limits(restinio::incoming_http_msg_limits_t{}
                                                      .max_body_size(options_.max_attachment_body)
                                                      .max_url_size(64 * 1024)
                                                      .max_field_count(100))
                        .read_next_http_message_timelimit(std::chrono::seconds(60))
                        .handle_request_timeout(std::chrono::seconds(30))
                        .write_http_response_timelimit(std::chrono::seconds(30))
                        .acceptor_post_bind_hook([this](asio::ip::tcp::acceptor& acceptor) {
                          port_ = acceptor.local_endpoint().port();
                        });
    try {
      handle_ =
          restinio::run_async<ServerTraits>(restinio::external_io_context(io_), std::move(settings),
                                            static_cast<std::size_t>(options_.threads));
    } catch (const std::exception& e) {
      LogEvent(LogLevel::kError, "listen_failed",
               {{"address", options_.host}, {"error", e.what()}});
      return Unavailable("cannot listen on " + options_.host + ":" + std::to_string(options_.port) +
                         " (address in use or not available)");
    }
    return Status::Ok();
  }

  std::uint16_t port() const override { return port_; }

  void Stop() override {
    if (!handle_ || stopped_.exchange(true)) return;
    // Drain: new requests get 503, in-flight ones finish and their responses are written.
    draining_ = true;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (metrics_.in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let the last writes flush
    handle_->stop();
    handle_->wait();
    kb_search_.Stop();
  }

  void Wait() override {
    if (handle_) handle_->wait();
  }

 private:
  restinio::request_handling_status_t Dispatch(const restinio::request_handle_t& req) {
    auto match = router_.Find(req->header().method().c_str(), req->header().path());
    if (match) return Handle(*match->route, req, std::move(match->params));
    // A real request id here too, so that a 404 can be traced like any other response.
    const std::string given = req->header().get_field_or("X-Request-Id", "");
    const std::string path(req->header().path());
    const std::string accept = req->header().get_field_or("Accept", "");
    // A browser lost outside the API gets a page in its language; API clients a problem.
    HttpResponse answer =
        !path.starts_with("/api/") && accept.find("text/html") != std::string::npos
            ? NotFoundPage(path, req->header().get_field_or("Accept-Language", ""))
            : Problem(404, "no-such-route", "Not found",
                      "No API route matches this method and path.");
    return Send(req, std::move(answer), IsSafeRequestId(given) ? given : NewRequestId(),
                "unmatched", std::chrono::steady_clock::now());
  }

  restinio::request_handling_status_t Handle(const Route& route,
                                             const restinio::request_handle_t& req,
                                             std::map<std::string, std::string> path_params) {
    const auto start = std::chrono::steady_clock::now();
    ++metrics_.in_flight;
    auto ctx = std::make_shared<HttpContext>();
    ctx->method = route.method;
    ctx->route = route.path;
    ctx->path = std::string(req->header().path());
    ctx->path_params = std::move(path_params);
    ctx->store = &store_;
    ctx->metrics = &metrics_;
    ctx->options = &options_;
    ctx->clock = clock_;
    ctx->triage = &triage_;
    ctx->kb_search = &kb_search_;
    ctx->post = [this](std::function<void()> task) { asio::post(io_, std::move(task)); };
    req->header().for_each_field([&ctx](const restinio::http_header_field_t& f) {
      ctx->headers[AsciiLower(f.name())] = f.value();
    });
    const std::string given_id = ctx->Header("x-request-id");
    ctx->request_id = IsSafeRequestId(given_id) ? given_id : NewRequestId();
    ctx->remote_address = req->remote_endpoint().address().to_string();
    auto answered = std::make_shared<std::atomic<bool>>(false);
    Respond respond = [this, &route, req, ctx, start, answered](HttpResponse response) {
      if (answered->exchange(true)) return;
      Send(req, std::move(response), ctx->request_id, route.path, start, route.method);
      --metrics_.in_flight;
    };
    if (auto refused = Admit(route, req, *ctx)) {
      respond(std::move(*refused));
    } else {
      Run(route, ctx, respond);
    }
    return restinio::request_accepted();
  }

  // The checks every route shares: the problem to answer with, or nullopt to go on.
  std::optional<HttpResponse> Admit(const Route& route, const restinio::request_handle_t& req,
                                    HttpContext& ctx) {
    if (draining_)
      return Problem(503, "shutting-down", "Shutting down", "This node is shutting down; retry.");
    try {
      // Relaxed: RFC 3986 lets a query carry ',' ':' '@' '/' unencoded, and clients do send
      // "status=new,open" and ISO 8601 times as they are.
      const auto query =
          restinio::parse_query<restinio::parse_query_traits::relaxed>(req->header().query());
      for (const auto& [key, value] : query) ctx.query[std::string(key)] = std::string(value);
    } catch (const std::exception&) {
      return Problem(400, "invalid-query", "Invalid query string",
                     "The query string is not correctly percent-encoded.");
    }
    ctx.body = req->body();
    const std::string type = AsciiLower(ctx.Header("content-type"));
    if (route.body == BodyKind::kJson) {
      if (ctx.body.size() > options_.max_json_body)
        return Problem(
            413, "body-too-large", "Body too large",
            "JSON bodies are limited to " + std::to_string(options_.max_json_body) + " bytes.");
      if (type.rfind("application/json", 0) != 0 && type.find("+json") == std::string::npos)
        return Problem(415, "unsupported-media-type", "Unsupported media type",
                       "Send the body as application/json.");
    }
    if (route.body == BodyKind::kFormWithFiles &&
        type.rfind("multipart/form-data", 0) == 0) {  // else an urlencoded form, as kForm
      web::MultipartLimits limits;
      limits.max_fields = route.max_form_fields;
      limits.max_files = kMaxFormFiles;
      limits.max_text = kMaxFormBody;
      auto form = web::ParseMultipartForm(ctx.Header("content-type"), ctx.body, limits);
      if (!form.ok()) return Problem(400, "invalid-form", "Invalid form", form.status().message());
      ctx.form = std::move(form->fields);
      ctx.files = std::move(form->files);
      ctx.body.clear();  // the files hold the bytes now
      return std::nullopt;
    }
    if (route.body == BodyKind::kForm || route.body == BodyKind::kFormWithFiles) {
      if (ctx.body.size() > kMaxFormBody)
        return Problem(413, "body-too-large", "Body too large",
                       "Forms are limited to " + std::to_string(kMaxFormBody) + " bytes.");
      if (type.rfind("application/x-www-form-urlencoded", 0) != 0)
        return Problem(415, "unsupported-media-type", "Unsupported media type",
                       "Send the form as application/x-www-form-urlencoded.");
      auto form = web::ParseForm(ctx.body, route.max_form_fields);
      if (!form.ok()) return Problem(400, "invalid-form", "Invalid form", form.status().message());
      ctx.form = std::move(*form);
    }
    return std::nullopt;
  }

  // Authenticates, checks CSRF and calls the handler; a handler that throws gets a 500.
  void Run(const Route& route, const std::shared_ptr<HttpContext>& ctx, const Respond& respond) {
    try {
      ctx->principal = Authenticate(store_, *ctx, clock_->Now(), &tokens_);
      if (route.body == BodyKind::kForm || route.body == BodyKind::kFormWithFiles) {
        // Forms carry their token as a field (the session's, or the guichet_csrf cookie's).
        if (!web::FormTokenMatches(*ctx, *ctx->form))
          return respond(web::MessagePage(*ctx, 403, "csrf_title", "csrf_text"));
      } else if (auto csrf = CheckCsrf(*ctx)) {
        return respond(std::move(*csrf));
      }
      if (auto* later = std::get_if<AsyncHandler>(&route.handler)) return (*later)(ctx, respond);
      return respond(std::get<Handler>(route.handler)(*ctx));
    } catch (const std::exception& e) {
      LogEvent(LogLevel::kError, "handler_exception",
               {{"request_id", ctx->request_id}, {"route", route.path}, {"error", e.what()}});
    } catch (...) {
      LogEvent(LogLevel::kError, "handler_exception",
               {{"request_id", ctx->request_id}, {"route", route.path}});
    }
    respond(ProblemFor(Internal("handler failed")));
  }

  restinio::request_handling_status_t Send(const restinio::request_handle_t& req, HttpResponse r,
                                           const std::string& request_id, const std::string& route,
                                           std::chrono::steady_clock::time_point start,
                                           const std::string& method = "") {
    auto resp = req->create_response(
        restinio::http_status_line_t(restinio::http_status_code_t(r.status), Reason(r.status)));
    if (r.status != 204) resp.append_header(restinio::http_field::content_type, r.content_type);
    resp.append_header("X-Request-Id", request_id);
    resp.append_header("X-Content-Type-Options", "nosniff");
    resp.append_header("Referrer-Policy", "no-referrer");
    bool has_cache_control = false, has_policy = false;
    for (const auto& [name, value] : r.headers) {
      has_cache_control |= name == "Cache-Control";
      has_policy |= name == "Content-Security-Policy";  // pages have their own
      resp.append_header(name, value);
    }
    if (!has_cache_control) resp.append_header("Cache-Control", "no-store");
    if (!has_policy)
      resp.append_header("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
    resp.set_body(std::move(r.body));
    resp.done();  // from any thread: RESTinio hands the write to the connection's own executor
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const std::string m = method.empty() ? std::string(req->header().method().c_str()) : method;
    metrics_.Record(m, route, r.status, seconds);
    // Routes, not raw paths: paths and query strings can carry references and secrets.
    (r.status >= 500 ? LogEvent : LogFrequentEvent)(
        r.status >= 500 ? LogLevel::kError : LogLevel::kInfo, "http_request",
        {{"request_id", request_id},
         {"method", m},
         {"route", route},
         {"status", std::to_string(r.status)},
         {"ms", std::to_string(static_cast<long long>(seconds * 1000))}});
    return restinio::request_accepted();
  }

  storage::Store& store_;
  const ServerOptions options_;
  const Clock* clock_;
  const std::vector<Route> routes_;
  const Router router_;
  TokenCache tokens_;
  TriageService triage_{store_};
  KbSearch kb_search_{store_, options_.search_index_dir};
  Metrics metrics_;
  asio::io_context io_;  // run by the server's threads; before handle_, which stops it
  restinio::running_server_handle_t<ServerTraits> handle_;
  std::atomic<std::uint16_t> port_{0};
  std::atomic<bool> draining_{false};
  std::atomic<bool> stopped_{false};
};

}  // namespace

Result<std::unique_ptr<Server>> StartServer(storage::Store& store, const ServerOptions& options) {
  auto server = std::make_unique<RestinioServer>(store, options);
  GUICHET_RETURN_IF_ERROR(server->Start());
  return std::unique_ptr<Server>(std::move(server));
}

}  // namespace guichet::server
