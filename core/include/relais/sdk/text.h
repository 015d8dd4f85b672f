// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "relais/sdk/visibility.h"

/// @file
/// Text helpers that the core and every plugin share instead of copying: trimming,
/// case-insensitive comparison, control-character checks, hex digits, UTF-8 decoding and
/// accent folding. They look at bytes, never at the locale: names, keys, header values and
/// configuration values are ASCII where it matters, and UTF-8 bytes (all >= 0x80) pass
/// through the ASCII helpers untouched.
///
/// Threading: every function is thread-safe and keeps no state. A returned `string_view`
/// points into the argument and lives as long as it.

namespace relais::sdk::text {

/// `text` without leading and trailing ASCII white space (space, `\t`, `\n`, `\v`, `\f`,
/// `\r`): for values read from files and command lines, where a stray newline is noise.
RELAIS_SDK_API std::string_view trim(std::string_view text) noexcept;

/// `text` without leading and trailing spaces and horizontal tabs only: HTTP's optional
/// white space (OWS, RFC 9110 §5.6.3) around a header value or a list item. A CR or LF is
/// kept, so that a value smuggling a line break is still seen (and refused) by its reader.
RELAIS_SDK_API std::string_view trimSpacesAndTabs(std::string_view text) noexcept;

/// `text` with ASCII `A`–`Z` lowered; every other byte (UTF-8 included) unchanged.
RELAIS_SDK_API std::string toLower(std::string_view text);

/// Whether `a` and `b` are equal when ASCII letters are compared without case (header
/// names, URL schemes, tokens). Other bytes must be identical.
RELAIS_SDK_API bool equalsIgnoreCase(std::string_view a, std::string_view b) noexcept;

/// Whether `a` starts with `prefix`, ASCII letters compared without case.
RELAIS_SDK_API bool startsWithIgnoreCase(std::string_view text, std::string_view prefix) noexcept;

/// Whether `text` holds a C0 control character (U+0000–U+001F) or DEL: what a
/// configuration value or an identity field must not carry into a URL, a header or a log.
RELAIS_SDK_API bool hasControlCharacter(std::string_view text) noexcept;

/// Decodes the UTF-8 sequence starting at `text[at]` (`at < text.size()`): its length in
/// bytes (1–4), with its code point in `code_point`; 0 when the bytes there are not valid
/// UTF-8 (RFC 3629: truncated, overlong, a UTF-16 surrogate, above U+10FFFF), and then
/// `code_point` is unspecified.
RELAIS_SDK_API std::size_t decodeUtf8(std::string_view text, std::size_t at,
                                      char32_t& code_point) noexcept;

/// The value (0–15) of the hexadecimal digit `c` (`0-9`, `a-f`, `A-F`), or -1 for any
/// other byte.
RELAIS_SDK_API int hexDigitValue(char c) noexcept;

/// The upper-case ASCII spelling of the Latin letter `code_point` without its diacritics,
/// for the Latin-1 Supplement and Latin Extended-A letters (U+00C0–U+017F: `É` and `é` give
/// `E`, `Æ` `AE`, `Œ` `OE`, `ß` `SS`, `Þ` `TH`, `ŉ` `'N`); empty for any other code point
/// (ASCII, × and ÷ included). The view points into static storage: it never dangles.
RELAIS_SDK_API std::string_view foldLatinLetter(char32_t code_point) noexcept;

/// UTF-8 `text` with the letters `foldLatinLetter` knows written in ASCII without their
/// diacritics, keeping their case (`é` gives `e`, `É` `E`, `œ` `oe`, `Œ` `OE`, `ß` `ss`);
/// every other character, and every byte that is not valid UTF-8, is kept as written.
/// For comparing French names and words where accents are optional; combining marks
/// (decomposed input) are not removed.
RELAIS_SDK_API std::string foldAccents(std::string_view text);

}  // namespace relais::sdk::text
