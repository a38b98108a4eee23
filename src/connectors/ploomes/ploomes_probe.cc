#include "connectors/ploomes/ploomes_probe.h"

#include <algorithm>
#include <random>
#include <thread>

#include <fmt/format.h>

#include "core/document.h"
#include "core/json_fields.h"

namespace ponte::ploomes {
namespace {

// A person's document nobody holds: nine random digits and their check digits.
std::string RandomCpf() {
  std::random_device rd;
  std::string stem;
  for (int i = 0; i < 9; ++i) stem += static_cast<char>('0' + rd() % 10);
  return stem + CpfCheckDigits(stem);
}

std::string ProbeName() {
  std::random_device rd;
  return fmt::format("ponte probe {:06d}", rd() % 1000000);
}

// Millisecond fraction of a shown timestamp, as three digits ("727" for ".727", "130" for ".13").
std::optional<std::string> Fraction(const std::string& shown) {
  auto dot = shown.find('.');
  if (dot == std::string::npos || dot < 19) return std::string("000");
  std::string digits;
  for (size_t i = dot + 1; i < shown.size() && std::isdigit(static_cast<unsigned char>(shown[i])); ++i) digits += shown[i];
  if (digits.empty() || digits.size() > 3) return std::nullopt;
  while (digits.size() < 3) digits += '0';
  return digits;
}

std::string Id(const Json& record) { return record.contains("Id") ? record["Id"].dump() : ""; }

class Prober {
 public:
  Prober(PloomesConnector& c, const CallCounter& calls, const ProbeOptions& o)
      : client_(c.client()), connector_(c), calls_(calls), options_(o) {}

  std::vector<Finding> Run() {
    std::vector<Finding> out;
    auto keep = [&](Finding f) { out.push_back(std::move(f)); };
    const int64_t refused_before = Refused();
    const int64_t reads_before = Reads();
    Say("reading contacts and their timestamps");
    auto contacts = client_.Raw("Contacts", {{"$select", "Id,CreateDate,LastUpdateDate"},
                                             {"$orderby", "LastUpdateDate desc"}, {"$top", "300"}});
    if (!contacts) {
      for (const char* key : {"ploomes.timestamp_precision", "ploomes.filter_offset"}) {
        keep(NotSettled(key, "GET /Contacts failed: " + contacts.error().ToString()));
      }
    } else {
      keep(TimestampPrecision(*contacts));
      keep(FilterOffset(*contacts));
    }
    keep(DefaultOrder());
    keep(TagsPaging());
    auto [field, echo] = DocumentFieldAndEcho();
    keep(std::move(field));
    keep(std::move(echo));
    keep(TagTouchesTask());
    keep(WebhookEntity36());
    keep(WebhookKey());
    // Last: every read above counts, and a few cheap ones more, since integrators report blocks
    // on 20 to 30 % of reads and twenty reads rarely all pass at that rate.
    for (int i = 0; i < 20 && Refused() == refused_before; ++i) {
      (void)client_.Raw("Contacts", {{"$select", "Id"}, {"$top", "1"}});
    }
    const int64_t refused = Refused() - refused_before, reads = Reads() - reads_before;
    keep(refused > 0 ? Found("ploomes.forbidden_blocks", "occasional",
                             fmt::format("{} of {} reads were answered 403 and passed when asked again", refused, reads))
                     : Found("ploomes.forbidden_blocks", "none",
                             fmt::format("{} reads, none answered 403 (a low rate of blocks may still show later)", reads)));
    return InUnknownsOrder(std::move(out));
  }

 private:
  void Say(const std::string& line) const {
    if (options_.say) options_.say("ploomes: " + line);
  }
  int64_t Refused() const {
    int64_t n = 0;
    for (const auto& [key, count] : calls_.Snapshot()) {
      if (key.system == "ploomes" && key.status == 403) n += count;
    }
    return n;
  }
  int64_t Reads() const {
    int64_t n = 0;
    for (const auto& [key, count] : calls_.Snapshot()) {
      if (key.system == "ploomes" && key.endpoint.starts_with("GET ")) n += count;
    }
    return n;
  }

  // A shown LastUpdateDate asked back with eq: found under millisecond storage, never under
  // SQL Server datetime (1/300 s), whose shown value is a rounding of the stored one.
  Finding TimestampPrecision(const std::vector<Json>& contacts) {
    constexpr const char* kKey = "ploomes.timestamp_precision";
    int ticks = 0, total = 0;
    const Json* sample = nullptr;
    for (const auto& c : contacts) {
      auto f = Fraction(StringField(c, "LastUpdateDate"));
      if (!f) return Found(kKey, "ms", "a LastUpdateDate shows more than three fraction digits");
      ++total;
      const char last = f->back();
      ticks += last == '0' || last == '3' || last == '7';
      if (last != '0' && !sample) sample = &c;
    }
    if (!sample) return NotSettled(kKey, "no contact whose LastUpdateDate fraction is not a multiple of 10 ms");
    const std::string shown = StringField(*sample, "LastUpdateDate");
    auto found = client_.Raw("Contacts", {{"$filter", fmt::format("Id eq {} and LastUpdateDate eq {}", Id(*sample), shown)},
                                          {"$select", "Id"}});
    if (!found) return NotSettled(kKey, "the eq query failed: " + found.error().ToString());
    if (!found->empty()) {
      return Found(kKey, "ms", fmt::format("LastUpdateDate eq {} finds contact {}; {} of {} fractions end in 0, 3 or 7",
                                           shown, Id(*sample), ticks, total));
    }
    return Found(kKey, "1/300", fmt::format("LastUpdateDate eq {} (as shown) does not find contact {}; {} of {} "
                                            "fractions end in 0, 3 or 7",
                                            shown, Id(*sample), ticks, total));
  }

  // A literal a minute before a contact's timestamp, in UTC: honoured, it is before and ge finds
  // the contact; read as São Paulo wall time, it is two hours after and finds nothing.
  Finding FilterOffset(const std::vector<Json>& contacts) {
    constexpr const char* kKey = "ploomes.filter_offset";
    if (contacts.empty()) return NotSettled(kKey, "the account has no contacts to ask about");
    const Json& c = contacts.front();
    auto t = ParseIsoInstant(StringField(c, "LastUpdateDate"));
    if (!t) return NotSettled(kKey, "a LastUpdateDate could not be read");
    const Instant before = *t - std::chrono::minutes(1);
    auto ask = [&](const std::string& literal) -> Result<bool> {
      auto r = client_.Raw("Contacts", {{"$filter", fmt::format("Id eq {} and LastUpdateDate ge {}", Id(c), literal)},
                                        {"$select", "Id"}});
      if (!r) return Fail(r.error());
      return !r->empty();
    };
    auto utc = ask(FormatUtc(before));
    auto local = ask(FormatIsoLocal(before));
    if (!utc || !local) return NotSettled(kKey, "a filter query failed");
    if (!*local) return NotSettled(kKey, "even the local-time literal did not find the contact");
    if (*utc) return Found(kKey, "honoured", fmt::format("LastUpdateDate ge {} (UTC) finds contact {}", FormatUtc(before), Id(c)));
    return Found(kKey, "ignored", fmt::format("LastUpdateDate ge {} (UTC) misses contact {}, the same instant with "
                                              "-03:00 finds it: the offset is read as local time",
                                              FormatUtc(before), Id(c)));
  }

  Finding DefaultOrder() {
    constexpr const char* kKey = "ploomes.default_order";
    auto rows = client_.Raw("Contacts", {{"$select", "Id,CreateDate"}, {"$top", "50"}});
    if (!rows) return NotSettled(kKey, "GET /Contacts failed: " + rows.error().ToString());
    if (rows->size() < 3) return NotSettled(kKey, "fewer than 3 contacts");
    bool by_id = true, by_create_desc = true;
    for (size_t i = 1; i < rows->size(); ++i) {
      by_id &= IntField((*rows)[i - 1], "Id") < IntField((*rows)[i], "Id");
      auto a = ParseIsoInstant(StringField((*rows)[i - 1], "CreateDate"));
      auto b = ParseIsoInstant(StringField((*rows)[i], "CreateDate"));
      by_create_desc &= a && b && *a >= *b;
    }
    const std::string evidence = fmt::format("{} contacts listed without $orderby", rows->size());
    if (by_id) return Found(kKey, "id", evidence + " came by ascending Id");
    if (by_create_desc) return Found(kKey, "create_date_desc", evidence + " came newest CreateDate first");
    return Found(kKey, "unspecified", evidence + " came in no order ponte recognises");
  }

  Finding TagsPaging() {
    constexpr const char* kKey = "ploomes.tags_paging";
    auto one = client_.Raw("Tags", {{"$top", "1"}});
    if (!one) return NotSettled(kKey, "GET /Tags failed: " + one.error().ToString());
    if (one->empty()) return NotSettled(kKey, "the account has no tags");
    if (one->size() == 1) return Found(kKey, "paged", "GET /Tags?$top=1 answered one tag: /Tags pages like the other sets");
    return Found(kKey, "one_answer", fmt::format("GET /Tags?$top=1 answered {} tags: the answer ignores paging", one->size()));
  }

  // Two test contacts: one with the CPF in Register only, one in CPF only. Which one kept it
  // says where Ploomes keeps documents; whether the answer holds CreateDate says how POST echoes.
  std::pair<Finding, Finding> DocumentFieldAndEcho() {
    constexpr const char* kField = "ploomes.document_field";
    constexpr const char* kEcho = "ploomes.post_echo";
    if (!options_.write) {
      return {NotSettled(kField, "needs --write (a test contact written each way)"),
              NotSettled(kEcho, "needs --write (the answer to a test contact's POST)")};
    }
    Say("writing two test contacts");
    auto write = [&](const char* field, const std::string& cpf) -> Result<std::pair<Json, Json>> {
      auto answer = client_.Create("Contacts", Json{{"Name", ProbeName()}, {"TypeId", 2}, {field, cpf}}, "");
      if (!answer) return Fail(answer.error());
      const std::string id = Id(*answer);
      auto stored = client_.Get("Contacts", id, "");
      if (!stored || !*stored) {
        (void)client_.Delete("Contacts", id);
        return Fail(stored ? Error::DataLoss("the test contact cannot be read back") : stored.error());
      }
      (void)client_.Delete("Contacts", id);
      return std::make_pair(*answer, **stored);
    };
    const std::string cpf = RandomCpf();
    auto in_register = write("Register", cpf);
    auto in_cpf = write("CPF", RandomCpf());
    Finding echo = NotSettled(kEcho, "no test contact could be written");
    if (in_register || in_cpf) {
      const Json& answer = in_register ? in_register->first : in_cpf->first;
      echo = answer.contains("CreateDate") ? Found(kEcho, "full", "POST /Contacts answered the whole record")
                                           : Found(kEcho, "sent_fields", "POST /Contacts answered only the fields sent");
    }
    if (!in_register) return {NotSettled(kField, "a contact with Register could not be written: " + in_register.error().ToString()), echo};
    const bool register_kept = !StringField(in_register->second, "Register").empty();
    if (!in_cpf) {
      if (in_cpf.error().http_status == 400 && register_kept) {
        return {Found(kField, "register", "a contact written with CPF was refused (400); with Register it kept it"), echo};
      }
      return {NotSettled(kField, "a contact with CPF could not be written: " + in_cpf.error().ToString()), echo};
    }
    const bool cpf_kept = !StringField(in_cpf->second, "CPF").empty();
    if (register_kept && cpf_kept) return {Found(kField, "both", "test contacts kept the CPF in Register and in CPF"), echo};
    if (cpf_kept) return {Found(kField, "cnpj_cpf", "a test contact did not keep a CPF written in Register; one written in CPF did"), echo};
    if (register_kept) return {Found(kField, "register", "a test contact did not keep a CPF written in CPF; one written in Register did"), echo};
    return {NotSettled(kField, "neither test contact kept its CPF"), echo};
  }

  Finding TagTouchesTask() {
    constexpr const char* kKey = "ploomes.tag_touches_task";
    if (!options_.write) return NotSettled(kKey, "needs --write (a test task tagged after it is created)");
    auto tags = client_.Tags();
    int64_t tag = 0;
    if (tags) {
      for (const auto& t : *tags) {
        if (IntField(t, "EntityId") == kTaskEntity) tag = IntField(t, "Id").value_or(0);
      }
    }
    if (!tag) return NotSettled(kKey, "the account has no task tag to try");
    Say("writing a test task and tagging it");
    auto task = client_.Create("Tasks", Json{{"Title", ProbeName()}}, "");
    if (!task) return NotSettled(kKey, "a test task could not be written: " + task.error().ToString());
    const std::string id = Id(*task);
    auto read = [&]() -> std::string {
      auto r = client_.Get("Tasks", id, "");
      return r && *r ? StringField(**r, "LastUpdateDate") : "";
    };
    const std::string before = read();
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // past any timestamp resolution
    auto tagged = client_.Patch("Tasks", id, Json{{"Tags", Json::array({{{"TagId", tag}}})}}, "");
    const std::string after = read();
    (void)client_.Delete("Tasks", id);
    if (!tagged || before.empty() || after.empty()) return NotSettled(kKey, "the test task could not be tagged and read back");
    if (before != after) return Found(kKey, "yes", "tagging a test task moved its LastUpdateDate");
    return Found(kKey, "no", "tagging a test task left its LastUpdateDate as it was: polling does not see it");
  }

  Finding WebhookEntity36() {
    constexpr const char* kKey = "ploomes.webhook_entity_36";
    auto hooks = connector_.Webhooks();
    if (hooks) {
      for (const auto& h : *hooks) {
        if (h.entity_id == kInteractionEntity) {
          return Found(kKey, "accepted", fmt::format("webhook {} for interaction records is registered", h.id));
        }
      }
    }
    if (!options_.write) return NotSettled(kKey, "needs --write (a test webhook for interaction records)");
    const std::string url = options_.catcher ? options_.catcher->url : "https://ponte-probe.invalid/webhooks";
    auto id = connector_.RegisterWebhook(kInteractionEntity, 1, url + "?probe=1", "ponte-probe");
    if (!id) {
      if (id.error().http_status == 400) {
        return Found(kKey, "refused", "POST /Webhooks for EntityId 36 answered 400: " + id.error().message);
      }
      return NotSettled(kKey, "POST /Webhooks failed: " + id.error().ToString());
    }
    (void)connector_.DeleteWebhook(*id);
    return Found(kKey, "accepted", "POST /Webhooks for EntityId 36 was accepted (and deleted again)");
  }

  // A test webhook to the catcher, fired by a test contact: where its ValidationKey arrives.
  Finding WebhookKey() {
    constexpr const char* kKey = "ploomes.webhook_key";
    if (!options_.write || !options_.catcher) {
      return NotSettled(kKey, "needs --write and a webhook address Ploomes can reach (--webhook-url); `ponte serve` "
                              "also records it from real deliveries");
    }
    std::random_device rd;
    const std::string key = fmt::format("ponte-probe-{:08x}", rd());
    Say("registering a test webhook and waiting for it");
    auto hook = connector_.RegisterWebhook(kContactEntity, 1, options_.catcher->url + "?key=" + key, key);
    if (!hook) return NotSettled(kKey, "a test webhook could not be registered: " + hook.error().ToString());
    auto contact = client_.Create("Contacts", Json{{"Name", ProbeName()}, {"TypeId", 2}}, "");
    std::optional<CaughtRequest> caught;
    if (contact) caught = options_.catcher->wait(std::chrono::seconds(30));
    (void)connector_.DeleteWebhook(*hook);
    if (contact) (void)client_.Delete("Contacts", Id(*contact));
    if (!caught) return NotSettled(kKey, "no webhook arrived at " + options_.catcher->url + " within 30 s");
    for (const auto& [name, value] : caught->headers) {
      if (value != key) continue;
      std::string lower = name;
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      if (lower == "x-ploomes-validation-key") return Found(kKey, "header", "the key came in the X-Ploomes-Validation-Key header");
      return Found(kKey, "other_header", "the key came in the " + name + " header");
    }
    Json body = Json::parse(caught->body, nullptr, false);
    if (body.is_object() && StringField(body, "ValidationKey") == key) {
      return Found(kKey, "body", "the key came in the body's ValidationKey");
    }
    return Found(kKey, "not_sent", "the delivery carried the key only in the callback URL ponte registered (?key=)");
  }

  PloomesClient& client_;
  PloomesConnector& connector_;
  const CallCounter& calls_;
  const ProbeOptions& options_;
};

}  // namespace

std::vector<Finding> ProbePloomes(PloomesConnector& connector, const CallCounter& calls, const ProbeOptions& options) {
  return Prober(connector, calls, options).Run();
}

}  // namespace ponte::ploomes
