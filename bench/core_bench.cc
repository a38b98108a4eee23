// Core model throughput: documents, InternalIds and message validation per second. These are
// CPU-only, so they spend no API calls; the counter says so to keep every benchmark's report in
// the same shape (records/s and API calls per record).

#include <benchmark/benchmark.h>

#include "core/customer_vendor.h"
#include "core/document.h"
#include "core/internal_id.h"
#include "core/schema_validator.h"
#include "core/ticket.h"

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

// A customer as a sandbox run makes it: every field ponte fills, address and contacts included.
CustomerVendor FullCustomer() {
  CustomerVendor cv;
  cv.internal_id = "401234567";
  cv.name = "Padaria São João Comércio de Alimentos Ltda";
  cv.short_name = "Padaria São João";
  cv.document = *ParseDocument("12.345.678/0001-95");
  cv.email = "contato@padariasaojoao.com.br";
  cv.phone = "(11) 91234-5678";
  cv.home_page = "https://padariasaojoao.com.br";
  cv.comments = "Cliente desde 2019";
  cv.register_date = "2024-03-15";
  cv.address = {"Rua das Flores", "123", "Sala 4", "Centro", "São Paulo", "3550308", "SP", "01310100"};
  return cv;
}

Message FullTicket() {
  Ticket t{"40500001", "Task", "Entrega de equipamento", "Levar o forno até a loja", "401234567",
           "ENTREGA", "2026-11-23T13:15:00.000Z"};
  return NewMessage(kTicketTransaction, kTicketVersion, "ploomes", t.ToBusinessContent());
}

// What the pipeline pays per delivery: a message checked against its schema (envelope and
// BusinessContent). The JSON is built outside the loop, as the journal hands it over.
void BM_ValidateCustomerMessage(benchmark::State& state) {
  const Json json = NewMessage(kCustomerVendorTransaction, kCustomerVendorVersion, "ploomes",
                               FullCustomer().ToBusinessContent()).ToJson();
  if (!ValidateMessageJson(json)) state.SkipWithError("the benchmark's message is not valid");
  for (auto _ : state) benchmark::DoNotOptimize(ValidateMessageJson(json));
  Report(state);
}
BENCHMARK(BM_ValidateCustomerMessage);

void BM_ValidateTicketMessage(benchmark::State& state) {
  const Json json = FullTicket().ToJson();
  if (!ValidateMessageJson(json)) state.SkipWithError("the benchmark's message is not valid");
  for (auto _ : state) benchmark::DoNotOptimize(ValidateMessageJson(json));
  Report(state);
}
BENCHMARK(BM_ValidateTicketMessage);

// The whole step: the record becomes a message, its JSON, and is validated.
void BM_BuildAndValidateCustomerMessage(benchmark::State& state) {
  const CustomerVendor cv = FullCustomer();
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
