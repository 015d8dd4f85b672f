// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/sdk/time_zone.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <vector>

namespace relais::sdk {
namespace {

constexpr std::int64_t kSecondsPerDay = 86'400;
constexpr std::size_t kMaxFileBytes = 1 << 20;  // real zone files are a few KiB
constexpr std::size_t kMaxNameLength = 255;
// Instants beyond ±10^13 s (≈ 317,000 years) are clamped before the footer's rule is applied,
// so that the year arithmetic cannot overflow.
constexpr std::int64_t kRuleClamp = 10'000'000'000'000;

// A local time type (RFC 8536 `ttinfo`); the designation is not kept.
struct LocalType {
    std::int32_t utoff = 0;
    bool isdst = false;
};

// The day a footer rule names: `Jn` (1–365, 29 February never counted), `n` (0–365, counted)
// or `Mm.w.d` (day d, 0 = Sunday, of week w, 5 = last, of month m).
struct RuleDate {
    enum class Kind { JulianNoLeap, JulianZero, MonthWeekDay };
    Kind kind = Kind::MonthWeekDay;
    int day = 0;  // n, or d for Mm.w.d
    int week = 1;
    int month = 1;
    std::int32_t time = 7'200;  // local time of day, seconds; may be negative or > 24 h (v3)
};

// The footer: `std offset [dst [offset] [,start[/time],end[/time]]]`.
struct PosixRule {
    std::int32_t std_offset = 0;  // east positive (the inverse of POSIX's sign)
    bool has_dst = false;
    std::int32_t dst_offset = 0;
    RuleDate start;
    RuleDate end;
};

std::int64_t floorDiv(std::int64_t a, std::int64_t b) noexcept {
    const std::int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

}  // namespace

struct TimeZone::Data {
    std::string name = "UTC";
    std::vector<std::int64_t> transitions;      // ascending, Unix seconds
    std::vector<std::uint8_t> type_indices;     // one per transition, < types.size()
    std::vector<LocalType> types{LocalType{}};  // never empty
    std::optional<PosixRule> footer;
};

namespace {

// ---- the footer (POSIX TZ string) ----------------------------------------------------------

class FooterReader {
public:
    explicit FooterReader(std::string_view text) : text_(text) {}

    bool atEnd() const { return pos_ == text_.size(); }
    bool take(char c) {
        if (pos_ < text_.size() && text_[pos_] == c) {
            ++pos_;
            return true;
        }
        return false;
    }
    char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }

    // A designation: `[A-Za-z]{3,}` or `<[A-Za-z0-9+-]{3,}>`.
    bool name() {
        std::size_t count = 0;
        if (take('<')) {
            while (pos_ < text_.size() && text_[pos_] != '>') {
                const char c = text_[pos_];
                if (!isAlnum(c) && c != '+' && c != '-') return false;
                ++pos_;
                ++count;
            }
            return take('>') && count >= 3;
        }
        while (pos_ < text_.size() && isAlpha(text_[pos_])) {
            ++pos_;
            ++count;
        }
        return count >= 3;
    }

    // `[+-]hh[:mm[:ss]]`, hours up to `max_hours`; seconds, signed as written.
    std::optional<std::int32_t> hms(int max_hours) {
        int sign = 1;
        if (take('-')) {
            sign = -1;
        } else {
            take('+');
        }
        const auto hours = number(3);
        if (!hours || *hours > max_hours) return std::nullopt;
        std::int32_t seconds = *hours * 3600;
        if (take(':')) {
            const auto minutes = number(2);
            if (!minutes || *minutes > 59) return std::nullopt;
            seconds += *minutes * 60;
            if (take(':')) {
                const auto secs = number(2);
                if (!secs || *secs > 59) return std::nullopt;
                seconds += *secs;
            }
        }
        return sign * seconds;
    }

    // Up to `max_digits` decimal digits, at least one.
    std::optional<int> number(int max_digits) {
        int value = 0;
        int count = 0;
        while (count < max_digits && pos_ < text_.size() && text_[pos_] >= '0' &&
               text_[pos_] <= '9') {
            value = value * 10 + (text_[pos_] - '0');
            ++pos_;
            ++count;
        }
        if (count == 0) return std::nullopt;
        return value;
    }

    std::optional<RuleDate> ruleDate() {
        RuleDate date;
        if (take('J')) {
            const auto n = number(3);
            if (!n || *n < 1 || *n > 365) return std::nullopt;
            date.kind = RuleDate::Kind::JulianNoLeap;
            date.day = *n;
        } else if (take('M')) {
            const auto month = number(2);
            if (!month || *month < 1 || *month > 12 || !take('.')) return std::nullopt;
            const auto week = number(1);
            if (!week || *week < 1 || *week > 5 || !take('.')) return std::nullopt;
            const auto day = number(1);
            if (!day || *day > 6) return std::nullopt;
            date.kind = RuleDate::Kind::MonthWeekDay;
            date.month = *month;
            date.week = *week;
            date.day = *day;
        } else {
            const auto n = number(3);
            if (!n || *n > 365) return std::nullopt;
            date.kind = RuleDate::Kind::JulianZero;
            date.day = *n;
        }
        if (take('/')) {
            const auto time = hms(167);  // RFC 8536 §3.3.1: -167 to 167 hours
            if (!time) return std::nullopt;
            date.time = *time;
        }
        return date;
    }

private:
    static bool isAlpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
    static bool isAlnum(char c) { return isAlpha(c) || (c >= '0' && c <= '9'); }

    std::string_view text_;
    std::size_t pos_ = 0;
};

// Parses a footer; nullopt when it is malformed.
std::optional<PosixRule> parseFooter(std::string_view text) {
    FooterReader reader(text);
    PosixRule rule;
    if (!reader.name()) return std::nullopt;
    const auto std_offset = reader.hms(24);
    if (!std_offset) return std::nullopt;
    rule.std_offset = -*std_offset;
    if (reader.atEnd()) return rule;
    if (!reader.name()) return std::nullopt;
    rule.has_dst = true;
    rule.dst_offset = rule.std_offset + 3600;
    if (!reader.atEnd() && reader.peek() != ',') {
        const auto dst_offset = reader.hms(24);
        if (!dst_offset) return std::nullopt;
        rule.dst_offset = -*dst_offset;
    }
    if (reader.atEnd()) {
        // No rule: POSIX leaves it to the implementation; glibc uses the US rule.
        rule.start = RuleDate{RuleDate::Kind::MonthWeekDay, 0, 2, 3, 7'200};
        rule.end = RuleDate{RuleDate::Kind::MonthWeekDay, 0, 1, 11, 7'200};
        return rule;
    }
    if (!reader.take(',')) return std::nullopt;
    const auto start = reader.ruleDate();
    if (!start || !reader.take(',')) return std::nullopt;
    const auto end = reader.ruleDate();
    if (!end || !reader.atEnd()) return std::nullopt;
    rule.start = *start;
    rule.end = *end;
    return rule;
}

// Days since the epoch of the day `date` names in `year`.
std::int64_t dayOf(const RuleDate& date, std::int64_t year) noexcept {
    const std::int64_t january_first = daysFromCivil(year, 1, 1);
    switch (date.kind) {
        case RuleDate::Kind::JulianNoLeap:
            // 1–365; day 60 is 1 March even in leap years.
            return january_first + date.day - 1 + (isLeapYear(year) && date.day >= 60 ? 1 : 0);
        case RuleDate::Kind::JulianZero:
            return january_first + date.day;
        case RuleDate::Kind::MonthWeekDay: {
            const auto month = static_cast<unsigned>(date.month);
            const std::int64_t first = daysFromCivil(year, month, 1);
            const auto weekday = static_cast<int>(weekdayFromDays(first));
            std::int64_t day = first + (date.day - weekday + 7) % 7 + (date.week - 1) * 7;
            const std::int64_t last = first + daysInMonth(year, month) - 1;
            while (day > last) day -= 7;  // week 5: the last such day of the month
            return day;
        }
    }
    return january_first;
}

int footerOffsetAt(const PosixRule& rule, std::int64_t utc_seconds) noexcept {
    if (!rule.has_dst) return rule.std_offset;
    const std::int64_t t = std::clamp(utc_seconds, -kRuleClamp, kRuleClamp);
    const std::int64_t year = civilFromDays(floorDiv(t + rule.std_offset, kSecondsPerDay)).year;
    // The start time is written in standard time, the end time in daylight saving time.
    const std::int64_t start =
        dayOf(rule.start, year) * kSecondsPerDay + rule.start.time - rule.std_offset;
    const std::int64_t end =
        dayOf(rule.end, year) * kSecondsPerDay + rule.end.time - rule.dst_offset;
    const bool dst = start < end ? (t >= start && t < end)    // northern hemisphere
                                 : !(t >= end && t < start);  // southern: DST spans new year
    return dst ? rule.dst_offset : rule.std_offset;
}

// ---- the TZif file -------------------------------------------------------------------------

class ByteReader {
public:
    explicit ByteReader(std::string_view bytes) : bytes_(bytes) {}

    std::size_t remaining() const { return bytes_.size() - pos_; }
    bool skip(std::uint64_t count) {
        if (count > remaining()) return false;
        pos_ += static_cast<std::size_t>(count);
        return true;
    }
    // Big-endian unsigned integer of `size` bytes; the caller checked `remaining()`.
    std::uint64_t unsignedOf(std::size_t size) {
        std::uint64_t value = 0;
        for (std::size_t i = 0; i < size; ++i) {
            value = (value << 8) | static_cast<unsigned char>(bytes_[pos_ + i]);
        }
        pos_ += size;
        return value;
    }
    std::string_view rest() const { return bytes_.substr(pos_); }

private:
    std::string_view bytes_;
    std::size_t pos_ = 0;
};

struct Header {
    char version = 0;
    std::uint64_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;

    // Bytes of the data block that follows, `time_size` being 4 (v1) or 8 (v2+).
    std::uint64_t blockSize(std::uint64_t time_size) const {
        return timecnt * time_size + timecnt + typecnt * 6 + charcnt + leapcnt * (time_size + 4) +
               isstdcnt + isutcnt;
    }
};

std::optional<Header> readHeader(ByteReader& reader) {
    constexpr std::size_t kHeaderSize = 44;
    if (reader.remaining() < kHeaderSize || reader.rest().substr(0, 4) != "TZif") {
        return std::nullopt;
    }
    Header header;
    header.version = reader.rest()[4];
    reader.skip(20);
    // Each count is a 32-bit value; the products in blockSize fit in 64 bits.
    header.isutcnt = reader.unsignedOf(4);
    header.isstdcnt = reader.unsignedOf(4);
    header.leapcnt = reader.unsignedOf(4);
    header.timecnt = reader.unsignedOf(4);
    header.typecnt = reader.unsignedOf(4);
    header.charcnt = reader.unsignedOf(4);
    return header;
}

Error malformed(std::string_view source, std::string_view why) {
    return fail(
        ErrorCode::InvalidArgument,
        "'" + std::string(source) + "' is not a valid tz database file: " + std::string(why));
}

bool validName(std::string_view name) {
    if (name.empty() || name.size() > kMaxNameLength) return false;
    bool segment_start = true;
    for (const char c : name) {
        if (c == '/') {
            if (segment_start) return false;  // leading `/` or empty segment
            segment_start = true;
            continue;
        }
        const bool allowed = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                             (c >= '0' && c <= '9') || c == '_' || c == '+' || c == '-';
        if (!allowed) return false;
        segment_start = false;
    }
    return !segment_start;  // no trailing `/`
}

}  // namespace

TimeZone::TimeZone() : data_(std::make_shared<const Data>()) {}

TimeZone::TimeZone(std::shared_ptr<const Data> data) noexcept : data_(std::move(data)) {}

const std::string& TimeZone::name() const noexcept { return data_->name; }

Result<TimeZone> TimeZone::load(std::string_view name) {
    if (!validName(name)) {
        return fail(ErrorCode::InvalidArgument,
                    "'" + std::string(name.substr(0, 64)) +
                        "' is not a time zone name (segments of A-Z a-z 0-9 _ + - separated "
                        "by /)");
    }
    if (name == "UTC") return TimeZone();
    const char* dir = std::getenv("TZDIR");  // NOLINT(concurrency-mt-unsafe): documented
    const std::filesystem::path base =
        dir != nullptr && dir[0] != '\0' ? dir : "/usr/share/zoneinfo";
    const std::filesystem::path path = base / std::string(name);
    std::error_code error;
    if (!std::filesystem::is_regular_file(path, error)) {
        return fail(ErrorCode::NotFound,
                    "no time zone '" + std::string(name) + "' (no file '" + path.string() + "')");
    }
    std::ifstream in(path, std::ios::binary);
    std::string bytes;
    if (in) {
        bytes.resize(kMaxFileBytes + 1);
        in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        bytes.resize(static_cast<std::size_t>(in.gcount()));
    }
    if (in.bad() || (!in && !in.eof())) return malformed(path.string(), "cannot be read");
    if (bytes.size() > kMaxFileBytes) return malformed(path.string(), "larger than 1 MiB");
    return parse(bytes, name, path.string());
}

Result<TimeZone> TimeZone::parse(std::string_view tzif, std::string_view name,
                                 std::string_view source) {
    ByteReader reader(tzif);
    const auto v1 = readHeader(reader);
    if (!v1) return malformed(source, "no TZif header");
    if (v1->version < '2') return malformed(source, "version 1 files are not supported");
    if (!reader.skip(v1->blockSize(4))) return malformed(source, "truncated version 1 block");
    const auto header = readHeader(reader);
    if (!header) return malformed(source, "truncated or missing version 2 header");
    if (header->typecnt == 0 || header->typecnt > 256) {
        return malformed(source, "local time type count out of range");
    }
    if (header->charcnt == 0) return malformed(source, "no time zone designations");
    if ((header->isutcnt != 0 && header->isutcnt != header->typecnt) ||
        (header->isstdcnt != 0 && header->isstdcnt != header->typecnt)) {
        return malformed(source, "indicator counts do not match the type count");
    }
    if (header->leapcnt != 0) return malformed(source, "leap-second files are not supported");
    if (header->blockSize(8) > reader.remaining()) return malformed(source, "truncated data");

    auto data = std::make_shared<Data>();
    data->name = std::string(name);
    const auto timecnt = static_cast<std::size_t>(header->timecnt);
    data->transitions.reserve(timecnt);
    for (std::size_t i = 0; i < timecnt; ++i) {
        const auto time = static_cast<std::int64_t>(reader.unsignedOf(8));
        if (i > 0 && time <= data->transitions.back()) {
            return malformed(source, "transition times not ascending");
        }
        data->transitions.push_back(time);
    }
    data->type_indices.reserve(timecnt);
    for (std::size_t i = 0; i < timecnt; ++i) {
        const auto index = reader.unsignedOf(1);
        if (index >= header->typecnt) return malformed(source, "transition type out of range");
        data->type_indices.push_back(static_cast<std::uint8_t>(index));
    }
    data->types.clear();
    for (std::uint64_t i = 0; i < header->typecnt; ++i) {
        LocalType type;
        type.utoff = static_cast<std::int32_t>(static_cast<std::uint32_t>(reader.unsignedOf(4)));
        const auto isdst = reader.unsignedOf(1);
        const auto desigidx = reader.unsignedOf(1);
        // ±26 h covers every offset ever used; RFC 8536 forbids -2^31.
        if (type.utoff < -26 * 3600 || type.utoff > 26 * 3600) {
            return malformed(source, "UT offset out of range");
        }
        if (isdst > 1 || desigidx >= header->charcnt) {
            return malformed(source, "bad local time type");
        }
        type.isdst = isdst == 1;
        data->types.push_back(type);
    }
    reader.skip(header->charcnt + header->isstdcnt + header->isutcnt);

    // Footer: `\n<TZ string>\n`; an empty string means "no rule".
    const std::string_view rest = reader.rest();
    if (rest.size() < 2 || rest.front() != '\n') return malformed(source, "missing footer");
    const auto newline = rest.find('\n', 1);
    if (newline == std::string_view::npos) return malformed(source, "unterminated footer");
    const std::string_view footer = rest.substr(1, newline - 1);
    if (!footer.empty()) {
        data->footer = parseFooter(footer);
        if (!data->footer) {
            return malformed(source,
                             "unsupported footer '" + std::string(footer.substr(0, 64)) + "'");
        }
    }
    return TimeZone(std::move(data));
}

int TimeZone::offsetSecondsAt(std::int64_t utc_seconds) const noexcept {
    const Data& data = *data_;
    const auto& transitions = data.transitions;
    if (transitions.empty() || utc_seconds >= transitions.back()) {
        if (data.footer) return footerOffsetAt(*data.footer, utc_seconds);
        if (transitions.empty()) return data.types.front().utoff;
        return data.types[data.type_indices.back()].utoff;
    }
    // The last transition at or before the instant; none: the first type (RFC 8536 §3.2).
    const auto after = std::upper_bound(transitions.begin(), transitions.end(), utc_seconds);
    if (after == transitions.begin()) return data.types.front().utoff;
    const auto index = static_cast<std::size_t>(std::distance(transitions.begin(), after) - 1);
    return data.types[data.type_indices[index]].utoff;
}

Result<Timestamp> TimeZone::fromLocal(CivilDate date, int hour, int minute, int second,
                                      int micros) const {
    if (date.year < 1 || date.year > 9999 || !isValidDate(date.year, date.month, date.day) ||
        hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 ||
        micros < 0 || micros > 999'999) {
        return fail(ErrorCode::InvalidArgument, "invalid local time");
    }
    const std::int64_t local = daysFromCivil(date.year, date.month, date.day) * kSecondsPerDay +
                               hour * 3600 + minute * 60 + second;
    // Every offset is within ±26 h, so the instant lies within a day of `local`: the offsets
    // a day before and after (and at `local` itself) are the candidates.
    const int before = offsetSecondsAt(local - kSecondsPerDay);
    const std::array<int, 3> candidates{before, offsetSecondsAt(local),
                                        offsetSecondsAt(local + kSecondsPerDay)};
    std::optional<std::int64_t> instant;
    for (const int offset : candidates) {
        const std::int64_t t = local - offset;
        // The earliest matching instant: the first occurrence of a repeated time.
        if (offsetSecondsAt(t) == offset && (!instant || t < *instant)) instant = t;
    }
    // None: a gap; read the time with the offset before it, which moves it forward.
    const std::int64_t seconds = instant ? *instant : local - before;
    Timestamp result;
    result.micros = seconds * 1'000'000 + micros;
    result.offset_minutes = static_cast<std::int32_t>(offsetSecondsAt(seconds) / 60);
    return result;
}

}  // namespace relais::sdk
