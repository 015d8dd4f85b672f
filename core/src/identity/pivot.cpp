// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/identity/pivot.h"

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "relais/common/crypto.h"
#include "relais/common/strings.h"
#include "relais/sdk/text.h"
#include "relais/sdk/time.h"

namespace relais::identity {

// The generic text and hash helpers of relais_common, used unqualified below.
using common::sha256Hex;
using common::splitTrimmed;
using common::toLower;
using common::trim;

namespace {

// ---------------------------------------------------------------------------------------
// Characters of names (UTF-8 decoding and letter folding are the SDK's)

bool isApostrophe(char32_t cp) noexcept {
    // ' ’ ‘ ʼ and the acute and grave accents that keyboards and old files use instead.
    return cp == U'\'' || cp == 0x2019 || cp == 0x2018 || cp == 0x02BC || cp == 0x00B4 ||
           cp == U'`';
}

bool isHyphen(char32_t cp) noexcept {
    // - ‐ ‑ ‒ – and the minus sign.
    return cp == U'-' || (cp >= 0x2010 && cp <= 0x2013) || cp == 0x2212;
}

bool isSpace(char32_t cp) noexcept {
    return cp == U' ' || cp == U'\t' || cp == U'\n' || cp == U'\r' || cp == 0x00A0 ||
           cp == 0x2007 || cp == 0x202F;
}

bool isCombiningMark(char32_t cp) noexcept { return cp >= 0x0300 && cp <= 0x036F; }

bool isNamePunctuation(char c) noexcept { return c == '-' || c == '\''; }

// ---------------------------------------------------------------------------------------
// Dates, gender, codes

bool allDigits(std::string_view text) noexcept {
    for (const char c : text) {
        if (c < '0' || c > '9') return false;
    }
    return !text.empty();
}

int toNumber(std::string_view digits) noexcept {
    int value = 0;
    for (const char c : digits) value = value * 10 + (c - '0');
    return value;
}

// Returns the date as `YYYY-MM-DD`, or the reason it is refused in `reason`.
std::optional<std::string> normaliseDate(std::string_view text, std::string& reason) {
    std::string_view year;
    std::string_view month;
    std::string_view day;
    if (text.size() == 10 && text[4] == '-' && text[7] == '-') {
        year = text.substr(0, 4);
        month = text.substr(5, 2);
        day = text.substr(8, 2);
    } else if (text.size() == 10 && text[2] == '/' && text[5] == '/') {
        day = text.substr(0, 2);
        month = text.substr(3, 2);
        year = text.substr(6, 4);
    } else if (text.size() == 8) {
        year = text.substr(0, 4);
        month = text.substr(4, 2);
        day = text.substr(6, 2);
    }
    if (!allDigits(year) || !allDigits(month) || !allDigits(day)) {
        reason = "not YYYY-MM-DD, DD/MM/YYYY or YYYYMMDD";
        return std::nullopt;
    }
    const int y = toNumber(year);
    const int m = toNumber(month);
    const int d = toNumber(day);
    // INSEE writes an unknown day, or unknown day and month, as 00 ("presumed" dates).
    const bool valid =
        y > 0 && m <= 12 &&
        (m == 0 ? d == 0 : d <= static_cast<int>(sdk::daysInMonth(y, static_cast<unsigned>(m))));
    if (!valid) {
        reason = "not a calendar date";
        return std::nullopt;
    }
    std::string out;
    out.reserve(10);
    out.append(year).append(1, '-').append(month).append(1, '-').append(day);
    return out;
}

std::optional<std::string> normaliseGender(std::string_view text) {
    std::string folded = toLower(text);
    // `É` as UTF-8, lowered by hand: toLower is ASCII only.
    for (std::size_t pos = folded.find("\xC3\x89"); pos != std::string::npos;
         pos = folded.find("\xC3\x89", pos)) {
        folded[pos + 1] = '\xA9';
    }
    for (const std::string_view male : {"male", "m", "1", "masculin", "homme"}) {
        if (folded == male) return std::string("male");
    }
    for (const std::string_view female :
         {"female", "f", "2", "f\xC3\xA9minin", "feminin", "femme"}) {
        if (folded == female) return std::string("female");
    }
    return std::nullopt;
}

bool isCountryCode(std::string_view code) noexcept {
    return code.size() == 5 && allDigits(code) && code.substr(0, 2) == "99";
}

constexpr std::string_view kFrance = "99100";

// A COG commune code: five digits, or 2A/2B and three digits (Corsica since 1976). Codes
// starting with 99 are countries, not communes.
bool isCommuneCode(std::string_view code) noexcept {
    if (code.size() != 5 || !allDigits(code.substr(2))) return false;
    if (code[0] == '2' && (code[1] == 'A' || code[1] == 'B')) return true;
    return allDigits(code.substr(0, 2)) && code.substr(0, 2) != "99";
}

std::string upperAscii(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return out;
}

// Collects what is wrong, in field order, to report everything at once.
class Problems {
public:
    void missing(std::string_view field) {
        noteField(field);
        if (!missing_.empty()) missing_ += ", ";
        missing_ += field;
    }
    void invalid(std::string_view field, std::string_view reason) {
        noteField(field);
        if (!invalid_.empty()) invalid_ += ", ";
        invalid_.append(field).append(" (").append(reason).append(")");
    }
    bool empty() const noexcept { return first_field_.empty(); }

    sdk::Error error() const {
        std::string message =
            missing_.empty() ? "identity pivot invalid: " : "identity pivot incomplete: ";
        if (!missing_.empty()) message += "missing " + missing_;
        if (!missing_.empty() && !invalid_.empty()) message += "; invalid ";
        message += invalid_;
        return sdk::fail(sdk::ErrorCode::InvalidArgument, std::move(message), first_field_);
    }

private:
    void noteField(std::string_view field) {
        if (first_field_.empty()) first_field_ = field;
    }

    std::string missing_;
    std::string invalid_;
    std::string first_field_;
};

}  // namespace

// Normalises one name (see the header for the rules). `comma_separates` turns commas into
// spaces (given names). Returns nullopt when a character is not allowed in a name.
std::optional<std::string> normaliseName(std::string_view raw, bool comma_separates) {
    std::string out;
    out.reserve(raw.size());
    bool pending_space = false;
    const auto emit_letters = [&out, &pending_space](std::string_view letters) {
        for (const char c : letters) {
            if (isNamePunctuation(c)) {
                // Only from the ŉ spelling: handled like any apostrophe.
                if (!out.empty() && !isNamePunctuation(out.back())) out += c;
                pending_space = false;
                continue;
            }
            // A space survives only between two letters, never next to a hyphen or an
            // apostrophe: `D' ALMEIDA` and `MARTIN - DUPONT` lose theirs.
            if (pending_space && !out.empty() && !isNamePunctuation(out.back())) out += ' ';
            pending_space = false;
            out += c;
        }
    };
    std::size_t pos = 0;
    while (pos < raw.size()) {
        char32_t cp = 0;
        const std::size_t length = sdk::text::decodeUtf8(raw, pos, cp);
        if (length == 0) return std::nullopt;
        pos += length;
        if (cp < 0x80 && ((cp >= U'a' && cp <= U'z') || (cp >= U'A' && cp <= U'Z'))) {
            const char upper = static_cast<char>(cp >= U'a' ? cp - U'a' + U'A' : cp);
            emit_letters(std::string_view(&upper, 1));
        } else if (isSpace(cp) || (comma_separates && cp == U',')) {
            pending_space = true;
        } else if (isApostrophe(cp) || isHyphen(cp)) {
            // A run of hyphens and apostrophes keeps its first; none at the start.
            if (!out.empty() && !isNamePunctuation(out.back())) {
                out += isApostrophe(cp) ? '\'' : '-';
            }
            pending_space = false;
        } else if (isCombiningMark(cp)) {
            // Decomposed input (`e` + U+0301): the base letter was already written.
        } else if (const std::string_view folded = sdk::text::foldLatinLetter(cp);
                   !folded.empty()) {
            emit_letters(folded);
        } else {
            return std::nullopt;
        }
    }
    while (!out.empty() && isNamePunctuation(out.back())) out.pop_back();
    return out;
}

sdk::Result<sdk::IdentityPivot> normalisePivot(const sdk::IdentityPivot& raw) {
    sdk::IdentityPivot out;
    Problems problems;
    constexpr std::string_view kNameReason =
        "only letters, spaces, hyphens and apostrophes are allowed";

    if (trim(raw.family_name).empty()) {
        problems.missing("family_name");
    } else if (auto name = normaliseName(raw.family_name, false); !name) {
        problems.invalid("family_name", kNameReason);
    } else if (name->empty()) {
        problems.invalid("family_name", "no letter");
    } else {
        out.family_name = std::move(*name);
    }

    bool given_invalid = false;
    for (const std::string& element : raw.given_names) {
        auto names = normaliseName(element, true);
        if (!names) {
            given_invalid = true;
            continue;
        }
        for (std::string& name : splitTrimmed(*names, ' ')) out.given_names.push_back(name);
    }
    if (given_invalid) {
        problems.invalid("given_names", kNameReason);
        out.given_names.clear();
    } else if (out.given_names.empty()) {
        problems.missing("given_names");
    }

    if (const std::string_view date = trim(raw.birth_date); date.empty()) {
        problems.missing("birth_date");
    } else {
        std::string reason;
        if (auto normalised = normaliseDate(date, reason)) {
            out.birth_date = std::move(*normalised);
        } else {
            problems.invalid("birth_date", reason);
        }
    }

    if (const std::string_view gender = trim(raw.gender); gender.empty()) {
        problems.missing("gender");
    } else if (auto normalised = normaliseGender(gender)) {
        out.gender = std::move(*normalised);
    } else {
        problems.invalid("gender", "expected male, female, M, F, 1, 2, masculin or féminin");
    }

    // The country decides what the place must be, so it is read first; it is reported
    // last, in field order.
    const std::string_view country = trim(raw.birth_country);
    const bool country_valid = country.empty() || isCountryCode(country);
    if (!country.empty() && country_valid) out.birth_country = std::string(country);

    const std::string place = upperAscii(trim(raw.birth_place));
    if (country_valid && !country.empty() && country != kFrance) {
        // Born abroad: COG commune codes do not exist there; whatever was sent is dropped.
    } else if (place.empty()) {
        if (country == kFrance) problems.missing("birth_place");
    } else if (!isCommuneCode(place)) {
        problems.invalid("birth_place",
                         "expected an INSEE commune code: 5 digits, or 2A/2B and 3 digits");
    } else {
        out.birth_place = place;
    }

    if (!country_valid) {
        problems.invalid("birth_country", "expected an INSEE country code: 99 and 3 digits");
    }

    if (!problems.empty()) return problems.error();
    return out;
}

std::string pivotHash(const sdk::IdentityPivot& normalised) {
    if (normalised.family_name.empty() || normalised.birth_date.empty()) return {};
    // 0x1F between fields and 0x1E between given names: a normalised pivot holds neither,
    // so two different pivots never serialise the same. The version prefix lets a future
    // normalisation coexist with hashes already stored (v1 had no normalisation).
    constexpr char kFieldSeparator = '\x1f';
    constexpr char kNameSeparator = '\x1e';
    std::string text = "pivot-v2";
    text += kFieldSeparator;
    text += normalised.family_name;
    text += kFieldSeparator;
    for (std::size_t i = 0; i < normalised.given_names.size(); ++i) {
        if (i > 0) text += kNameSeparator;
        text += normalised.given_names[i];
    }
    for (const std::string* field : {&normalised.birth_date, &normalised.gender,
                                     &normalised.birth_place, &normalised.birth_country}) {
        text += kFieldSeparator;
        text += *field;
    }
    return sha256Hex(text);
}

}  // namespace relais::identity
