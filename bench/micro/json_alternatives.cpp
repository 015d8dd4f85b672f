// SPDX-License-Identifier: AGPL-3.0-or-later
// The same parse and serialise of the workload's dossier as json.cpp, with the JSON
// libraries Debian offers besides the facade's own code: RapidJSON, nlohmann-json and
// Poco::JSON (already a dependency). Issue 14 asks for the library behind the facade to be
// chosen by these figures; this file measures, it changes nothing in the facade. Built
// only when rapidjson-dev and nlohmann-json3-dev are installed.

#include <sstream>
#include <string>

#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>
#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "micro_support.h"

namespace relais::micro {
namespace {

std::int64_t dossierBytes(const benchmark::State& state) {
    return state.iterations() * static_cast<std::int64_t>(dossierText().size());
}

void BM_RapidJsonParseDossier(benchmark::State& state) {
    const std::string& text = dossierText();
    for (auto _ : state) {
        rapidjson::Document document;
        document.Parse(text.data(), text.size());
        if (document.HasParseError()) state.SkipWithError("rapidjson: parse error");
        benchmark::DoNotOptimize(document);
    }
    state.SetBytesProcessed(dossierBytes(state));
}
BENCHMARK(BM_RapidJsonParseDossier);

void BM_RapidJsonDumpDossier(benchmark::State& state) {
    rapidjson::Document document;
    document.Parse(dossierText().data(), dossierText().size());
    for (auto _ : state) {
        rapidjson::StringBuffer buffer;
        rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
        document.Accept(writer);
        std::string text(buffer.GetString(), buffer.GetSize());
        benchmark::DoNotOptimize(text);
    }
    state.SetBytesProcessed(dossierBytes(state));
}
BENCHMARK(BM_RapidJsonDumpDossier);

void BM_NlohmannParseDossier(benchmark::State& state) {
    const std::string& text = dossierText();
    for (auto _ : state) {
        auto value = nlohmann::json::parse(text);
        benchmark::DoNotOptimize(value);
    }
    state.SetBytesProcessed(dossierBytes(state));
}
BENCHMARK(BM_NlohmannParseDossier);

void BM_NlohmannDumpDossier(benchmark::State& state) {
    const auto value = nlohmann::json::parse(dossierText());
    for (auto _ : state) {
        std::string text = value.dump();
        benchmark::DoNotOptimize(text);
    }
    state.SetBytesProcessed(dossierBytes(state));
}
BENCHMARK(BM_NlohmannDumpDossier);

void BM_PocoJsonParseDossier(benchmark::State& state) {
    const std::string& text = dossierText();
    for (auto _ : state) {
        Poco::JSON::Parser parser;
        Poco::Dynamic::Var value = parser.parse(text);
        benchmark::DoNotOptimize(value);
    }
    state.SetBytesProcessed(dossierBytes(state));
}
BENCHMARK(BM_PocoJsonParseDossier);

void BM_PocoJsonDumpDossier(benchmark::State& state) {
    Poco::JSON::Parser parser;
    const Poco::Dynamic::Var value = parser.parse(dossierText());
    for (auto _ : state) {
        std::ostringstream out;
        Poco::JSON::Stringifier::condense(value, out);
        std::string text = out.str();
        benchmark::DoNotOptimize(text);
    }
    state.SetBytesProcessed(dossierBytes(state));
}
BENCHMARK(BM_PocoJsonDumpDossier);

}  // namespace
}  // namespace relais::micro

BENCHMARK_MAIN();
