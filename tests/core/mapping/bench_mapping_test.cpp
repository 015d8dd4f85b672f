// SPDX-License-Identifier: AGPL-3.0-or-later
// The benchmark mapping (bench/WORKLOAD.md, workload A) as shipped in
// mappings/examples/cantine-backoffice.xml.

#include <atomic>
#include <chrono>
#include <cstdio>
#include <set>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <time.h>

#include "mapping_test_support.h"

namespace relais::mapping::test {
namespace {

using ::testing::HasSubstr;

const std::string& benchMappingPath() {
    static const std::string path =
        std::string(RELAIS_SOURCE_DIR) + "/mappings/examples/cantine-backoffice.xml";
    return path;
}

sdk::Dossier benchDossier() {
    return dossierWith(relais::test::readSourceFile("tests/fixtures/bench/dossier.json"));
}

// Every member path of `value` (`a.b`, `children[1].x`), for a readable diff.
void collectPaths(const sdk::Json& value, const std::string& prefix, std::set<std::string>& out) {
    if (const auto* object = value.objectIf()) {
        for (const auto& member : *object) {
            const std::string path = prefix.empty() ? member.key : prefix + "." + member.key;
            out.insert(path);
            collectPaths(member.value, path, out);
        }
    } else if (const auto* array = value.arrayIf()) {
        for (std::size_t i = 0; i < array->size(); ++i) {
            const std::string path = prefix + "[" + std::to_string(i) + "]";
            out.insert(path);
            collectPaths((*array)[i], path, out);
        }
    }
}

TEST(BenchMapping, ProducesTheExpectedBackofficeDocumentExactly) {
    const auto mapping = Mapping::load(benchMappingPath());
    ASSERT_EQ(mapping->format(), OutputFormat::Json);
    const sdk::Json actual = applyJson(*mapping, benchDossier());
    const sdk::Json expected =
        json(relais::test::readSourceFile("tests/fixtures/bench/expected-backoffice.json"));
    EXPECT_EQ(actual, expected) << actual.dump(2);

    std::set<std::string> actual_paths;
    std::set<std::string> expected_paths;
    collectPaths(actual, "", actual_paths);
    collectPaths(expected, "", expected_paths);
    for (const auto& path : actual_paths) {
        EXPECT_TRUE(expected_paths.count(path) != 0) << "extra key " << path;
    }
    for (const auto& path : expected_paths) {
        EXPECT_TRUE(actual_paths.count(path) != 0) << "missing key " << path;
    }
    // Types survive: the quotient stays a number, false stays false.
    EXPECT_TRUE(actual.path("household.familyQuotient")->isInt());
    EXPECT_TRUE(actual.path("children[0].hasPai")->isBool());
}

TEST(BenchMapping, HasTwentyFiveRules) {
    // 13 top-level rules (12 fields and the concatenation) and two groups of 9 and 3.
    const auto mapping = Mapping::load(benchMappingPath());
    EXPECT_EQ(mapping->ruleCount(), 15U);
    const std::string text =
        relais::test::readSourceFile("mappings/examples/cantine-backoffice.xml");
    std::size_t rules = 0;
    for (const char* element : {"<field ", "<concat "}) {
        for (auto pos = text.find(element); pos != std::string::npos;
             pos = text.find(element, pos + 1)) {
            ++rules;
        }
    }
    EXPECT_EQ(rules, 25U);
}

TEST(BenchMapping, ABadChildDateNamesTheConcretePath) {
    const auto mapping = Mapping::load(benchMappingPath());
    sdk::Dossier dossier = benchDossier();
    dossier.fields["enfants"].arrayIf()->at(1).set("date_naissance", "2021-09-28");
    const sdk::Error error = applyError(*mapping, dossier);
    EXPECT_EQ(error.code, sdk::ErrorCode::InvalidArgument);
    EXPECT_EQ(error.field, "enfants[1].date_naissance");
    EXPECT_THAT(error.message, HasSubstr(kDossierId));
    EXPECT_THAT(error.message, HasSubstr("enfants[1].date_naissance"));
    EXPECT_THAT(error.message, HasSubstr("DD/MM/YYYY"));
    EXPECT_THAT(error.message, ::testing::Not(HasSubstr("2021-09-28")));
}

TEST(BenchMapping, RefusesImpossibleCalendarDates) {
    const auto mapping = Mapping::load(benchMappingPath());
    for (const char* bad : {"31/04/2026", "29/02/2027", "00/01/2026", "14/13/2026", "1/1/2026",
                            "14/11/26", " 14/11/2026", "14-11-2026"}) {
        sdk::Dossier dossier = benchDossier();
        dossier.fields.set("date_depot", bad);
        EXPECT_EQ(applyError(*mapping, dossier).field, "date_depot") << bad;
    }
    sdk::Dossier leap = benchDossier();
    leap.fields.set("date_depot", "29/02/2028");
    EXPECT_EQ(*applyJson(*mapping, leap).find("submittedOn"), sdk::Json("2028-02-29"));
}

TEST(BenchMapping, UnknownDietCodeGetsTheDefaultAndEmptyStaysEmpty) {
    const auto mapping = Mapping::load(benchMappingPath());
    sdk::Dossier dossier = benchDossier();
    auto& children = *dossier.fields["enfants"].arrayIf();
    children[0].set("regime_alimentaire", "HALAL");
    children[1].set("regime_alimentaire", "");
    const sdk::Json out = applyJson(*mapping, dossier);
    EXPECT_EQ(*out.path("children[0].dietCode"), sdk::Json("99"));
    EXPECT_EQ(out.path("children[1].dietCode"), nullptr);
}

TEST(BenchMapping, EightThreadsApplyingOneMappingGetIdenticalResults) {
    const auto mapping = Mapping::load(benchMappingPath());
    const sdk::Dossier dossier = benchDossier();
    sdk::Dossier bad = benchDossier();
    bad.fields["enfants"].arrayIf()->at(1).set("date_fin", "demain");
    const auto reference = mapping->apply(dossier);
    ASSERT_TRUE(reference.ok());
    const auto reference_error = mapping->apply(bad);
    ASSERT_FALSE(reference_error.ok());

    constexpr int kThreads = 8;
    constexpr int kRounds = 300;
    std::atomic<int> mismatches{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < kRounds; ++i) {
                const auto good = mapping->apply(dossier);
                if (!good.ok() || good->body != reference->body) ++mismatches;
                const auto error = mapping->apply(bad);
                if (error.ok() || error.error().field != reference_error.error().field ||
                    error.error().message != reference_error.error().message) {
                    ++mismatches;
                }
            }
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(mismatches.load(), 0);
}

double threadCpuMicros() {
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) * 1e6 + static_cast<double>(now.tv_nsec) / 1e3;
}

// Not a timing assertion: prints the cost of one apply on the benchmark dossier, as a note
// (wall time, and the thread's CPU time, which a busy machine disturbs less).
TEST(BenchMapping, ReportsTheCostOfOneApply) {
    const auto mapping = Mapping::load(benchMappingPath());
    const sdk::Dossier dossier = benchDossier();
    constexpr int kWarmUp = 200;
    constexpr int kRuns = 5000;
    std::size_t bytes = 0;
    for (int i = 0; i < kWarmUp; ++i) bytes += mapping->apply(dossier)->body.size();
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = threadCpuMicros();
    for (int i = 0; i < kRuns; ++i) {
        auto payload = mapping->apply(dossier);
        ASSERT_TRUE(payload.ok());
        bytes += payload->body.size();
    }
    const double cpu = threadCpuMicros() - cpu_start;
    const auto elapsed =
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start);
    std::printf(
        "[ note     ] cantine-backoffice apply(): %.2f us wall, %.2f us CPU per dossier "
        "(%d runs, %zu bytes out)\n",
        elapsed.count() / kRuns, cpu / kRuns, kRuns, bytes / (kWarmUp + kRuns));
    EXPECT_GT(bytes, 0U);
}

}  // namespace
}  // namespace relais::mapping::test
