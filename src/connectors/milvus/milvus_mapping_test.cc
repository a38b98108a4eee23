#include "connectors/milvus/milvus_mapping.h"

#include <gtest/gtest.h>

#include "connectors/milvus/milvus_client.h"

namespace ponte::milvus {
namespace {

TEST(MilvusMappingTest, ClientToCustomer) {
  Json c = {{"id", 30753}, {"razao_social", "Construtora Ômega S/A"}, {"nome_fantasia", "Ômega"},
            {"cnpj_cpf", "12ABC34501DE35"}, {"is_ativo", false}, {"token", "KEN7B5"}, {"site", "omega.com.br"}};
  auto cv = ClientToCustomer(c);
  ASSERT_TRUE(cv.has_value()) << cv.error().ToString();
  EXPECT_EQ(cv->internal_id, "30753");
  EXPECT_EQ(cv->document->canonical, "12ABC34501DE35");
  EXPECT_FALSE(cv->active);
  EXPECT_EQ(cv->short_name, "Ômega");
  EXPECT_EQ(TokenOf(c), "KEN7B5");
  c["cnpj_cpf"] = "";
  EXPECT_FALSE(ClientToCustomer(c).has_value());
}

TEST(MilvusMappingTest, CustomerToClientBodies) {
  CustomerVendor cv;
  cv.name = "José Ávila";
  cv.document = *ParseDocument("123.456.789-09");
  cv.email = "jose@avila.com.br";
  cv.address = {"Rua das Flores", "12", "", "Centro", "Curitiba", "4106902", "PR", "80010000"};
  Json create = CustomerToClientCreate(cv, 40100001);
  EXPECT_EQ(create["cliente_documento"], "12345678909");
  EXPECT_EQ(create["cliente_pessoa_fisica"]["nome"], "José Ávila");
  EXPECT_FALSE(create.contains("cliente_pessoa_juridica"));
  EXPECT_EQ(create["cliente_enderecos"][0]["endereco_cidade"], "Curitiba");  // a name, not an id
  EXPECT_EQ(create["cliente_enderecos"][0]["endereco_estado"], "PR");
  EXPECT_EQ(create["cliente_contatos"][0]["contato_email"], "jose@avila.com.br");
  EXPECT_EQ(create["cliente_id_integracao"], 40100001);
  Json update = CustomerToClientUpdate(cv);
  EXPECT_FALSE(update.contains("cliente_enderecos"));
}

TEST(MilvusMappingTest, TicketBodyCarriesTheReferenceAndDefaults) {
  Ticket t;
  t.topic = "Entrega de equipamentos";
  t.request_description = "Portaria lateral";
  t.category = "ENTREGA";
  TicketDefaults d;
  d.mesa = "Mesa padrão";
  std::string ref = TicketReference("ploomes", "Task", "40500001");
  EXPECT_EQ(ref, "[ponte ploomes:Task:40500001]");
  Json body = TicketToChamado(t, "KEN7B5", ref, d);
  EXPECT_EQ(body["cliente_id"], "KEN7B5");
  EXPECT_EQ(body["chamado_descricao"], "Portaria lateral\n\n[ponte ploomes:Task:40500001]");
  EXPECT_EQ(body["chamado_categoria_primaria"], "Entrega");
  EXPECT_EQ(body["chamado_mesa"], "Mesa padrão");
  EXPECT_FALSE(body.contains("chamado_tecnico"));
  t.category = "INSTALAÇÃO";
  EXPECT_EQ(TicketToChamado(t, "K", ref, d)["chamado_categoria_primaria"], "Instalação");
}

TEST(MilvusMappingTest, BareIdAnswers) {
  EXPECT_EQ(*ParseBareId("123", "x"), 123);
  EXPECT_EQ(*ParseBareId("\"857\"", "x"), 857);
  auto bad = ParseBareId("{\"id\":1}", "POST /api/cliente/criar");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, ErrorCode::kDataLoss);
  EXPECT_NE(bad.error().message.find("POST /api/cliente/criar"), std::string::npos);
}

}  // namespace
}  // namespace ponte::milvus
