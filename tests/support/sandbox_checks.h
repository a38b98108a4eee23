#pragma once
// What the end-to-end tests check in a running `ponte sandbox` after ponte ran against it,
// through the sandbox's own HTTP API.

#include <set>
#include <string>
#include <string_view>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace ponte::testing {

struct ContactsInMilvus {
  int eligible = 0;  // Ploomes contacts customers_ploomes_to_milvus must deliver
  int missing = 0;   // of those, how many Milvus has no client for (-1: the check failed)
};

// The document a Ploomes contact carries as typed: its CNPJ, else its CPF, else its Register,
// else "". A person has no CNPJ key at all, and operator[] on a const JSON object with a missing
// key is undefined behaviour in nlohmann::json (ASan and TSan caught it), so this reads through
// StringField.
std::string ContactDocumentText(const nlohmann::json& contact);

// Every Ploomes contact with a valid CPF/CNPJ created on or after `cutoff` (YYYY-MM-DD, local
// date, as in the route's config), looked up among Milvus' clients by document. Reads the
// sandbox's own records (/_sandbox/...), so no reality of the emulated APIs hides one.
ContactsInMilvus CheckContactsInMilvus(httplib::Client& sandbox, const std::string& cutoff);

// What every route owes, against what the systems hold, from the sandbox's own records.
struct DeliveryCheck {
  int contacts_eligible = 0, contacts_missing = 0;  // Ploomes contacts in Milvus
  int clients_eligible = 0, clients_missing = 0;    // Milvus clients in Ploomes
  int tickets_eligible = 0, tickets_missing = 0;    // tagged tasks and interactions in Milvus
  std::string missing;                              // the first few missing, for a failure message
  bool ok = true;                                   // false: the check itself could not read
};
DeliveryCheck CheckEverythingDelivered(httplib::Client& sandbox, const std::string& cutoff);

// What the routes to and from the ERP owe (AddErpRoutes), against what the systems hold: every
// Ploomes contact with a valid document created on or after `cutoff` and every Milvus client
// with one are ERP customers; every ERP customer is in Ploomes and in Milvus.
struct ErpCheck {
  int customers_eligible = 0, customers_missing = 0;  // Ploomes contacts and Milvus clients in the ERP
  int erp_customers = 0, erp_missing = 0;             // ERP customers in both Ploomes and Milvus
  std::string missing;
  bool ok = true;
};
ErpCheck CheckErpDelivered(httplib::Client& sandbox, const std::string& cutoff);

// The canonical documents each system holds, from the sandbox's own records.
struct DocumentsHeld {
  std::set<std::string> ploomes, milvus;
};
DocumentsHeld Documents(httplib::Client& sandbox);

// The calls the sandbox answered with `status` on one API ("ploomes" or "milvus"), from
// GET /_sandbox/stats.
int64_t CountAnswers(const nlohmann::json& stats, std::string_view api, int status);

}  // namespace ponte::testing
