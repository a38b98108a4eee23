// The store conformance suite, second half: claims and leases, writes in doubt, the inbox,
// cursors, shared rate buckets and skips, on SQLite and on a real PostgreSQL server.

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

class StoreClaims : public StoreConformance {};

TEST_P(StoreClaims, ClaimsAreExclusiveAndLeasesExpire) {
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

TEST_P(StoreClaims, ClaimsHonourNextAttemptTime) {
  auto id = *store_->RecordIntent(Intent("1"), At(0));
  ASSERT_TRUE(store_->RetryDelivery(id, "busy", At(5000), At(1)));
  EXPECT_TRUE(store_->ClaimDue("w", At(4999), milliseconds(10), 10)->empty());
  EXPECT_EQ(store_->ClaimDue("w", At(5000), milliseconds(10), 10)->size(), 1u);
}

TEST_P(StoreClaims, ClaimsCanBeLimitedToARoute) {
  ASSERT_TRUE(store_->RecordIntent(Intent("1"), At(0)));
  DeliveryIntent other = Intent("2");
  other.route = "tasks_ploomes_to_milvus";
  ASSERT_TRUE(store_->RecordIntent(other, At(0)));
  auto tasks = *store_->ClaimDue("w", At(1), milliseconds(10), 10, "tasks_ploomes_to_milvus");
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].intent.origin.internal_id, "2");
}

TEST_P(StoreClaims, ClaimIntentGivesARecordToOneWorkerAtATime) {
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

TEST_P(StoreClaims, ConcurrentClaimIntentsOfOneRecordPickOneWorker) {
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

TEST_P(StoreClaims, OneWorkerPollsARouteAtATime) {
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
TEST_P(StoreClaims, ClaimsOfAWorkerGoneFromThisHostAreTakenBackAtOnce) {
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
TEST_P(StoreClaims, ADeferredDeliveryComesBackLaterUncounted) {
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

TEST_P(StoreClaims, ConcurrentClaimersFromTwoConnectionsNeverShare) {
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
TEST_P(StoreClaims, AWriteInDoubtSettlesBeforeAnyoneLooksForIt) {
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
TEST_P(StoreClaims, WritesInDoubtAreFoundByNaturalKey) {
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
TEST_P(StoreClaims, TheInboxKeepsTheNewestPushUntilItIsOffered) {
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

TEST_P(StoreClaims, CursorsRoundTrip) {
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

TEST_P(StoreClaims, TokenBucketIsSharedAndRefills) {
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

TEST_P(StoreClaims, SkipsAreRecordedReplacedAndCleared) {
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

INSTANTIATE_TEST_SUITE_P(Backends, StoreClaims, ::testing::Values("sqlite", "postgres"),
                         [](const auto& param_info) { return param_info.param; });


}  // namespace
}  // namespace ponte
