#pragma once
// CustomerVendor: the canonical customer, as the fields of TOTVS' CustomerVendor 2.007
// BusinessContent that Ploomes and Milvus can fill (schemas/CustomerVendor_2_007.json).

#include <optional>
#include <string>
#include <vector>

#include "core/document.h"
#include "core/message.h"

namespace ponte {

struct Address {
  std::string street;      // Address
  std::string number;      // Number
  std::string complement;  // Complement
  std::string district;    // District (bairro)
  std::string city_name;   // City.cityDescription
  std::string city_code;   // City.cityCode (IBGE code when known)
  std::string state;       // State.stateId (UF, e.g. "SP")
  std::string zip_code;    // ZIPCode, 8 digits with leading zeros kept
  friend bool operator==(const Address&, const Address&) = default;
};

struct CustomerVendor {
  std::string internal_id;  // InternalId in the origin system
  std::string name;         // Name (razão social or the person's name)
  std::string short_name;   // ShortName (nome fantasia)
  std::optional<Document> document;  // GovernmentalInformation: CPF or CNPJ
  bool active = true;                // RegisterSituation Active/Inactive
  std::string email;
  std::string phone;
  std::string home_page;
  std::string comments;
  Address address;
  std::string register_date;  // RegisterDate, YYYY-MM-DD

  // Person for a CPF, Company for a CNPJ; Company when the document is unknown.
  std::string EntityType() const;
  Json ToBusinessContent() const;
  static Result<CustomerVendor> FromBusinessContent(const Json& content);
  friend bool operator==(const CustomerVendor&, const CustomerVendor&) = default;
};

}  // namespace ponte
