// SPDX-License-Identifier: AGPL-3.0-or-later
#include "files.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <Poco/DigestEngine.h>
#include <Poco/SHA2Engine.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "relais/sdk/signing.h"
#include "relais/sdk/text.h"

namespace relais::adapters::mdel {
namespace {

namespace fs = std::filesystem;
using sdk::ErrorCode;

sdk::Error unavailable(const std::string& what, const std::string& path, int error_number) {
    return sdk::fail(ErrorCode::Unavailable,
                     what + " '" + path + "': " + std::strerror(error_number));
}

// Closes a descriptor on every path out.
class Descriptor {
public:
    explicit Descriptor(int fd) noexcept : fd_(fd) {}
    ~Descriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    Descriptor(const Descriptor&) = delete;
    Descriptor& operator=(const Descriptor&) = delete;
    int get() const noexcept { return fd_; }

private:
    int fd_;
};

bool writeAll(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return false;
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

bool isRegularFile(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

std::string unusableDirectory(const std::string& directory) {
    struct stat st {};
    if (::stat(directory.c_str(), &st) != 0) {
        return "'" + directory + "' cannot be used: " + std::strerror(errno);
    }
    if (!S_ISDIR(st.st_mode)) return "'" + directory + "' is not a directory";
    if (::access(directory.c_str(), W_OK | X_OK) != 0) {
        return "'" + directory + "' is not writable by relais";
    }
    return {};
}

bool isPlainFileName(std::string_view name) {
    return !name.empty() && name != "." && name != ".." &&
           name.find('/') == std::string_view::npos && !sdk::text::hasControlCharacter(name);
}

sdk::Result<std::vector<std::string>> waitingZips(const std::string& directory) {
    std::error_code ec;
    std::vector<std::string> names;
    for (fs::directory_iterator it(directory, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        const std::string lower = sdk::text::toLower(name);
        if (name.front() == '.' || lower.size() <= 4 || !lower.ends_with(".zip")) continue;
        if (isRegularFile(it->path().string())) names.push_back(name);
    }
    if (ec) return unavailable("cannot list", directory, ec.value());
    std::sort(names.begin(), names.end());
    return names;
}

sdk::Result<std::string> moveInto(const std::string& directory, const std::string& name,
                                  const std::string& target) {
    const fs::path from = fs::path(directory) / name;
    if (!isRegularFile(from.string())) {
        return sdk::fail(ErrorCode::NotFound, "'" + from.string() + "' is gone");
    }
    fs::path to = fs::path(target) / name;
    for (int n = 2; fs::exists(fs::symlink_status(to)); ++n) {
        to = fs::path(target) / (name + "-" + std::to_string(n));
    }
    std::error_code ec;
    fs::rename(from, to, ec);
    if (ec == std::errc::cross_device_link) {
        ec.clear();
        if (fs::copy_file(from, to, ec) && !ec) fs::remove(from, ec);
    }
    if (ec) return unavailable("cannot move '" + from.string() + "' to", to.string(), ec.value());
    return to.string();
}

sdk::Result<void> writeDurably(const std::string& directory, const std::string& name,
                               std::string_view bytes) {
    const std::string final_path = directory + "/" + name;
    // Hidden and unique: the transfer agent takes `*.zip`, and two workers writing the same
    // reply at once each have their own.
    const std::string temp = directory + "/." + name + "." + sdk::signing::newNonce() + ".part";
    {
        const Descriptor file(
            ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640));
        if (file.get() < 0) return unavailable("cannot create", temp, errno);
        if (!writeAll(file.get(), bytes) || ::fsync(file.get()) != 0) {
            const int saved = errno;
            ::unlink(temp.c_str());
            return unavailable("cannot write", temp, saved);
        }
    }
    if (::rename(temp.c_str(), final_path.c_str()) != 0) {
        const int saved = errno;
        ::unlink(temp.c_str());
        return unavailable("cannot rename to", final_path, saved);
    }
    const Descriptor dir(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.get() < 0 || ::fsync(dir.get()) != 0) {
        return unavailable("cannot sync directory", directory, errno);
    }
    return sdk::ok();
}

std::string MessageIndex::fileOf(const std::string& message_id) const {
    Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
    engine.update(message_id);
    return directory_ + "/" + Poco::DigestEngine::digestToHex(engine.digest());
}

bool MessageIndex::knows(const std::string& message_id) const {
    return isRegularFile(fileOf(message_id));
}

sdk::Result<void> MessageIndex::remember(const std::string& message_id,
                                         const std::string& zip) const {
    const std::string path = fileOf(message_id);
    return writeDurably(directory_, path.substr(directory_.size() + 1),
                        "MessageId: " + message_id + "\nzip: " + zip + "\n");
}

}  // namespace relais::adapters::mdel
