// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/sdk/time_zone.h"

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>

#include <gtest/gtest.h>
#include <unistd.h>

namespace relais::sdk {
namespace {

constexpr int kHour = 3600;

// Sets an environment variable for one test and puts the previous value back. The tests of
// this binary run on one thread, so touching the environment is safe here (and only here).
class ScopedEnv {
public:
    ScopedEnv(const char* name, const std::string& value) : name_(name) {
        // NOLINTBEGIN(concurrency-mt-unsafe): single-threaded test process
        if (const char* previous = std::getenv(name)) saved_ = previous;
        ::setenv(name, value.c_str(), 1);
        ::tzset();
    }
    ~ScopedEnv() {
        if (saved_) {
            ::setenv(name_, saved_->c_str(), 1);
        } else {
            ::unsetenv(name_);
        }
        ::tzset();
        // NOLINTEND(concurrency-mt-unsafe)
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    const char* name_;
    std::optional<std::string> saved_;
};

std::string zoneDir() {
    const char* dir = std::getenv("TZDIR");  // NOLINT(concurrency-mt-unsafe)
    return dir != nullptr && dir[0] != '\0' ? dir : "/usr/share/zoneinfo";
}

std::string readFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Unix seconds of `hour`:00 UTC on a date.
std::int64_t fromUnixSecondsOf(std::int64_t year, unsigned month, unsigned day, int hour) {
    return daysFromCivil(year, month, day) * 86'400 + hour * kHour;
}

TimeZone mustLoad(std::string_view name) {
    auto zone = TimeZone::load(name);
    EXPECT_TRUE(zone) << zone.error().message;
    return zone ? *zone : TimeZone();
}

TEST(TimeZone, ParisChangesAtTheEuropeanTransitionsOf2026) {
    const TimeZone paris = mustLoad("Europe/Paris");
    EXPECT_EQ(paris.name(), "Europe/Paris");
    const std::int64_t spring = 1'774'746'000;  // 2026-03-29T01:00:00Z
    EXPECT_EQ(paris.offsetSecondsAt(spring - 1), kHour);
    EXPECT_EQ(paris.offsetSecondsAt(spring), 2 * kHour);
    const std::int64_t autumn = 1'792'890'000;  // 2026-10-25T01:00:00Z
    EXPECT_EQ(paris.offsetSecondsAt(autumn - 1), 2 * kHour);
    EXPECT_EQ(paris.offsetSecondsAt(autumn), kHour);
}

TEST(TimeZone, FarFutureFollowsTheFooterRule) {
    const TimeZone paris = mustLoad("Europe/Paris");
    EXPECT_EQ(paris.offsetSecondsAt(3'487'060'800), 2 * kHour);  // 2080-07-01T12:00Z
    EXPECT_EQ(paris.offsetSecondsAt(3'472'545'600), kHour);      // 2080-01-15T12:00Z
    // Last Sunday of March 2080 is the 31st: 01:00Z.
    const auto spring = fromUnixSecondsOf(2080, 3, 31, 1);
    EXPECT_EQ(paris.offsetSecondsAt(spring - 1), kHour);
    EXPECT_EQ(paris.offsetSecondsAt(spring), 2 * kHour);
}

TEST(TimeZone, UtcNeedsNoFileAndIsTheDefault) {
    ScopedEnv dir("TZDIR", "/nonexistent-zoneinfo");
    auto utc = TimeZone::load("UTC");
    ASSERT_TRUE(utc) << utc.error().message;
    EXPECT_EQ(utc->name(), "UTC");
    EXPECT_EQ(utc->offsetSecondsAt(1'782'864'000), 0);
    EXPECT_EQ(TimeZone().offsetSecondsAt(0), 0);
    EXPECT_EQ(TimeZone().name(), "UTC");
}

TEST(TimeZone, NewYorkKolkataAndLordHowe) {
    const TimeZone new_york = mustLoad("America/New_York");
    const std::int64_t spring = 1'772'953'200;  // 2026-03-08T07:00:00Z, 02:00 EST
    EXPECT_EQ(new_york.offsetSecondsAt(spring - 1), -5 * kHour);
    EXPECT_EQ(new_york.offsetSecondsAt(spring), -4 * kHour);
    const TimeZone kolkata = mustLoad("Asia/Kolkata");
    EXPECT_EQ(kolkata.offsetSecondsAt(1'782'864'000), 5 * kHour + 30 * 60);
    EXPECT_EQ(kolkata.offsetSecondsAt(3'487'060'800), 5 * kHour + 30 * 60);
    if (!std::filesystem::exists(zoneDir() + "/Australia/Lord_Howe")) {
        GTEST_SKIP() << "no Australia/Lord_Howe in " << zoneDir();
    }
    const TimeZone lord_howe = mustLoad("Australia/Lord_Howe");
    EXPECT_EQ(lord_howe.offsetSecondsAt(1'767'225'600), 11 * kHour);            // January
    EXPECT_EQ(lord_howe.offsetSecondsAt(1'782'864'000), 10 * kHour + 30 * 60);  // July
    EXPECT_EQ(lord_howe.offsetSecondsAt(3'472'545'600), 11 * kHour);            // 2080, footer
}

TEST(TimeZone, FromLocalReadsWallClockTimes) {
    const TimeZone paris = mustLoad("Europe/Paris");
    auto summer = paris.fromLocal({2026, 7, 14}, 10, 12, 44);
    ASSERT_TRUE(summer);
    EXPECT_EQ(summer->toString(), "2026-07-14T10:12:44+02:00");
    auto winter = paris.fromLocal({2026, 11, 30}, 10, 12, 44, 250'000);
    ASSERT_TRUE(winter);
    EXPECT_EQ(winter->toString(), "2026-11-30T10:12:44.25+01:00");
    EXPECT_EQ(winter->micros, 1'796'029'964LL * 1'000'000 + 250'000);
    auto kolkata = mustLoad("Asia/Kolkata").fromLocal({2026, 1, 1}, 0, 0, 0);
    ASSERT_TRUE(kolkata);
    EXPECT_EQ(kolkata->toUtcString(), "2025-12-31T18:30:00Z");
    EXPECT_EQ(kolkata->offset_minutes, 330);
}

TEST(TimeZone, FromLocalMovesGapTimesForwardByTheGap) {
    const TimeZone paris = mustLoad("Europe/Paris");
    auto gap = paris.fromLocal({2026, 3, 29}, 2, 30, 0);
    ASSERT_TRUE(gap);
    EXPECT_EQ(gap->toUtcString(), "2026-03-29T01:30:00Z");
    EXPECT_EQ(gap->toString(), "2026-03-29T03:30:00+02:00");
    auto before = paris.fromLocal({2026, 3, 29}, 1, 59, 59);
    ASSERT_TRUE(before);
    EXPECT_EQ(before->toString(), "2026-03-29T01:59:59+01:00");
    auto after = paris.fromLocal({2026, 3, 29}, 3, 0, 0);
    ASSERT_TRUE(after);
    EXPECT_EQ(after->toUtcString(), "2026-03-29T01:00:00Z");
}

TEST(TimeZone, FromLocalPicksTheFirstOccurrenceOfARepeatedTime) {
    const TimeZone paris = mustLoad("Europe/Paris");
    auto repeated = paris.fromLocal({2026, 10, 25}, 2, 30, 0);
    ASSERT_TRUE(repeated);
    EXPECT_EQ(repeated->toUtcString(), "2026-10-25T00:30:00Z");
    EXPECT_EQ(repeated->offset_minutes, 120);
    auto later = paris.fromLocal({2026, 10, 25}, 3, 0, 0);
    ASSERT_TRUE(later);
    EXPECT_EQ(later->toString(), "2026-10-25T03:00:00+01:00");
    // The same in the footer's years.
    auto far = paris.fromLocal({2080, 10, 27}, 2, 30, 0);
    ASSERT_TRUE(far);
    EXPECT_EQ(far->toString(), "2080-10-27T02:30:00+02:00");
}

TEST(TimeZone, FromLocalRefusesImpossibleTimes) {
    const TimeZone paris = mustLoad("Europe/Paris");
    EXPECT_FALSE(paris.fromLocal({2026, 2, 30}, 10, 0, 0));
    EXPECT_FALSE(paris.fromLocal({2026, 11, 30}, 24, 0, 0));
    EXPECT_FALSE(paris.fromLocal({2026, 11, 30}, 10, 60, 0));
    EXPECT_FALSE(paris.fromLocal({2026, 11, 30}, 10, 0, 60));
    EXPECT_FALSE(paris.fromLocal({2026, 11, 30}, 10, 0, 0, 1'000'000));
    EXPECT_FALSE(paris.fromLocal({10000, 1, 1}, 0, 0, 0));
}

TEST(TimeZone, RefusesUnknownZonesAndBadNames) {
    auto nowhere = TimeZone::load("Europe/Nowhere");
    ASSERT_FALSE(nowhere);
    EXPECT_EQ(nowhere.error().code, ErrorCode::NotFound);
    for (const char* name : {"../etc/passwd", "../../etc/passwd", "/etc/passwd", "Europe/../UTC",
                             "", "Europe//Paris", "Europe/", "Europe/Paris\n", "zone.tab"}) {
        auto zone = TimeZone::load(name);
        ASSERT_FALSE(zone) << name;
        EXPECT_EQ(zone.error().code, ErrorCode::InvalidArgument) << name;
    }
    EXPECT_FALSE(TimeZone::load("Europe"));  // a directory
}

TEST(TimeZone, RefusesATruncatedZoneFileNamingIt) {
    const std::string bytes = readFile(zoneDir() + "/Europe/Paris");
    ASSERT_GT(bytes.size(), 100U);
    const auto dir =
        std::filesystem::temp_directory_path() / ("relais-tz-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir / "Europe");
    {
        std::ofstream out(dir / "Europe" / "Paris", std::ios::binary);
        out << bytes.substr(0, bytes.size() / 2);
    }
    {
        ScopedEnv tzdir("TZDIR", dir.string());
        auto truncated = TimeZone::load("Europe/Paris");
        ASSERT_FALSE(truncated);
        EXPECT_EQ(truncated.error().code, ErrorCode::InvalidArgument);
        EXPECT_NE(truncated.error().message.find((dir / "Europe" / "Paris").string()),
                  std::string::npos)
            << truncated.error().message;
    }
    std::filesystem::remove_all(dir);
}

TEST(TimeZone, EveryPrefixAndByteFlipOfAZoneFileIsHandled) {
    const std::string bytes = readFile(zoneDir() + "/Europe/Paris");
    ASSERT_TRUE(TimeZone::parse(bytes, "Europe/Paris", "Paris"));
    for (std::size_t size = 0; size < bytes.size(); ++size) {
        EXPECT_FALSE(TimeZone::parse(bytes.substr(0, size), "Europe/Paris", "Paris")) << size;
    }
    // Flipped bytes may still parse; they must never crash and never loop.
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        std::string flipped = bytes;
        flipped[i] = static_cast<char>(flipped[i] ^ 0xff);
        auto zone = TimeZone::parse(flipped, "Europe/Paris", "Paris");
        if (zone) {
            (void)zone->offsetSecondsAt(1'782'864'000);
            (void)zone->fromLocal({2026, 3, 29}, 2, 30, 0);
        }
    }
}

TEST(TimeZone, FooterFormsJulianAndWithoutDaylightSaving) {
    // A minimal v2 file: no transitions, one type, the footer doing all the work.
    const auto file = [](std::string_view footer) {
        std::string header(44, '\0');
        header.replace(0, 5, "TZif2");
        header[39] = 1;            // low byte of typecnt
        header[43] = 4;            // low byte of charcnt
        std::string out = header;  // v1 block: one type, 4 designation bytes
        out += std::string(6, '\0') + "UTC" + '\0';
        out += header + std::string(6, '\0') + "UTC" + '\0';
        out += '\n' + std::string(footer) + '\n';
        return out;
    };
    auto plus3 = TimeZone::parse(file("<+03>-3"), "Test/Plus3", "plus3");
    ASSERT_TRUE(plus3) << plus3.error().message;
    EXPECT_EQ(plus3->offsetSecondsAt(1'782'864'000), 3 * kHour);
    // Jn never counts 29 February: J60 is 1 March; n counts it: 59 is 29 February in 2028.
    auto julian = TimeZone::parse(file("AAA0BBB,J60/0,J300/0"), "Test/Julian", "julian");
    ASSERT_TRUE(julian) << julian.error().message;
    const auto march_first_2028 = fromUnixSecondsOf(2028, 3, 1, 0);
    EXPECT_EQ(julian->offsetSecondsAt(march_first_2028 - 1), 0);
    EXPECT_EQ(julian->offsetSecondsAt(march_first_2028), kHour);
    auto zero = TimeZone::parse(file("AAA0BBB,59/0,300/0"), "Test/Zero", "zero");
    ASSERT_TRUE(zero) << zero.error().message;
    const auto leap_day_2028 = fromUnixSecondsOf(2028, 2, 29, 0);
    EXPECT_EQ(zero->offsetSecondsAt(leap_day_2028 - 1), 0);
    EXPECT_EQ(zero->offsetSecondsAt(leap_day_2028), kHour);
    // Southern hemisphere: DST across the new year.
    auto south = TimeZone::parse(file("AAA-10BBB,M10.1.0,M4.1.0/3"), "Test/South", "south");
    ASSERT_TRUE(south) << south.error().message;
    EXPECT_EQ(south->offsetSecondsAt(1'767'225'600), 11 * kHour);
    EXPECT_EQ(south->offsetSecondsAt(1'782'864'000), 10 * kHour);
    EXPECT_FALSE(TimeZone::parse(file("AAA0BBB,M13.1.0,M4.1.0"), "Test/Bad", "bad"));
    EXPECT_FALSE(TimeZone::parse(file("A0"), "Test/Bad", "bad"));
}

// The independent check: the C library's reading of the same zones, hour by hour.
TEST(TimeZone, AgreesWithTheCLibraryForEveryHourOf2026And2080) {
    // Dublin's footer has negative DST (winter is the "daylight" time), Nuuk's rule times are
    // negative, Lord Howe's DST is 30 minutes, Chatham's offset is +12:45.
    for (const char* name :
         {"Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe",
          "America/Santiago", "Pacific/Chatham", "Europe/Dublin", "America/Nuuk",
          "Africa/Casablanca", "Pacific/Apia", "America/Sao_Paulo"}) {
        if (!std::filesystem::exists(zoneDir() + "/" + name)) continue;
        const TimeZone zone = mustLoad(name);
        ScopedEnv tz("TZ", name);
        for (const std::int64_t year : {2026, 2080}) {
            const std::int64_t first = daysFromCivil(year, 1, 1) * 86'400;
            const std::int64_t last = daysFromCivil(year + 1, 1, 1) * 86'400;
            for (std::int64_t t = first; t < last; t += kHour) {
                const auto instant = static_cast<std::time_t>(t);
                std::tm local{};
                ASSERT_NE(localtime_r(&instant, &local), nullptr);
                ASSERT_EQ(zone.offsetSecondsAt(t), local.tm_gmtoff) << name << " at " << t;
            }
        }
    }
}

}  // namespace
}  // namespace relais::sdk
