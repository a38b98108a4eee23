#include "sandbox/data_generator.h"

#include <fmt/format.h>

#include "core/document.h"

namespace ponte::sandbox {
namespace {

constexpr const char* kFirstNames[] = {
    "Maria", "José", "Ana", "João", "Antônio", "Francisca", "Carlos", "Luíza", "Paulo", "Márcia",
    "Lúcia", "Sebastião", "Conceição", "Raimundo", "Fábio", "Júlia", "André", "Cecília", "Étienne",
    "Íris", "Otávio", "Vinícius", "Letícia", "Caetano", "Inês", "Bruno", "Camila", "Diego", "Elisa",
    "Gustavo", "Heloísa", "Igor", "Joaquim", "Kátia", "Lorena", "Mateus", "Natália", "Olga", "Pedro",
    "Quitéria", "Rafael", "Sueli", "Tiago", "Úrsula", "Valéria", "Wagner", "Yara", "Zuleica", "Benedito",
    "Gláucia", "Hélio", "Jurema", "Moacir", "Neide", "Rogério"};
constexpr const char* kSurnames[] = {
    "Silva", "Santos", "Oliveira", "Souza", "Araújo", "Gonçalves", "Conceição", "Ribeiro",
    "Simões", "Magalhães", "Assunção", "Brandão", "Falcão", "Lopes", "Nóbrega", "Guimarães",
    "Figueirêdo", "Sá", "Leão", "Carvalho", "Pereira", "Costa", "Rodrigues", "Almeida", "Nascimento",
    "Lima", "Fernandes", "Vieira", "Barbosa", "Rocha", "Dias", "Teixeira", "Moreira", "Cavalcanti",
    "Mendes", "Freitas", "Cardoso", "Ramos", "Pinto", "Moura", "Xavier", "Queiroz", "Bezerra", "Duarte",
    "Uchôa", "Kruger", "Yamamoto", "Tavares", "Vasconcelos", "Zanetti"};
constexpr const char* kBusinessWords[] = {
    "Padaria", "Construtora", "Mercearia", "Farmácia", "Ótica", "Açougue", "Papelaria",
    "Transportadora", "Clínica", "Consultoria", "Serralheria", "Tecelagem", "Panificadora",
    "Distribuidora", "Estúdio", "Oficina", "Vidraçaria", "Marcenaria", "Auto Peças", "Buffet", "Gráfica",
    "Hotel", "Imobiliária", "Joalheria", "Lavanderia", "Metalúrgica", "Pet Shop", "Quitanda", "Restaurante",
    "Sorveteria", "Tornearia", "Uniformes", "Vinícola", "Xerox", "Zeladoria", "Academia", "Borracharia",
    "Chaveiro", "Drogaria", "Escola", "Floricultura"};
constexpr const char* kBusinessNames[] = {
    "São João", "Ômega", "Bom Preço", "Estrela do Sul", "Boa Esperança", "Imperial", "Paraíso",
    "Nossa Senhora Aparecida", "Três Irmãos", "Aliança", "Progresso", "Horizonte", "Pioneira",
    "Catavento", "União", "Bandeirante", "Cruzeiro", "Dois Rios", "Everest", "Flor de Lis", "Gaivota",
    "Itapuã", "Jequitibá", "Kaiser", "Luz do Dia", "Mirante", "Novo Mundo", "Oriente", "Pôr do Sol",
    "Quatro Ventos", "Recanto", "Sete Quedas", "Tupi", "Universal", "Vitória", "Xingu", "Zênite",
    "Bom Jesus", "Carioca", "Delta"};
constexpr const char* kCompanySuffixes[] = {"Ltda", "S/A", "ME", "EIRELI", "Ltda."};
constexpr const char* kStreets[] = {
    "Av. Paulista", "Rua Augusta", "Rua da Consolação", "Av. Brasil", "Rua XV de Novembro",
    "Av. Getúlio Vargas", "Rua Sete de Setembro", "Travessa São José", "Alameda Santos",
    "Rua Marechal Deodoro", "Av. Afonso Pena", "Rua das Flores"};
constexpr const char* kDistricts[] = {"Centro", "Bela Vista", "Jardim América", "Vila Mariana",
                                      "Boa Viagem", "Savassi", "Moinhos de Vento", "Itaim Bibi",
                                      "Copacabana", "Água Verde"};
constexpr const char* kTaskTitles[] = {
    "Instalação do roteador", "Entrega de equipamentos", "Visita técnica", "Instalação de câmeras",
    "Entrega do contrato assinado", "Manutenção preventiva", "Configuração da rede Wi-Fi",
    "Treinamento da equipe", "Troca de peça", "Vistoria pós-instalação"};
constexpr const char* kDescriptions[] = {
    "Cliente pediu atendimento pela manhã.", "Levar cabo de 10 m e conectores.",
    "Confirmar endereço antes de sair.", "Acesso pela portaria lateral; falar com a Dona Inês.",
    "Equipamento já faturado.", "Ligar 30 min antes: (11) 98765-4321.",
    "Atenção: prédio sem elevador, 3º andar."};

const char* Pick(std::mt19937_64& rng, const auto& list) {
  std::uniform_int_distribution<size_t> d(0, std::size(list) - 1);
  return list[d(rng)];
}

std::string AsciiLower(std::string_view s) {
  // Drops accents for e-mail local parts (UTF-8 two-byte sequences of Latin-1 letters).
  static const std::map<std::string, char> kFold = {
      {"á", 'a'}, {"à", 'a'}, {"â", 'a'}, {"ã", 'a'}, {"é", 'e'}, {"ê", 'e'}, {"í", 'i'},
      {"ó", 'o'}, {"ô", 'o'}, {"õ", 'o'}, {"ú", 'u'}, {"ç", 'c'}, {"Á", 'a'}, {"É", 'e'},
      {"Í", 'i'}, {"Ó", 'o'}, {"Ô", 'o'}, {"Ú", 'u'}, {"Ç", 'c'}};
  std::string out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80 && i + 1 < s.size()) {
      auto it = kFold.find(std::string(s.substr(i, 2)));
      if (it != kFold.end()) out += it->second;
      i += 2;
      continue;
    }
    if (std::isalnum(c)) out += static_cast<char>(std::tolower(c));
    if (c == ' ' && !out.empty() && out.back() != '.') out += '.';
    ++i;
  }
  return out;
}

}  // namespace

const std::vector<City>& Cities() {
  static const std::vector<City> kCities = {
      {3941, "São Paulo", "SP", 3550308},        {3942, "Campinas", "SP", 3509502},
      {3943, "São José dos Campos", "SP", 3549904}, {3944, "Ribeirão Preto", "SP", 3543402},
      {3201, "Rio de Janeiro", "RJ", 3304557},   {3202, "Niterói", "RJ", 3303302},
      {3101, "Belo Horizonte", "MG", 3106200},   {4101, "Curitiba", "PR", 4106902},
      {4301, "Porto Alegre", "RS", 4314902},     {4201, "Florianópolis", "SC", 4205407},
      {2901, "Salvador", "BA", 2927408},         {2601, "Recife", "PE", 2611606},
      {2301, "Fortaleza", "CE", 2304400},        {5201, "Goiânia", "GO", 5208707},
      {5301, "Brasília", "DF", 5300108},         {1501, "Belém", "PA", 1501402},
      {1301, "Manaus", "AM", 1302603},           {3205, "Vitória", "ES", 3205309},
      {2501, "João Pessoa", "PB", 2507507},      {2701, "Maceió", "AL", 2704302},
  };
  return kCities;
}

int64_t StateIdOf(std::string_view uf) {
  static const char* kUfs[] = {"AC", "AL", "AP", "AM", "BA", "CE", "DF", "ES", "GO", "MA",
                               "MT", "MS", "MG", "PA", "PB", "PR", "PE", "PI", "RJ", "RN",
                               "RS", "RO", "RR", "SC", "SP", "SE", "TO"};
  for (size_t i = 0; i < std::size(kUfs); ++i) {
    if (uf == kUfs[i]) return static_cast<int64_t>(i + 1);
  }
  return 0;
}

int DataGenerator::Uniform(int lo, int hi) {
  return std::uniform_int_distribution<int>(lo, hi)(rng_);
}

double DataGenerator::Real() { return std::uniform_real_distribution<double>(0, 1)(rng_); }

std::string DataGenerator::ValidDocument(bool company) {
  while (true) {
    std::string stem;
    if (!company) {
      for (int i = 0; i < 9; ++i) stem += static_cast<char>('0' + Uniform(0, 9));
      std::string cpf = stem + CpfCheckDigits(stem);
      if (ParseDocument(cpf)) return cpf;
      continue;
    }
    const bool alphanumeric = Real() < 0.03;  // the new CNPJ, from July 2026
    for (int i = 0; i < 8; ++i) {
      stem += alphanumeric && i < 5 && Real() < 0.5 ? static_cast<char>('A' + Uniform(0, 25))
                                                    : static_cast<char>('0' + Uniform(0, 9));
    }
    stem += fmt::format("{:04d}", Uniform(1, 3));  // branch 0001..0003
    std::string cnpj = stem + CnpjCheckDigits(stem);
    if (ParseDocument(cnpj)) return cnpj;
  }
}

GeneratedPerson DataGenerator::Person(bool allow_bad_document) {
  GeneratedPerson p;
  p.company = Real() < 0.6;
  if (p.company) {
    std::string base = fmt::format("{} {}", Pick(rng_, kBusinessWords), Pick(rng_, kBusinessNames));
    p.trade_name = base;
    p.name = fmt::format("{} {}", base, Pick(rng_, kCompanySuffixes));
  } else {
    p.name = fmt::format("{} {} {}", Pick(rng_, kFirstNames), Pick(rng_, kSurnames),
                         Pick(rng_, kSurnames));
  }
  std::string doc = ValidDocument(p.company);
  const double r = Real();
  if (allow_bad_document && r < 0.04) {
    doc.back() = doc.back() == '9' ? '0' : static_cast<char>(doc.back() + 1);  // bad check digit
  } else if (allow_bad_document && r < 0.06) {
    doc.clear();  // no document at all
  } else if (r < 0.40 && !doc.empty()) {
    doc = ParseDocument(doc)->Formatted();  // punctuated, as typed into a CRM
  }
  p.document = doc;
  p.email = fmt::format("{}@{}.com.br", AsciiLower(p.company ? "contato" : p.name),
                        AsciiLower(p.company ? p.trade_name : Pick(rng_, kSurnames)));
  p.phone = fmt::format("({:02d}) 9{:04d}-{:04d}", Uniform(11, 99), Uniform(1000, 9999),
                        Uniform(0, 9999));
  p.city = &Cities()[Uniform(0, static_cast<int>(Cities().size()) - 1)];
  p.street = Pick(rng_, kStreets);
  p.number = std::to_string(Uniform(1, 3000));
  p.district = Pick(rng_, kDistricts);
  p.zip = fmt::format("{:08d}", Uniform(1000000, 99999999));  // some start with 0
  return p;
}

Instant DataGenerator::CreationDate(Instant now) {
  const Instant start = StartOfLocalDay(*ParseDate("2023-06-01"));
  auto span = (now - start).count();
  if (span <= 0) return now;
  return start + std::chrono::milliseconds(
                     std::uniform_int_distribution<int64_t>(0, span)(rng_));
}

std::string DataGenerator::TaskTitle() { return Pick(rng_, kTaskTitles); }
std::string DataGenerator::Description() { return Pick(rng_, kDescriptions); }

std::string DataGenerator::MilvusToken() {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string t;
  for (int i = 0; i < 6; ++i) t += kAlphabet[Uniform(0, 35)];
  return t;
}

Json PloomesContact(int64_t id, const GeneratedPerson& p, Instant created) {
  const std::string date = FormatIsoLocal(created);
  Json c = {{"Id", id},
            {"TypeId", p.company ? 1 : 2},  // 1 company, 2 person [OFFICIAL]
            {"Name", p.name},
            {"LegalName", p.company ? Json(p.name) : Json(nullptr)},
            {"Register", nullptr},
            {"CNPJ", p.company && !p.document.empty() ? Json(p.document) : Json(nullptr)},
            {"CPF", !p.company && !p.document.empty() ? Json(p.document) : Json(nullptr)},
            {"StatusId", 1},
            {"Email", p.email},
            {"Note", nullptr},
            {"StreetAddress", p.street},
            {"StreetAddressNumber", p.number},
            {"StreetAddressLine2", nullptr},
            {"Neighborhood", p.district},
            // ZipCode is a number in Ploomes: a CEP's leading zero is lost [S4, S7].
            {"ZipCode", std::stoll(p.zip)},
            {"CityId", p.city->id},
            {"StateId", StateIdOf(p.city->uf)},
            {"CountryId", 76},
            {"CreatorId", 10000002},
            {"UpdaterId", 10000002},
            {"CreateDate", date},
            {"LastUpdateDate", date},
            {"Phones",
             Json::array({{{"Id", id * 10 + 1},
                           {"ContactId", id},
                           {"PhoneNumber", p.phone},
                           {"TypeId", 1},
                           {"CountryId", 76}}})},
            {"Tags", Json::array()},
            {"OtherProperties", Json::array()}};
  if (p.company) c["CompanyId"] = nullptr;
  return c;
}

Json MilvusClient(int64_t id, const std::string& token, const GeneratedPerson& p, bool as_typed) {
  std::string digits;
  if (auto doc = ParseDocument(p.document)) digits = doc->canonical;
  if (as_typed && !digits.empty()) {
    // Half the documents keep their typing; of the rest, a number drops its leading zeros.
    const bool typed = id % 2 == 1 && p.document != digits;
    if (typed) {
      digits = p.document;
    } else if (id % 2 == 0 && digits.front() == '0' && digits.find_first_not_of("0123456789") == std::string::npos) {
      digits.erase(0, digits.find_first_not_of('0'));
    }
  }
  return {{"id", id},
          {"razao_social", p.name},
          {"nome_fantasia", p.company ? p.trade_name : p.name},
          {"cnpj_cpf", digits},
          {"inscricao_estadual", ""},
          {"site", ""},
          {"sexo", nullptr},
          {"is_fisica", !p.company},
          {"is_ativo", true},
          {"data_nascimento", nullptr},
          {"observacao", ""},
          {"is_sla", false},
          {"is_esporadico", false},
          {"token", token},
          {"timezone", "America/Sao_Paulo"},
          {"idioma", 1},
          {"bc_cliente_id", nullptr},
          {"tipo_tempo_sla_id", 1},
          {"pais_id", 1},
          {"cliente_matriz_id", nullptr},
          {"motivo_bloqueio", nullptr},
          {"tipo_moeda", "BRL"},
          {"is_visivel", true},
          {"equipes", Json::array({"Suporte"})},
          {"grupo_categorias", Json::array()}};
}

}  // namespace ponte::sandbox
