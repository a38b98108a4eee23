// The admin JSON API and /metrics. Every answer is JSON (or Prometheus text) built from the
// store and the service; nothing here holds a key or a token, so nothing here can show one.

#include "server/admin_api.h"

#include "server/request_body.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/document.h"
#include "store/facts.h"

namespace ponte::server {

using Json = nlohmann::json;

void SendError(httplib::Response& res, int status, std::string_view code, std::string_view message) {
  res.status = status;
  // Invalid UTF-8 from a request (a path, a query) is replaced, never a reason to throw.
  res.set_content(Json{{"error", {{"code", code}, {"message", message}}}}.dump(-1, ' ', false, Json::error_handler_t::replace),
                  "application/json");
}

namespace {

void SendJson(httplib::Response& res, const Json& body) {
  res.set_header("Cache-Control", "no-store");
  res.set_content(body.dump(-1, ' ', false, Json::error_handler_t::replace), "application/json");
}

// A store error is the store's problem, not the caller's: 503 with what the store said.
template <typename T>
bool Check(const Result<T>& r, httplib::Response& res) {
  if (r) return true;
  SendError(res, 503, "store", r.error().ToString());
  return false;
}

Json TimeOrNull(const std::optional<Instant>& t) { return t ? Json(FormatUtc(*t)) : Json(nullptr); }

Json DeliveryJson(const Delivery& d, bool with_payload) {
  Json j = {{"id", d.id},
            {"route", d.intent.route},
            {"message", d.intent.message},
            {"origin", d.intent.origin.ToString()},
            {"target_system", d.intent.target_system},
            {"target_id", d.target_id},
            {"state", DeliveryStateName(d.state)},
            {"attempts", d.attempts},
            {"last_error", d.last_error},
            {"claimed_by", d.claimed_by},
            {"created_at", FormatUtc(d.created_at)},
            {"updated_at", FormatUtc(d.updated_at)}};
  if (with_payload) j["payload"] = Json::parse(d.intent.payload, nullptr, false);
  return j;
}

Json DeadLetterJson(const DeadLetter& l, bool with_payload) {
  Json j = {{"id", l.id},
            {"delivery_id", l.delivery_id},
            {"route", l.route},
            {"origin", l.origin.ToString()},
            {"reason", l.reason},
            {"created_at", FormatUtc(l.created_at)},
            {"replayed_at", TimeOrNull(l.replayed_at)}};
  if (with_payload) j["payload"] = Json::parse(l.payload, nullptr, false);
  return j;
}

Json LinkJson(const LinkRow& m) {
  return {{"entity_id", m.entity_id},
          {"message", m.message},
          {"system", m.ref.system},
          {"internal_id", m.ref.internal_id},
          {"natural_key", m.info.natural_key},
          {"route", m.info.route},
          {"linked_at", FormatUtc(m.linked_at)}};
}

// Seconds between the route's cursor and now: how far behind its source the route is.
// Seconds since the route last read its whole source: a quiet route whose cursor stands still
// is not behind; one whose listings keep failing is.
std::optional<double> CursorLag(AdminContext& c, const std::string& route, std::string* value) {
  if (auto cursor = c.store.GetCursor(route); cursor && *cursor) *value = (*cursor)->value;
  auto last = LastCompleteRun(c.store, route);
  if (!last || !*last) return std::nullopt;
  return std::chrono::duration<double>(c.clock.Now() - **last).count();
}

Json CircuitsJson(const SyncService& service) {
  Json list = Json::array();
  for (const Circuit* circuit : service.circuits()) {
    list.push_back({{"system", circuit->system()},
                    {"state", CircuitStateName(circuit->state())},
                    {"why", circuit->why() == Circuit::Why::kAuth          ? "auth"
                            : circuit->why() == Circuit::Why::kUnreachable ? "unreachable"
                                                                            : ""},
                    {"reason", circuit->reason()}});
  }
  return list;
}

// One word for the dashboard, in order of what needs a person first.
std::string RouteStatus(const RouteState& s, const std::string& open_circuit, int64_t dead_letters) {
  if (!s.enabled) return "disabled";
  if (!open_circuit.empty()) return "paused";
  const bool running = s.last_started && (!s.last_finished || *s.last_finished < *s.last_started);
  if (running) return "running";
  if (s.last_report && !s.last_report->error.empty()) return "failing";
  if (dead_letters > 0) return "dead letters";
  if (s.last_report && s.last_report->records_unseen) return "incomplete";
  if (!s.last_started) return "idle";
  return "ok";
}

Json RoutesJson(AdminContext& c) {
  std::map<std::string, int64_t> dead_by_route;
  if (auto dead = c.store.ListDeadLetters(false)) {
    for (const auto& d : *dead) ++dead_by_route[d.route];
  }
  const std::string open_circuit = OpenCircuit(c.service);
  Json routes = Json::array();
  for (const auto& s : c.service.Routes()) {
    std::string cursor;
    auto lag = CursorLag(c, s.route, &cursor);
    Json report = s.last_report ? s.last_report->ToJson() : Json(nullptr);
    if (report.is_object()) report.erase("records");
    routes.push_back({{"route", s.route},
                      {"enabled", s.enabled},
                      {"status", RouteStatus(s, open_circuit, dead_by_route[s.route])},
                      {"paused_because", open_circuit},
                      {"dead_letters", dead_by_route[s.route]},
                      {"runs", s.runs},
                      {"failed_runs", s.failed_runs},
                      {"last_started", TimeOrNull(s.last_started)},
                      {"last_finished", TimeOrNull(s.last_finished)},
                      {"cursor", cursor},
                      {"cursor_lag_seconds", lag ? Json(*lag) : Json(nullptr)},
                      {"last_report", report}});
  }
  return routes;
}

size_t ParseLimit(const httplib::Request& req, size_t fallback) {
  if (!req.has_param("limit")) return fallback;
  const std::string v = req.get_param_value("limit");
  if (v.empty() || v.size() > 4 || v.find_first_not_of("0123456789") != std::string::npos) return fallback;
  return std::clamp<size_t>(std::stoul(v), 1, 1000);
}

// De/para search: a CPF/CNPJ finds every id of that customer; anything else is tried as an
// InternalId in each system ("40100001", "Task|40500001").
Result<Json> SearchDePara(AdminContext& c, const std::string& q) {
  Json found = Json::array();
  if (auto doc = ParseDocument(q)) {
    auto rows = c.store.FindByNaturalKey("CustomerVendor", doc->canonical);
    if (!rows) return Fail(rows.error());
    for (const auto& m : *rows) found.push_back(LinkJson(m));
    return Json{{"query", q}, {"document", doc->Formatted()}, {"links", found}};
  }
  for (const char* message : {"CustomerVendor", "Ticket"}) {
    for (const char* system : {"ploomes", "milvus"}) {
      auto rows = c.store.Entity(message, {system, q});
      if (!rows) return Fail(rows.error());
      for (const auto& m : *rows) found.push_back(LinkJson(m));
    }
  }
  return Json{{"query", q}, {"links", found}};
}

}  // namespace

// The first open circuit, said as a person needs it; empty when every system answers.
std::string OpenCircuit(const SyncService& service) {
  for (const Circuit* circuit : service.circuits()) {
    if (circuit->state() == Circuit::State::kOpen) {
      return fmt::format("{} circuit open: {}", circuit->system(), circuit->reason());
    }
  }
  return "";
}

void RegisterAdminApi(httplib::Server& server, AdminContext& c) {
  server.Get("/api/status", [&c](const httplib::Request&, httplib::Response& res) {
    auto pending = c.store.CountDeliveries(DeliveryState::kPending);
    auto dead = c.store.ListDeadLetters(false);
    if (!Check(pending, res) || !Check(dead, res)) return;
    Json webhooks = Json::object();
    for (const auto& [result, n] : c.service.Webhooks()) webhooks[result] = n;
    SendJson(res, {{"store", c.store.Describe()},
                   {"worker", c.service.worker()},
                   {"running", c.service.running()},
                   {"now", FormatUtc(c.clock.Now())},
                   {"routes", RoutesJson(c)},
                   {"circuits", CircuitsJson(c.service)},
                   {"pending_deliveries", *pending},
                   {"dead_letters", dead->size()},
                   {"queue_depth", c.service.queue_depth()},
                   {"webhooks_configured", c.webhooks_configured},
                   {"webhooks", webhooks},
                   {"webhook_latency_seconds",
                    {{"p50", c.service.latency().RecentQuantile(0.5)},
                     {"p99", c.service.latency().RecentQuantile(0.99)},
                     {"count", c.service.latency().Get().count}}},
                   {"api_calls", {{"ploomes", c.calls.Total("ploomes")}, {"milvus", c.calls.Total("milvus")}}}});
  });

  server.Get("/api/deliveries", [&c](const httplib::Request& req, httplib::Response& res) {
    DeliveryFilter filter;
    if (req.has_param("state") && !req.get_param_value("state").empty()) {
      auto state = ParseDeliveryState(req.get_param_value("state"));
      if (!state) return SendError(res, 400, "bad_request", "state is pending, done or dead");
      filter.state = *state;
    }
    filter.route = req.get_param_value("route");
    filter.limit = ParseLimit(req, 50);
    auto rows = c.store.ListDeliveries(filter);
    if (!Check(rows, res)) return;
    Json list = Json::array();
    for (const auto& d : *rows) list.push_back(DeliveryJson(d, false));
    SendJson(res, {{"deliveries", list}});
  });

  server.Get(R"(/api/deliveries/(\d{1,18}))", [&c](const httplib::Request& req, httplib::Response& res) {
    auto d = c.store.GetDelivery(std::stoll(req.matches[1]));
    if (!Check(d, res)) return;
    if (!*d) return SendError(res, 404, "not_found", fmt::format("no delivery {}", req.matches[1].str()));
    SendJson(res, DeliveryJson(**d, true));
  });

  server.Get("/api/dlq", [&c](const httplib::Request& req, httplib::Response& res) {
    auto letters = c.store.ListDeadLetters(req.get_param_value("all") == "1");
    if (!Check(letters, res)) return;
    Json list = Json::array();
    for (const auto& l : *letters) list.push_back(DeadLetterJson(l, false));
    SendJson(res, {{"dead_letters", list}});
  });

  server.Get(R"(/api/dlq/(\d{1,18}))", [&c](const httplib::Request& req, httplib::Response& res) {
    auto l = c.store.GetDeadLetter(std::stoll(req.matches[1]));
    if (!Check(l, res)) return;
    if (!*l) return SendError(res, 404, "not_found", fmt::format("no dead letter {}", req.matches[1].str()));
    SendJson(res, DeadLetterJson(**l, true));
  });

  auto replay = [&c](const std::vector<int64_t>& ids, httplib::Response& res) {
    std::set<std::string> routes;
    for (int64_t id : ids) {
      auto l = c.store.GetDeadLetter(id);
      if (!Check(l, res)) return;
      if (!*l) return SendError(res, 404, "not_found", fmt::format("no dead letter {}", id));
      if (auto s = c.store.ReplayDeadLetter(id, c.clock.Now()); !s) {
        return SendError(res, s.error().code == ErrorCode::kFailedPrecondition ? 409 : 503, "replay", s.error().ToString());
      }
      routes.insert((*l)->route);
    }
    // The delivery thread runs the replayed deliveries now, not at the next poll.
    for (const auto& route : routes) c.service.Submit({WorkItem::Kind::kDue, route, {}});
    res.status = 202;
    SendJson(res, {{"replayed", ids.size()}});
  };
  PostWithBody(server, R"(/api/dlq/(\d{1,18})/replay)", c.max_body_bytes,
               [replay](const httplib::Request& req, const std::string&, httplib::Response& res) {
                 replay({std::stoll(req.matches[1])}, res);
               });
  PostWithBody(server, "/api/dlq/replay-all", c.max_body_bytes,
               [&c, replay](const httplib::Request&, const std::string&, httplib::Response& res) {
    auto letters = c.store.ListDeadLetters(false);
    if (!Check(letters, res)) return;
    std::vector<int64_t> ids;
    for (const auto& l : *letters) ids.push_back(l.id);
    replay(ids, res);
               });

  server.Get("/api/depara", [&c](const httplib::Request& req, httplib::Response& res) {
    const std::string q = req.get_param_value("q");
    if (q.empty() || q.size() > 200) {
      return SendError(res, 400, "bad_request", "give q: a CPF/CNPJ or an InternalId (at most 200 characters)");
    }
    auto found = SearchDePara(c, q);
    if (!Check(found, res)) return;
    SendJson(res, *found);
  });

  server.Get("/api/explain", [&c](const httplib::Request& req, httplib::Response& res) {
    const std::string id = req.get_param_value("id");
    if (id.empty() || id.size() > 200) return SendError(res, 400, "bad_request", "give id: a record's InternalId");
    auto skips = c.store.FindSkips(id);
    auto deliveries = c.store.FindDeliveries(id);
    if (!Check(skips, res) || !Check(deliveries, res)) return;
    Json s = Json::array(), d = Json::array();
    for (const auto& k : *skips) {
      s.push_back({{"route", k.route}, {"origin", k.origin.ToString()}, {"reason", k.reason}, {"seen_at", FormatUtc(k.seen_at)}});
    }
    for (const auto& x : *deliveries) d.push_back(DeliveryJson(x, false));
    SendJson(res, {{"id", id}, {"skips", s}, {"deliveries", d}});
  });

  server.Get("/api/workers", [&c](const httplib::Request&, httplib::Response& res) {
    auto workers = c.store.ListWorkers(c.clock.Now(), std::chrono::minutes(5));
    if (!Check(workers, res)) return;
    Json list = Json::array();
    for (const auto& w : *workers) {
      list.push_back({{"name", w.name}, {"started_at", FormatUtc(w.started_at)}, {"heartbeat_at", FormatUtc(w.heartbeat_at)},
                      {"routes", w.routes}, {"claimed", w.claimed}});
    }
    SendJson(res, {{"workers", list}});
  });

  PostWithBody(server, "/api/poll", c.max_body_bytes, [&c](const httplib::Request&, const std::string&, httplib::Response& res) {
    c.service.PollNow();
    res.status = 202;
    SendJson(res, {{"polling", true}});
  });

  server.Get("/metrics", [&c](const httplib::Request&, httplib::Response& res) {
    res.set_content(RenderMetrics(c), "text/plain; version=0.0.4; charset=utf-8");
  });
}

std::string RenderMetrics(AdminContext& c) {
  PrometheusText p;
  p.Family("ponte_deliveries_total", "counter", "Records handled by route and outcome since the server started.");
  for (const auto& [key, n] : c.service.Outcomes()) {
    p.Sample("ponte_deliveries_total", {{"route", key.first}, {"outcome", key.second}}, static_cast<double>(n));
  }
  p.Family("ponte_api_calls_total", "counter", "API calls by system, endpoint and HTTP status (0: no answer).");
  for (const auto& [key, n] : c.calls.Snapshot()) {
    p.Sample("ponte_api_calls_total",
             {{"system", key.system}, {"endpoint", key.endpoint}, {"status", std::to_string(key.status)}},
             static_cast<double>(n));
  }
  p.Family("ponte_api_throttled_total", "counter", "429 answers by system.");
  p.Family("ponte_api_retries_total", "counter", "Requests sent again after a retryable failure, by system.");
  const auto retries = c.calls.Retries();
  for (const char* system : {"ploomes", "milvus"}) {
    p.Sample("ponte_api_throttled_total", {{"system", system}}, static_cast<double>(c.calls.Throttled(system)));
    auto it = retries.find(system);
    p.Sample("ponte_api_retries_total", {{"system", system}}, it == retries.end() ? 0.0 : static_cast<double>(it->second));
  }
  p.Family("ponte_webhooks_total", "counter", "Webhook requests by result.");
  for (const auto& [result, n] : c.service.Webhooks()) {
    p.Sample("ponte_webhooks_total", {{"result", result}}, static_cast<double>(n));
  }
  if (auto dead = c.store.ListDeadLetters(false)) {
    p.Family("ponte_dead_letters", "gauge", "Dead letters not replayed.");
    p.Sample("ponte_dead_letters", {}, static_cast<double>(dead->size()));
  }
  if (auto pending = c.store.CountDeliveries(DeliveryState::kPending)) {
    p.Family("ponte_pending_deliveries", "gauge", "Deliveries waiting for an attempt or a retry.");
    p.Sample("ponte_pending_deliveries", {}, static_cast<double>(*pending));
  }
  p.Family("ponte_webhook_queue_depth", "gauge", "Pushes (webhooks, ERP messages) kept in the inbox and not delivered yet.");
  p.Sample("ponte_webhook_queue_depth", {}, static_cast<double>(c.service.queue_depth()));
  p.Family("ponte_circuit_open", "gauge",
           "1 while ponte has stopped calling the system (its key was refused, or it stopped answering).");
  for (const Circuit* circuit : c.service.circuits()) {
    p.Sample("ponte_circuit_open", {{"system", circuit->system()}}, circuit->state() == Circuit::State::kOpen ? 1 : 0);
  }
  p.Family("ponte_cursor_lag_seconds", "gauge", "Seconds since the route last read its whole source.");
  for (const auto& state : c.service.Routes()) {
    const std::string& route = state.route;
    std::string value;
    if (auto lag = CursorLag(c, route, &value)) p.Sample("ponte_cursor_lag_seconds", {{"route", route}}, *lag);
  }
  p.Family("ponte_route_listing_complete", "gauge",
           "1 when the route's last source listing saw every record, 0 when it could not (its records "
           "beyond it are not delivered: see the route's incomplete_reason).");
  for (const auto& s : c.service.Routes()) {
    if (s.last_report) {
      p.Sample("ponte_route_listing_complete", {{"route", s.route}}, s.last_report->records_unseen ? 0 : 1);
    }
  }
  p.Family("ponte_route_runs_total", "counter", "Poll runs by route and result.");
  for (const auto& s : c.service.Routes()) {
    p.Sample("ponte_route_runs_total", {{"route", s.route}, {"result", "ok"}}, static_cast<double>(s.runs - s.failed_runs));
    p.Sample("ponte_route_runs_total", {{"route", s.route}, {"result", "failed"}}, static_cast<double>(s.failed_runs));
  }
  p.WriteHistogram("ponte_webhook_delivery_seconds", "From a webhook's arrival to its record delivered.", {},
                   c.service.latency().Get());
  return p.str();
}

}  // namespace ponte::server
