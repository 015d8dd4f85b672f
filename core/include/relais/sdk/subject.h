// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>
#include <vector>

/// @file
/// The applicant or the subject of verified data: a person or a company.

namespace relais::sdk {

/// The French identity pivot (FranceConnect / INSEE): enough to find a person in a national
/// registry without any shared identifier.
struct IdentityPivot {
    std::string family_name;               ///< birth family name
    std::vector<std::string> given_names;  ///< in civil-status order
    std::string birth_date;                ///< `YYYY-MM-DD`
    std::string gender;                    ///< `male` or `female`
    std::string birth_place;               ///< INSEE COG code of the birth commune (France only)
    std::string birth_country;             ///< INSEE COG code of the country; `99100` is France
};

enum class SubjectKind { Person, Company };

/// A person or a company. Any of the identifiers may be empty; which ones are required
/// depends on what is asked (a prefill contract, a provider call…).
struct Subject {
    std::string id;  ///< relais subject id, when known
    SubjectKind kind = SubjectKind::Person;
    std::string france_connect_sub;  ///< FranceConnect pairwise `sub`
    IdentityPivot pivot;
    std::string siren;  ///< 9 digits
    std::string siret;  ///< 14 digits
};

}  // namespace relais::sdk
