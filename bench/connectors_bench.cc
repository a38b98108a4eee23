// Mapping throughput (records/s) of both connectors, and HTTP requests/s against the sandbox
// with limits off. Mappings spend no API calls; the HTTP benchmark spends exactly one per
// request, and says so.

#include <benchmark/benchmark.h>

#include "connectors/milvus/milvus_mapping.h"
#include "connectors/ploomes/ploomes_connector.h"
#include "connectors/ploomes/ploomes_mapping.h"
#include "net/http_client.h"
#include "sandbox/sandbox.h"

namespace ponte {
namespace {

const nlohmann::json kContact = nlohmann::json::parse(R"({
  "Id": 40100007, "TypeId": 1, "Name": "Padaria São João", "LegalName": "Padaria São João Ltda",
  "CNPJ": "12.345.678/0001-95", "Email": "contato@sj.com.br", "StreetAddress": "Av. Paulista",
  "StreetAddressNumber": "1000", "Neighborhood": "Bela Vista", "ZipCode": 1310100,
  "CreateDate": "2024-02-24T00:30:00-03:00", "LastUpdateDate": "2026-11-23T10:15:00.12-03:00",
  "Phones": [{"PhoneNumber": "(11) 3333-4444"}],
  "City": {"Name": "São Paulo", "IBGECode": 3550308}, "State": {"Short": "SP"}})");

void Report(benchmark::State& state, double calls_per_record) {
  state.counters["records_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  state.counters["api_calls_per_record"] = calls_per_record;
}

void BM_PloomesContactToCustomer(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(ploomes::ContactToCustomer(kContact));
  Report(state, 0);
}
BENCHMARK(BM_PloomesContactToCustomer);

void BM_CustomerToMilvusClient(benchmark::State& state) {
  auto cv = *ploomes::ContactToCustomer(kContact);
  for (auto _ : state) benchmark::DoNotOptimize(milvus::CustomerToClientCreate(cv, 1).dump());
  Report(state, 0);
}
BENCHMARK(BM_CustomerToMilvusClient);

void BM_SandboxContactPageOverHttp(benchmark::State& state) {
  sandbox::SandboxOptions o;
  o.port = 0;
  o.contacts = 300;
  o.ploomes_requests_per_minute = 0;
  auto sb = std::move(*sandbox::Sandbox::Start(o));
  auto transport = MakeCurlTransport();
  CallCounter calls;
  ApiClient api({"ploomes", sb->ploomes_url(), "User-Key", o.ploomes_key, "-"}, *transport, nullptr,
                calls, SystemClock::Get());
  for (auto _ : state) {
    auto r = api.Call({"GET", "GET /Contacts", "/Contacts?$top=10&$expand=Phones"});
    if (!r) state.SkipWithError(r.error().ToString().c_str());
  }
  state.counters["requests_per_second"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
  Report(state, 1);
}
BENCHMARK(BM_SandboxContactPageOverHttp)->UseRealTime();

}  // namespace
}  // namespace ponte
