#pragma once
// Every switch of the sandbox emulators, with the API notes' confirmed behaviour as default and
// the unconfirmed ones as settings (see docs/sandbox.md for which is which).

#include <cstdint>
#include <string>

#include "core/realities.h"

namespace ponte::sandbox {

struct SandboxOptions {
  std::string host = "127.0.0.1";
  int port = 8500;  // 0: any free port
  uint64_t seed = 1;
  double time_scale = 1.0;
  std::string faults;      // FaultSpec text
  std::string state_file;  // keep state across restarts; empty: nothing persisted
  // The value of every unknown of ../shared/api/unknowns.md (`--reality`, docs/sandbox.md). The
  // switches below that predate it stay as finer settings.
  Reality reality;

  // Generated data.
  int contacts = 200;
  int tasks = 300;
  int interactions = 200;
  int milvus_clients = 150;
  int ploomes_extra_tags = 350;  // tags of other uses, listed before the ticket tags

  // Ploomes.
  std::string ploomes_key = "sandbox-ploomes-key";
  int64_t ploomes_account_id = 1000001;
  int ploomes_requests_per_minute = 120;  // per account; 0 turns the quota off
  bool ploomes_retry_after = false;       // [UNKNOWN] whether 429s carry Retry-After
  int ploomes_max_page = 300;             // [OFFICIAL] page cap
  bool ploomes_reject_oversized_top = false;  // [UNKNOWN] $top > 300: silent cap by default
  bool ploomes_next_link = false;             // [UNKNOWN] @odata.nextLink
  int ploomes_auth_status = 401;              // [UNKNOWN] status for a bad User-Key
  double ploomes_forbidden_probability = 0.2;  // ploomes.forbidden_blocks=occasional: GETs refused
  bool ploomes_mirror_register = false;       // [UNKNOWN] Register copied into CNPJ/CPF
  std::string webhook_key_header = "X-Ploomes-Validation-Key";  // [UNKNOWN]
  bool webhook_key_in_body = false;
  double webhook_duplicate_probability = 0.0;  // at-least-once delivery
  int webhook_retries = 3;
  int webhook_timeout_ms = 5000;

  // Milvus.
  std::string milvus_token = "sandbox-milvus-token";
  int milvus_listings_per_minute = 1;  // [OBS/secondhand] per token, listings only; 0: off
  int milvus_busca_cap = 1000;         // [OBS] cliente/busca returns at most this many
  bool milvus_accept_numeric_client_id = false;  // [UNKNOWN] chamado/criar with a numeric id
  int milvus_auth_status = 401;                  // [UNKNOWN] 401 or 403

  // TOTVS ERP (REST EAI, ../shared/totvs.md): a Protheus-like receiver of Mensagem Única.
  int totvs_customers = 40;  // about a quarter share a document with a Ploomes contact
  std::string totvs_user = "ponte";  // HTTP Basic, as Protheus REST with Security=1
  std::string totvs_password = "sandbox-totvs-password";
  std::string totvs_company = "T1";
  std::string totvs_branch = "D MG 01 ";  // padded with a blank, as Protheus keeps branch codes
  int totvs_requests_per_minute = 0;      // 0: no quota
  // [UNKNOWN] how a BusinessMessage is answered: "response" (sync: a ResponseMessage with
  // ReturnContent.ListOfInternalId) or "ack_only" (async: a bare 202, no InternalId).
  std::string totvs_answer = "response";
  // [UNKNOWN] ListOfInternalId spelling: "pascal" (ListOfInternalId, Name/Origin/Destination, as
  // TDN shows) or "lower" (ListOfInternalID, name/origin/destination, as the schema and some
  // Protheus adapters write it).
  std::string totvs_id_case = "pascal";
};

}  // namespace ponte::sandbox
