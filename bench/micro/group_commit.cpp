// SPDX-License-Identifier: AGPL-3.0-or-later
// One group commit: 32 writer threads (the harness's 32 connections, each a request waiting
// for its dossier to be durable) each ingest the workload's dossier with one delivery job,
// as workload A does for every POST, into a real SQLite file (WAL, synchronous=FULL, a real
// fsync per commit). Reports dossiers/s and how many writes share one fsync
// (`writes_per_fsync`, from the engine's own transaction and commit counters): the store's
// writer is today's ceiling for workload A, and this is the figure the batching must raise.

#include <atomic>
#include <string>

#include <benchmark/benchmark.h>

#include "relais/store/store.h"

#include "micro_support.h"

namespace relais::micro {
namespace {

constexpr int kWriters = 32;

/// The store of one run and the source keys handed out to its writers.
struct Shared : TempStore {
    std::atomic<std::int64_t> next_key{0};
};
using Run = PerRun<Shared>;

store::IngestRequest workloadRequest() {
    store::IngestRequest request;
    request.dossier = workloadDossier();
    request.raw_body = dossierText();
    request.raw_content_type = "application/json";
    store::NewJob job;
    job.route = "cantine";
    job.target = "backoffice";
    request.jobs.push_back(job);
    return request;
}

void BM_GroupCommitIngest(benchmark::State& state) {
    Shared& run = Run::get();
    const store::IngestRequest prototype = workloadRequest();
    // Thread 0 reads the counters before the start barrier and after the stop barrier, so
    // the difference covers exactly the writes of this run.
    store::DatabaseStats before;
    if (state.thread_index() == 0) before = run.store->database().stats();
    for (auto _ : state) {
        store::IngestRequest request = prototype;
        request.dossier.source_key = "RS-" + std::to_string(run.next_key++);
        auto outcome = run.store->ingest(std::move(request));
        if (!outcome) {
            state.SkipWithError(outcome.error().message.c_str());
            break;
        }
    }
    state.SetItemsProcessed(state.iterations());
    if (state.thread_index() == 0) {
        const store::DatabaseStats after = run.store->database().stats();
        const auto writes = static_cast<double>(after.transactions - before.transactions);
        const auto fsyncs = static_cast<double>(after.commits - before.commits);
        state.counters["fsyncs"] = fsyncs;
        state.counters["writes_per_fsync"] = fsyncs > 0 ? writes / fsyncs : 0.0;
    }
}
BENCHMARK(BM_GroupCommitIngest)
    ->Threads(kWriters)
    ->UseRealTime()
    ->Setup(Run::open)
    ->Teardown(Run::close);

// The same with one writer: the fsync-per-dossier floor the group commit is measured against.
BENCHMARK(BM_GroupCommitIngest)->Threads(1)->UseRealTime()->Setup(Run::open)->Teardown(Run::close);

}  // namespace
}  // namespace relais::micro

BENCHMARK_MAIN();
