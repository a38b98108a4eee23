#include "connectors/milvus/client_listing.h"

#include <deque>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/json_fields.h"
#include "core/utf8.h"

namespace ponte::milvus {
namespace {

using Json = nlohmann::json;

// Status filter values of cliente/busca [DOC]: 3 both, 1 active, 2 blocked.
constexpr int kEveryStatus = 3;
constexpr int kStatuses[] = {1, 2};

// The first partitions: every name with an ASCII letter or digit holds one of them.
constexpr std::string_view kFirstPartition = "abcdefghijklmnopqrstuvwxyz0123456789";
// Characters that are no first partition but may stand next to one in a name: a space, the
// punctuation of trade names and the accented letters of Portuguese (whether the server folds
// accents is not known; asking both forms covers both).
constexpr const char* kOtherNeighbours[] = {" ", ".", ",", "-", "&", "/", "'", "á", "à", "â", "ã",
                                            "é", "ê", "í", "ó", "ô", "õ", "ú", "ç"};

// Longest partition text tried (in characters); refinement stops there.
constexpr size_t kMaxPartitionChars = 4;


std::string NameOf(const Json& client) { return StringField(client, "nome_fantasia"); }
bool IsActive(const Json& client) { return !client.contains("is_ativo") || client["is_ativo"] != false; }

}  // namespace

std::string FoldCase(std::string_view text) {
  std::string out(text);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string FoldAccents(std::string_view text) {
  static const std::pair<std::string_view, char> kFold[] = {
      {"á", 'a'}, {"à", 'a'}, {"â", 'a'}, {"ã", 'a'}, {"ä", 'a'}, {"é", 'e'}, {"ê", 'e'}, {"è", 'e'},
      {"í", 'i'}, {"ì", 'i'}, {"ó", 'o'}, {"ô", 'o'}, {"õ", 'o'}, {"ò", 'o'}, {"ö", 'o'}, {"ú", 'u'},
      {"ù", 'u'}, {"ü", 'u'}, {"ç", 'c'}, {"Á", 'a'}, {"À", 'a'}, {"Â", 'a'}, {"Ã", 'a'}, {"É", 'e'},
      {"Ê", 'e'}, {"Í", 'i'}, {"Ó", 'o'}, {"Ô", 'o'}, {"Õ", 'o'}, {"Ú", 'u'}, {"Ç", 'c'}};
  std::string out;
  for (size_t i = 0; i < text.size();) {
    bool folded = false;
    for (const auto& [from, to] : kFold) {
      if (text.substr(i, from.size()) == from) {
        out += to;
        i += from.size();
        folded = true;
        break;
      }
    }
    if (!folded) out += text[i++];
  }
  return FoldCase(out);
}

Result<ClientListing::Answer> ClientListing::Busca(int status, const std::string& name) {
  ++result_.calls;
  auto r = client_.Busca("", name, status);
  if (!r) return Fail(r.error());
  return Answer{std::move(r->clients), r->hit_cap};
}

void ClientListing::Keep(const Answer& answer) {
  for (const auto& c : answer.clients) {
    if (auto id = IntField(c, "id")) result_.clients[*id] = c;
  }
}

void ClientListing::Learn(const std::string& value, const std::string& evidence) {
  if (findings_) findings_->Learn({"milvus.busca_name_match", value, evidence, SystemClock::Get().Now()});
}

std::string ClientListing::Incomplete(const std::string& why) const {
  return fmt::format(
      "could not list every Milvus client: cliente/busca stops at {} clients, and {}. {} clients seen; "
      "the ones not seen are not delivered. Way forward: `ponte probe` settles how nome_fantasia matches, "
      "systems.milvus.listing_budget allows more partitions, and a client known by its CPF/CNPJ is still "
      "found one by one",
      client_.busca_cap(), why, result_.clients.size());
}

bool ClientListing::Verify(const std::string& part, int status, const Answer& answer, std::string* problem) {
  std::set<int64_t> returned;
  for (const auto& c : answer.clients) {
    if (auto id = IntField(c, "id")) returned.insert(*id);
    // Returned although its name lacks the text, even with accents folded: not a name filter.
    if (FoldAccents(NameOf(c)).find(FoldAccents(part)) == std::string::npos) {
      if (answer.clients.size() >= result_.clients.size() || answer.capped) {
        Learn("ignored", fmt::format("cliente/busca with nome_fantasia={} returned clients whose name does not "
                                     "contain it, as many as without the filter", part));
      }
      *problem = fmt::format("nome_fantasia={} returned clients whose name does not contain it", part);
      return false;
    }
  }
  if (answer.capped) return true;  // a capped answer may leave anyone out
  bool mid_word = false;
  for (const auto& [id, c] : result_.clients) {
    if ((status == 1) != IsActive(c)) continue;
    const std::string name = FoldCase(NameOf(c));
    const size_t at = name.find(FoldCase(part));
    if (at == std::string::npos) continue;
    if (!returned.count(id)) {
      // Left out a client whose name holds the text: a prefix or exact match, not a substring.
      bool all_start = true, all_equal = true;
      for (const auto& r : answer.clients) {
        const std::string n = FoldAccents(NameOf(r));
        all_start &= n.starts_with(FoldAccents(part));
        all_equal &= n == FoldAccents(part);
      }
      const char* kind = all_equal ? "exact" : (all_start ? "prefix" : "");
      if (*kind) {
        Learn(kind, fmt::format("cliente/busca with nome_fantasia={} left out client {} whose name contains it, "
                                "and returned only names {} it",
                                part, id, all_equal ? "equal to" : "starting with"));
      }
      *problem = fmt::format("nome_fantasia={} left out client {}, whose name contains it", part, id);
      return false;
    }
    if (at > 0) mid_word = true;
  }
  if (mid_word && !substring_seen_) {
    substring_seen_ = true;
    Learn("substring", fmt::format("cliente/busca with nome_fantasia={} returned every listed client whose name "
                                   "contains it, also in the middle of a word",
                                   part));
  }
  return true;
}

Result<bool> ClientListing::Ask(const std::string& part, int status, size_t left) {
  if (result_.calls >= max_calls_) {
    result_.complete = false;
    result_.incomplete_reason = Incomplete(fmt::format(
        "the listing budget of {} busca calls (systems.milvus.listing_budget) ran out with at least {} name "
        "partitions left (the next: '{}')",
        max_calls_, left + 1, part));
    return false;
  }
  auto answer = Busca(status, part);
  if (!answer) return Fail(answer.error());
  std::string problem;
  const bool substring = Verify(part, status, *answer, &problem);
  Keep(*answer);
  if (!substring) {
    result_.complete = false;
    result_.incomplete_reason = Incomplete(fmt::format(
        "its nome_fantasia filter does not behave as a substring match ({}), so name partitions cannot get past "
        "the cap",
        problem));
    return false;
  }
  if (answer->capped && Utf8Length(part) >= kMaxPartitionChars) {
    result_.complete = false;
    result_.incomplete_reason =
        Incomplete(fmt::format("the name partition '{}' still returns the cap at {} characters", part, kMaxPartitionChars));
    return false;
  }
  return answer->capped;
}

Status ClientListing::ListByName(int status) {
  // Every name with a letter or digit holds a first partition, so a name holding one whose
  // answer stayed under the cap was seen. Names made only of capped letters are left; the
  // capped letters are taken in turn, most frequent first, and the k-th one's tree needs to
  // reach only names without the letters before it: a capped text is refined with one more
  // character on either side, from the k-th capped letter on or from the other neighbours.
  std::vector<std::string> capped_letters;
  for (size_t i = 0; i < kFirstPartition.size(); ++i) {
    const std::string letter(1, kFirstPartition[i]);
    auto capped = Ask(letter, status, kFirstPartition.size() - i - 1);
    if (!capped) return Fail(capped.error());
    if (!result_.complete) return {};
    if (*capped) capped_letters.push_back(letter);
  }
  std::map<std::string, int> frequency;
  for (const auto& [id, c] : result_.clients) {
    const std::string name = FoldCase(NameOf(c));
    for (const auto& l : capped_letters) frequency[l] += name.find(l) != std::string::npos;
  }
  std::stable_sort(capped_letters.begin(), capped_letters.end(),
                   [&](const std::string& a, const std::string& b) { return frequency[a] > frequency[b]; });
  std::set<std::string> asked(capped_letters.begin(), capped_letters.end());
  for (size_t k = 0; k < capped_letters.size(); ++k) {
    std::vector<std::string> neighbours(capped_letters.begin() + static_cast<long>(k), capped_letters.end());
    neighbours.insert(neighbours.end(), std::begin(kOtherNeighbours), std::end(kOtherNeighbours));
    std::deque<std::string> queue = {capped_letters[k]};
    while (!queue.empty()) {
      const std::string text = queue.front();
      queue.pop_front();
      for (const auto& n : neighbours) {
        for (std::string finer : {text + n, n + text}) {
          if (!asked.insert(finer).second) continue;
          auto still_capped = Ask(finer, status, queue.size());
          if (!still_capped) return Fail(still_capped.error());
          if (!result_.complete) return {};
          if (*still_capped) queue.push_back(finer);
        }
      }
    }
  }
  return {};
}

Result<ClientListingResult> ClientListing::Run() {
  auto all = Busca(kEveryStatus, "");
  if (!all) return Fail(all.error());
  Keep(*all);
  if (!all->capped) return std::move(result_);
  if (result_.calls >= max_calls_) {
    result_.complete = false;
    result_.incomplete_reason = Incomplete("only one busca was asked for");
    return std::move(result_);
  }
  // The documented status filter splits the capped answer first.
  std::vector<int> capped;
  for (int status : kStatuses) {
    auto part = Busca(status, "");
    if (!part) return Fail(part.error());
    Keep(*part);
    if (part->capped) capped.push_back(status);
  }
  if (capped.empty()) return std::move(result_);
  if (findings_) {
    if (auto match = findings_->Value("milvus.busca_name_match"); match && *match != "substring") {
      result_.complete = false;
      result_.incomplete_reason = Incomplete(fmt::format(
          "its nome_fantasia filter does not select by substring here (milvus.busca_name_match = {}), so name "
          "partitions cannot get past the cap",
          *match));
      return std::move(result_);
    }
  }
  for (int status : capped) {
    PONTE_RETURN_IF_ERROR(ListByName(status));
    if (!result_.complete) return std::move(result_);
  }
  return std::move(result_);
}

}  // namespace ponte::milvus
