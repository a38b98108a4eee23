#include "sandbox/internal/http_support.h"

#include <random>
#include <thread>

#include <fmt/format.h>

#include "core/base64.h"

namespace ponte::sandbox::detail {
namespace {

const char* ApiName(Api api) {
  return api == Api::kPloomes ? "ploomes" : (api == Api::kMilvus ? "milvus" : "totvs");
}

bool Authenticated(World& w, Api api, const httplib::Request& req) {
  if (api == Api::kPloomes) {
    // Header names are case-insensitive; clients send User-Key, user-key, user-Key.
    return req.has_header("User-Key") && req.get_header_value("User-Key") == w.options.ploomes_key;
  }
  if (api == Api::kTotvs) {
    // HTTP Basic, as Protheus REST answers with Security=1.
    return req.has_header("Authorization") &&
           req.get_header_value("Authorization") ==
               "Basic " + Base64Encode(w.options.totvs_user + ":" + w.options.totvs_password);
  }
  // Milvus takes the raw token; "Bearer <token>" is refused, as the real API does.
  return req.has_header("Authorization") &&
         req.get_header_value("Authorization") == w.options.milvus_token;
}

void SendError(Api api, httplib::Response& res, int status, std::string_view message) {
  if (api == Api::kPloomes) {
    SendPloomesError(res, status, status == 429 ? "TooManyRequests" : "ServerError", message);
  } else if (api == Api::kTotvs) {
    SendTotvsError(res, status, status == 429 ? "FE429" : "FE500", message);
  } else {
    SendMilvusError(res, status, message);
  }
}

// Sends `body` but stops after `keep` bytes and drops the connection.
void SendCutShort(httplib::Response& res, std::string body, size_t keep) {
  auto shared = std::make_shared<std::string>(std::move(body));
  res.status = 200;
  res.set_content_provider(shared->size(), "application/json",
                           [shared, keep](size_t offset, size_t length, httplib::DataSink& sink) {
                             if (offset >= keep) return false;  // abort: connection closed
                             size_t n = std::min(length, keep - offset);
                             sink.write(shared->data() + offset, n);
                             return true;
                           });
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else if (s[i] == '+') {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

// cpp-httplib splits a query value at every '=', which breaks OData's nested options
// ($expand=Tags($expand=Tag)); the value runs from the first '=' to the next '&'.
httplib::Params ParseQuery(const std::string& target) {
  httplib::Params params;
  auto q = target.find('?');
  if (q == std::string::npos) return params;
  std::string_view query(target);
  query.remove_prefix(q + 1);
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view item = query.substr(0, amp);
    auto eq = item.find('=');
    params.emplace(PercentDecode(item.substr(0, eq)),
                   eq == std::string_view::npos ? "" : PercentDecode(item.substr(eq + 1)));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return params;
}

}  // namespace

void SendJson(httplib::Response& res, int status, const Json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json; charset=utf-8");
}

void SendPloomesError(httplib::Response& res, int status, std::string_view code,
                      std::string_view message) {
  SendJson(res, status, {{"error", {{"code", code}, {"message", message}}}});
}

void SendMilvusError(httplib::Response& res, int status, std::string_view message) {
  SendJson(res, status, {{"status_code", status}, {"mensagem", message}});
}

void SendTotvsError(httplib::Response& res, int status, std::string_view code, std::string_view message) {
  SendJson(res, status, {{"Code", code}, {"Message", message}, {"DetailedMessage", ""}, {"HelpUrl", ""}});
}

std::optional<Json> ParseBody(const httplib::Request& req, httplib::Response& res, Api api) {
  Json body = Json::parse(req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    if (api == Api::kPloomes) {
      SendPloomesError(res, 400, "BadRequest", "The request body is not a JSON object");
    } else if (api == Api::kTotvs) {
      SendTotvsError(res, 400, "FE001", "Formato da mensagem inválido");
    } else {
      SendMilvusError(res, 400, "Corpo da requisição inválido");
    }
    return std::nullopt;
  }
  return body;
}

Handler Guard(World& w, Api api, std::string name, Handler handler, bool listing) {
  return [&w, api, name = std::move(name), handler = std::move(handler), listing](
             const httplib::Request& req, httplib::Response& res) {
    const std::string endpoint = fmt::format("{} {} {}", ApiName(api), req.method, name);
    auto count = [&](int status) {
      std::lock_guard lock(w.mu);
      ++w.calls[endpoint][status];
    };
    if (!Authenticated(w, api, req)) {
      if (api == Api::kPloomes) {
        SendPloomesError(res, w.options.ploomes_auth_status, "Unauthorized",
                         "User-Key inválida ou ausente");
      } else if (api == Api::kTotvs) {
        res.set_header("WWW-Authenticate", "Basic realm=\"REST\"");
        SendTotvsError(res, 401, "401", "Usuário ou senha inválidos");
      } else {
        SendMilvusError(res, w.options.milvus_auth_status, "Token de autenticação inválido");
      }
      count(res.status);
      return;
    }
    if (api == Api::kPloomes && req.method == "GET" && w.options.reality.Is("ploomes.forbidden_blocks", "occasional")) {
      // Integrators report passing 403 "blocks" on plain reads; the same read later succeeds.
      bool blocked;
      {
        std::lock_guard lock(w.mu);
        blocked = std::uniform_real_distribution<double>(0, 1)(w.rng) < w.options.ploomes_forbidden_probability;
      }
      if (blocked) {
        SendPloomesError(res, 403, "Forbidden", "Acesso bloqueado temporariamente");
        count(403);
        return;
      }
    }
    const auto fault = w.faults.Draw(ApiName(api), /*write=*/req.method != "GET" && !listing);
    if (fault && *fault != FaultKind::kDuplicatePage) {
      {
        std::lock_guard lock(w.mu);
        ++w.injected[std::string(FaultKindName(*fault))];
      }
      const FaultSpec spec = w.faults.Get();
      switch (*fault) {
        case FaultKind::kTooManyRequests:
          SendError(api, res, 429, "Too many requests");
          count(429);
          return;
        case FaultKind::kInternal:
        case FaultKind::kBadGateway:
        case FaultKind::kUnavailable: {
          int status = *fault == FaultKind::kInternal ? 500 : (*fault == FaultKind::kBadGateway ? 502 : 503);
          SendError(api, res, status, "Injected server error");
          count(status);
          return;
        }
        case FaultKind::kTimeout:
          std::this_thread::sleep_for(std::chrono::milliseconds(spec.timeout_ms));
          SendError(api, res, 504, "Injected timeout");
          count(504);
          return;
        case FaultKind::kSlow:
        case FaultKind::kSlowWrite:
          std::this_thread::sleep_for(std::chrono::milliseconds(spec.slow_ms));
          break;  // then apply and answer normally, whether the client still listens or not
        case FaultKind::kReset:
          SendCutShort(res, std::string(256, ' '), 0);
          count(-1);
          return;
        case FaultKind::kMalformed:
          res.status = 200;
          res.set_content(api == Api::kPloomes  ? R"({"@odata.context":"x","value":[{"Id":)"
                          : api == Api::kTotvs ? R"({"HasNext":true,"Items":[{"InternalId":)"
                                               : R"({"lista":[{"id":12,)",
                          "application/json");
          count(200);
          return;
        case FaultKind::kTruncated:
        case FaultKind::kDuplicatePage:
          break;  // applied after the handler
      }
    }
    // milvus.listing_quota: the per-token listing quota covers busca and listagem, listagem
    // only, or nothing.
    const std::string& milvus_quota = w.options.reality.Get("milvus.listing_quota");
    const bool quota_applies =
        api == Api::kPloomes || (api == Api::kTotvs && w.options.totvs_requests_per_minute > 0) ||
        (listing && (milvus_quota == "all" || (milvus_quota == "listagem" && name.find("listagem") != std::string::npos)));
    if (quota_applies) {
      const int per_minute = api == Api::kPloomes ? w.options.ploomes_requests_per_minute
                             : api == Api::kTotvs ? w.options.totvs_requests_per_minute
                                                  : w.options.milvus_listings_per_minute;
      const std::string key = api == Api::kPloomes ? fmt::format("ploomes:{}", w.options.ploomes_account_id)
                              : api == Api::kTotvs ? "totvs:" + w.options.totvs_user
                                                   : "milvus:" + w.options.milvus_token;
      std::chrono::milliseconds retry_after{0};
      bool admitted;
      {
        std::lock_guard lock(w.mu);
        admitted = w.quota.Admit(key, per_minute, w.clock.Now(), &retry_after);
        if (!admitted) ++w.throttled[ApiName(api)];
      }
      if (!admitted) {
        if (api == Api::kPloomes && w.options.ploomes_retry_after) {
          auto real = w.clock.ToReal(retry_after);
          res.set_header("Retry-After", std::to_string((real.count() + 999) / 1000));
        }
        SendError(api, res, 429, api == Api::kPloomes ? "API rate limit exceeded"
                                                      : "Limite de chamadas atingido. Aguarde 1 minuto");
        count(429);
        return;
      }
    }
    httplib::Request copy = req;
    copy.params = ParseQuery(req.target);
    if (fault == FaultKind::kDuplicatePage) copy.set_header("X-Sandbox-Duplicate-Page", "1");
    handler(copy, res);
    if (fault == FaultKind::kTruncated && res.status == 200 && !res.body.empty()) {
      std::string body = std::move(res.body);
      res.body.clear();
      const size_t keep = body.size() / 2;
      SendCutShort(res, std::move(body), keep);
    }
    count(res.status);
  };
}

}  // namespace ponte::sandbox::detail
