// SPDX-License-Identifier: AGPL-3.0-or-later
// The benchmark route's mapping (mappings/examples/cantine-backoffice.xml, named by
// bench/relais-bench.xml.in: the 25 rules of WORKLOAD.md, 15 at the top level once the two
// array groups count as one each) applied to the workload's dossier. Workload A maps every
// dossier once before delivery (sync: inside the request), so its cost adds to every
// answer's latency and to the CPU shared with the writer thread.

#include "relais/mapping/mapping.h"

#include <memory>
#include <string>

#include <benchmark/benchmark.h>

#include "micro_support.h"

namespace relais::micro {
namespace {

void BM_MappingCantineBackoffice(benchmark::State& state) {
    const auto mapping = mapping::Mapping::load(std::string(RELAIS_SOURCE_DIR) +
                                                "/mappings/examples/cantine-backoffice.xml");
    const sdk::Dossier dossier = workloadDossier();
    std::size_t bytes = 0;
    for (auto _ : state) {
        auto payload = mapping->apply(dossier);
        if (!payload) {
            state.SkipWithError(payload.error().message.c_str());
            break;
        }
        bytes += payload->body.size();
        benchmark::DoNotOptimize(payload);
    }
    state.counters["top_level_rules"] = static_cast<double>(mapping->ruleCount());
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_MappingCantineBackoffice);

}  // namespace
}  // namespace relais::micro

BENCHMARK_MAIN();
