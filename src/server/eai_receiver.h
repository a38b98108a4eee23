#pragma once
// ponte as a receiver on a TOTVS ERP's REST EAI: the ERP's route to ponte pushes each change as
// a BusinessMessage to POST /totvseai/standardmessage/v1/transactions (the path an ERP appends
// to the base URL it is given), and ponte answers a ResponseMessage: Status OK with the
// InternalId it keeps the customer under (ReturnContent.ListOfInternalId), or Status ERROR
// saying why. OK is answered only for a customer ponte can deliver (checked as every message
// it writes is), once it is kept in the store's inbox: a crash after the answer loses nothing.
// The customer is then delivered on every route out of that ERP, as a listing of it would; the
// poll of the ERP's contents still runs and finds it delivered.

#include <string>
#include <vector>

#include <httplib.h>

#include "connectors/totvs/eai_messages.h"

namespace ponte::server {

class SyncService;

inline constexpr const char* kEaiTransactionsPath = "/totvseai/standardmessage/v1/transactions";

// An ERP allowed to push: it authenticates with HTTP Basic, the user and password ponte calls
// it with (systems.<name>.user and its key).
struct EaiSender {
  std::string system;         // its name in ponte.toml
  std::string authorization;  // "Basic <base64(user:password)>"
  totvs::Sender answer_as;    // how ponte signs its answers
};

// Serves the endpoint for `senders`, reading at most `max_body_bytes` of a message (413 past
// it, chunked or not); none: the path answers 404.
void RegisterEaiReceiver(httplib::Server& server, std::vector<EaiSender> senders, SyncService& service,
                         size_t max_body_bytes);

}  // namespace ponte::server
