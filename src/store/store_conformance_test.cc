// One conformance suite for every Store back end: each test runs on SQLite (a temporary file)
// and on a real PostgreSQL server.

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <set>
#include <thread>

#include "store/facts.h"
#include "store/store.h"
#include "support/temp_postgres.h"

namespace ponte {
namespace {

std::string HostName() {
  char host[256] = "";
  gethostname(host, sizeof host - 1);
  return host;
}

using std::chrono::milliseconds;

class StoreConformance : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    url_ = NewUrl();
    auto store = OpenStore(url_);
    ASSERT_TRUE(store.has_value()) << store.error().ToString();
    store_ = std::move(*store);
  }

  std::string NewUrl() {
    if (GetParam() == "sqlite") return "sqlite:" + testing::NewSqlitePath();
    auto url = testing::NewPostgresDatabase();
    EXPECT_TRUE(url.has_value()) << url.error().ToString();
    return url.value_or("");
  }

  static Instant At(int64_t ms) { return Instant{milliseconds{ms}}; }

  DeliveryIntent Intent(std::string origin_id) {
    return {"customers_ploomes_to_milvus", "CustomerVendor", {"ploomes", std::move(origin_id)},
            "milvus", R"({"x":1})", "hash-1"};
  }

  std::string url_;
  std::unique_ptr<Store> store_;
};

const SystemRef kPloomes{"ploomes", "401234567"};
const SystemRef kMilvus{"milvus", "30753"};

TEST_P(StoreConformance, MigrationsAreAppliedOnceAndReopenIsHarmless) {
  EXPECT_EQ(*store_->SchemaVersion(), 6);
  auto again = OpenStore(url_);
  ASSERT_TRUE(again.has_value()) << again.error().ToString();
  EXPECT_EQ(*(*again)->SchemaVersion(), 6);
  EXPECT_EQ(*store_->IntegrityCheck(), "ok");
}

TEST_P(StoreConformance, FactsAreKeptByKeyAndListedByPrefix) {
  ASSERT_TRUE(store_->PutFact("finding:a", "1", At(1)));
  ASSERT_TRUE(store_->PutFact("finding:b", "2", At(2)));
  ASSERT_TRUE(store_->PutFact("findings_other", "3", At(3)));
  ASSERT_TRUE(store_->PutFact("finding:a", "4", At(4)));  // replaced, not added
  EXPECT_EQ(store_->GetFact("finding:a")->value_or(""), "4");
  EXPECT_FALSE(store_->GetFact("finding:z")->has_value());
  auto listed = store_->ListFacts("finding:");
  ASSERT_TRUE(listed.has_value()) << listed.error().ToString();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].first, "finding:a");
  EXPECT_EQ((*listed)[1].second, "2");
  // A prefix with LIKE's wildcards matches only itself.
  ASSERT_TRUE(store_->PutFact("x%_y", "5", At(5)));
  EXPECT_EQ(store_->ListFacts("x%")->size(), 1u);
  EXPECT_EQ(store_->ListFacts("x_")->size(), 0u);
}

TEST_P(StoreConformance, FindingsAndListingStatesRoundTrip) {
  Findings findings;
  ASSERT_TRUE(BindFindings(*store_, findings));
  findings.Learn({"milvus.busca_name_match", "substring", "partitions held every client", At(10)});
  Findings again;
  ASSERT_TRUE(BindFindings(*store_, again));
  EXPECT_EQ(again.Value("milvus.busca_name_match").value_or(""), "substring");
  EXPECT_FALSE(again.Value("ploomes.post_echo").has_value());
  ASSERT_TRUE(SaveListingState(*store_, {"customers_milvus_to_ploomes", false, "capped", 1000, At(20)}));
  auto state = LoadListingState(*store_, "customers_milvus_to_ploomes");
  ASSERT_TRUE(state.has_value() && state->has_value());
  EXPECT_FALSE((*state)->complete);
  EXPECT_EQ((*state)->seen, 1000);
  EXPECT_EQ((*state)->reason, "capped");
  EXPECT_FALSE(LoadListingState(*store_, "tasks_ploomes_to_milvus")->has_value());
}

TEST_P(StoreConformance, LinkAndLookupBothWays) {
  ASSERT_TRUE(store_->Link("CustomerVendor", kPloomes, kMilvus,
                           {"12345678000195", "h1", "customers"}));
  EXPECT_EQ(**store_->Lookup("CustomerVendor", kPloomes, "milvus"), "30753");
  EXPECT_EQ(**store_->Lookup("CustomerVendor", kMilvus, "ploomes"), "401234567");
  EXPECT_FALSE(store_->Lookup("CustomerVendor", kPloomes, "protheus")->has_value());
  // De/para is per message name: the same ids under Ticket are unrelated.
  EXPECT_FALSE(store_->Lookup("Ticket", kPloomes, "milvus")->has_value());
  auto members = store_->Entity("CustomerVendor", kMilvus);
  ASSERT_TRUE(members.has_value());
  ASSERT_EQ(members->size(), 2u);
  EXPECT_EQ(members->at(0).info.natural_key, "12345678000195");
  EXPECT_EQ(members->at(0).info.route, "customers");
}

TEST_P(StoreConformance, AnyNumberOfSystemsPerEntity) {
  ASSERT_TRUE(store_->Link("CustomerVendor", kPloomes, kMilvus, {}));
  ASSERT_TRUE(store_->Link("CustomerVendor", kMilvus, {"protheus", "01|01|000123|01"}, {}));
  EXPECT_EQ(**store_->Lookup("CustomerVendor", kPloomes, "protheus"), "01|01|000123|01");
  EXPECT_EQ(store_->Entity("CustomerVendor", kPloomes)->size(), 3u);
}

TEST_P(StoreConformance, AnInternalIdBelongsToOneEntityOnly) {
  ASSERT_TRUE(store_->Link("CustomerVendor", kPloomes, kMilvus, {}));
  // The Ploomes contact is linked to Milvus 30753: linking it to another Milvus client fails.
  auto s = store_->Link("CustomerVendor", kPloomes, {"milvus", "99999"}, {});
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, ErrorCode::kAlreadyExists);
  // Two existing entities cannot be merged silently either.
  ASSERT_TRUE(store_->Link("CustomerVendor", {"ploomes", "2"}, {"milvus", "2"}, {}));
  auto merge = store_->Link("CustomerVendor", kPloomes, {"milvus", "2"}, {});
  ASSERT_FALSE(merge.has_value());
  EXPECT_NE(merge.error().message.find("different entities"), std::string::npos);
  // Relinking the same pair refreshes the info.
  ASSERT_TRUE(store_->Link("CustomerVendor", kPloomes, kMilvus, {"doc", "h2", "again"}));
  EXPECT_EQ(store_->Entity("CustomerVendor", kPloomes)->at(0).info.content_hash, "h2");
  EXPECT_FALSE(store_->Link("CustomerVendor", kPloomes, {"ploomes", "3"}, {}).has_value());
}

// Each system's listing remembers its own customers apart; linking two of them makes one entity
// when no system holds an id in both.
TEST_P(StoreConformance, TwoRememberedIdsOfDifferentSystemsBecomeOneEntity) {
  ASSERT_TRUE(store_->Remember("CustomerVendor", kMilvus, {"12345678000195", "hm", "index"}));
  ASSERT_TRUE(store_->Remember("CustomerVendor", kPloomes, {"12345678000195", "hp", "index"}));
  ASSERT_TRUE(store_->Link("CustomerVendor", kMilvus, kPloomes, {"12345678000195", "h", "customers"}));
  EXPECT_EQ(store_->Entity("CustomerVendor", kMilvus)->size(), 2u);
  EXPECT_EQ(**store_->Lookup("CustomerVendor", kMilvus, "ploomes"), kPloomes.internal_id);
  EXPECT_TRUE(store_->CheckDePara()->empty());
}

TEST_P(StoreConformance, JoiningARememberedIdGivesItTheLinkInfo) {
  ASSERT_TRUE(store_->Remember("CustomerVendor", kMilvus, {"12345678000195", "", "index"}));
  ASSERT_TRUE(store_->Link("CustomerVendor", kPloomes, kMilvus, {"12345678000195", "h", "customers"}));
  auto members = *store_->Entity("CustomerVendor", kPloomes);
  ASSERT_EQ(members.size(), 2u);
  for (const auto& m : members) {
    EXPECT_EQ(m.info.content_hash, "h") << m.ref.ToString();
    EXPECT_EQ(m.info.route, "customers");
  }
}

TEST_P(StoreConformance, NaturalKeyIndexAndAttributes) {
  ASSERT_TRUE(store_->Link("CustomerVendor", kPloomes, kMilvus, {"12345678000195", "", "r"}));
  auto rows = store_->FindByNaturalKey("CustomerVendor", "12345678000195");
  ASSERT_TRUE(rows.has_value());
  EXPECT_EQ(rows->size(), 2u);
  EXPECT_TRUE(store_->FindByNaturalKey("CustomerVendor", "00000000000")->empty());
  ASSERT_TRUE(store_->SetAttributes("CustomerVendor", kMilvus, R"({"token":"KEN7B5"})"));
  auto members = *store_->Entity("CustomerVendor", kMilvus);
  EXPECT_EQ(members.at(0).ref.system, "milvus");
  EXPECT_EQ(members.at(0).attributes, R"({"token":"KEN7B5"})");
  EXPECT_FALSE(store_->SetAttributes("CustomerVendor", {"milvus", "1"}, "{}").has_value());
  ASSERT_TRUE(store_->UpdateLinkInfo("CustomerVendor", kMilvus, {"12345678000195", "h9", "r"}));
  EXPECT_EQ(store_->Entity("CustomerVendor", kMilvus)->at(0).info.content_hash, "h9");
}

TEST_P(StoreConformance, TextIsStoredAsIs) {
  // Quotes, statement separators, comments and accents are data, never SQL.
  const std::string name = "O'Brien; DROP TABLE links; -- São João ção 🚀";
  ASSERT_TRUE(store_->Link("CustomerVendor", {"ploomes", name}, {"milvus", "1"}, {name, name, name}));
  EXPECT_EQ(**store_->Lookup("CustomerVendor", {"milvus", "1"}, "ploomes"), name);
  EXPECT_EQ(*store_->CountLinks(), 2);
}

TEST_P(StoreConformance, ListAndImportAllOrNothing) {
  std::vector<Store::ImportPair> pairs = {
      {"CustomerVendor", {"ploomes", "1"}, {"milvus", "10"}, {"11111111111", "", "import"}},
      {"CustomerVendor", {"ploomes", "2"}, {"milvus", "20"}, {}},
      {"CustomerVendor", {"ploomes", "3"}, {"milvus", "10"}, {}},  // milvus:10 is taken
  };
  auto s = store_->ImportLinks(pairs);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().record, "import item 3");
  EXPECT_EQ(*store_->CountLinks(), 0);  // rolled back whole
  pairs.pop_back();
  ASSERT_TRUE(store_->ImportLinks(pairs));
  EXPECT_EQ(*store_->CountLinks(), 4);
  EXPECT_EQ(store_->ListLinks({.system = "milvus"})->size(), 2u);
  EXPECT_EQ(store_->ListLinks({.limit = 1, .offset = 1})->size(), 1u);
  // A pair with no peer remembers one id (used for the old script's "already sent" list).
  std::vector<Store::ImportPair> legacy = {
      {"CustomerVendor", {"legacy", "12345678909"}, {}, {"12345678909", "", "mongoexport"}}};
  ASSERT_TRUE(store_->ImportLinks(legacy));
  EXPECT_EQ(store_->FindByNaturalKey("CustomerVendor", "12345678909")->size(), 1u);
}

TEST_P(StoreConformance, CheckFindsIntegrityProblems) {
  ASSERT_TRUE(store_->Link("CustomerVendor", {"ploomes", "1"}, {"milvus", "1"}, {"111", "", ""}));
  ASSERT_TRUE(store_->UpdateLinkInfo("CustomerVendor", {"milvus", "1"}, {"222", "", ""}));
  ASSERT_TRUE(store_->Link("CustomerVendor", {"ploomes", "2"}, {"milvus", "2"}, {"333", "", ""}));
  ASSERT_TRUE(store_->Link("CustomerVendor", {"ploomes", "3"}, {"milvus", "3"}, {"333", "", ""}));
  ASSERT_TRUE(store_->Remember("CustomerVendor", {"legacy", "444"}, {"444", "", ""}));
  // A record a listing showed, linked to nothing yet, is knowledge, not an orphan.
  ASSERT_TRUE(store_->Remember("CustomerVendor", {"ploomes", "5"}, {"555", "", "index"}));
  auto problems = store_->CheckDePara();
  ASSERT_TRUE(problems.has_value());
  std::multiset<std::string> kinds;
  for (const auto& p : *problems) kinds.insert(p.kind);
  EXPECT_EQ(kinds.count("natural_key_mismatch"), 1u);
  EXPECT_EQ(kinds.count("natural_key_shared"), 1u);
  EXPECT_EQ(kinds.count("entity_without_peer"), 1u);
}

TEST_P(StoreConformance, IntentIsRecordedOnceAndCompletedWithItsLink) {
  auto id = store_->RecordIntent(Intent("401234567"), At(1000));
  ASSERT_TRUE(id.has_value()) << id.error().ToString();
  // The same record again (a retry, a webhook plus a poll) refreshes the same pending row.
  auto again = store_->RecordIntent(Intent("401234567"), At(2000));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*again, *id);
  EXPECT_EQ(*store_->CountDeliveries(DeliveryState::kPending), 1);

  ASSERT_TRUE(store_->BeginAttempt(*id, At(2500)));
  ASSERT_TRUE(store_->CompleteDelivery(*id, kMilvus, {"12345678000195", "hash-m", "customers"},
                                       At(3000)));
  auto d = **store_->GetDelivery(*id);
  EXPECT_EQ(d.state, DeliveryState::kDone);
  EXPECT_EQ(d.target_id, "30753");
  EXPECT_EQ(d.attempts, 1);
  EXPECT_EQ(**store_->Lookup("CustomerVendor", kPloomes, "milvus"), "30753");
  auto members = *store_->Entity("CustomerVendor", kPloomes);
  ASSERT_EQ(members.size(), 2u);
  for (const auto& m : members) {
    EXPECT_EQ(m.info.content_hash, m.ref.system == "ploomes" ? "hash-1" : "hash-m") << m.ref.ToString();
  }
  // Done is final: completing twice is refused, and a new intent makes a new delivery.
  EXPECT_FALSE(store_->CompleteDelivery(*id, kMilvus, {}, At(4000)).has_value());
  auto next = store_->RecordIntent(Intent("401234567"), At(5000));
  ASSERT_TRUE(next.has_value());
  EXPECT_NE(*next, *id);
}

TEST_P(StoreConformance, CompleteRollsBackWhenTheLinkConflicts) {
  ASSERT_TRUE(store_->Link("CustomerVendor", {"ploomes", "other"}, kMilvus, {}));
  auto id = *store_->RecordIntent(Intent("401234567"), At(0));
  auto s = store_->CompleteDelivery(id, kMilvus, {}, At(1));
  ASSERT_FALSE(s.has_value());
  // Nothing half-done: still pending, no link for the origin.
  EXPECT_EQ((**store_->GetDelivery(id)).state, DeliveryState::kPending);
  EXPECT_FALSE(store_->Lookup("CustomerVendor", kPloomes, "milvus")->has_value());
}

TEST_P(StoreConformance, RetryAndDeadLetterAndReplay) {
  auto id = *store_->RecordIntent(Intent("1"), At(0));
  ASSERT_TRUE(store_->BeginAttempt(id, At(1)));
  ASSERT_TRUE(store_->RetryDelivery(id, "UNAVAILABLE: milvus: 503", At(60'000), At(1)));
  auto d = **store_->GetDelivery(id);
  EXPECT_EQ(d.attempts, 1);
  EXPECT_EQ(d.last_error, "UNAVAILABLE: milvus: 503");
  EXPECT_EQ(d.next_attempt_at, At(60'000));

  ASSERT_TRUE(store_->KillDelivery(id, "FAILED_PRECONDITION: milvus: 422 documento inválido", At(2)));
  EXPECT_EQ((**store_->GetDelivery(id)).state, DeliveryState::kDead);
  auto letters = *store_->ListDeadLetters(false);
  ASSERT_EQ(letters.size(), 1u);
  EXPECT_EQ(letters[0].reason, "FAILED_PRECONDITION: milvus: 422 documento inválido");
  EXPECT_EQ(letters[0].origin, (SystemRef{"ploomes", "1"}));
  EXPECT_EQ(letters[0].payload, R"({"x":1})");
  EXPECT_EQ(letters[0].route, "customers_ploomes_to_milvus");

  ASSERT_TRUE(store_->ReplayDeadLetter(letters[0].id, At(3)));
  d = **store_->GetDelivery(id);
  EXPECT_EQ(d.state, DeliveryState::kPending);
  EXPECT_EQ(d.attempts, 0);
  EXPECT_TRUE(store_->ListDeadLetters(false)->empty());
  EXPECT_EQ(store_->ListDeadLetters(true)->size(), 1u);
  EXPECT_FALSE(store_->ReplayDeadLetter(letters[0].id, At(4)).has_value());
}

TEST_P(StoreConformance, ReplayDoesNotMakeTwoPendingDeliveries) {
  auto first = *store_->RecordIntent(Intent("1"), At(0));
  ASSERT_TRUE(store_->KillDelivery(first, "bad", At(1)));
  auto second = *store_->RecordIntent(Intent("1"), At(2));
  EXPECT_NE(first, second);
  auto letter = store_->ListDeadLetters(false)->at(0);
  ASSERT_TRUE(store_->ReplayDeadLetter(letter.id, At(3)));
  EXPECT_EQ(*store_->CountDeliveries(DeliveryState::kPending), 1);
}

// A record dead-lettered, then delivered by a later delivery (a new version of it): its dead
// letter is resolved and leaves the queue (before: 10 of 12 listed dead letters had been
// delivered later).
TEST_P(StoreConformance, ADeliveryLaterResolvesTheRecordsDeadLetters) {
  auto first = *store_->RecordIntent(Intent("1"), At(0));
  ASSERT_TRUE(store_->KillDelivery(first, "UNAVAILABLE: gave up", At(1)));
  auto other = *store_->RecordIntent(Intent("2"), At(1));
  ASSERT_TRUE(store_->KillDelivery(other, "bad", At(1)));
  auto second = *store_->RecordIntent(Intent("1"), At(2));
  ASSERT_TRUE(store_->CompleteDelivery(second, {"milvus", "m1"}, {"", "", "customers_ploomes_to_milvus"}, At(3)));
  auto open = *store_->ListDeadLetters(false);
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].origin.internal_id, "2");
  auto all = *store_->ListDeadLetters(true);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].resolved_by, second);
  EXPECT_EQ(all[0].resolved_at, At(3));
  EXPECT_FALSE(all[1].resolved_at.has_value());
}

// Two routes (two workers, two connections) linking the same pair at the same moment: both
// succeed (before: on PostgreSQL the loser got a false ALREADY_EXISTS, dead-lettering a record
// for the very id its entity held).
TEST_P(StoreConformance, LinkingOnePairTwiceAtOnceIsIdempotent) {
  auto other = OpenStore(url_);
  ASSERT_TRUE(other.has_value()) << other.error().ToString();
  int failures = 0;
  std::string first_error;
  for (int i = 0; i < 60; ++i) {
    const SystemRef p{"ploomes", "race" + std::to_string(i)}, m{"milvus", "m" + std::to_string(i)};
    std::atomic<int> ready{0};
    Status results[2];
    auto link = [&](Store& store, int slot) {
      ++ready;
      while (ready < 2) {
      }
      results[slot] = store.Link("CustomerVendor", p, m, {"", "", "race"});
    };
    std::thread a(link, std::ref(*store_), 0), b(link, std::ref(**other), 1);
    a.join();
    b.join();
    for (const auto& r : results) {
      if (!r) {
        ++failures;
        if (first_error.empty()) first_error = r.error().ToString();
      }
    }
    EXPECT_EQ(**store_->Lookup("CustomerVendor", p, "milvus"), m.internal_id);
  }
  EXPECT_EQ(failures, 0) << first_error;
}

TEST_P(StoreConformance, ClaimsAreExclusiveAndLeasesExpire) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(store_->RecordIntent(Intent(std::to_string(i)), At(0)));
  auto a = *store_->ClaimDue("worker-a", At(10), milliseconds(1000), 3);
  auto b = *store_->ClaimDue("worker-b", At(10), milliseconds(1000), 3);
  EXPECT_EQ(a.size(), 3u);
  EXPECT_EQ(b.size(), 2u);
  std::set<int64_t> ids;
  for (const auto& d : a) ids.insert(d.id);
  for (const auto& d : b) ids.insert(d.id);
  EXPECT_EQ(ids.size(), 5u);
  EXPECT_EQ(a[0].claimed_by, "worker-a");
  // Nothing is due for a third worker until the leases run out (a died mid-delivery).
  EXPECT_TRUE(store_->ClaimDue("worker-c", At(500), milliseconds(1000), 10)->empty());
  auto c = *store_->ClaimDue("worker-c", At(2000), milliseconds(1000), 10);
  EXPECT_EQ(c.size(), 5u);
  ASSERT_TRUE(store_->ReleaseClaims("worker-c"));
  EXPECT_EQ(store_->ClaimDue("worker-d", At(2001), milliseconds(1000), 10)->size(), 5u);
}

TEST_P(StoreConformance, ClaimsHonourNextAttemptTime) {
  auto id = *store_->RecordIntent(Intent("1"), At(0));
  ASSERT_TRUE(store_->RetryDelivery(id, "busy", At(5000), At(1)));
  EXPECT_TRUE(store_->ClaimDue("w", At(4999), milliseconds(10), 10)->empty());
  EXPECT_EQ(store_->ClaimDue("w", At(5000), milliseconds(10), 10)->size(), 1u);
}

TEST_P(StoreConformance, ClaimsCanBeLimitedToARoute) {
  ASSERT_TRUE(store_->RecordIntent(Intent("1"), At(0)));
  DeliveryIntent other = Intent("2");
  other.route = "tasks_ploomes_to_milvus";
  ASSERT_TRUE(store_->RecordIntent(other, At(0)));
  auto tasks = *store_->ClaimDue("w", At(1), milliseconds(10), 10, "tasks_ploomes_to_milvus");
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].intent.origin.internal_id, "2");
}

TEST_P(StoreConformance, ClaimIntentGivesARecordToOneWorkerAtATime) {
  auto a = store_->ClaimIntent(Intent("1"), "worker-a", At(0), milliseconds(1000));
  ASSERT_TRUE(a.has_value()) << a.error().ToString();
  ASSERT_TRUE(a->has_value());
  EXPECT_EQ((*a)->claimed_by, "worker-a");
  // Worker b reads the same record (a webhook and a poll): it must leave it to a, and a's
  // payload stays what a is writing.
  DeliveryIntent newer = Intent("1");
  newer.payload = R"({"newer":true})";
  auto b = store_->ClaimIntent(newer, "worker-b", At(10), milliseconds(1000));
  ASSERT_TRUE(b.has_value());
  EXPECT_FALSE(b->has_value());
  EXPECT_EQ((*store_->GetDelivery((*a)->id))->intent.payload, Intent("1").payload);
  // Nor can a batch claim take it while the lease holds.
  EXPECT_TRUE(store_->ClaimDue("worker-c", At(20), milliseconds(1000), 10)->empty());
  // The holder may claim it again (the same worker re-reading it).
  auto again = store_->ClaimIntent(Intent("1"), "worker-a", At(30), milliseconds(1000));
  ASSERT_TRUE(again && again->has_value());
  EXPECT_EQ((*again)->id, (*a)->id);
  // After the lease (worker a died), b takes it over, with the payload it read.
  auto later = store_->ClaimIntent(newer, "worker-b", At(5000), milliseconds(1000));
  ASSERT_TRUE(later && later->has_value());
  EXPECT_EQ((*later)->id, (*a)->id);
  EXPECT_EQ((*later)->intent.payload, newer.payload);
  // Once done, a new read of the record is a new delivery.
  ASSERT_TRUE(store_->CompleteDelivery((*a)->id, {"milvus", "m1"}, {}, At(5001)));
  auto next = store_->ClaimIntent(Intent("1"), "worker-a", At(5002), milliseconds(1000));
  ASSERT_TRUE(next && next->has_value());
  EXPECT_NE((*next)->id, (*a)->id);
}

TEST_P(StoreConformance, ConcurrentClaimIntentsOfOneRecordPickOneWorker) {
  auto other = OpenStore(url_);
  ASSERT_TRUE(other.has_value());
  for (int round = 0; round < 20; ++round) {
    const std::string record = "race-" + std::to_string(round);
    std::atomic<int> winners = 0;
    auto claim = [&](Store& s, const char* worker) {
      auto got = s.ClaimIntent(Intent(record), worker, At(round), milliseconds(60'000));
      ASSERT_TRUE(got.has_value()) << got.error().ToString();
      if (got->has_value()) ++winners;
    };
    std::thread ta([&] { claim(*store_, "a"); });
    std::thread tb([&] { claim(**other, "b"); });
    ta.join();
    tb.join();
    EXPECT_EQ(winners.load(), 1) << record;
  }
}

TEST_P(StoreConformance, OneWorkerPollsARouteAtATime) {
  auto other = OpenStore(url_);
  ASSERT_TRUE(other.has_value());
  const std::string me = HostName() + ":" + std::to_string(getpid());
  ASSERT_TRUE(*store_->TryLockRoute("tasks", me + "/a", At(0), milliseconds(60'000)));
  EXPECT_FALSE(*(*other)->TryLockRoute("tasks", me + "/b", At(1), milliseconds(60'000)));
  EXPECT_TRUE(*(*other)->TryLockRoute("contacts", me + "/b", At(1), milliseconds(60'000)));
  ASSERT_TRUE(store_->Heartbeat(me + "/a", At(2)));
  ASSERT_TRUE((*other)->Heartbeat(me + "/b", At(2)));
  auto workers = store_->ListWorkers(At(3), milliseconds(60'000));
  ASSERT_TRUE(workers.has_value()) << workers.error().ToString();
  ASSERT_EQ(workers->size(), 2u);
  EXPECT_EQ(workers->at(0).routes, std::vector<std::string>{"tasks"});
  EXPECT_EQ(workers->at(1).routes, std::vector<std::string>{"contacts"});
  ASSERT_TRUE(store_->UnlockRoute("tasks", me + "/a"));
  EXPECT_TRUE(*(*other)->TryLockRoute("tasks", me + "/b", At(4), milliseconds(60'000)));
  // A worker that dies (its connection ends, or its process is gone) frees its routes.
  other->reset();
  auto third = OpenStore(url_);
  ASSERT_TRUE(third.has_value());
  // PostgreSQL frees a session's advisory locks when its backend ends, a moment after the
  // client closed the connection: the new worker may have to ask again. (SQLite's lease of a
  // live process on this host holds until it expires, so one answer is all there is.)
  const int attempts = GetParam() == "postgres" ? 200 : 1;
  bool taken = false;
  for (int attempt = 0; attempt < attempts && !taken; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(milliseconds(50));
    auto got = (*third)->TryLockRoute("tasks", me + "/c", At(5), milliseconds(60'000));
    ASSERT_TRUE(got.has_value()) << got.error().ToString();
    taken = *got;
  }
  EXPECT_TRUE(taken || GetParam() == "sqlite");
  EXPECT_TRUE(*(*third)->TryLockRoute("tasks", HostName() + ":999999999/c", At(120'000), milliseconds(60'000)));
  // Workers not seen within the window are not listed.
  EXPECT_TRUE(store_->ListWorkers(At(500'000), milliseconds(60'000))->empty());
}

// SQLite only: PostgreSQL frees the lock with the connection (tested above).
TEST(SqliteRouteLocks, ALeaseHolderOnThisHostThatIsGoneLosesTheRoute) {
  auto opened = OpenStore("sqlite:" + testing::NewSqlitePath());
  ASSERT_TRUE(opened.has_value());
  auto& store_ = *opened;
  auto At = [](int64_t ms) { return Instant{milliseconds{ms}}; };
  ASSERT_TRUE(*store_->TryLockRoute("tasks", HostName() + ":999999999", At(0), milliseconds(600'000)));
  EXPECT_TRUE(*store_->TryLockRoute("tasks", HostName() + ":1/x", At(1), milliseconds(600'000)));
  ASSERT_TRUE(store_->UnlockRoute("tasks", HostName() + ":1/x").has_value());
  ASSERT_TRUE(*store_->TryLockRoute("tasks", "elsewhere:999999999", At(2), milliseconds(600'000)));
  EXPECT_FALSE(*store_->TryLockRoute("tasks", HostName() + ":2", At(3), milliseconds(600'000)));
}

// A worker killed on this host (SIGKILL, OOM) cannot release its claims; its records must be
// deliverable by the next run at once, not after the lease. One on another host keeps its lease.
TEST_P(StoreConformance, ClaimsOfAWorkerGoneFromThisHostAreTakenBackAtOnce) {
  const std::string gone = HostName() + ":999999999/poll";
  auto held = store_->ClaimIntent(Intent("1"), gone, At(0), milliseconds(600'000));
  ASSERT_TRUE(held && held->has_value());
  auto retaken = store_->ClaimIntent(Intent("1"), "next-run", At(1), milliseconds(600'000));
  ASSERT_TRUE(retaken && retaken->has_value()) << "a dead holder's lease still blocked the record";
  EXPECT_EQ((*retaken)->claimed_by, "next-run");

  ASSERT_TRUE(store_->ClaimIntent(Intent("2"), gone, At(0), milliseconds(600'000)));
  ASSERT_TRUE(store_->ClaimIntent(Intent("3"), "elsewhere:999999999", At(0), milliseconds(600'000)));
  auto due = store_->ClaimDue("next-run", At(2), milliseconds(600'000), 10);
  ASSERT_TRUE(due.has_value()) << due.error().ToString();
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ(due->front().intent.origin.internal_id, "2");
  // A restarted container gets the same pid: the start time in the name tells the dead worker
  // from the live one, and only the live one keeps what it holds.
  const std::string same_pid = HostName() + ":" + std::to_string(getpid()) + "@1/poll";
  ASSERT_TRUE(store_->ClaimIntent(Intent("4"), same_pid, At(3), milliseconds(600'000)));
  ASSERT_TRUE(store_->ClaimIntent(Intent("5"), ThisWorkerName() + "/poll", At(3), milliseconds(600'000)));
  auto retaken_from_predecessor = store_->ClaimDue("next-run", At(4), milliseconds(600'000), 10);
  ASSERT_TRUE(retaken_from_predecessor.has_value());
  ASSERT_EQ(retaken_from_predecessor->size(), 1u);
  EXPECT_EQ(retaken_from_predecessor->front().intent.origin.internal_id, "4");
}

// A ticket waiting for its customer (held by another worker) goes back without an attempt or
// an error recorded, so it is neither dead-lettered early nor reconciled needlessly later.
TEST_P(StoreConformance, ADeferredDeliveryComesBackLaterUncounted) {
  auto claimed = store_->ClaimIntent(Intent("1"), "a", At(0), milliseconds(60'000));
  ASSERT_TRUE(claimed && claimed->has_value());
  const int64_t id = (*claimed)->id;
  ASSERT_TRUE(store_->DeferDelivery(id, At(2000), At(1)));
  EXPECT_TRUE(store_->ClaimDue("b", At(1000), milliseconds(60'000), 10)->empty());
  auto later = store_->ClaimDue("b", At(2000), milliseconds(60'000), 10);
  ASSERT_TRUE(later.has_value());
  ASSERT_EQ(later->size(), 1u);
  EXPECT_EQ(later->front().attempts, 0);
  EXPECT_EQ(later->front().last_error, "");
  ASSERT_TRUE(store_->CompleteDelivery(id, {"milvus", "m1"}, {}, At(2001)));
  EXPECT_EQ(store_->DeferDelivery(id, At(3000), At(2002)).error().code, ErrorCode::kNotFound);
}

TEST_P(StoreConformance, ConcurrentClaimersFromTwoConnectionsNeverShare) {
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(store_->RecordIntent(Intent(std::to_string(i)), At(0)));
  auto other = OpenStore(url_);
  ASSERT_TRUE(other.has_value());
  std::vector<int64_t> got_a, got_b;
  auto claim_all = [](Store& s, const char* worker, std::vector<int64_t>& out) {
    while (true) {
      auto batch = s.ClaimDue(worker, At(1), milliseconds(60'000), 7);
      ASSERT_TRUE(batch.has_value()) << batch.error().ToString();
      if (batch->empty()) return;
      for (const auto& d : *batch) out.push_back(d.id);
    }
  };
  std::thread ta([&] { claim_all(*store_, "a", got_a); });
  std::thread tb([&] { claim_all(**other, "b", got_b); });
  ta.join();
  tb.join();
  std::set<int64_t> all(got_a.begin(), got_a.end());
  all.insert(got_b.begin(), got_b.end());
  EXPECT_EQ(got_a.size() + got_b.size(), 200u);
  EXPECT_EQ(all.size(), 200u);
}

// A worker that died during an attempt may have had its write in flight: whoever takes the
// delivery over waits `settle` before it looks for the record, or it could miss a write that
// lands a moment later and make the record twice.
TEST_P(StoreConformance, AWriteInDoubtSettlesBeforeAnyoneLooksForIt) {
  const milliseconds settle(1000);
  const std::string gone = HostName() + ":999999999/poll";
  auto held = store_->ClaimIntent(Intent("1"), gone, At(0), milliseconds(600'000), settle);
  ASSERT_TRUE(held && held->has_value());
  ASSERT_TRUE(store_->BeginAttempt((*held)->id, At(1)));
  // The listing path leaves it to its retry, due a settle from now.
  auto listed = store_->ClaimIntent(Intent("1"), "next-run", At(10), milliseconds(600'000), settle);
  ASSERT_TRUE(listed.has_value()) << listed.error().ToString();
  EXPECT_FALSE(listed->has_value());
  auto waiting = **store_->GetDelivery((*held)->id);
  EXPECT_TRUE(waiting.claimed_by.empty());
  EXPECT_EQ(waiting.next_attempt_at, At(1010));
  EXPECT_EQ(waiting.settles_at, At(1010));
  EXPECT_TRUE(store_->ClaimDue("next-run", At(1009), milliseconds(1000), 10, "", settle)->empty());
  auto due = store_->ClaimDue("next-run", At(1010), milliseconds(1000), 10, "", settle);
  ASSERT_TRUE(due.has_value());
  ASSERT_EQ(due->size(), 1u);
  EXPECT_EQ(due->front().attempts, 1);
  // A worker elsewhere whose lease ran out during an attempt: the same, through ClaimDue.
  auto far = store_->ClaimIntent(Intent("2"), "elsewhere:1", At(0), milliseconds(100), settle);
  ASSERT_TRUE(far && far->has_value());
  ASSERT_TRUE(store_->BeginAttempt((*far)->id, At(1)));
  EXPECT_TRUE(store_->ClaimDue("next-run", At(2000), milliseconds(1000), 10, "", settle)->empty());
  EXPECT_EQ(store_->ClaimDue("next-run", At(3000), milliseconds(1000), 10, "", settle)->size(), 1u);
  // One that never began an attempt sent nothing: taken over at once.
  auto idle = store_->ClaimIntent(Intent("3"), gone, At(0), milliseconds(600'000), settle);
  ASSERT_TRUE(idle && idle->has_value());
  auto taken = store_->ClaimIntent(Intent("3"), "next-run", At(1), milliseconds(600'000), settle);
  ASSERT_TRUE(taken && taken->has_value());
}

// The writes of one customer to one system that may still land, found by its natural key; a
// failed attempt keeps until when its write may land, and a deferral never moves that back.
TEST_P(StoreConformance, WritesInDoubtAreFoundByNaturalKey) {
  auto intent = [&](const std::string& id, const std::string& key, const std::string& target) {
    DeliveryIntent i = Intent(id);
    i.natural_key = key;
    i.target_system = target;
    return i;
  };
  auto sent = *store_->ClaimIntent(intent("1", "11222333000181", "milvus"), "w", At(0), milliseconds(60'000));
  ASSERT_TRUE(sent);
  ASSERT_TRUE(store_->BeginAttempt(sent->id, At(1)));
  ASSERT_TRUE(store_->RetryDelivery(sent->id, "DEADLINE_EXCEEDED", At(5000), At(2), At(4000)));
  ASSERT_TRUE(store_->RecordIntent(intent("2", "11222333000181", "milvus"), At(0)));  // never attempted
  auto elsewhere = *store_->ClaimIntent(intent("3", "11222333000181", "erp"), "w", At(0), milliseconds(60'000));
  ASSERT_TRUE(store_->BeginAttempt(elsewhere->id, At(1)));
  auto found = store_->WritesInDoubt("milvus", "11222333000181", At(3), milliseconds(1000));
  ASSERT_TRUE(found.has_value()) << found.error().ToString();
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ(found->front().id, sent->id);
  EXPECT_EQ(found->front().intent.natural_key, "11222333000181");
  EXPECT_EQ(found->front().settles_at, At(4000));
  ASSERT_TRUE(store_->DeferDelivery(sent->id, At(6000), At(5000)));
  EXPECT_EQ((**store_->GetDelivery(sent->id)).settles_at, At(4000));
  // A delivery journaled before deliveries kept a key gets one.
  auto old = *store_->RecordIntent(Intent("4"), At(0));
  ASSERT_TRUE(store_->SetNaturalKey(old, "52998224725"));
  EXPECT_EQ((**store_->GetDelivery(old)).intent.natural_key, "52998224725");
  auto pending = store_->CountPending();
  ASSERT_TRUE(pending.has_value());
  EXPECT_EQ(pending->deliveries, 4);
  EXPECT_EQ(pending->next_due, At(0));
  EXPECT_EQ(store_->CountPending("no_such_route")->deliveries, 0);
}

// What a system pushed is kept until it was offered; a newer push of the same record replaces
// the waiting one, and one that arrives while the older is being offered is not lost.
TEST_P(StoreConformance, TheInboxKeepsTheNewestPushUntilItIsOffered) {
  InboxItem push{0, "erp", "message", "", "T1|D|000001|01", R"({"Name":"A"})"};
  auto id = store_->AppendInbox(push, At(0));
  ASSERT_TRUE(id.has_value()) << id.error().ToString();
  push.body = R"({"Name":"B"})";
  EXPECT_EQ(*store_->AppendInbox(push, At(1)), *id);
  ASSERT_TRUE(store_->AppendInbox({0, "ploomes", "webhook", "Tasks", "40500001", "{}"}, At(2)));
  EXPECT_EQ(*store_->CountInbox(), 2);
  auto first = store_->ClaimInbox("w1", At(3), milliseconds(60'000), 1);
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ(first->front().body, R"({"Name":"B"})");
  EXPECT_EQ(first->front().version, 2);
  // Claimed: another worker takes the next one only.
  auto second = *store_->ClaimInbox("w2", At(3), milliseconds(60'000), 10);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second.front().entity_set, "Tasks");
  // A newer push while w1 offers the older: w1's finish leaves it for the next claim.
  push.body = R"({"Name":"C"})";
  ASSERT_TRUE(store_->AppendInbox(push, At(4)));
  ASSERT_TRUE(store_->FinishInbox(first->front()));
  auto again = *store_->ClaimInbox("w1", At(5), milliseconds(60'000), 10);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again.front().body, R"({"Name":"C"})");
  ASSERT_TRUE(store_->FinishInbox(again.front()));
  // Its source could not be read: again at the time given, with the error kept.
  ASSERT_TRUE(store_->RetryInbox(second.front().id, "UNAVAILABLE: ploomes", At(10'000)));
  EXPECT_TRUE(store_->ClaimInbox("w2", At(9'999), milliseconds(60'000), 10)->empty());
  auto listed = *store_->ListInbox(10);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed.front().attempts, 1);
  EXPECT_EQ(listed.front().last_error, "UNAVAILABLE: ploomes");
  // A worker gone from this host: its claim is taken back at once.
  const std::string gone = HostName() + ":999999999/webhook";
  ASSERT_EQ(store_->ClaimInbox(gone, At(10'000), milliseconds(600'000), 10)->size(), 1u);
  auto retaken = *store_->ClaimInbox("w3", At(10'001), milliseconds(600'000), 10);
  ASSERT_EQ(retaken.size(), 1u);
  ASSERT_TRUE(store_->FinishInbox(retaken.front()));
  EXPECT_EQ(*store_->CountInbox(), 0);
}

TEST_P(StoreConformance, CursorsRoundTrip) {
  EXPECT_FALSE(store_->GetCursor("tasks")->has_value());
  Cursor c{"tasks", "2026-11-23T13:15:00.120Z", {"40500001", "40500002"}, {}};
  ASSERT_TRUE(store_->SaveCursor(c, At(7)));
  auto got = **store_->GetCursor("tasks");
  EXPECT_EQ(got.value, c.value);
  EXPECT_EQ(got.boundary_ids, c.boundary_ids);
  EXPECT_EQ(got.updated_at, At(7));
  c.value = "2026-11-24T00:00:00.000Z";
  c.boundary_ids.clear();
  ASSERT_TRUE(store_->SaveCursor(c, At(8)));
  EXPECT_EQ((**store_->GetCursor("tasks")).value, c.value);
  EXPECT_TRUE((**store_->GetCursor("tasks")).boundary_ids.empty());
}

TEST_P(StoreConformance, TokenBucketIsSharedAndRefills) {
  // Capacity 2, one token a second.
  EXPECT_EQ(*store_->TakeToken("ploomes", "k1", 2, 1.0, At(0)), milliseconds(0));
  auto other = std::move(*OpenStore(url_));
  EXPECT_EQ(*other->TakeToken("ploomes", "k1", 2, 1.0, At(0)), milliseconds(0));
  auto wait = *store_->TakeToken("ploomes", "k1", 2, 1.0, At(0));
  EXPECT_GT(wait, milliseconds(900));
  EXPECT_LE(wait, milliseconds(1001));
  EXPECT_EQ(*store_->TakeToken("ploomes", "k1", 2, 1.0, At(1000)), milliseconds(0));
  // Another key has its own bucket.
  EXPECT_EQ(*store_->TakeToken("ploomes", "k2", 2, 1.0, At(1000)), milliseconds(0));
  // A 429 empties it: the next token is a refill away.
  ASSERT_TRUE(store_->DrainTokens("ploomes", "k2", At(1000)));
  EXPECT_GT(*store_->TakeToken("ploomes", "k2", 2, 1.0, At(1000)), milliseconds(900));
}

TEST_P(StoreConformance, SkipsAreRecordedReplacedAndCleared) {
  SystemRef task{"ploomes", "Task|40500001"};
  ASSERT_TRUE(store_->RecordSkip({"tasks", task, "task has no contact", At(1)}));
  ASSERT_TRUE(store_->RecordSkip({"tasks", task, "task has no configured tag", At(2)}));
  auto skips = *store_->FindSkips("Task|40500001");
  ASSERT_EQ(skips.size(), 1u);
  EXPECT_EQ(skips[0].reason, "task has no configured tag");
  ASSERT_TRUE(store_->ClearSkip("tasks", task));
  EXPECT_TRUE(store_->FindSkips("Task|40500001")->empty());
  auto id = *store_->RecordIntent(Intent("Task|40500001"), At(3));
  EXPECT_EQ(store_->FindDeliveries("Task|40500001")->at(0).id, id);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformance, ::testing::Values("sqlite", "postgres"),
                         [](const auto& param_info) { return param_info.param; });

TEST(StoreOpenTest, ErrorsSayWhatToFix) {
  auto bad = OpenStore("mysql://x");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("sqlite:PATH or postgres://"), std::string::npos);
  auto unreachable = OpenStore("postgres://ponte:s3cret@127.0.0.1:1/none?connect_timeout=2");
  ASSERT_FALSE(unreachable.has_value());
  EXPECT_EQ(unreachable.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(unreachable.error().message.find("s3cret"), std::string::npos)
      << unreachable.error().message;
  auto no_dir = OpenStore("sqlite:/nonexistent-dir/x.db");
  ASSERT_FALSE(no_dir.has_value());
  EXPECT_EQ(no_dir.error().code, ErrorCode::kUnavailable);
}

// Four workers started together on a new PostgreSQL schema: one migrates, the others wait for
// it, and every one opens the store.
TEST(StoreOpenTest, WorkersStartingTogetherOnAnEmptyPostgresAllOpenIt) {
  auto url = testing::NewPostgresDatabase();
  ASSERT_TRUE(url.has_value()) << url.error().ToString();
  std::vector<std::string> errors(4);
  std::vector<std::thread> workers;
  for (size_t i = 0; i < errors.size(); ++i) {
    workers.emplace_back([&, i] {
      auto store = OpenStore(*url);
      if (!store) errors[i] = store.error().ToString();
    });
  }
  for (auto& w : workers) w.join();
  for (const auto& e : errors) EXPECT_EQ(e, "");
  auto store = OpenStore(*url);
  ASSERT_TRUE(store.has_value());
  EXPECT_EQ(*(*store)->SchemaVersion(), 6);
}

TEST(StoreOpenTest, SqliteFileIsPrivate) {
  // A permissive umask must not matter: the de/para holds customers' CPF/CNPJ.
  const mode_t old_umask = ::umask(022);
  std::string path = testing::NewSqlitePath();
  auto store = OpenStore("sqlite:" + path);
  ASSERT_TRUE(store.has_value());
  ASSERT_TRUE((*store)->Link("CustomerVendor", {"ploomes", "1"}, {"milvus", "1"}, {"12345678909", "", ""}));
  for (const std::string& file : {path, path + "-wal", path + "-shm"}) {
    struct stat st;
    ASSERT_EQ(::stat(file.c_str(), &st), 0) << file;
    EXPECT_EQ(st.st_mode & 0777, 0600) << file;
  }
  ::umask(old_umask);
}

TEST(SystemRefTest, Parse) {
  auto r = SystemRef::Parse("protheus:01|01|000123");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->system, "protheus");
  EXPECT_EQ(r->internal_id, "01|01|000123");
  EXPECT_FALSE(SystemRef::Parse("nocolon").has_value());
  EXPECT_FALSE(SystemRef::Parse(":1").has_value());
  EXPECT_FALSE(SystemRef::Parse("ploomes:").has_value());
}

}  // namespace
}  // namespace ponte
