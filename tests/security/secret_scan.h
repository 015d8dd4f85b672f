// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

/// @file
/// The secret-leak check: every log line that the test suite's relais runs wrote, searched
/// for every secret that any of those runs was configured with (tests/support collects
/// both into RELAIS_TEST_LOG_DIR as `<run>.log` + `<run>.secrets`).

namespace relais::test::security {

/// Secrets shorter than this are not searched for. A short value ("abc", "1234") turns up
/// in ordinary log text by chance, so a finding would say nothing and the check would fail
/// at random; relais itself refuses bearer keys shorter than 16 bytes, and the log masker
/// ignores values shorter than 4.
inline constexpr std::size_t kMinSecretBytes = 8;

/// The ways a secret may be written into a log line: as is, JSON-escaped (logs are JSON
/// lines), percent-encoded (a URL or a form body), hex (lower and upper case), and standard
/// and URL-safe base64 (a Basic authorization header, a token inside a JWT…) at each of the
/// three byte alignments it may have inside a longer encoded text. Each entry is
/// `{form name, text}`; forms that equal an earlier one, and encodings shorter than
/// `kMinSecretBytes`, are left out.
std::vector<std::pair<std::string, std::string>> encodedForms(std::string_view secret);

/// A secret found in a log line. Holds no part of the secret.
struct Finding {
    std::string log;      ///< the log copy's path
    std::size_t line{0};  ///< 1-based
    std::string label;    ///< which reference: `env:APP_KEY`, `client 'portail' bearer key`…
    std::string origin;   ///< the `.secrets` file (run) that declared it first
    std::string form;     ///< `raw`, `json`, `percent`, `hex`, `HEX`, `base64`, `base64url`
};

/// `log:line: secret <label> (declared by <origin>) appears in <form> form`.
std::string describe(const Finding& finding);

/// Searches texts for a set of secrets in all their forms at once: an index keyed on each
/// form's first 8 bytes, so a scan costs one hash look-up per byte of log whatever the
/// number of secrets. Not thread-safe while secrets are added; `scan` is const.
class SecretScanner {
public:
    /// Adds a secret (duplicates of a value already added are ignored; values shorter than
    /// `kMinSecretBytes` are skipped and counted). Returns false when skipped.
    bool add(std::string_view value, std::string label, std::string origin);

    std::size_t secrets() const noexcept { return secrets_.size(); }
    std::size_t skippedShort() const noexcept { return skipped_short_; }

    /// Appends a finding for each line of `text` holding a secret in any form (one per
    /// secret and line). `name` names the text in findings. Returns the number of lines.
    std::size_t scan(const std::string& name, std::string_view text,
                     std::vector<Finding>& findings) const;

private:
    struct Secret {
        std::string value;
        std::string label;
        std::string origin;
    };
    struct Needle {
        std::string text;
        std::size_t secret{0};
        std::string form;
    };

    std::vector<Secret> secrets_;
    std::vector<Needle> needles_;
    std::unordered_map<std::uint64_t, std::vector<std::size_t>> by_prefix_;
    std::size_t skipped_short_{0};
};

/// What `scanDirectory` found.
struct DirectoryReport {
    std::size_t logs{0};
    std::size_t secrets_files{0};
    std::size_t secrets{0};        ///< distinct values searched for
    std::size_t skipped_short{0};  ///< values shorter than kMinSecretBytes
    std::size_t lines{0};
    std::size_t bytes{0};
    std::vector<Finding> findings;
    std::vector<std::string> errors;  ///< unreadable or malformed files: the check cannot pass
};

/// Reads every `*.secrets` file of `directory` (format of tests/support's
/// `formatSecretsFile`), then searches every `*.log` file of it for all of those secrets:
/// a secret of any run found in the log of any run is a finding.
DirectoryReport scanDirectory(const std::string& directory);

}  // namespace relais::test::security
