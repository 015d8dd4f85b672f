// SPDX-License-Identifier: AGPL-3.0-or-later
// The prefill lookup of workload B: the subjects are imported as bench/relais-bench.sh
// imports them (`relais subjects import`: resolved, sealed with AES-256-GCM, recorded), under
// the benchmark's own config (bench/relais-bench.xml.in, contract "cantine-identite"), then
// each iteration is one PrefillService::prefill call, the function behind
// GET /v1/prefill/{procedure}: the contract check, the subject's current values read and
// unsealed, and the audit entry appended (and durable) before the answer. This is the whole
// of B's work but the HTTP exchange and the answer's serialisation.

#include "relais/subjects/prefill.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "relais/config/config.h"
#include "relais/config/secrets.h"
#include "relais/host/http_client.h"
#include "relais/host/services.h"
#include "relais/log/log.h"
#include "relais/metrics/registry.h"
#include "relais/plugin/instance.h"
#include "relais/plugin/library.h"
#include "relais/subjects/attribute_key_ring.h"
#include "relais/subjects/vault.h"

#include "data_commands.h"
#include "micro_support.h"

namespace relais::micro {
namespace {

/// Subjects in the store: the harness's 10,000, or a handful for the smoke run.
std::size_t subjectCount() { return smokeRun() ? 16 : 10'000; }

/// A FranceConnect-style pairwise `sub` (64 hex characters and `v1`), distinct per index.
std::string subOf(std::size_t index) {
    std::string sub;
    std::uint64_t x = 0x9e3779b97f4a7c15ULL * (index + 1);
    for (int part = 0; part < 4; ++part) {
        x ^= x >> 31;
        x *= 0xbf58476d1ce4e5b9ULL;
        char hex[17];
        std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(x));
        sub += hex;
    }
    return sub + "v1";
}

/// One record in the userinfo shape of shared/bench/gen-prefill.js (8 attributes, ~370 bytes).
std::string recordOf(const std::string& sub, std::size_t index) {
    std::ostringstream out;
    out << R"({"sub":")" << sub << R"(","given_name":"Thomas Jérôme","family_name":"BERTRAND",)"
        << R"("birthdate":"1980-06-26","gender":"male","birthplace":"49007",)"
        << R"("birthcountry":"99100","email":"thomas.bertrand.)" << index << R"(@example.fr",)"
        << R"("address":{"street_address":"149 place de la République","postal_code":"67000",)"
        << R"("locality":"Strasbourg","country":"FR"}})";
    return out.str();
}

/// The daemon's parts that the prefill route uses, over the benchmark config.
struct PrefillBench {
    PrefillBench();

    test::TempDir dir;
    std::shared_ptr<const config::Config> config;
    std::vector<std::string> subs;
    std::unique_ptr<log::Sink> sink;
    std::unique_ptr<log::Logger> logger;
    metrics::Registry metrics;
    host::SystemClock clock;
    std::unique_ptr<config::SecretResolver> secrets;
    std::unique_ptr<sdk::HttpClient> http;
    std::unique_ptr<host::Services> services;
    plugin::Registry plugins;
    std::unique_ptr<plugin::InstanceManager> instances;
    std::unique_ptr<store::Store> store;
    std::unique_ptr<subjects::KeyRing> keys;
    std::unique_ptr<subjects::AttributeVault> vault;
    std::unique_ptr<subjects::PrefillService> prefill;
};

std::string benchConfig(const std::string& dir) {
    std::string xml = test::readSourceFile("bench/relais-bench.xml.in");
    const auto replace = [&xml](const std::string& from, const std::string& to) {
        for (auto at = xml.find(from); at != std::string::npos; at = xml.find(from, at)) {
            xml.replace(at, from.size(), to);
            at += to.size();
        }
    };
    replace("@MODE@", "async");
    replace("@BACKOFFICE_URL@", "http://127.0.0.1:9/api/v1/inscriptions");
    replace("@DIR@", dir);
    replace("@ROOT@", RELAIS_SOURCE_DIR);
    replace("@RESPONSE@", "");
    return xml;
}

PrefillBench::PrefillBench() {
    // The client's key is only read to be hashed; its value does not matter here.
    ::setenv("RELAIS_BENCH_KEY", "micro-benchmark-key-0123456789abcdef", 0);
    const std::string xml = benchConfig(dir.path());
    config = config::parseConfig(xml, dir.write("relais.xml", xml));
    std::ostringstream out;
    std::ostringstream err;
    if (app::runKeygen(dir.file("attributes.key"), out, err) != 0) {
        throw std::runtime_error("keygen: " + err.str());
    }
    std::string records = "{";
    for (std::size_t i = 0; i < subjectCount(); ++i) {
        subs.push_back(subOf(i));
        records += (i == 0 ? "\"" : ",\"") + subs.back() + "\":" + recordOf(subs.back(), i);
    }
    const std::string file = dir.write("prefill-store.json", records + "}");
    if (app::runSubjectsImport(*config, {file, "franceconnect", 600}, out, err) != 0) {
        throw std::runtime_error("subjects import: " + err.str());
    }

    sink = std::make_unique<log::Sink>(dir.file("relais.log"));
    logger = std::make_unique<log::Logger>(*sink, "core", sdk::LogLevel::Warn);
    secrets = std::make_unique<config::SecretResolver>(config->base_dir);
    http = host::makeHttpClient();
    services = std::make_unique<host::Services>(host::Services{
        *sink, metrics, clock, *http, *secrets, config->data_directory, sdk::LogLevel::Warn});
    instances = std::make_unique<plugin::InstanceManager>(plugins, *services);
    store = store::Store::open(config->store);
    std::vector<subjects::KeySpec> specs;
    for (const auto& key : config->attributes.keys) specs.push_back({key.id, key.file});
    keys = std::make_unique<subjects::KeyRing>(
        subjects::KeyRing::load(specs, config->attributes.current_key));
    vault = std::make_unique<subjects::AttributeVault>(*store, *keys);
    prefill = std::make_unique<subjects::PrefillService>(*config, *store, *vault, *instances, clock,
                                                         *logger, metrics);
}

using Run = PerRun<PrefillBench>;

void BM_PrefillLookup(benchmark::State& state) {
    PrefillBench& bench = Run::get();
    subjects::PrefillRequest request;
    request.client = "bench-portal";
    request.procedure = "cantine";
    // The harness's key order: stride 7919 from offset thread × 5003.
    std::size_t position = static_cast<std::size_t>(state.thread_index()) * 5003;
    for (auto _ : state) {
        request.subject.fc_sub = bench.subs[position % bench.subs.size()];
        position += 7919;
        auto result = bench.prefill->prefill(request);
        if (!result || result->attributes.size() != 8) {
            state.SkipWithError(result ? "not every attribute served"
                                       : result.error().message.c_str());
            break;
        }
        benchmark::DoNotOptimize(result);
    }
    state.SetItemsProcessed(state.iterations());
    if (state.thread_index() == 0) {
        state.counters["subjects"] = static_cast<double>(bench.subs.size());
    }
}
BENCHMARK(BM_PrefillLookup)->Threads(1)->UseRealTime()->Setup(Run::open)->Teardown(Run::close);
BENCHMARK(BM_PrefillLookup)->Threads(32)->UseRealTime()->Setup(Run::open)->Teardown(Run::close);

}  // namespace
}  // namespace relais::micro

BENCHMARK_MAIN();
