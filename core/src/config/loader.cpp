// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/config/config.h"

// loadConfig: read the file, parse it safely, validate it against the built-in relais.xsd,
// read it into a Config, apply the command line.

#include <cerrno>
#include <filesystem>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "relais/common/errors.h"
#include "relais/config/xml.h"

#include "config/config_reader.h"

namespace relais::embedded {
/// config/schema/relais.xsd, compiled in by relais_embed().
extern const std::string_view kConfigSchema;  // NOLINT(readability-identifier-naming)
}  // namespace relais::embedded

namespace relais::config {
namespace {

constexpr std::size_t kMaxConfigBytes = std::size_t{16} * 1024 * 1024;
constexpr const char* kSchemaName = "relais.xsd (built in)";

// Closes a descriptor on scope exit.
class FileDescriptor {
public:
    explicit FileDescriptor(int fd) noexcept : fd_(fd) {}
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    ~FileDescriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const noexcept { return fd_; }

private:
    int fd_;
};

// strerror() is not thread-safe; the generic category's message is.
std::string errorText(int error_number) { return std::generic_category().message(error_number); }

[[noreturn]] void cannotRead(const std::string& path, const std::string& why) {
    throw ConfigError(path + ": cannot read: " + why);
}

std::string readConfigFile(const std::string& path) {
    FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) cannotRead(path, errorText(errno));
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) cannotRead(path, errorText(errno));
    if (S_ISDIR(st.st_mode)) cannotRead(path, "it is a directory");
    std::string text;
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR) continue;
            cannotRead(path, errorText(errno));
        }
        if (n == 0) break;
        text.append(buffer, static_cast<std::size_t>(n));
        if (text.size() > kMaxConfigBytes) cannotRead(path, "larger than 16 MiB");
    }
    return text;
}

std::string absolutePath(const std::string& path) {
    if (path.empty()) throw ConfigError("no configuration file given");
    std::error_code error;
    const std::filesystem::path absolute = std::filesystem::absolute(path, error);
    if (error) cannotRead(path, error.message());
    return absolute.lexically_normal().string();
}

}  // namespace

std::shared_ptr<const Config> loadConfig(const std::string& path, const Overrides& overrides) {
    const std::string file = absolutePath(path);
    return parseConfig(readConfigFile(file), file, overrides);
}

std::shared_ptr<const Config> parseConfig(std::string_view xml, const std::string& path,
                                          const Overrides& overrides) {
    auto config = std::make_shared<Config>();
    config->path = absolutePath(path);
    config->base_dir = std::filesystem::path(config->path).parent_path().string();

    const XmlDocument doc = parseXmlSafely(xml, config->path);
    // Compiled per load (about a millisecond): loading happens once per process and
    // keeping no schema around means no global state.
    XmlSchema(embedded::kConfigSchema, kSchemaName).validate(*doc, config->path);
    detail::readConfigDocument(*doc, *config);
    applyOverrides(*config, overrides);
    return config;
}

void applyOverrides(Config& config, const Overrides& overrides) {
    if (!overrides.listen_address.empty()) {
        if (!detail::isListenAddress(overrides.listen_address)) {
            throw ConfigError("command line: listen address '" + overrides.listen_address +
                              "' is neither an IP address nor a host name");
        }
        config.server.address = overrides.listen_address;
    }
    if (overrides.listen_port != -1) {
        if (overrides.listen_port < 0 || overrides.listen_port > 65535) {
            throw ConfigError("command line: port " + std::to_string(overrides.listen_port) +
                              " is out of range (0 to 65535)");
        }
        config.server.port = overrides.listen_port;
    }
}

}  // namespace relais::config
