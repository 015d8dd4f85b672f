// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "relais/sdk/result.h"
#include "relais/sdk/subject.h"

/// @file
/// Normalisation of the French identity pivot (family name, given names, birth date, gender,
/// birth place, birth country) so that two spellings of the same person's identity compare
/// and hash equal, and a stable hash of the normalised pivot used to find a subject again.
///
/// Rules applied by `normalisePivot` (they follow the INSEE / RNIPP conventions that
/// FranceConnect exposes):
///
/// - **Names** (family name and every given name): upper case, diacritics removed. Letters
///   of the Latin-1 supplement and of Latin Extended-A are folded to their ASCII base letter
///   (`é`→`E`, `ç`→`C`, `ÿ`→`Y`, `ł`→`L`…); ligatures are spelt out (`œ`→`OE`, `æ`→`AE`,
///   `ß`→`SS`, `ĳ`→`IJ`); combining diacritical marks (U+0300–U+036F, decomposed input)
///   are dropped. Hyphens and apostrophes are kept, as INSEE does (`D'ALMEIDA`,
///   `MARTIN-DUPONT`): the typographic variants (`’`, `‘`, `ʼ`, `‐`, `‑`, `–`) become the
///   ASCII `'` and `-`, spaces around them are removed (`D' Almeida` → `D'ALMEIDA`), a run
///   of them keeps its first one, and a name does not start or end with one. Runs of white
///   space (including no-break spaces) become one space; the result is trimmed. Any other
///   character (digit, other punctuation, a letter outside those two Unicode blocks given
///   precomposed, invalid UTF-8) makes the name invalid rather than being silently dropped.
/// - **Given names**: each element of the list may itself hold several names separated by
///   spaces or commas (`"Jean Marie, Luc"`); they are split, in order, into one element per
///   name. A compound given name keeps its hyphen (`JEAN-PIERRE` is one name).
/// - **Birth date**: `YYYY-MM-DD`, `DD/MM/YYYY` or `YYYYMMDD`, always written back as
///   `YYYY-MM-DD` and checked against the calendar (leap years included; year 0000 refused).
///   INSEE "presumed" dates, where the day or the day and the month are unknown and written
///   `00` (`1950-06-00`, `1950-00-00`), are accepted and kept as is; a known day with an
///   unknown month (`1950-00-12`) is refused. No check against today's date: the pivot of a
///   person born "tomorrow" is a data error the registry will reject, not ours to guess.
/// - **Gender**: `male`, `female`, `M`, `F`, `1`, `2` (the INSEE sex digit), `masculin`,
///   `féminin` (with or without the accent), `homme`, `femme`, in any case → `male` or
///   `female`.
/// - **Birth country**: an INSEE COG country code, five digits starting with `99` (`99100`
///   is France). Optional: when absent it stays empty (nothing is inferred from the place).
/// - **Birth place**: an INSEE COG commune code, five characters, digits or `2A`/`2B` followed
///   by three digits for Corsica (lower case accepted). Required when the birth country is
///   `99100`. For a birth abroad (a country other than `99100`) it is **cleared**: COG
///   commune codes only exist for France, and sources put the country code or a foreign town
///   name there. With no birth country, a birth place is optional but checked when given.
///
/// Error messages never contain the values (they are personal data and end up in logs).

namespace relais::identity {

/// Returns the normalised form of `raw` (see the file comment for the rules).
///
/// On failure returns `InvalidArgument` listing every missing or invalid part, e.g.
/// `identity pivot incomplete: missing birth_date, gender` or
/// `identity pivot invalid: birth_date (not a calendar date)`, with `Error::field` set to the
/// first faulty part in the order `family_name`, `given_names`, `birth_date`, `gender`,
/// `birth_place`, `birth_country`. Family name, at least one given name, birth date and
/// gender are required. Pure function, thread-safe, never throws except `std::bad_alloc`.
sdk::Result<sdk::IdentityPivot> normalisePivot(const sdk::IdentityPivot& raw);

/// One name normalised as `normalisePivot` does (upper case, accents removed, spaces
/// collapsed; `comma_separates` turns commas into spaces, for given names), or nullopt when
/// it holds a character a name cannot (digits, other scripts…). For comparing names the way
/// registries do.
std::optional<std::string> normaliseName(std::string_view raw, bool comma_separates = false);

/// Lowercase hex SHA-256 of a versioned, unambiguous serialisation of a pivot already
/// normalised by `normalisePivot`: `pivot-v2`, then each field preceded by 0x1F, given names
/// separated by 0x1E (bytes that a normalised pivot cannot contain). Empty when the family
/// name or the birth date is empty (such a pivot cannot identify anybody). Hashing a pivot
/// that was not normalised gives a hash that will not match its normalised equivalent.
std::string pivotHash(const sdk::IdentityPivot& normalised);

}  // namespace relais::identity
