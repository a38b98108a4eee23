// De/para at scale: imports N links (N/2 Ploomes<->Milvus pairs) into a store, then measures
// lookup latency by InternalId in both directions. Prints links/s, database size, p50/p99.
//
//   ponte_store_bench [LINKS] [STORE_URL]
//   defaults: 1,000,000 links into a temporary SQLite file; the figures use 10,000,000
//   on SQLite and 1,000,000 on PostgreSQL (bench/run passes PONTE_BENCH_LINKS and
//   PONTE_BENCH_PG_URL through).

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "store/store.h"

namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kBatch = 50'000;       // pairs per import transaction
constexpr int kLookups = 20'000;        // lookups per direction

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<size_t>(p * (v.size() - 1))];
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t links = argc > 1 ? std::atoll(argv[1]) : 1'000'000;
  std::string url = argc > 2 ? argv[2] : "";
  std::string path;
  if (url.empty()) {
    path = (std::filesystem::temp_directory_path() / fmt::format("ponte-bench-{}.db", getpid())).string();
    url = "sqlite:" + path;
  }
  auto store = ponte::OpenStore(url);
  if (!store) {
    fmt::print(stderr, "cannot open {}: {}\n", url, store.error().ToString());
    return 1;
  }
  const int64_t pairs = links / 2;
  auto start = Clock::now();
  for (int64_t base = 0; base < pairs; base += kBatch) {
    std::vector<ponte::Store::ImportPair> batch;
    for (int64_t i = base; i < std::min<int64_t>(pairs, base + kBatch); ++i) {
      batch.push_back({"CustomerVendor",
                       {"ploomes", std::to_string(40'000'000 + i)},
                       {"milvus", std::to_string(30'000 + i)},
                       {fmt::format("{:011d}", i), "", "bench"}});
    }
    if (auto s = (*store)->ImportLinks(batch); !s) {
      fmt::print(stderr, "import failed: {}\n", s.error().ToString());
      return 1;
    }
  }
  const double import_s = std::chrono::duration<double>(Clock::now() - start).count();
  std::mt19937_64 rng(1);
  std::uniform_int_distribution<int64_t> pick(0, pairs - 1);
  std::vector<double> forward, backward;
  for (int i = 0; i < kLookups; ++i) {
    const int64_t k = pick(rng);
    auto t0 = Clock::now();
    auto a = (*store)->Lookup("CustomerVendor", {"ploomes", std::to_string(40'000'000 + k)}, "milvus");
    auto t1 = Clock::now();
    auto b = (*store)->Lookup("CustomerVendor", {"milvus", std::to_string(30'000 + k)}, "ploomes");
    auto t2 = Clock::now();
    if (!a || !*a || !b || !*b) {
      fmt::print(stderr, "lookup {} failed\n", k);
      return 1;
    }
    forward.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    backward.push_back(std::chrono::duration<double, std::micro>(t2 - t1).count());
  }
  fmt::print("store: {}\n", (*store)->Describe());
  fmt::print("import: {} links in {:.1f} s = {:.0f} links/s\n", links, import_s, links / import_s);
  if (!path.empty()) {
    uintmax_t size = std::filesystem::file_size(path);
    std::error_code ec;
    size += std::filesystem::exists(path + "-wal") ? std::filesystem::file_size(path + "-wal", ec) : 0;
    fmt::print("database size: {:.1f} MiB ({:.0f} bytes per link)\n", size / 1048576.0,
               static_cast<double>(size) / links);
  }
  fmt::print("lookup ploomes->milvus: p50 {:.1f} us, p99 {:.1f} us\n", Percentile(forward, 0.5), Percentile(forward, 0.99));
  fmt::print("lookup milvus->ploomes: p50 {:.1f} us, p99 {:.1f} us\n", Percentile(backward, 0.5), Percentile(backward, 0.99));
  fmt::print("api_calls_per_record: 0 (local store)\nrecords_per_second: {:.0f} (import)\n", links / import_s);
  if (!path.empty()) {
    std::filesystem::remove(path);
    std::filesystem::remove(path + "-wal");
    std::filesystem::remove(path + "-shm");
  }
  return 0;
}
