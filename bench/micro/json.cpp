// SPDX-License-Identifier: AGPL-3.0-or-later
// JSON parse and serialise of the workload's 3 KB dossier through the core's facade
// (relais/sdk/json.h). Workload A parses every POSTed body once and serialises at least
// twice (the stored fields and the mapped payload), so at the harness's rates these run
// thousands of times a second on the same 2 cores as the store's writer; the figures here
// are the per-request floor of that work and the basis for choosing the JSON library.

#include "relais/sdk/json.h"

#include <string>

#include <benchmark/benchmark.h>

#include "micro_support.h"

namespace relais::micro {
namespace {

void BM_JsonParseDossier(benchmark::State& state) {
    const std::string& text = dossierText();
    for (auto _ : state) {
        auto parsed = sdk::Json::parse(text);
        if (!parsed) state.SkipWithError(parsed.error().message.c_str());
        benchmark::DoNotOptimize(parsed);
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_JsonParseDossier);

void BM_JsonDumpDossier(benchmark::State& state) {
    const sdk::Json value = sdk::Json::parse(dossierText()).value();
    std::size_t bytes = 0;
    for (auto _ : state) {
        std::string text = value.dump();
        bytes += text.size();
        benchmark::DoNotOptimize(text);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_JsonDumpDossier);

// dumpTo into a buffer kept across iterations: what a hot path that reuses its buffer pays.
void BM_JsonDumpToReusedBuffer(benchmark::State& state) {
    const sdk::Json value = sdk::Json::parse(dossierText()).value();
    std::string out;
    std::size_t bytes = 0;
    for (auto _ : state) {
        out.clear();
        value.dumpTo(out);
        bytes += out.size();
        benchmark::DoNotOptimize(out.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_JsonDumpToReusedBuffer);

}  // namespace
}  // namespace relais::micro

BENCHMARK_MAIN();
