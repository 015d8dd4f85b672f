// SPDX-License-Identifier: AGPL-3.0-or-later
#include "pivot.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "relais/sdk/text.h"
#include "relais/sdk/time.h"

namespace relais::plugins::api_particulier {
namespace {

using sdk::ErrorCode;

constexpr std::string_view kFrance = "99100";

sdk::Error pivotError(const std::string& part, const std::string& parameter,
                      const std::string& problem) {
    const std::string field = "subject.pivot." + part;
    return sdk::fail(ErrorCode::InvalidArgument,
                     field + " " + problem + " (API Particulier parameter " + parameter + ")",
                     field);
}

bool allDigits(std::string_view text) noexcept {
    return !text.empty() &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// `00` or `0` parts are unknown; the result has no leading zeros (the API takes integers).
std::string number(std::string_view digits) {
    std::size_t start = 0;
    while (start + 1 < digits.size() && digits[start] == '0') ++start;
    return std::string(digits.substr(start));
}

}  // namespace

sdk::Result<void> addPivot(const sdk::IdentityPivot& pivot, apistration::Query& query) {
    const std::string_view family = sdk::text::trimSpacesAndTabs(pivot.family_name);
    if (family.empty()) return pivotError("family_name", "nomNaissance", "is missing");
    if (sdk::text::hasControlCharacter(family)) {
        return pivotError("family_name", "nomNaissance", "contains control characters");
    }

    std::vector<std::string> given;
    for (const std::string& name : pivot.given_names) {
        if (sdk::text::hasControlCharacter(name)) {
            return pivotError("given_names", "prenoms[]", "contain control characters");
        }
        std::string_view rest = name;
        while (!rest.empty()) {
            const auto space = rest.find(' ');
            const std::string_view word = sdk::text::trimSpacesAndTabs(rest.substr(0, space));
            if (!word.empty()) given.emplace_back(word);
            rest = space == std::string_view::npos ? std::string_view{} : rest.substr(space + 1);
        }
    }
    if (given.empty()) return pivotError("given_names", "prenoms[]", "are missing");
    if (given.size() > kMaxGivenNames) given.resize(kMaxGivenNames);

    const std::string_view date = sdk::text::trimSpacesAndTabs(pivot.birth_date);
    if (date.empty()) return pivotError("birth_date", "anneeDateNaissance", "is missing");
    const bool shape_ok = (date.size() == 4 || (date.size() == 7 && date[4] == '-') ||
                           (date.size() == 10 && date[4] == '-' && date[7] == '-')) &&
                          allDigits(date.substr(0, 4)) &&
                          (date.size() < 7 || allDigits(date.substr(5, 2))) &&
                          (date.size() < 10 || allDigits(date.substr(8, 2)));
    const std::string year = shape_ok ? number(date.substr(0, 4)) : std::string();
    const std::string month = shape_ok && date.size() >= 7 ? number(date.substr(5, 2)) : "0";
    const std::string day = shape_ok && date.size() >= 10 ? number(date.substr(8, 2)) : "0";
    const bool known_day = shape_ok && month != "0" && day != "0";
    if (!shape_ok || year == "0" || std::stoi(month) > 12 || (day != "0" && month == "0") ||
        (known_day && !sdk::isValidDate(std::stoi(year), static_cast<unsigned>(std::stoul(month)),
                                        static_cast<unsigned>(std::stoul(day))))) {
        return pivotError("birth_date", "anneeDateNaissance",
                          "'" + std::string(date) + "' is not a date YYYY-MM-DD");
    }

    const std::string_view gender = sdk::text::trimSpacesAndTabs(pivot.gender);
    std::string sex;
    if (gender == "male" || gender == "M" || gender == "m") {
        sex = "M";
    } else if (gender == "female" || gender == "F" || gender == "f") {
        sex = "F";
    } else if (gender.empty()) {
        return pivotError("gender", "sexeEtatCivil", "is missing");
    } else {
        return pivotError("gender", "sexeEtatCivil",
                          "'" + std::string(gender) + "' is neither male nor female");
    }

    const std::string_view country = sdk::text::trimSpacesAndTabs(pivot.birth_country);
    if (country.empty())
        return pivotError("birth_country", "codeCogInseePaysNaissance", "is missing");
    if (country.size() != 5 || !allDigits(country)) {
        return pivotError("birth_country", "codeCogInseePaysNaissance",
                          "'" + std::string(country) + "' is not an INSEE country code (5 digits)");
    }
    const std::string_view place = sdk::text::trimSpacesAndTabs(pivot.birth_place);
    const bool born_in_france = country == kFrance;
    if (born_in_france) {
        if (place.empty()) {
            return pivotError("birth_place", "codeCogInseeCommuneNaissance",
                              "is missing (required for a person born in France)");
        }
        const bool cog =
            place.size() == 5 && std::all_of(place.begin(), place.end(), [](char c) {
                return (c >= '0' && c <= '9') || c == 'A' || c == 'B' || c == 'a' || c == 'b';
            });
        if (!cog) {
            return pivotError("birth_place", "codeCogInseeCommuneNaissance",
                              "'" + std::string(place) + "' is not an INSEE commune code");
        }
    }

    query.add("nomNaissance", family);
    for (const std::string& name : given) query.add("prenoms[]", name);
    query.add("anneeDateNaissance", year);
    if (month != "0") {
        query.add("moisDateNaissance", month);
        if (day != "0") query.add("jourDateNaissance", day);
    }
    query.add("sexeEtatCivil", sex);
    query.add("codeCogInseePaysNaissance", country);
    if (born_in_france) query.add("codeCogInseeCommuneNaissance", place);
    return sdk::ok();
}

}  // namespace relais::plugins::api_particulier
