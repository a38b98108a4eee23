#include "server/eai_receiver.h"

#include <fmt/format.h>

#include "connectors/totvs/totvs_connector.h"
#include "core/customer_vendor.h"
#include "core/log.h"
#include "server/admin_api.h"
#include "server/sync_service.h"
#include "server/webhook.h"

namespace ponte::server {
namespace {

void Receive(const std::vector<EaiSender>& senders, SyncService& service, const httplib::Request& req,
             httplib::Response& res) {
  const std::string presented = req.get_header_value("Authorization");
  const EaiSender* from = nullptr;
  for (const auto& s : senders) {
    if (!presented.empty() && SecretsEqual(presented, s.authorization)) from = &s;
  }
  if (!from) {
    log::Warn("eai_refused", {{"client", req.remote_addr}, {"reason", presented.empty() ? "no credentials" : "wrong credentials"}});
    res.set_header("WWW-Authenticate", "Basic realm=\"ponte\"");
    SendError(res, 401, "unauthorized",
              "send HTTP Basic with the user and password ponte calls this ERP with (systems.<name>.user and its key)");
    return;
  }
  auto received = totvs::ReadBusinessMessage(req.body);
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
  auto cv = CustomerVendor::FromBusinessContent(received->content);
  if (!cv) return answer({}, {cv.error().message});
  if (cv->internal_id.empty()) return answer({}, {"the CustomerVendor has no InternalId"});
  if (!cv->document) {
    return answer({}, {"the customer has no valid CPF/CNPJ (GovernmentalInformation): ponte joins customers by it"});
  }
  WorkItem item;
  item.id = cv->internal_id;
  item.record = received->content.dump();
  item.system = from->system;
  const auto pushed = service.Submit(std::move(item));
  if (pushed == WorkQueue::Push::kFull || pushed == WorkQueue::Push::kClosed) {
    // The ERP's queue sends it again; the poll of its contents finds it meanwhile.
    res.set_header("Retry-After", "30");
    SendError(res, 503, "busy", "ponte's delivery queue is full or stopping; send the message again later");
    return;
  }
  answer({{std::string(kCustomerVendorTransaction), cv->internal_id, totvs::TotvsConnector::SenderIdOf(*cv->document)}},
         {});
}

}  // namespace

void RegisterEaiReceiver(httplib::Server& server, std::vector<EaiSender> senders, SyncService& service) {
  if (senders.empty()) return;
  server.Post(kEaiTransactionsPath, [senders = std::move(senders), &service](const httplib::Request& req,
                                                                             httplib::Response& res) {
    Receive(senders, service, req, res);
  });
}

}  // namespace ponte::server
