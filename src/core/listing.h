#pragma once
// What a connector's listing yields to the sync engine: canonical records with the server's
// own timestamps (for cursors), the records it had to skip and why, and whether the listing saw
// everything (a cap or a page error makes it partial, and the cursor must not pass the gap).

#include <string>
#include <vector>

#include "core/time.h"

namespace ponte {

template <typename T>
struct SourceRecord {
  T record;
  std::string internal_id;  // in the source system
  Instant updated_at{};     // the server's LastUpdateDate (or equivalent)
  Instant created_at{};
  std::string token;  // a connector's second key, when it has one (a Milvus client's token)
};

struct SkippedRecord {
  std::string internal_id;
  std::string reason;  // what a person needs to fix it, e.g. "CNPJ '12.345' is not valid: ..."
};

template <typename T>
struct Listing {
  std::vector<SourceRecord<T>> records;
  std::vector<SkippedRecord> skipped;
  bool complete = true;
  std::string incomplete_reason;  // set when complete is false
  int pages = 0;
  // How far before its `since` a listing reads again (a connector's overlap): the caller keeps
  // the (id, time) pairs it read within this much of its newest record, to drop them next time.
  std::chrono::milliseconds reread{0};
};

}  // namespace ponte
