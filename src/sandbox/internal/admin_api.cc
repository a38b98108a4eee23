// /_sandbox/: what tests, benchmarks and the demo use to inspect and steer the emulators.
// `ponte serve` never serves these paths; only the sandbox process does.

#include <fmt/format.h>

#include "sandbox/internal/http_support.h"
#include "sandbox/internal/routes.h"

namespace ponte::sandbox::detail {
namespace {

void Answer(httplib::Response& res, const Result<Json>& r) {
  if (r) return SendJson(res, 200, *r);
  SendJson(res, r.error().code == ErrorCode::kNotFound ? 404 : 400,
           {{"error", r.error().message}});
}

}  // namespace

void RegisterAdminRoutes(httplib::Server& server, World& w) {
  server.Get("/_sandbox/stats", [&w](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lock(w.mu);
    SendJson(res, 200, w.StatsLocked());
  });
  server.Post("/_sandbox/reset", [&w](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lock(w.mu);
    w.GenerateLocked();
    w.calls.clear();
    w.throttled.clear();
    w.injected.clear();
    w.quota = Quota{};
    SendJson(res, 200, {{"reset", true}});
  });
  server.Get("/_sandbox/faults", [&w](const httplib::Request&, httplib::Response& res) {
    SendJson(res, 200, {{"spec", w.faults.Get().ToString()}});
  });
  server.Post("/_sandbox/faults", [&w](const httplib::Request& req, httplib::Response& res) {
    Json body = Json::parse(req.body, nullptr, false);
    std::string text = body.is_object() ? body.value("spec", "") : req.body;
    auto spec = FaultSpec::Parse(text);
    if (!spec) return SendJson(res, 400, {{"error", spec.error().message}});
    w.faults.Set(*spec);
    SendJson(res, 200, {{"spec", spec->ToString()}});
  });
  server.Post("/_sandbox/clock", [&w](const httplib::Request& req, httplib::Response& res) {
    Json body = Json::parse(req.body, nullptr, false);
    if (!body.is_object()) return SendJson(res, 400, {{"error", "expected a JSON object"}});
    if (body.contains("advance_seconds") && body["advance_seconds"].is_number()) {
      w.clock.Advance(std::chrono::milliseconds(
          static_cast<int64_t>(body["advance_seconds"].get<double>() * 1000)));
    } else if (body.contains("set") && body["set"].is_string()) {
      auto t = ParseIsoInstant(body["set"].get<std::string>());
      if (!t) return SendJson(res, 400, {{"error", t.error().message}});
      w.clock.Set(*t);
    } else {
      return SendJson(res, 400, {{"error", "give advance_seconds or set"}});
    }
    SendJson(res, 200, {{"clock", FormatUtc(w.clock.Now())}});
  });
  // People working in Ploomes' and Milvus' own screens: no quota, no faults.
  server.Post(R"(/_sandbox/ploomes/(Contacts|Tasks|InteractionRecords))",
              [&w](const httplib::Request& req, httplib::Response& res) {
                Json body = Json::parse(req.body, nullptr, false);
                if (body.is_array()) return Answer(res, PloomesBulkImport(w, req.matches[1], body));
                if (!body.is_object()) return SendJson(res, 400, {{"error", "expected a JSON object or an array of them"}});
                Answer(res, PloomesUserWrite(w, req.matches[1], std::nullopt, body));
              });
  server.Patch(R"(/_sandbox/ploomes/(Contacts|Tasks|InteractionRecords)/(\d+))",
               [&w](const httplib::Request& req, httplib::Response& res) {
                 Json body = Json::parse(req.body, nullptr, false);
                 if (!body.is_object()) return SendJson(res, 400, {{"error", "expected a JSON object"}});
                 Answer(res, PloomesUserWrite(w, req.matches[1], std::stoll(req.matches[2]), body));
               });
  server.Post("/_sandbox/milvus/clients", [&w](const httplib::Request& req, httplib::Response& res) {
    Json body = Json::parse(req.body, nullptr, false);
    if (!body.is_object()) return SendJson(res, 400, {{"error", "expected a JSON object"}});
    Answer(res, MilvusUserWrite(w, std::nullopt, body));
  });
  server.Patch(R"(/_sandbox/milvus/clients/(\d+))", [&w](const httplib::Request& req, httplib::Response& res) {
    Json body = Json::parse(req.body, nullptr, false);
    if (!body.is_object()) return SendJson(res, 400, {{"error", "expected a JSON object"}});
    Answer(res, MilvusUserWrite(w, std::stoll(req.matches[1]), body));
  });
  // Every record as stored, whatever the reality (no cap, no order, no blocks): what the tests
  // check ponte's work against.
  server.Get(R"(/_sandbox/ploomes/(Contacts|Tasks|InteractionRecords))", [&w](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(w.mu);
    const auto& records = req.matches[1] == "Contacts" ? w.ploomes.contacts
                          : req.matches[1] == "Tasks"  ? w.ploomes.tasks
                                                       : w.ploomes.interactions;
    Json all = Json::array();
    for (const auto& [id, r] : records) all.push_back(r);
    SendJson(res, 200, all);
  });
  server.Get("/_sandbox/milvus/clients", [&w](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lock(w.mu);
    Json all = Json::array();
    for (const auto& [id, c] : w.milvus.clients) all.push_back(c);
    SendJson(res, 200, all);
  });
  // Customers keyed in the ERP's own screen, and every customer it holds.
  server.Post("/_sandbox/totvs/customers", [&w](const httplib::Request& req, httplib::Response& res) {
    Json body = Json::parse(req.body, nullptr, false);
    if (!body.is_object()) return SendJson(res, 400, {{"error", "expected a CustomerVendor BusinessContent object"}});
    Answer(res, TotvsUserWrite(w, body));
  });
  server.Patch(R"(/_sandbox/totvs/customers/(.+))", [&w](const httplib::Request& req, httplib::Response& res) {
    Json body = Json::parse(req.body, nullptr, false);
    if (!body.is_object()) return SendJson(res, 400, {{"error", "expected a JSON object"}});
    Answer(res, TotvsUserUpdate(w, req.matches[1], body));
  });
  server.Get("/_sandbox/totvs/customers", [&w](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lock(w.mu);
    Json all = Json::array();
    for (const auto& [id, c] : w.totvs.customers) all.push_back(c);
    SendJson(res, 200, all);
  });
  server.Get("/_sandbox/milvus/tickets", [&w](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lock(w.mu);
    Json all = Json::array();
    for (const auto& [codigo, t] : w.milvus.tickets) all.push_back(t);
    SendJson(res, 200, all);
  });
}

}  // namespace ponte::sandbox::detail
