#pragma once
// A deterministic generator of realistic Brazilian CRM and helpdesk data for the sandbox: valid
// CPFs and CNPJs (some alphanumeric, some punctuated as CRMs hold them, some invalid), accented
// names and addresses in real cities, phones, creation dates before and after the 2024-02-24
// cutoff, tasks and interactions with and without the INSTALAÇÃO/ENTREGA tags and with and
// without a contact, and Milvus clients of which some share a document with a Ploomes contact.

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/time.h"

namespace ponte::sandbox {

using Json = nlohmann::json;

// The tag ids the old integration script matched (see the API notes).
inline constexpr int64_t kTagEntrega = 40049715;
inline constexpr int64_t kTagInstalacao = 40049716;
inline constexpr int64_t kTagManutencao = 40054183;

struct City {
  int64_t id;
  const char* name;
  const char* uf;
  int64_t ibge;
};
const std::vector<City>& Cities();
// Ploomes state id of a UF ("SP" -> id).
int64_t StateIdOf(std::string_view uf);

struct GeneratedPerson {
  std::string name;        // "Maria Conceição Araújo" or "Padaria São João Ltda"
  std::string trade_name;  // companies only
  std::string document;    // as typed: digits or punctuated; may be invalid or empty
  bool company = false;
  std::string email;
  std::string phone;
  const City* city = nullptr;
  std::string street;
  std::string number;
  std::string district;
  std::string zip;  // 8 digits
};

class DataGenerator {
 public:
  explicit DataGenerator(uint64_t seed) : rng_(seed) {}

  GeneratedPerson Person(bool allow_bad_document = true);
  // A creation instant between mid-2023 and `now`, so some fall before the 2024-02-24 cutoff.
  Instant CreationDate(Instant now);
  std::string TaskTitle();
  std::string Description();
  std::string MilvusToken();
  int Uniform(int lo, int hi);
  double Real();
  // A valid document in canonical digits (CPF or CNPJ, sometimes alphanumeric CNPJ).
  std::string ValidDocument(bool company);

 private:
  std::mt19937_64 rng_;
};

// Ploomes contact/task/interaction and Milvus client records, in each API's own field names.
Json PloomesContact(int64_t id, const GeneratedPerson& p, Instant created);
// as_typed: cnpj_cpf as a person typed it in the portal (punctuated, or a number that lost its
// leading zeros), instead of bare digits.
Json MilvusClient(int64_t id, const std::string& token, const GeneratedPerson& p, bool as_typed = false);

}  // namespace ponte::sandbox
