// SPDX-License-Identifier: AGPL-3.0-or-later
#include "subjects/key_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "relais/common/errors.h"
#include "relais/common/unique_fd.h"
#include "relais/sdk/signing.h"
#include "relais/sdk/text.h"

namespace relais::subjects::detail {
namespace {

// Largest key file worth reading: 64 hex characters and some trailing white space.
constexpr std::size_t kMaxKeyFileSize = 128;
constexpr std::size_t kMaxKeyIdSize = 64;

bool isKeyIdChar(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

bool allHex(std::string_view text) noexcept {
    for (const char c : text) {
        if (sdk::text::hexDigitValue(c) < 0) return false;
    }
    return true;
}

}  // namespace

[[noreturn]] void refuse(const KeySpec& spec, const std::string& what) {
    throw ConfigError("key '" + spec.id + "' (file '" + spec.file + "'): " + what);
}

bool validKeyId(std::string_view id) noexcept {
    if (id.empty() || id.size() > kMaxKeyIdSize) return false;
    for (const char c : id) {
        if (!isKeyIdChar(c)) return false;
    }
    return true;
}

void readKeyFile(const KeySpec& spec, KeyBytes& key) {
    const common::UniqueFd fd(::open(spec.file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
    if (fd.get() < 0) {
        const int error = errno;
        refuse(spec, error == ENOENT
                         ? std::string("file does not exist")
                         : std::string("cannot open: ") + std::generic_category().message(error));
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        const int error = errno;
        refuse(spec, std::string("cannot stat: ") + std::generic_category().message(error));
    }
    if (!S_ISREG(st.st_mode)) refuse(spec, "not a regular file");
    // Checked on the opened file (fstat), so a symlink is judged by its target and there is
    // no window between the check and the read.
    if ((st.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        refuse(spec, std::string("mode ") + mode +
                         " lets group or others access it; a key file must be private to the "
                         "service account (chmod 600 or 400)");
    }

    std::array<char, kMaxKeyFileSize + 1> buffer{};
    const WipeOnExit wipe_buffer(buffer);
    std::size_t size = 0;
    while (size < buffer.size()) {
        const ssize_t n = ::read(fd.get(), buffer.data() + size, buffer.size() - size);
        if (n < 0) {
            const int error = errno;
            if (error == EINTR) continue;
            refuse(spec, std::string("cannot read: ") + std::generic_category().message(error));
        }
        if (n == 0) break;
        size += static_cast<std::size_t>(n);
    }
    const std::string expected =
        "expected 64 hex characters, 44 base64 characters or exactly 32 raw bytes";
    if (size > kMaxKeyFileSize) refuse(spec, "file too long; " + expected);

    std::string_view content(buffer.data(), size);
    if (size == kKeySize) {
        // 32 bytes that are all hex digits are a 128-bit hex key given by mistake, not 256
        // random bits (the odds of a random key being all hex digits are about 10^-34).
        if (allHex(content)) {
            refuse(spec,
                   "holds 32 hex characters, a 128-bit key; AES-256 needs 64 hex "
                   "characters (32 bytes)");
        }
        std::memcpy(key.data(), content.data(), kKeySize);
        return;
    }
    while (!content.empty() && (content.back() == '\n' || content.back() == '\r' ||
                                content.back() == ' ' || content.back() == '\t')) {
        content.remove_suffix(1);
    }
    if (content.size() == 2 * kKeySize && allHex(content)) {
        for (std::size_t i = 0; i < kKeySize; ++i) {
            key[i] = static_cast<unsigned char>((sdk::text::hexDigitValue(content[2 * i]) << 4) |
                                                sdk::text::hexDigitValue(content[2 * i + 1]));
        }
        return;
    }
    if (content.size() == 44 && content[43] == '=' && content[42] != '=') {
        // base64Decode rejects characters outside the alphabet; 44 characters with one '='
        // decode to exactly 32 bytes.
        if (std::optional<std::string> decoded = sdk::signing::base64Decode(content)) {
            const WipeOnExit wipe_decoded(*decoded);
            if (decoded->size() == kKeySize) {
                std::memcpy(key.data(), decoded->data(), kKeySize);
                return;
            }
        }
        refuse(spec, "44 characters but not valid base64; " + expected);
    }
    if (content.size() == 2 * kKeySize) refuse(spec, "64 characters but not hex; " + expected);
    refuse(spec, "has " + std::to_string(size) + " bytes; " + expected);
}

bool allZero(const KeyBytes& key) noexcept {
    unsigned char any = 0;
    for (const unsigned char b : key) any |= b;
    return any == 0;
}

}  // namespace relais::subjects::detail
