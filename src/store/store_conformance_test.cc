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
#include "store/store_conformance.h"
#include "support/temp_postgres.h"

namespace ponte {
namespace {

using namespace store_test;
using std::chrono::milliseconds;

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
