// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <memory>
#include <string>

#include <benchmark/benchmark.h>

#include "relais/sdk/dossier.h"
#include "relais/store/store.h"

#include "support/temp_dir.h"

/// @file
/// What the micro-benchmarks share: the workload's dossier, a store in a temporary
/// directory and the smoke switch.

namespace relais::micro {

/// True under ctest (RELAIS_MICRO_SMOKE set): the set-up is made small (few stored subjects)
/// so that the run only proves the benchmark works, under the sanitizers too. Alone, the
/// benchmark uses the workload's sizes.
bool smokeRun();

/// The 3,258-byte dossier of workload A (tests/fixtures/bench/dossier.json), as posted.
const std::string& dossierText();

/// That dossier as the JSON adapter hands it over (fields parsed, procedure `cantine`).
sdk::Dossier workloadDossier();

/// A store on a real SQLite file in a fresh temporary directory (removed with it), opened
/// as the daemon opens it (WAL, synchronous=FULL: every commit is a real fsync).
struct TempStore {
    TempStore();
    test::TempDir dir;
    std::unique_ptr<store::Store> store;
};

/// One `T` per benchmark run, shared by the run's threads: made by `open` (registered as the
/// benchmark's Setup, which Google Benchmark calls before it starts the threads) and dropped
/// by `close` (its Teardown, called once they have all stopped).
template <typename T>
class PerRun {
public:
    static T& get() { return *slot(); }
    static void open(const benchmark::State& /*state*/) { slot() = std::make_unique<T>(); }
    static void close(const benchmark::State& /*state*/) { slot().reset(); }

private:
    static std::unique_ptr<T>& slot() {
        static std::unique_ptr<T> instance;
        return instance;
    }
};

}  // namespace relais::micro
