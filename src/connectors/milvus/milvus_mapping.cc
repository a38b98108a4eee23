#include "connectors/milvus/milvus_mapping.h"

#include <fmt/format.h>

#include "core/fnv.h"
#include "core/internal_id.h"

namespace ponte::milvus {
namespace {

std::string Str(const Json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
  return "";
}

// Capitalized Portuguese category from a tag name: "INSTALAÇÃO" -> "Instalação".
std::string CategoryFromTag(const std::string& tag) {
  static const std::pair<std::string_view, std::string_view> kLower[] = {
      {"Á", "á"}, {"À", "à"}, {"Â", "â"}, {"Ã", "ã"}, {"É", "é"}, {"Ê", "ê"}, {"Í", "í"},
      {"Ó", "ó"}, {"Ô", "ô"}, {"Õ", "õ"}, {"Ú", "ú"}, {"Ç", "ç"}};
  std::string out = tag;
  for (size_t i = 1; i < out.size(); ++i) {
    out[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[i])));
  }
  for (const auto& [upper, lower] : kLower) {
    for (size_t p = 1; (p = out.find(upper, p)) != std::string::npos;) out.replace(p, upper.size(), lower);
  }
  return out;
}

void PutIfSet(Json& obj, const char* key, const std::string& value) {
  if (!value.empty()) obj[key] = value;
}

}  // namespace

Result<std::string> ClientInternalId(const Json& client) {
  if (!client.is_object() || !client.contains("id") || !client["id"].is_number_integer()) {
    return Fail(Error::DataLoss("a Milvus client has no numeric id").WithSystem("milvus"));
  }
  std::vector<std::string> parts = {std::to_string(client["id"].get<int64_t>())};
  return ComposeInternalId(**FindKeyLayout("Milvus"), parts);
}

Result<CustomerVendor> ClientToCustomer(const Json& client) {
  auto id = ClientInternalId(client);
  if (!id) return Fail(id.error());
  CustomerVendor cv;
  cv.internal_id = *id;
  auto doc = ParseDocument(Str(client, "cnpj_cpf"));
  if (!doc) {
    return Fail(Error::InvalidArgument(fmt::format("cnpj_cpf: {}", doc.error().message))
                    .WithSystem("milvus")
                    .WithRecord(*id));
  }
  cv.document = *doc;
  cv.name = Str(client, "razao_social");
  cv.short_name = Str(client, "nome_fantasia");
  if (cv.name.empty()) cv.name = cv.short_name;
  if (cv.name.empty()) {
    return Fail(Error::InvalidArgument("the client has no razao_social nor nome_fantasia")
                    .WithSystem("milvus").WithRecord(*id));
  }
  cv.active = !client.contains("is_ativo") || !client["is_ativo"].is_boolean() ||
              client["is_ativo"].get<bool>();
  cv.comments = Str(client, "observacao");
  cv.home_page = Str(client, "site");
  return cv;
}

std::string TokenOf(const Json& client) { return Str(client, "token"); }

namespace {

Json CommonClientFields(const CustomerVendor& cv) {
  Json body = {{"cliente_ativo", cv.active}};
  if (cv.document) body["cliente_documento"] = cv.document->canonical;
  PutIfSet(body, "cliente_site", cv.home_page);
  PutIfSet(body, "cliente_observacao", cv.comments);
  if (cv.document && cv.document->is_person()) {
    body["cliente_pessoa_fisica"] = {{"nome", cv.name}};
  } else {
    body["cliente_pessoa_juridica"] = {{"razao_social", cv.name},
                                       {"nome_fantasia", cv.short_name.empty() ? cv.name : cv.short_name},
                                       {"inscricao_estadual", ""}};
  }
  return body;
}

}  // namespace

Json CustomerToClientCreate(const CustomerVendor& cv, int64_t integration_id) {
  Json body = CommonClientFields(cv);
  body["cliente_id_integracao"] = integration_id;
  const Address& a = cv.address;
  if (!a.street.empty() || !a.city_name.empty() || !a.zip_code.empty()) {
    // The city by name and the state by UF, never Ploomes' numeric ids (the old script's bug).
    body["cliente_enderecos"] = Json::array({{{"endereco_padrao", true},
                                              {"endereco_descricao", "Principal"},
                                              {"endereco_cep", a.zip_code},
                                              {"endereco_logradouro", a.street},
                                              {"endereco_numero", a.number},
                                              {"endereco_complemento", a.complement},
                                              {"endereco_bairro", a.district},
                                              {"endereco_cidade", a.city_name},
                                              {"endereco_estado", a.state}}});
  }
  if (!cv.email.empty() || !cv.phone.empty()) {
    body["cliente_contatos"] = Json::array({{{"contato_padrao", true},
                                             {"contato_descricao", cv.short_name.empty() ? cv.name : cv.short_name},
                                             {"contato_email", cv.email},
                                             {"contato_telefone", cv.phone},
                                             {"contato_celular", ""},
                                             {"contato_observacao", ""}}});
  }
  return body;
}

Json CustomerToClientUpdate(const CustomerVendor& cv) { return CommonClientFields(cv); }

std::string TicketReference(const std::string& system, const std::string& source_message,
                            const std::string& internal_id) {
  return fmt::format("[ponte {}:{}:{}]", system, source_message, internal_id);
}

Json TicketToChamado(const Ticket& t, const std::string& client_token,
                     const std::string& reference, const TicketDefaults& defaults) {
  std::string description = t.request_description;
  if (!description.empty()) description += "\n\n";
  description += reference;
  Json body = {{"cliente_id", client_token},
               {"chamado_assunto", t.topic},
               {"chamado_descricao", description},
               {"chamado_email", t.requester_email},
               {"chamado_telefone", t.requester_phone},
               {"chamado_contato", t.requester_name}};
  if (!t.category.empty()) {
    auto it = defaults.category_by_tag.find(t.category);
    body["chamado_categoria_primaria"] =
        it != defaults.category_by_tag.end() ? it->second : CategoryFromTag(t.category);
  }
  PutIfSet(body, "chamado_mesa", defaults.mesa);
  PutIfSet(body, "chamado_setor", defaults.setor);
  PutIfSet(body, "chamado_tecnico", defaults.tecnico);
  return body;
}

std::string CustomerHash(const CustomerVendor& cv) {
  const bool person = cv.document && cv.document->is_person();
  const std::string short_name = person || cv.short_name.empty() ? cv.name : cv.short_name;
  nlohmann::json j = {{"doc", cv.document ? cv.document->canonical : ""},
                      {"name", cv.name},
                      {"short", short_name},
                      {"active", cv.active},
                      {"comments", cv.comments},
                      {"site", cv.home_page}};
  return Fnv1aHex(j.dump());
}

}  // namespace ponte::milvus
