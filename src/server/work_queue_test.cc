#include "server/work_queue.h"

#include <gtest/gtest.h>

#include <thread>

namespace ponte::server {
namespace {

WorkItem Record(const std::string& id) { return {WorkItem::Kind::kRecord, "Tasks", id, "", {}}; }

TEST(WorkQueue, AQueuedRecordIsNotQueuedTwice) {
  WorkQueue q(10);
  EXPECT_EQ(q.Enqueue(Record("1")), WorkQueue::Push::kQueued);
  EXPECT_EQ(q.Enqueue(Record("1")), WorkQueue::Push::kAlreadyQueued);
  EXPECT_EQ(q.Enqueue(Record("2")), WorkQueue::Push::kQueued);
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(q.Take()->id, "1");
  // Once taken, a new event for it is new work (the record may have changed again).
  EXPECT_EQ(q.Enqueue(Record("1")), WorkQueue::Push::kQueued);
}

TEST(WorkQueue, IsBoundedAndClosable) {
  WorkQueue q(2);
  EXPECT_EQ(q.Enqueue(Record("1")), WorkQueue::Push::kQueued);
  EXPECT_EQ(q.Enqueue(Record("2")), WorkQueue::Push::kQueued);
  EXPECT_EQ(q.Enqueue(Record("3")), WorkQueue::Push::kFull);
  std::thread waiter([&] {
    while (q.Take()) {
    }
  });
  q.Close();
  waiter.join();
  EXPECT_EQ(q.Enqueue(Record("4")), WorkQueue::Push::kClosed);
}

}  // namespace
}  // namespace ponte::server
