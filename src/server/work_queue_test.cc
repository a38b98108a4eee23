#include "server/work_queue.h"

#include <gtest/gtest.h>

#include <thread>

namespace ponte::server {
namespace {

WorkItem Record(const std::string& route) { return {WorkItem::Kind::kDue, route, {}}; }

TEST(WorkQueue, AQueuedItemIsNotQueuedTwice) {
  WorkQueue q(10);
  EXPECT_EQ(q.Enqueue(Record("1")), WorkQueue::Push::kQueued);
  EXPECT_EQ(q.Enqueue(Record("1")), WorkQueue::Push::kAlreadyQueued);
  EXPECT_EQ(q.Enqueue(Record("2")), WorkQueue::Push::kQueued);
  EXPECT_EQ(q.Enqueue({WorkItem::Kind::kInbox, "", {}}), WorkQueue::Push::kQueued);
  EXPECT_EQ(q.Enqueue({WorkItem::Kind::kInbox, "", {}}), WorkQueue::Push::kAlreadyQueued);
  EXPECT_EQ(q.size(), 3u);
  EXPECT_EQ(q.Take()->route, "1");
  // Once taken, it is new work (the deliveries may have changed again).
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
