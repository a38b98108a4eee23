// The Milvus emulator under /milvus/api: clients (busca, criar, alterar, excluir) and tickets
// (criar, listagem), following ../shared/api/milvus.md; unconfirmed parts are switches.

#include <algorithm>
#include <cctype>
#include <random>

#include <fmt/format.h>

#include "core/document.h"
#include "sandbox/internal/http_support.h"
#include "sandbox/internal/routes.h"

namespace ponte::sandbox::detail {
namespace {

constexpr int kMilvusDefaultPageSize = 50;  // [DOC]
constexpr int kMilvusMaxPageSize = 1000;    // [DOC]

std::string Str(const Json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
  return "";
}

std::string Token(World& w) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string t;
  std::mt19937_64 rng(w.options.seed * 7919 + static_cast<uint64_t>(w.milvus.next_client));
  for (int i = 0; i < 6; ++i) t += kAlphabet[rng() % 36];
  return t;
}

// Fills a client from a cliente/criar or cliente/alterar body. Caller holds w.mu.
Status ApplyClientBody(World& w, Json& client, const Json& body, bool create) {
  if (body.contains("cliente_documento")) {
    const std::string raw = Str(body, "cliente_documento");
    auto doc = ParseDocument(raw);
    // milvus.criar_check_digits: a wrong document refused, or stored as sent.
    if (!doc && w.options.reality.Is("milvus.criar_check_digits", "validated")) {
      return Fail(Error::InvalidArgument("Campo inválido: cliente_documento"));
    }
    std::string digits;
    for (char c : raw) {
      if (std::isalnum(static_cast<unsigned char>(c))) digits += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    // milvus.document_storage: kept as the request typed it, or as bare characters.
    client["cnpj_cpf"] = w.options.reality.Is("milvus.document_storage", "as_typed") ? raw
                         : doc                                                      ? doc->canonical
                                                                                    : digits;
    client["is_fisica"] = doc ? doc->is_person() : digits.size() <= 11;
  } else if (create) {
    return Fail(Error::InvalidArgument("Campo obrigatório: cliente_documento"));
  }
  if (auto pf = body.find("cliente_pessoa_fisica"); pf != body.end() && pf->is_object()) {
    client["razao_social"] = Str(*pf, "nome");
    client["nome_fantasia"] = Str(*pf, "nome");
    if (pf->contains("data_nascimento")) client["data_nascimento"] = (*pf)["data_nascimento"];
    if (pf->contains("sexo")) client["sexo"] = (*pf)["sexo"];
  }
  if (auto pj = body.find("cliente_pessoa_juridica"); pj != body.end() && pj->is_object()) {
    client["razao_social"] = Str(*pj, "razao_social");
    client["nome_fantasia"] = Str(*pj, "nome_fantasia");
    client["inscricao_estadual"] = Str(*pj, "inscricao_estadual");
  }
  if (create && Str(client, "razao_social").empty() && Str(client, "nome_fantasia").empty()) {
    return Fail(Error::InvalidArgument("Campo obrigatório: nome do cliente"));
  }
  if (body.contains("cliente_site")) client["site"] = Str(body, "cliente_site");
  if (body.contains("cliente_observacao")) client["observacao"] = Str(body, "cliente_observacao");
  if (body.contains("cliente_ativo") && body["cliente_ativo"].is_boolean()) {
    client["is_ativo"] = body["cliente_ativo"];
  }
  // Addresses and contacts are kept on the side: busca does not return them [DOC].
  if (body.contains("cliente_enderecos")) client["_enderecos"] = body["cliente_enderecos"];
  if (body.contains("cliente_contatos")) client["_contatos"] = body["cliente_contatos"];
  if (body.contains("cliente_id_integracao")) client["_id_integracao"] = body["cliente_id_integracao"];
  return {};
}

Json PublicClient(const Json& c) {
  Json out = Json::object();
  for (auto it = c.begin(); it != c.end(); ++it) {
    if (!it.key().starts_with("_")) out[it.key()] = it.value();
  }
  return out;
}

// ASCII case folding only: whether the real API also folds accents is not known, and a client
// must not depend on it.
std::string AsciiLower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool ContainsFolded(const std::string& hay, const std::string& needle) {
  return AsciiLower(hay).find(AsciiLower(needle)) != std::string::npos;
}

// milvus.busca_name_match: how nome_fantasia selects clients.
bool NameMatches(const World& w, const std::string& name, const std::string& wanted) {
  const std::string& mode = w.options.reality.Get("milvus.busca_name_match");
  if (mode == "ignored") return true;
  const std::string n = AsciiLower(name), q = AsciiLower(wanted);
  if (mode == "exact") return n == q;
  if (mode == "prefix") return n.starts_with(q);
  return n.find(q) != std::string::npos;
}

// milvus.document_storage: documento compared with cnpj_cpf as stored (digits: the request's
// document is read as digits too; as_typed: the text must be the same).
bool DocumentMatches(const World& w, const std::string& stored, const std::string& wanted) {
  if (w.options.reality.Is("milvus.document_storage", "as_typed")) return stored == wanted;
  auto doc = ParseDocument(wanted);
  return stored == (doc ? doc->canonical : wanted);
}

void Busca(World& w, const httplib::Request& req, httplib::Response& res) {
  const std::string documento = req.get_param_value("documento");
  const std::string nome = req.get_param_value("nome_fantasia");
  const std::string status = req.has_param("status") ? req.get_param_value("status") : "1";
  std::lock_guard lock(w.mu);
  std::vector<const Json*> found;
  for (const auto& [id, c] : w.milvus.clients) {
    const bool active = c.value("is_ativo", true);
    if ((status == "1" && !active) || (status == "2" && active)) continue;
    if (!documento.empty() && !DocumentMatches(w, c.value("cnpj_cpf", ""), documento)) continue;
    if (!nome.empty() && !NameMatches(w, c.value("nome_fantasia", ""), nome)) continue;
    found.push_back(&c);
  }
  // milvus.busca_cap_order: which clients the cap keeps.
  const std::string& order = w.options.reality.Get("milvus.busca_cap_order");
  if (order == "newest_first") std::reverse(found.begin(), found.end());
  if (order == "unspecified") std::shuffle(found.begin(), found.end(), w.rng);
  // [OBS] the listing stops at the cap, with nothing saying there is more.
  Json lista = Json::array();
  for (const Json* c : found) {
    if (static_cast<int>(lista.size()) >= w.options.milvus_busca_cap) break;
    lista.push_back(PublicClient(*c));
  }
  SendJson(res, 200, {{"lista", lista}});
}

void Criar(World& w, const httplib::Request& req, httplib::Response& res) {
  auto body = ParseBody(req, res, Api::kMilvus);
  if (!body) return;
  std::lock_guard lock(w.mu);
  int64_t id = w.milvus.next_client;
  Json client = MilvusClient(id, Token(w), GeneratedPerson{.city = &Cities()[0]});
  client["razao_social"] = "";
  client["nome_fantasia"] = "";
  if (auto s = ApplyClientBody(w, client, *body, true); !s) {
    return SendMilvusError(res, 400, s.error().message);
  }
  // milvus.criar_duplicate_document: a document some client already has refused, or a second
  // client made.
  if (w.options.reality.Is("milvus.criar_duplicate_document", "refused")) {
    const std::string wanted = Str(client, "cnpj_cpf");
    for (const auto& [other_id, other] : w.milvus.clients) {
      if (!wanted.empty() && DocumentMatches(w, Str(other, "cnpj_cpf"), wanted)) {
        return SendMilvusError(res, 400, "Já existe um cliente com o documento " + wanted);
      }
    }
  }
  ++w.milvus.next_client;
  w.milvus.clients[id] = client;
  SendJson(res, 200, id);  // a bare JSON number [DOC]; the token needs another busca
}

void Alterar(World& w, const httplib::Request& req, httplib::Response& res) {
  auto body = ParseBody(req, res, Api::kMilvus);
  if (!body) return;
  std::lock_guard lock(w.mu);
  auto it = w.milvus.clients.find(std::stoll(req.matches[1]));
  if (it == w.milvus.clients.end()) return SendMilvusError(res, 404, "Cliente não encontrado");
  Json updated = it->second;
  if (auto s = ApplyClientBody(w, updated, *body, false); !s) {
    return SendMilvusError(res, 400, s.error().message);
  }
  it->second = updated;
  res.status = 204;
}

void Excluir(World& w, const httplib::Request& req, httplib::Response& res) {
  std::lock_guard lock(w.mu);
  if (w.milvus.clients.erase(std::stoll(req.matches[1])) == 0) {
    return SendMilvusError(res, 404, "Cliente não encontrado");
  }
  res.status = 204;
}

const Json* ClientByRef(World& w, const std::string& ref) {
  for (const auto& [id, c] : w.milvus.clients) {
    if (c.value("token", "") == ref) return &c;
    if (w.options.milvus_accept_numeric_client_id && std::to_string(id) == ref) return &c;
  }
  return nullptr;
}

void ChamadoCriar(World& w, const httplib::Request& req, httplib::Response& res) {
  auto body = ParseBody(req, res, Api::kMilvus);
  if (!body) return;
  const std::string cliente = Str(*body, "cliente_id");
  if (cliente.empty()) return SendMilvusError(res, 400, "Campo obrigatório: cliente_id");
  if (Str(*body, "chamado_assunto").empty()) {
    return SendMilvusError(res, 400, "Campo obrigatório: chamado_assunto");
  }
  std::lock_guard lock(w.mu);
  const Json* client = ClientByRef(w, cliente);
  if (!client) return SendMilvusError(res, 404, "Cliente não encontrado");
  const int64_t codigo = w.milvus.next_codigo++;
  const std::string now = FormatMilvusDateTime(w.clock.Now());
  w.milvus.tickets[codigo] = {
      {"id", w.milvus.next_ticket_id++},
      {"codigo", codigo},
      {"assunto", Str(*body, "chamado_assunto")},
      {"descricao", Str(*body, "chamado_descricao")},
      {"cliente", (*client)["nome_fantasia"]},
      {"cliente_token", (*client)["token"]},
      {"cliente_id", (*client)["id"]},
      {"contato", Str(*body, "chamado_contato")},
      {"email_conferencia", Str(*body, "chamado_email")},
      {"telefone", Str(*body, "chamado_telefone")},
      {"tecnico", Str(*body, "chamado_tecnico")},
      {"mesa_trabalho", Str(*body, "chamado_mesa").empty() ? "Mesa padrão" : Str(*body, "chamado_mesa")},
      {"setor", Str(*body, "chamado_setor")},
      {"categoria_primaria", Str(*body, "chamado_categoria_primaria")},
      {"categoria_secundaria", Str(*body, "chamado_categoria_secundaria")},
      {"prioridade", "Normal"},
      {"status", "AgAtendimento"},
      {"origem", "API"},
      {"data_criacao", now},
      {"data_modificacao", now},
      {"data_solucao", nullptr},
      {"total_horas", "00:00"}};
  SendJson(res, 200, codigo);  // the ticket's codigo, bare [DOC]
}

void Listagem(World& w, const httplib::Request& req, httplib::Response& res) {
  // Paging and sort come from the query string; copies in the body are ignored [OBS].
  auto number = [&](const char* key, int fallback) {
    try {
      return req.has_param(key) ? std::stoi(req.get_param_value(key)) : fallback;
    } catch (...) {
      return fallback;
    }
  };
  const int per_page = std::clamp(number("total_registros", kMilvusDefaultPageSize), 1, kMilvusMaxPageSize);
  const int page = std::max(1, number("pagina", 1));
  const bool descending = req.get_param_value("is_descending") != "false";
  Json filter = Json::object();
  if (!req.body.empty()) {
    Json body = Json::parse(req.body, nullptr, false);
    if (body.is_discarded()) return SendMilvusError(res, 400, "Corpo da requisição inválido");
    filter = body.value("filtro_body", Json::object());
  }
  if (filter.contains("cliente_token") && Str(filter, "cliente_token").empty()) {
    return SendMilvusError(res, 502, "Bad Gateway");  // [OBS] an empty token filter
  }
  std::lock_guard lock(w.mu);
  std::vector<const Json*> rows;
  for (const auto& [codigo, t] : w.milvus.tickets) {
    if (filter.contains("cliente_token") && t["cliente_token"] != filter["cliente_token"]) continue;
    if (filter.contains("codigo") && Str(t, "codigo") != Str(filter, "codigo")) continue;
    if (filter.contains("assunto") && !ContainsFolded(t.value("assunto", ""), Str(filter, "assunto"))) continue;
    if (filter.contains("data_hora_criacao_inicial") &&
        t.value("data_criacao", "") < Str(filter, "data_hora_criacao_inicial")) continue;
    if (filter.contains("data_hora_criacao_final") &&
        t.value("data_criacao", "") > Str(filter, "data_hora_criacao_final")) continue;
    rows.push_back(&t);
  }
  if (descending) std::reverse(rows.begin(), rows.end());
  const int total = static_cast<int>(rows.size());
  const int last_page = std::max(1, (total + per_page - 1) / per_page);
  Json lista = Json::array();
  for (int i = (page - 1) * per_page; i < total && i < page * per_page; ++i) lista.push_back(*rows[i]);
  SendJson(res, 200,
           {{"meta",
             {{"paginate",
               {{"current_page", std::to_string(page)},  // a string in the ticket example [DOC]
                {"total", total},
                {"to", page * per_page},
                {"from", (page - 1) * per_page + 1},
                {"last_page", last_page},
                {"per_page", per_page}}}}},
            {"lista", lista}});
}

}  // namespace

void RegisterMilvusRoutes(httplib::Server& server, World& w) {
  server.Get("/milvus/api/cliente/busca",
             Guard(w, Api::kMilvus, "/api/cliente/busca", [&w](const auto& q, auto& r) { Busca(w, q, r); },
                   /*listing=*/true));
  server.Post("/milvus/api/cliente/criar",
              Guard(w, Api::kMilvus, "/api/cliente/criar", [&w](const auto& q, auto& r) { Criar(w, q, r); }));
  server.Put(R"(/milvus/api/cliente/alterar/(\d+))",
             Guard(w, Api::kMilvus, "/api/cliente/alterar/:id", [&w](const auto& q, auto& r) { Alterar(w, q, r); }));
  server.Delete(R"(/milvus/api/cliente/excluir/(\d+))",
                Guard(w, Api::kMilvus, "/api/cliente/excluir/:id", [&w](const auto& q, auto& r) { Excluir(w, q, r); }));
  server.Post("/milvus/api/chamado/criar",
              Guard(w, Api::kMilvus, "/api/chamado/criar", [&w](const auto& q, auto& r) { ChamadoCriar(w, q, r); }));
  server.Post("/milvus/api/chamado/listagem",
              Guard(w, Api::kMilvus, "/api/chamado/listagem", [&w](const auto& q, auto& r) { Listagem(w, q, r); },
                    /*listing=*/true));
}

Result<Json> MilvusUserWrite(World& w, std::optional<int64_t> id, const Json& body) {
  std::lock_guard lock(w.mu);
  if (!id) {
    int64_t new_id = w.milvus.next_client;
    Json client = MilvusClient(new_id, Token(w), GeneratedPerson{.city = &Cities()[0]});
    if (auto s = ApplyClientBody(w, client, body, true); !s) return Fail(s.error());
    ++w.milvus.next_client;
    w.milvus.clients[new_id] = client;
    return PublicClient(client);
  }
  auto it = w.milvus.clients.find(*id);
  if (it == w.milvus.clients.end()) return Fail(Error::NotFound("Cliente não encontrado"));
  if (auto s = ApplyClientBody(w, it->second, body, false); !s) return Fail(s.error());
  return PublicClient(it->second);
}

}  // namespace ponte::sandbox::detail
