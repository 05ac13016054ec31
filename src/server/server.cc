// RESTinio adapter: turns each matched route into an HttpContext, runs the common checks (body
// limits, content type, authentication, CSRF), calls the handler, and writes the response with
// security headers, metrics and an access log line.
#include "server/server.h"

#include <restinio/all.hpp>

#include <chrono>
#include <regex>
#include <thread>

#include "common/log.h"
#include "common/text.h"
#include "server/auth.h"
#include "server/http.h"
#include "server/metrics.h"

namespace guichet::server {

std::vector<Route> AllRoutes() {
  std::vector<Route> routes;
  // The router tries each route of the method in this order, one regex each (about 1 µs apiece
  // in a profile): the busiest routes come first. No two routes match the same path.
  AddRequestRoutes(routes);
  AddSessionRoutes(routes);
  AddDirectoryRoutes(routes);
  AddTrackRoutes(routes);
  AddAuditRoutes(routes);
  AddJobRoutes(routes);
  AddOpsRoutes(routes);
  AddSlaRoutes(routes);
  AddAutomationRoutes(routes);
  return routes;
}

namespace {

struct ServerTraits : restinio::default_traits_t {
  using request_handler_t = restinio::router::express_router_t<>;
  static constexpr bool use_connection_count_limiter = true;
};
using Router = ServerTraits::request_handler_t;

const SystemClock kSystemClock;

// "/api/v1/requests/{id}" → "/api/v1/requests/:id(\d+)" for the express router.
std::string ExpressPath(const std::string& path, std::vector<std::string>& names) {
  static const std::regex kParam(R"(\{([a-z_]+)\})");
  std::string out;
  auto begin = std::sregex_iterator(path.begin(), path.end(), kParam);
  size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    const std::string name = (*it)[1];
    names.push_back(name);
    out += path.substr(last, it->position() - last);
    out += ":" + name + (name == "id" ? R"((\d{1,18}))" : R"(([A-Za-z0-9-]{1,40}))");
    last = it->position() + it->length();
  }
  return out + path.substr(last);
}

restinio::http_method_id_t MethodId(const std::string& m) {
  if (m == "GET") return restinio::http_method_get();
  if (m == "POST") return restinio::http_method_post();
  if (m == "PATCH") return restinio::http_method_patch();
  if (m == "PUT") return restinio::http_method_put();
  return restinio::http_method_delete();
}

const char* Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
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

bool IsSafeRequestId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

class RestinioServer final : public Server {
 public:
  RestinioServer(storage::Store& store, const ServerOptions& options)
      : store_(store),
        options_(options),
        clock_(options.clock ? options.clock : &kSystemClock),
        routes_(AllRoutes()),
        tokens_(options.token_cache_ttl) {}

  ~RestinioServer() override { Stop(); }

  Status Start() {
    auto router = std::make_unique<Router>();
    for (const Route& route : routes_) {
      std::vector<std::string> names;
      const std::string pattern = ExpressPath(route.path, names);
      router->add_handler(MethodId(route.method), pattern,
                          [this, &route, names](const restinio::request_handle_t& req,
                                                restinio::router::route_params_t params) {
                            std::map<std::string, std::string> values;
                            for (const auto& n : names) values[n] = std::string(params[n]);
                            return Handle(route, req, std::move(values));
                          });
    }
    router->non_matched_request_handler([this](const restinio::request_handle_t& req) {
      // A real request id here too, so that a 404 can be traced like any other response.
      const std::string given = req->header().get_field_or("X-Request-Id", "");
      return Send(
          req,
          Problem(404, "no-such-route", "Not found", "No API route matches this method and path."),
          IsSafeRequestId(given) ? given : RandomToken(12), "unmatched",
          std::chrono::steady_clock::now());
    });
    auto settings = restinio::server_settings_t<ServerTraits>{}
                        .address(options_.host)
                        .port(options_.port)
                        .request_handler(std::move(router))
                        .max_parallel_connections(options_.max_connections)
                        .incoming_http_msg_limits(restinio::incoming_http_msg_limits_t{}
                                                      .max_body_size(options_.max_attachment_body)
                                                      .max_url_size(8 * 1024)
                                                      .max_field_count(100))
                        .read_next_http_message_timelimit(std::chrono::seconds(60))
                        .handle_request_timeout(std::chrono::seconds(30))
                        .write_http_response_timelimit(std::chrono::seconds(30))
                        .acceptor_post_bind_hook([this](asio::ip::tcp::acceptor& acceptor) {
                          port_ = acceptor.local_endpoint().port();
                        });
    try {
      handle_ = restinio::run_async<ServerTraits>(restinio::own_io_context(), std::move(settings),
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
  }

  void Wait() override {
    if (handle_) handle_->wait();
  }

 private:
  restinio::request_handling_status_t Handle(const Route& route,
                                             const restinio::request_handle_t& req,
                                             std::map<std::string, std::string> path_params) {
    const auto start = std::chrono::steady_clock::now();
    ++metrics_.in_flight;
    HttpContext ctx;
    ctx.method = route.method;
    ctx.route = route.path;
    ctx.path_params = std::move(path_params);
    ctx.store = &store_;
    ctx.metrics = &metrics_;
    ctx.options = &options_;
    ctx.clock = clock_;
    req->header().for_each_field([&ctx](const restinio::http_header_field_t& f) {
      ctx.headers[AsciiLower(f.name())] = f.value();
    });
    const std::string given_id = ctx.Header("x-request-id");
    ctx.request_id = IsSafeRequestId(given_id) ? given_id : RandomToken(12);
    ctx.remote_address = req->remote_endpoint().address().to_string();
    HttpResponse response = Run(route, req, ctx);
    const auto status =
        Send(req, std::move(response), ctx.request_id, route.path, start, route.method);
    --metrics_.in_flight;
    return status;
  }

  HttpResponse Run(const Route& route, const restinio::request_handle_t& req, HttpContext& ctx) {
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
    if (route.body == BodyKind::kJson) {
      if (ctx.body.size() > options_.max_json_body)
        return Problem(
            413, "body-too-large", "Body too large",
            "JSON bodies are limited to " + std::to_string(options_.max_json_body) + " bytes.");
      const std::string type = AsciiLower(ctx.Header("content-type"));
      if (type.rfind("application/json", 0) != 0 && type.find("+json") == std::string::npos)
        return Problem(415, "unsupported-media-type", "Unsupported media type",
                       "Send the body as application/json.");
    }
    try {
      ctx.principal = Authenticate(store_, ctx, clock_->Now(), &tokens_);
      if (auto csrf = CheckCsrf(ctx)) return *csrf;
      return route.handler(ctx);
    } catch (const std::exception& e) {
      LogEvent(LogLevel::kError, "handler_exception",
               {{"request_id", ctx.request_id}, {"route", route.path}, {"error", e.what()}});
    } catch (...) {
      LogEvent(LogLevel::kError, "handler_exception",
               {{"request_id", ctx.request_id}, {"route", route.path}});
    }
    return ProblemFor(Internal("handler failed"));
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
    resp.append_header("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
    resp.append_header("Referrer-Policy", "no-referrer");
    bool has_cache_control = false;
    for (const auto& [name, value] : r.headers) {
      has_cache_control |= name == "Cache-Control";
      resp.append_header(name, value);
    }
    if (!has_cache_control) resp.append_header("Cache-Control", "no-store");
    resp.set_body(std::move(r.body));
    resp.done();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const std::string m = method.empty() ? std::string(req->header().method().c_str()) : method;
    metrics_.Record(m, route, r.status, seconds);
    // Routes, not raw paths: paths and query strings can carry references and secrets.
    LogEvent(r.status >= 500 ? LogLevel::kError : LogLevel::kInfo, "http_request",
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
  TokenCache tokens_;
  Metrics metrics_;
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
