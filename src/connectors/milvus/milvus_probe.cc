#include "connectors/milvus/milvus_probe.h"

#include <algorithm>
#include <map>
#include <random>

#include <fmt/format.h>

#include "connectors/milvus/client_listing.h"
#include "core/document.h"
#include "core/json_fields.h"

namespace ponte::milvus {
namespace {

std::string RandomCnpj() {
  std::random_device rd;
  std::string stem;
  for (int i = 0; i < 8; ++i) stem += static_cast<char>('0' + rd() % 10);
  stem += "0001";
  return stem + CnpjCheckDigits(stem);
}

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Three ASCII letters from the middle of a name (not its start), or "".
std::string MiddleOf(const std::string& name) {
  for (size_t i = 2; i + 3 < name.size(); ++i) {
    if (IsAsciiLetter(name[i]) && IsAsciiLetter(name[i + 1]) && IsAsciiLetter(name[i + 2]) && IsAsciiLetter(name[i - 1])) {
      return FoldCase(name.substr(i, 3));
    }
  }
  return "";
}

bool Holds(const std::vector<Json>& clients, int64_t id) {
  for (const auto& c : clients) {
    if (IntField(c, "id") == id) return true;
  }
  return false;
}

class Prober {
 public:
  Prober(MilvusClient& paced, MilvusClient& unpaced, const CallCounter& calls, const ProbeOptions& o)
      : client_(paced), unpaced_(unpaced), calls_(calls), options_(o) {}

  std::vector<Finding> Run() {
    std::vector<Finding> out;
    auto keep = [&](Finding f) { out.push_back(std::move(f)); };
    Say("listing clients (each busca may wait for the listing quota)");
    auto all = client_.Busca("", "");
    if (!all) {
      for (const char* key : {"milvus.busca_name_match", "milvus.busca_cap_order", "milvus.document_storage"}) {
        keep(NotSettled(key, "cliente/busca failed: " + all.error().ToString()));
      }
    } else {
      keep(NameMatch(*all));
      keep(CapOrder(*all));
      keep(DocumentStorage(*all));
    }
    keep(CriarCheckDigits());
    keep(CriarDuplicateDocument());
    keep(ListingQuota());  // last: it spends the quota on purpose
    return InUnknownsOrder(std::move(out));
  }

 private:
  void Say(const std::string& line) const {
    if (options_.say) options_.say("milvus: " + line);
  }

  // A test client for the probes that need one; its id, or "".
  std::string CreateTestClient(const std::string& name, const std::string& document) {
    auto id = client_.CreateClient(Json{{"cliente_documento", document},
                                        {"cliente_ativo", true},
                                        {"cliente_id_integracao", 0},
                                        {"cliente_pessoa_juridica",
                                         {{"razao_social", name}, {"nome_fantasia", name}, {"inscricao_estadual", ""}}}});
    return id ? std::to_string(*id) : "";
  }

  Finding NameMatch(const BuscaResult& all) {
    constexpr const char* kKey = "milvus.busca_name_match";
    std::string name, test_client;
    int64_t target = 0;
    // A name that starts with four ASCII letters and has three more in its middle.
    for (const auto& c : all.clients) {
      const std::string n = StringField(c, "nome_fantasia");
      const bool ascii_start = n.size() >= 4 && std::all_of(n.begin(), n.begin() + 4, IsAsciiLetter);
      if (ascii_start && !MiddleOf(n).empty()) {
        name = n;
        target = IntField(c, "id").value_or(0);
        break;
      }
    }
    if (name.empty() && options_.write) {
      name = "Ponte Sonda Qzxw Teste";
      test_client = CreateTestClient(name, RandomCnpj());
      target = test_client.empty() ? 0 : std::stoll(test_client);
    }
    if (name.empty() || !target) return NotSettled(kKey, "no client with a name to ask about (--write creates one)");
    auto finish = [&](Finding f) {
      if (!test_client.empty()) (void)client_.DeleteClient(test_client);
      return f;
    };
    const std::string middle = MiddleOf(name);
    auto by_middle = client_.Busca("", middle);
    if (!by_middle) return finish(NotSettled(kKey, "cliente/busca failed: " + by_middle.error().ToString()));
    for (const auto& c : by_middle->clients) {
      if (FoldAccents(StringField(c, "nome_fantasia")).find(FoldAccents(middle)) == std::string::npos) {
        return finish(Found(kKey, "ignored", fmt::format("nome_fantasia={} returned clients whose name does not contain it", middle)));
      }
    }
    if (Holds(by_middle->clients, target)) {
      return finish(Found(kKey, "substring", fmt::format("nome_fantasia={} (from the middle of client {}'s name) returned it",
                                                         middle, target)));
    }
    const std::string prefix = name.substr(0, std::min<size_t>(4, name.size()));
    auto by_prefix = client_.Busca("", prefix);
    if (by_prefix && Holds(by_prefix->clients, target)) {
      return finish(Found(kKey, "prefix", fmt::format("nome_fantasia={} missed client {}; its first letters found it",
                                                      middle, target)));
    }
    auto by_name = client_.Busca("", name);
    if (by_name && Holds(by_name->clients, target)) {
      return finish(Found(kKey, "exact", fmt::format("only client {}'s whole name found it", target)));
    }
    return finish(NotSettled(kKey, fmt::format("client {} was found neither by part nor by all of its name", target)));
  }

  Finding CapOrder(const BuscaResult& all) {
    constexpr const char* kKey = "milvus.busca_cap_order";
    if (!all.hit_cap) {
      return NotSettled(kKey, fmt::format("cliente/busca answered {} clients, under its cap: nothing is left out yet",
                                          all.clients.size()));
    }
    bool ascending = true, descending = true;
    for (size_t i = 1; i < all.clients.size(); ++i) {
      auto a = IntField(all.clients[i - 1], "id"), b = IntField(all.clients[i], "id");
      ascending &= a < b;
      descending &= a > b;
    }
    if (ascending) return Found(kKey, "lowest_ids", "the capped answer comes by ascending id (the newest clients are left out)");
    if (descending) return Found(kKey, "newest_first", "the capped answer comes by descending id (the oldest clients are left out)");
    return Found(kKey, "unspecified", "the capped answer comes in no id order");
  }

  Finding DocumentStorage(const BuscaResult& all) {
    constexpr const char* kKey = "milvus.document_storage";
    int bare = 0;
    for (const auto& c : all.clients) {
      const std::string doc = StringField(c, "cnpj_cpf");
      if (doc.empty()) continue;
      const bool alnum = doc.find_first_not_of("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") == std::string::npos;
      if (!alnum || (doc.size() != 11 && doc.size() != 14)) {
        return Found(kKey, "as_typed", fmt::format("client {} keeps its cnpj_cpf as it was typed (not 11 or 14 bare "
                                                   "characters)",
                                                   IntField(c, "id").value_or(0)));
      }
      ++bare;
    }
    if (options_.write) {
      Say("writing a test client with a punctuated CNPJ");
      const std::string cnpj = RandomCnpj();
      const std::string id = CreateTestClient("Ponte Sonda Documento", ParseDocument(cnpj)->Formatted());
      if (!id.empty()) {
        auto found = client_.Busca(cnpj, "");
        (void)client_.DeleteClient(id);
        if (found) {
          return found->clients.empty()
                     ? Found(kKey, "as_typed", "a client written with a punctuated CNPJ is not found by its bare digits")
                     : Found(kKey, "digits", "a client written with a punctuated CNPJ is found by its bare digits");
        }
      }
    }
    if (bare > 0) return Found(kKey, "digits", fmt::format("all {} listed clients keep bare characters in cnpj_cpf", bare));
    return NotSettled(kKey, "no client with a document (--write creates one)");
  }

  Finding CriarCheckDigits() {
    constexpr const char* kKey = "milvus.criar_check_digits";
    if (!options_.write) return NotSettled(kKey, "needs --write (a test client with a wrong check digit)");
    std::string wrong = RandomCnpj();
    wrong.back() = wrong.back() == '9' ? '0' : static_cast<char>(wrong.back() + 1);
    Say("writing a test client with a wrong check digit");
    auto id = client_.CreateClient(Json{{"cliente_documento", wrong},
                                        {"cliente_ativo", true},
                                        {"cliente_pessoa_juridica", {{"razao_social", "Ponte Sonda Digito"},
                                                                     {"nome_fantasia", "Ponte Sonda Digito"}}}});
    if (id) {
      (void)client_.DeleteClient(std::to_string(*id));
      return Found(kKey, "not_validated", "cliente/criar accepted a CNPJ with a wrong check digit (deleted again)");
    }
    if (id.error().http_status == 400) return Found(kKey, "validated", "cliente/criar refused a CNPJ with a wrong check digit (400)");
    return NotSettled(kKey, "cliente/criar failed: " + id.error().ToString());
  }

  // The same document created twice: a refusal lets a create replace a lookup by document.
  Finding CriarDuplicateDocument() {
    constexpr const char* kKey = "milvus.criar_duplicate_document";
    if (!options_.write) return NotSettled(kKey, "needs --write (two test clients with one CNPJ, deleted again)");
    const std::string cnpj = RandomCnpj();
    Say("writing two test clients with one CNPJ");
    const std::string first = CreateTestClient("Ponte Sonda Duplicado", cnpj);
    if (first.empty()) return NotSettled(kKey, "cliente/criar refused the first test client");
    auto second = client_.CreateClient(Json{{"cliente_documento", cnpj},
                                            {"cliente_ativo", true},
                                            {"cliente_pessoa_juridica", {{"razao_social", "Ponte Sonda Duplicado 2"},
                                                                         {"nome_fantasia", "Ponte Sonda Duplicado 2"}}}});
    (void)client_.DeleteClient(first);
    if (second) {
      (void)client_.DeleteClient(std::to_string(*second));
      return Found(kKey, "accepted", "cliente/criar made a second client with a CNPJ another holds (both deleted)");
    }
    if (second.error().http_status >= 400 && second.error().http_status < 500 && second.error().http_status != 429) {
      return Found(kKey, "refused", fmt::format("cliente/criar refused a CNPJ another client holds ({})",
                                                second.error().http_status.value_or(0)));
    }
    return NotSettled(kKey, "the second cliente/criar failed: " + second.error().ToString());
  }

  // Listings back to back, without pacing, until one is refused: a 429 shows the quota covers
  // that endpoint. One a minute refuses the second; a looser quota a later one.
  Finding ListingQuota() {
    constexpr const char* kKey = "milvus.listing_quota";
    constexpr int kBurst = 60;
    Say("asking for busca, then for listagem, in a burst, to see which the listing quota covers");
    auto refused_after = [&](auto&& call) {
      const int64_t before = calls_.Throttled("milvus");
      for (int i = 0; i < kBurst && calls_.Throttled("milvus") == before; ++i) (void)call();
      return calls_.Throttled("milvus") > before;
    };
    if (refused_after([&] { return unpaced_.Busca("00000000000", ""); })) {
      return Found(kKey, "all", "a burst of cliente/busca calls was answered 429");
    }
    if (refused_after([&] { return unpaced_.ListTickets(Json{{"codigo", "0"}}); })) {
      return Found(kKey, "listagem", "a burst of cliente/busca calls passed; one of chamado/listagem was answered 429");
    }
    return Found(kKey, "none", "bursts of cliente/busca and of chamado/listagem calls passed");
  }

  MilvusClient& client_;
  MilvusClient& unpaced_;
  const CallCounter& calls_;
  const ProbeOptions& options_;
};

}  // namespace

std::vector<Finding> ProbeMilvus(MilvusClient& paced, MilvusClient& unpaced, const CallCounter& calls,
                                 const ProbeOptions& options) {
  return Prober(paced, unpaced, calls, options).Run();
}

}  // namespace ponte::milvus
