// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/common/files.h"

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "relais/common/crypto.h"
#include "relais/common/unique_fd.h"

namespace relais::common {
namespace {

sdk::Error ioError(std::string_view what, const std::string& path, int error_number) {
    return sdk::fail(
        error_number == ENOENT ? sdk::ErrorCode::NotFound : sdk::ErrorCode::Unavailable,
        std::string(what) + " '" + path + "': " + std::strerror(error_number));
}

}  // namespace

sdk::Result<std::string> readFile(const std::string& path, std::size_t max_bytes) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) return ioError("cannot open", path, errno);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return ioError("cannot stat", path, errno);
    if (static_cast<std::size_t>(st.st_size) > max_bytes) {
        return sdk::fail(sdk::ErrorCode::TooLarge, "file '" + path + "' is larger than " +
                                                       std::to_string(max_bytes) + " bytes");
    }
    std::string out;
    out.reserve(static_cast<std::size_t>(st.st_size));
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR) continue;
            return ioError("cannot read", path, errno);
        }
        if (n == 0) break;
        out.append(buffer, static_cast<std::size_t>(n));
        if (out.size() > max_bytes) {
            return sdk::fail(sdk::ErrorCode::TooLarge, "file '" + path + "' is larger than " +
                                                           std::to_string(max_bytes) + " bytes");
        }
    }
    return out;
}

sdk::Result<void> writeFileAtomic(const std::string& path, std::string_view data) {
    const std::filesystem::path target(path);
    const std::string directory =
        target.has_parent_path() ? target.parent_path().string() : std::string(".");
    const std::string temp =
        directory + "/." + target.filename().string() + ".tmp-" + toHex(randomBytes(6));
    {
        UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640));
        if (fd.get() < 0) return ioError("cannot create", temp, errno);
        std::size_t written = 0;
        while (written < data.size()) {
            const ssize_t n = ::write(fd.get(), data.data() + written, data.size() - written);
            if (n < 0) {
                if (errno == EINTR) continue;
                const int saved = errno;
                ::unlink(temp.c_str());
                return ioError("cannot write", temp, saved);
            }
            written += static_cast<std::size_t>(n);
        }
        if (::fsync(fd.get()) != 0) {
            const int saved = errno;
            ::unlink(temp.c_str());
            return ioError("cannot fsync", temp, saved);
        }
    }
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        const int saved = errno;
        ::unlink(temp.c_str());
        return ioError("cannot rename to", path, saved);
    }
    UniqueFd dir(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.get() < 0 || ::fsync(dir.get()) != 0) return ioError("cannot fsync", directory, errno);
    return sdk::ok();
}

sdk::Result<void> makeDirectories(const std::string& path) {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) {
        return sdk::fail(sdk::ErrorCode::Unavailable,
                         "cannot create directory '" + path + "': " + ec.message());
    }
    return sdk::ok();
}

}  // namespace relais::common
