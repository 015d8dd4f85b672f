// SPDX-License-Identifier: AGPL-3.0-or-later
// The audit append alone (Store::appendAudit, hash-chained, group-committed) into a real
// SQLite file. Workload B audits every prefill read before it answers, so each answer waits
// for one of these; with one caller every append is its own fsync, with 32 (the harness's
// connections) the store folds the waiting entries into shared writes (`entries_per_fsync`).

#include <benchmark/benchmark.h>

#include "micro_support.h"

namespace relais::micro {
namespace {

using Run = PerRun<TempStore>;

void BM_AuditAppend(benchmark::State& state) {
    store::Store& store = *Run::get().store;
    store::AuditEntry entry;
    entry.client = "bench-portal";
    entry.subject_id = "0b6f2c3e-5f1d-4c8e-9a53-1d2e3f4a5b6c";
    entry.action = "prefill.read";
    entry.attributes =
        "given_name,family_name,birthdate,gender,birthplace,birthcountry,email,"
        "address";
    entry.procedure = "cantine";
    entry.purpose = "Pré-remplir l'inscription à la restauration scolaire";
    entry.outcome = "allowed";
    store::DatabaseStats before;
    if (state.thread_index() == 0) before = store.database().stats();
    for (auto _ : state) {
        if (auto appended = store.appendAudit(entry); !appended) {
            state.SkipWithError(appended.error().message.c_str());
            break;
        }
    }
    state.SetItemsProcessed(state.iterations());
    if (state.thread_index() == 0) {
        const auto fsyncs = static_cast<double>(store.database().stats().commits - before.commits);
        state.counters["fsyncs"] = fsyncs;
        state.counters["entries_per_fsync"] =
            fsyncs > 0 ? static_cast<double>(state.iterations() * state.threads()) / fsyncs : 0.0;
    }
}
BENCHMARK(BM_AuditAppend)->Threads(1)->UseRealTime()->Setup(Run::open)->Teardown(Run::close);
BENCHMARK(BM_AuditAppend)->Threads(32)->UseRealTime()->Setup(Run::open)->Teardown(Run::close);

}  // namespace
}  // namespace relais::micro

BENCHMARK_MAIN();
