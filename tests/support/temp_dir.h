// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>

namespace relais::test {

/// A fresh directory under $TMPDIR (or /tmp), removed with its content on destruction
/// unless RELAIS_KEEP_TEST_DIRS is set (for post-mortems).
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::string& path() const noexcept { return path_; }
    /// `path()/name`.
    std::string file(std::string_view name) const;
    /// Writes `content` to `path()/name` (parents created) and returns the full path.
    std::string write(std::string_view name, std::string_view content) const;

private:
    std::string path_;
};

/// Reads a file of the source tree (`tests/fixtures/…`, `config/relais.xml`…).
std::string readSourceFile(std::string_view relative_path);

/// Reads any file; fails the current test (and returns "") when it cannot.
std::string readFileOrFail(const std::string& path);

}  // namespace relais::test
