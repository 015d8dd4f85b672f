// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

/// @file
/// What every fuzz target shares: the invariant check (an abort that libFuzzer reports as a
/// crash, with the input saved as an artifact) and small helpers on the raw input.
///
/// `assert` is not used: the fuzz build is RelWithDebInfo, where NDEBUG turns it off.

namespace relais::fuzz {

/// Reports a broken invariant on stderr and aborts (libFuzzer then writes the input to
/// `crash-<sha1>` and stops). Never returns.
[[noreturn]] inline void invariantBroken(const char* file, int line, const char* condition,
                                         std::string_view detail) noexcept {
    std::fprintf(stderr, "%s:%d: fuzz invariant broken: %s\n  %.*s\n", file, line, condition,
                 static_cast<int>(detail.size()), detail.data());
    std::fflush(stderr);
    std::abort();
}

/// True when RELAIS_FUZZ_VERBOSE is set: targets then say on stderr why an input was
/// refused (useful when adding a seed: `RELAIS_FUZZ_VERBOSE=1 <fuzzer> seed-file`).
inline bool verbose() noexcept {
    static const bool enabled = std::getenv("RELAIS_FUZZ_VERBOSE") != nullptr;  // NOLINT
    return enabled;
}

/// Prints `what` on stderr when `verbose()`.
inline void note(std::string_view what) noexcept {
    if (verbose()) {
        std::fprintf(stderr, "%.*s\n", static_cast<int>(what.size()), what.data());
    }
}

/// True when the known finding `id` is listed in RELAIS_FUZZ_TOLERATE (comma-separated):
/// the target then skips the invariant that finding breaks, so a run can look for other
/// ones while the product fix is pending. tests/fuzz/README.md lists the ids.
inline bool tolerated(std::string_view id) {
    static const std::string list = [] {
        const char* value = std::getenv("RELAIS_FUZZ_TOLERATE");  // NOLINT
        return value != nullptr ? "," + std::string(value) + "," : std::string();
    }();
    return list.find("," + std::string(id) + ",") != std::string::npos;
}

/// The fuzzer's bytes as text (no copy; valid during the call).
inline std::string_view asText(const std::uint8_t* data, std::size_t size) noexcept {
    return {reinterpret_cast<const char*>(data), size};
}

/// True when `text` is well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, ≤ U+10FFFF).
inline bool isValidUtf8(std::string_view text) noexcept {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        std::size_t length = 0;
        unsigned char low = 0x80;
        unsigned char high = 0xBF;
        if (c < 0x80) {
            ++i;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            length = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            length = 3;
            if (c == 0xE0) low = 0xA0;
            if (c == 0xED) high = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            length = 4;
            if (c == 0xF0) low = 0x90;
            if (c == 0xF4) high = 0x8F;
        } else {
            return false;
        }
        if (i + length > text.size()) return false;
        const auto second = static_cast<unsigned char>(text[i + 1]);
        if (second < low || second > high) return false;
        for (std::size_t k = 2; k < length; ++k) {
            if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
        }
        i += length;
    }
    return true;
}

/// True when every byte ≥ 0x80 belongs to a lead byte (C2–F4) followed by the number of
/// continuation bytes it announces; unlike `isValidUtf8`, overlong forms, surrogates and
/// values above U+10FFFF pass.
inline bool isStructurallyUtf8(std::string_view text) noexcept {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        std::size_t length = 1;
        if (c >= 0x80) {
            if (c >= 0xC2 && c <= 0xDF) {
                length = 2;
            } else if (c >= 0xE0 && c <= 0xEF) {
                length = 3;
            } else if (c >= 0xF0 && c <= 0xF4) {
                length = 4;
            } else {
                return false;
            }
            if (i + length > text.size()) return false;
            for (std::size_t k = 1; k < length; ++k) {
                if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
            }
        }
        i += length;
    }
    return true;
}

}  // namespace relais::fuzz

/// Aborts with `detail` (a `std::string_view`-convertible expression) when `condition` is false.
#define RELAIS_FUZZ_CHECK(condition, detail)                                           \
    do {                                                                               \
        if (!(condition)) {                                                            \
            ::relais::fuzz::invariantBroken(__FILE__, __LINE__, #condition, (detail)); \
        }                                                                              \
    } while (false)
