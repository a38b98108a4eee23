// Core model throughput: documents, InternalIds and message validation per second. These are
// CPU-only, so they spend no API calls; the counter says so to keep every benchmark's report in
// the same shape (records/s and API calls per record).

#include <benchmark/benchmark.h>

#include "core/customer_vendor.h"
#include "core/document.h"
#include "core/internal_id.h"
#include "core/schema_validator.h"

namespace ponte {
namespace {

void Report(benchmark::State& state) {
  state.counters["records_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["api_calls_per_record"] = 0;
}

void BM_ParseDocument(benchmark::State& state) {
  const char* values[] = {"123.456.789-09", "12.345.678/0001-95", "12.ABC.345/01DE-35",
                          "1234567890"};
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(ParseDocument(values[i++ % 4]));
  Report(state);
}
BENCHMARK(BM_ParseDocument);

void BM_InternalIdRoundTrip(benchmark::State& state) {
  std::vector<std::string> parts = {"50", "10", "123456"};
  for (auto _ : state) {
    auto id = ComposeInternalId(parts);
    benchmark::DoNotOptimize(SplitInternalId(*id));
  }
  Report(state);
}
BENCHMARK(BM_InternalIdRoundTrip);

void BM_BuildAndValidateCustomerMessage(benchmark::State& state) {
  CustomerVendor cv;
  cv.internal_id = "401234567";
  cv.name = "Padaria São João Ltda";
  cv.document = *ParseDocument("12.345.678/0001-95");
  cv.address.zip_code = "01310100";
  for (auto _ : state) {
    Message m = NewMessage(kCustomerVendorTransaction, kCustomerVendorVersion, "ploomes",
                           cv.ToBusinessContent());
    benchmark::DoNotOptimize(ValidateMessage(m));
  }
  Report(state);
}
BENCHMARK(BM_BuildAndValidateCustomerMessage);

}  // namespace
}  // namespace ponte
