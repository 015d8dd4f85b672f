// SPDX-License-Identifier: AGPL-3.0-or-later
#include "security/secret_scan.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "relais/common/crypto.h"
#include "relais/common/files.h"
#include "relais/sdk/json.h"

#include "support/daemon.h"

namespace relais::test::security {
namespace {

constexpr std::size_t kPrefixBytes = 8;
static_assert(kMinSecretBytes >= kPrefixBytes, "every form must be indexable by its prefix");

// Lines of a multi-line secret shorter than this are not searched on their own.
constexpr std::size_t kMinLineBytes = 16;

// The largest log or secrets file read: collected logs are a few MB per run at most.
constexpr std::size_t kMaxFileBytes = std::size_t{256} * 1024 * 1024;

std::uint64_t prefixKey(const char* bytes) noexcept {
    std::uint64_t key = 0;
    std::memcpy(&key, bytes, sizeof key);
    return key;
}

// The JSON form is the escaper the log sink itself writes every string with, so the check
// looks for exactly the bytes a leaked secret would have in a log line.
std::string jsonEscaped(std::string_view text) {
    std::string literal;
    sdk::appendJsonString(literal, text);
    return literal.substr(1, literal.size() - 2);  // without the quotes
}

std::string percentEncoded(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                                (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                                c == '~';
        if (unreserved) {
            out += c;
        } else {
            out += '%';
            out += kHex[u >> 4];
            out += kHex[u & 0x0F];
        }
    }
    return out;
}

std::string upper(std::string text) {
    for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return text;
}

std::string urlSafe(std::string text) {
    std::replace(text.begin(), text.end(), '+', '-');
    std::replace(text.begin(), text.end(), '/', '_');
    return text;
}

bool endsWith(const std::string& text, std::string_view suffix) {
    return text.size() >= suffix.size() &&
           std::string_view(text).substr(text.size() - suffix.size()) == suffix;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> encodedForms(std::string_view secret) {
    std::vector<std::pair<std::string, std::string>> forms;
    const auto add = [&forms](std::string form, std::string text) {
        if (text.size() < kMinSecretBytes) return;
        for (const auto& [name, existing] : forms) {
            if (existing == text) return;
        }
        forms.emplace_back(std::move(form), std::move(text));
    };
    add("raw", std::string(secret));
    add("json", jsonEscaped(secret));
    add("percent", percentEncoded(secret));
    const std::string hex = common::toHex(secret);
    add("hex", hex);
    add("HEX", upper(hex));
    // Inside a longer base64 text the secret starts at byte offset 0, 1 or 2 of a 3-byte
    // group; only the groups made of its bytes alone encode the same way whatever surrounds
    // it. So for each alignment: drop the 0-2 leading bytes that share a group with what
    // comes before, keep whole groups, encode without padding.
    for (std::size_t skip = 0; skip < 3 && skip < secret.size(); ++skip) {
        std::string_view part = secret.substr(skip);
        part = part.substr(0, part.size() / 3 * 3);
        if (part.empty()) continue;
        const std::string encoded = common::base64Encode(part);  // whole groups: no padding
        add("base64", encoded);
        add("base64url", urlSafe(encoded));
    }
    return forms;
}

std::string describe(const Finding& finding) {
    return finding.log + ":" + std::to_string(finding.line) + ": secret '" + finding.label +
           "' (declared by " + finding.origin + ") appears in " + finding.form + " form";
}

bool SecretScanner::add(std::string_view value, std::string label, std::string origin) {
    if (value.size() < kMinSecretBytes) {
        ++skipped_short_;
        return false;
    }
    for (const auto& secret : secrets_) {
        if (secret.value == value) return true;
    }
    const std::size_t index = secrets_.size();
    secrets_.push_back(Secret{std::string(value), std::move(label), std::move(origin)});
    for (auto& [form, text] : encodedForms(value)) {
        by_prefix_[prefixKey(text.data())].push_back(needles_.size());
        needles_.push_back(Needle{std::move(text), index, std::move(form)});
    }
    // A multi-line secret (a PEM private key) cannot be on one log line as it is: each of
    // its lines is searched too, except PEM armour ("-----BEGIN …") and short lines.
    if (value.find('\n') != std::string_view::npos) {
        std::size_t line_number = 0;
        std::string_view rest = value;
        while (!rest.empty()) {
            ++line_number;
            const auto end = rest.find('\n');
            std::string_view line = rest.substr(0, end);
            rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            if (line.size() < kMinLineBytes || line.starts_with("-----")) continue;
            for (auto& [form, text] : encodedForms(line)) {
                by_prefix_[prefixKey(text.data())].push_back(needles_.size());
                needles_.push_back(
                    Needle{std::move(text), index,
                           std::move(form) + ", line " + std::to_string(line_number)});
            }
        }
    }
    return true;
}

std::size_t SecretScanner::scan(const std::string& name, std::string_view text,
                                std::vector<Finding>& findings) const {
    std::size_t line_number = 0;
    std::vector<bool> reported(secrets_.size());
    while (!text.empty()) {
        ++line_number;
        const auto end = text.find('\n');
        const std::string_view line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
        if (line.size() < kPrefixBytes || by_prefix_.empty()) continue;
        std::fill(reported.begin(), reported.end(), false);
        for (std::size_t at = 0; at + kPrefixBytes <= line.size(); ++at) {
            const auto candidates = by_prefix_.find(prefixKey(line.data() + at));
            if (candidates == by_prefix_.end()) continue;
            for (const std::size_t n : candidates->second) {
                const Needle& needle = needles_[n];
                if (reported[needle.secret] || line.substr(at, needle.text.size()) != needle.text) {
                    continue;
                }
                reported[needle.secret] = true;
                const Secret& secret = secrets_[needle.secret];
                findings.push_back(
                    Finding{name, line_number, secret.label, secret.origin, needle.form});
            }
        }
    }
    return line_number;
}

DirectoryReport scanDirectory(const std::string& directory) {
    namespace fs = std::filesystem;
    DirectoryReport report;
    std::vector<std::string> logs;
    std::vector<std::string> secrets_files;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(directory, ec)) {
        if (!entry.is_regular_file()) continue;
        const std::string path = entry.path().string();
        if (endsWith(path, ".log")) logs.push_back(path);
        if (endsWith(path, ".secrets")) secrets_files.push_back(path);
    }
    if (ec) {
        report.errors.push_back(directory + ": " + ec.message());
        return report;
    }
    std::sort(logs.begin(), logs.end());
    std::sort(secrets_files.begin(), secrets_files.end());

    SecretScanner scanner;
    for (const auto& path : secrets_files) {
        auto text = common::readFile(path, kMaxFileBytes);
        if (!text) {
            report.errors.push_back(path + ": " + text.error().message);
            continue;
        }
        try {
            const std::string origin = fs::path(path).filename().string();
            for (const auto& secret : parseSecretsFile(*text)) {
                scanner.add(secret.value, secret.label, origin);
            }
        } catch (const std::exception& error) {
            report.errors.push_back(path + ": " + error.what());
        }
    }
    report.secrets_files = secrets_files.size();
    report.secrets = scanner.secrets();
    report.skipped_short = scanner.skippedShort();

    for (const auto& path : logs) {
        auto text = common::readFile(path, kMaxFileBytes);
        if (!text) {
            report.errors.push_back(path + ": " + text.error().message);
            continue;
        }
        ++report.logs;
        report.bytes += text->size();
        report.lines += scanner.scan(path, *text, report.findings);
    }
    return report;
}

}  // namespace relais::test::security
