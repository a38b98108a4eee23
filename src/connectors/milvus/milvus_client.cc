#include "connectors/milvus/milvus_client.h"

#include <algorithm>
#include <charconv>
#include <limits>

#include <fmt/format.h>

#include "core/json_fields.h"

namespace ponte::milvus {

Result<int64_t> ParseBareId(const std::string& body, const std::string& endpoint) {
  Json j = Json::parse(body, nullptr, false);
  int64_t id = 0;
  if (!j.is_discarded() && j.is_number_integer()) return j.get<int64_t>();
  if (!j.is_discarded() && j.is_string()) {
    const auto& s = j.get_ref<const std::string&>();
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
    if (ec == std::errc() && p == s.data() + s.size()) return id;
  }
  return Fail(Error::DataLoss(fmt::format("{} answered '{}' where a bare id was expected",
                                          endpoint, BodyExcerpt(body)))
                  .WithSystem("milvus"));
}

Result<BuscaResult> MilvusClient::Busca(const std::string& documento,
                                        const std::string& nome_fantasia, int status) {
  std::string query = fmt::format("?status={}", status);
  if (!documento.empty()) query += "&documento=" + UrlEncode(documento);
  if (!nome_fantasia.empty()) query += "&nome_fantasia=" + UrlEncode(nome_fantasia);
  const std::string endpoint = "GET /api/cliente/busca";
  ApiCall call{"GET", endpoint, "/api/cliente/busca" + query};
  // busca waits on the listing quota unless ponte found it does not spend it (milvus.listing_quota).
  call.listing = !(findings_ && (findings_->Is("milvus.listing_quota", "listagem") ||
                                 findings_->Is("milvus.listing_quota", "none")));
  call.check = [endpoint](const HttpResponse& r) -> Status {
    Json b = Json::parse(r.body, nullptr, false);
    if (b.is_discarded() || !b.is_object() || !b.contains("lista") || !b["lista"].is_array()) {
      return Fail(Error::DataLoss(fmt::format("{} answered without a \"lista\" array: {}", endpoint,
                                              BodyExcerpt(r.body))));
    }
    return {};
  };
  auto response = api_.Call(call);
  if (!response) return Fail(response.error());
  Json body = Json::parse(response->body, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("lista") || !body["lista"].is_array()) {
    return Fail(Error::DataLoss(fmt::format("{} answered without a \"lista\" array: {}", endpoint,
                                            BodyExcerpt(response->body)))
                    .WithSystem("milvus"));
  }
  BuscaResult out;
  out.clients = body["lista"].get<std::vector<Json>>();
  out.hit_cap = out.clients.size() >= busca_cap_;
  return out;
}

Result<int64_t> MilvusClient::CreateClient(const Json& body) {
  const std::string endpoint = "POST /api/cliente/criar";
  auto response = api_.Call({"POST", endpoint, "/api/cliente/criar", body.dump()});
  if (!response) return Fail(response.error());
  return ParseBareId(response->body, endpoint);
}

Status MilvusClient::UpdateClient(const std::string& id, const Json& body) {
  auto response = api_.Call({"PUT", "PUT /api/cliente/alterar/:id", "/api/cliente/alterar/" + id,
                             body.dump()});
  if (!response) return Fail(response.error());
  return {};
}

Status MilvusClient::DeleteClient(const std::string& id) {
  auto response = api_.Call({"DELETE", "DELETE /api/cliente/excluir/:id", "/api/cliente/excluir/" + id});
  if (!response) return Fail(response.error());
  return {};
}

Result<int64_t> MilvusClient::CreateTicket(const Json& body) {
  const std::string endpoint = "POST /api/chamado/criar";
  auto response = api_.Call({"POST", endpoint, "/api/chamado/criar", body.dump()});
  if (!response) return Fail(response.error());
  return ParseBareId(response->body, endpoint);
}

Result<std::vector<Json>> MilvusClient::ListTickets(const Json& filtro_body) {
  const std::string endpoint = "POST /api/chamado/listagem";
  std::vector<Json> all;
  for (int page = 1;; ++page) {
    // Paging goes in the query string: the API ignores it in the body [OBS].
    ApiCall call{"POST", endpoint,
                 fmt::format("/api/chamado/listagem?is_descending=false&order_by=codigo"
                             "&total_registros={}&pagina={}",
                             kListagemPageSize, page),
                 Json{{"filtro_body", filtro_body}}.dump()};
    call.read_only = true;
    call.listing = !(findings_ && findings_->Is("milvus.listing_quota", "none"));
    call.check = [endpoint](const HttpResponse& r) -> Status {
      Json b = Json::parse(r.body, nullptr, false);
      if (b.is_discarded() || !b.is_object() || !b.contains("lista") || !b["lista"].is_array()) {
        return Fail(Error::DataLoss(fmt::format("{} answered without a \"lista\" array", endpoint)));
      }
      return {};
    };
    auto response = api_.Call(call);
    if (!response) return Fail(response.error());
    Json body = Json::parse(response->body, nullptr, false);
    if (body.is_discarded() || !body.contains("lista") || !body["lista"].is_array()) {
      return Fail(Error::DataLoss(fmt::format("{} answered without a \"lista\" array", endpoint))
                      .WithSystem("milvus"));
    }
    for (auto& t : body["lista"]) all.push_back(std::move(t));
    // meta.paginate fields come as numbers or strings depending on the endpoint [DOC].
    int last_page = page;
    if (auto meta = body.find("meta"); meta != body.end() && meta->contains("paginate")) {
      const Json& paginate = (*meta)["paginate"];
      if (auto n = IntField(paginate, "last_page")) {
        last_page = static_cast<int>(std::clamp<int64_t>(*n, 0, std::numeric_limits<int>::max()));
      } else if (auto text = StringField(paginate, "last_page"); !text.empty()) {
        last_page = std::atoi(text.c_str());
      }
    }
    if (page >= last_page || body["lista"].empty()) break;
  }
  return all;
}

}  // namespace ponte::milvus
