// SPDX-License-Identifier: AGPL-3.0-or-later
// The CTest end of the secret-leak check (tests/security/CMakeLists.txt registers it):
//
//   relais_secret_leak_check --reset DIR   empties DIR of collected logs (fixture setup,
//                                          before any test of the run)
//   relais_secret_leak_check DIR           searches every collected log for every collected
//                                          secret (fixture cleanup, after every test);
//                                          exit 1 naming file:line and the secret's
//                                          reference for each finding, never the secret
//
// The logs come from tests/support (Daemon, runRelais) when RELAIS_TEST_LOG_DIR is set.

#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

#include "security/secret_scan.h"

namespace {

namespace fs = std::filesystem;
using relais::test::security::describe;
using relais::test::security::kMinSecretBytes;
using relais::test::security::scanDirectory;

// Findings printed before "… and N more": one leaking secret can be on every line.
constexpr std::size_t kMaxPrinted = 50;

bool isCollected(const fs::path& path) {
    const std::string extension = path.extension().string();
    return extension == ".log" || extension == ".secrets";
}

int reset(const std::string& directory) {
    std::error_code ec;
    fs::create_directories(directory, ec);
    if (ec) {
        std::fprintf(stderr, "cannot create %s: %s\n", directory.c_str(), ec.message().c_str());
        return 2;
    }
    // Only what tests/support collects: the directory may be shared with other files.
    std::size_t removed = 0;
    for (const auto& entry : fs::directory_iterator(directory, ec)) {
        if (entry.is_regular_file() && isCollected(entry.path())) {
            fs::remove(entry.path(), ec);
            if (ec) {
                std::fprintf(stderr, "cannot remove %s: %s\n", entry.path().c_str(),
                             ec.message().c_str());
                return 2;
            }
            ++removed;
        }
    }
    if (ec) {
        std::fprintf(stderr, "cannot list %s: %s\n", directory.c_str(), ec.message().c_str());
        return 2;
    }
    std::printf("secret-leak check: %zu collected files removed from %s\n", removed,
                directory.c_str());
    return 0;
}

int check(const std::string& directory) {
    std::error_code ec;
    if (!fs::is_directory(directory, ec)) {
        std::printf(
            "secret-leak check: %s does not exist: no relais run was collected (is "
            "RELAIS_TEST_LOG_DIR set for the tests?)\n",
            directory.c_str());
        return 0;
    }
    const auto report = scanDirectory(directory);
    for (const auto& error : report.errors) std::fprintf(stderr, "error: %s\n", error.c_str());
    std::size_t printed = 0;
    for (const auto& finding : report.findings) {
        if (printed++ == kMaxPrinted) {
            std::fprintf(stderr, "… and %zu more findings\n", report.findings.size() - kMaxPrinted);
            break;
        }
        std::fprintf(stderr, "%s\n", describe(finding).c_str());
    }
    std::printf(
        "secret-leak check: %zu logs (%zu lines, %zu bytes) searched for %zu secrets from %zu "
        "runs (%zu shorter than %zu bytes not searched): %zu findings, %zu errors\n",
        report.logs, report.lines, report.bytes, report.secrets, report.secrets_files,
        report.skipped_short, kMinSecretBytes, report.findings.size(), report.errors.size());
    return report.findings.empty() && report.errors.empty() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 3 && std::string_view(argv[1]) == "--reset") return reset(argv[2]);
    if (argc == 2 && std::string_view(argv[1]).substr(0, 1) != "-") return check(argv[1]);
    std::fprintf(stderr, "usage: %s [--reset] DIRECTORY\n", argv[0]);
    return 64;
}
