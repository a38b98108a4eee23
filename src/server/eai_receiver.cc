#include "server/eai_receiver.h"

#include <fmt/format.h>

#include "connectors/totvs/totvs_connector.h"
#include "core/crash_point.h"
#include "core/customer_vendor.h"
#include "core/log.h"
#include "server/admin_api.h"
#include "server/sync_service.h"
#include "server/request_body.h"
#include "server/webhook.h"
#include "sync/received.h"

namespace ponte::server {
namespace {

// The ERP whose credentials the request carries (HTTP Basic), or null.
const EaiSender* Sender(const std::vector<EaiSender>& senders, const httplib::Request& req) {
  const std::string presented = req.get_header_value("Authorization");
  const EaiSender* from = nullptr;
  for (const auto& s : senders) {
    if (!presented.empty() && SecretsEqual(presented, s.authorization)) from = &s;
  }
  return from;
}

void Refuse(const httplib::Request& req, httplib::Response& res) {
  const bool none = req.get_header_value("Authorization").empty();
  log::Warn("eai_refused", {{"client", req.remote_addr}, {"reason", none ? "no credentials" : "wrong credentials"}});
  res.set_header("WWW-Authenticate", "Basic realm=\"ponte\"");
  SendError(res, 401, "unauthorized",
            "send HTTP Basic with the user and password ponte calls this ERP with (systems.<name>.user and its key)");
}

void Receive(const std::vector<EaiSender>& senders, SyncService& service, const httplib::Request& req,
             const std::string& body, httplib::Response& res) {
  const EaiSender* from = Sender(senders, req);
  if (!from) return Refuse(req, res);
  auto received = totvs::ReadBusinessMessage(body);
  if (!received) {
    SendError(res, 400, "malformed", received.error().message);
    return;
  }
  auto answer = [&](const std::vector<InternalIdPair>& ids, const std::vector<std::string>& errors) {
    if (!errors.empty()) {
      log::Warn("eai_message_refused", {{"system", from->system}, {"uuid", received->uuid}, {"reason", errors.front()}});
    }
    res.set_content(totvs::ResponseMessage(from->answer_as, *received, ids, errors).dump(), "application/json");
  };
  if (!totvs::SameName(received->transaction, kCustomerVendorTransaction)) {
    return answer({}, {fmt::format("ponte takes CustomerVendor messages; {} is not one of its routes' messages",
                                   received->transaction)});
  }
  if (!totvs::SameName(received->event, "upsert")) {
    return answer({}, {fmt::format("ponte does not take {} events: the customer stays where it is in the other systems",
                                   received->event)});
  }
  // Checked as ponte checks what it delivers: Status OK means ponte will deliver it.
  auto customer = ReadPushedCustomer(from->system, received->content);
  if (!customer) return answer({}, {customer.error().message});
  // Kept in the store before it is answered: a crash after the answer loses nothing.
  InboxItem item;
  item.source = from->system;
  item.kind = "message";
  item.record_id = customer->internal_id;
  item.body = received->content.dump();
  if (auto kept = service.Keep(item); !kept) {
    // The ERP's queue sends it again; the poll of its contents finds it meanwhile.
    res.set_header("Retry-After", "30");
    SendError(res, 503, "busy", kept.error().message);
    return;
  }
  CrashPoint("inbox.after_append");
  answer({{std::string(kCustomerVendorTransaction), customer->internal_id,
           totvs::TotvsConnector::SenderIdOf(*customer->record.document)}},
         {});
}

}  // namespace

void RegisterEaiReceiver(httplib::Server& server, std::vector<EaiSender> senders, SyncService& service,
                         size_t max_body_bytes) {
  if (senders.empty()) return;
  // Credentials first: nothing of the body is read for a caller that is not one of the ERPs.
  server.Post(kEaiTransactionsPath, [senders = std::move(senders), &service, max_body_bytes](
                                        const httplib::Request& req, httplib::Response& res,
                                        const httplib::ContentReader& reader) {
    if (!Sender(senders, req)) return Refuse(req, res);
    std::string body;
    if (auto read = ReadBody(req, reader, max_body_bytes, body); read != BodyRead::kRead) {
      return RefuseBody(res, read, "the message is larger than server.max_body_bytes");
    }
    Receive(senders, service, req, body, res);
  });
}

}  // namespace ponte::server
