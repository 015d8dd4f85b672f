// SPDX-License-Identifier: AGPL-3.0-or-later
#include "support/daemon.h"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "relais/common/crypto.h"
#include "relais/common/files.h"
#include "relais/common/strings.h"
#include "relais/sdk/json.h"

extern char** environ;  // NOLINT(readability-identifier-naming)

namespace relais::test {
namespace {

using Clock = std::chrono::steady_clock;

// Starts `relais` with `args`, standard output and error redirected to files.
pid_t spawnRelais(const std::vector<std::string>& args, const std::vector<std::string>& env,
                  const std::string& stdout_path, const std::string& stderr_path) {
    std::vector<std::string> argv_storage;
    argv_storage.emplace_back(RELAIS_EXECUTABLE);
    argv_storage.insert(argv_storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_storage) argv.push_back(a.data());
    argv.push_back(nullptr);

    std::vector<std::string> env_storage;
    for (char** e = environ; *e != nullptr; ++e) env_storage.emplace_back(*e);
    env_storage.insert(env_storage.end(), env.begin(), env.end());
    std::vector<char*> envp;
    for (auto& e : env_storage) envp.push_back(e.data());
    envp.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    posix_spawn_file_actions_addopen(&actions, 2, stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0644);
    pid_t pid = -1;
    const int rc =
        posix_spawn(&pid, RELAIS_EXECUTABLE, &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) {
        throw std::runtime_error(std::string("cannot start relais: ") + std::strerror(rc));
    }
    return pid;
}

// Waits for `pid` until `deadline`; returns the exit code or -1 if still running.
int waitUntil(pid_t pid, Clock::time_point deadline) {
    for (;;) {
        int status = 0;
        const pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) {
            if (WIFEXITED(status)) return WEXITSTATUS(status);
            if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
            return -1;
        }
        if (r < 0 && errno != EINTR) return -1;
        if (Clock::now() >= deadline) return -1;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

std::string readIfExists(const std::string& path, std::size_t offset = 0) {
    auto fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return {};
    if (offset > 0 && ::lseek(fd, static_cast<off_t>(offset), SEEK_SET) < 0) {
        ::close(fd);
        return {};
    }
    std::string out;
    char buffer[8192];
    ssize_t n = 0;
    while ((n = ::read(fd, buffer, sizeof buffer)) > 0)
        out.append(buffer, static_cast<std::size_t>(n));
    ::close(fd);
    return out;
}

std::size_t sizeOf(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return 0;
    return static_cast<std::size_t>(st.st_size);
}

// ---- secrets of a config -----------------------------------------------------------------

// The bearer keys `clientElement` wrote, by SHA-256 (hex): the config only holds digests.
struct KnownKeys {
    std::mutex mutex;  // guards by_digest
    std::map<std::string, ConfiguredSecret> by_digest;
};

KnownKeys& knownKeys() {
    static KnownKeys keys;  // NOLINT: process-wide registry of test keys, never destroyed early
    return keys;
}

void rememberKey(const std::string& client, const std::string& key) {
    KnownKeys& keys = knownKeys();
    const std::lock_guard lock(keys.mutex);
    keys.by_digest.emplace(common::sha256Hex(key),
                           ConfiguredSecret{"client '" + client + "' bearer key", key});
}

std::optional<ConfiguredSecret> keyOfDigest(const std::string& digest) {
    KnownKeys& keys = knownKeys();
    const std::lock_guard lock(keys.mutex);
    const auto found = keys.by_digest.find(digest);
    if (found == keys.by_digest.end()) return std::nullopt;
    return found->second;
}

std::string xmlUnescaped(std::string_view text) {
    static const std::pair<std::string_view, char> kEntities[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        bool replaced = false;
        if (text[i] == '&') {
            for (const auto& [entity, c] : kEntities) {
                if (text.substr(i).starts_with(entity)) {
                    out += c;
                    i += entity.size() - 1;
                    replaced = true;
                    break;
                }
            }
        }
        if (!replaced) out += text[i];
    }
    return out;
}

std::string_view trimmed(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(" \t\r\n");
    return text.substr(first, last - first + 1);
}

bool isEnvName(std::string_view name) {
    if (name.empty()) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
                        (i > 0 && c >= '0' && c <= '9');
        if (!ok) return false;
    }
    return true;
}

std::string labelOf(std::string text) {
    for (char& c : text) {
        if (c == '\t' || c == '\n' || c == '\r') c = ' ';
    }
    return text;
}

// Collects secrets from one relais config, in the order found, once per value.
class SecretCollector {
public:
    SecretCollector(std::string base_dir, const std::vector<std::string>& env)
        : base_dir_(std::move(base_dir)) {
        for (const auto& entry : env) {
            const auto equals = entry.find('=');
            if (equals != std::string::npos)
                env_[entry.substr(0, equals)] = entry.substr(equals + 1);
        }
    }

    // A value of the config (attribute value, or element text with `attribute` empty;
    // still escaped) inside `element`.
    // `element_name` is the element's `name` attribute (a plugin's <param name="…">).
    void value(std::string_view raw, std::string_view element, std::string_view element_name,
               std::string_view attribute) {
        const std::string text(trimmed(xmlUnescaped(raw)));
        if (attribute == "key-sha256") {
            if (auto key = keyOfDigest(common::toLower(text))) add(key->label, key->value);
            return;
        }
        // Key files named by path, not by reference: <attributes><key file="…"> (the
        // AES key of personal data), <tls key="…"> (the server's private key) and a
        // connector's <param name="client-key"> (its TLS client key).
        if ((element == "key" && attribute == "file") || (element == "tls" && attribute == "key")) {
            addFile(std::string(element) + " " + std::string(attribute) + "=" + text, text);
            return;
        }
        if (element == "param" && element_name == "client-key" && attribute.empty()) {
            addFile("param client-key=" + text, text);
            return;
        }
        if (text.starts_with("env:") && isEnvName(std::string_view(text).substr(4))) {
            const std::string name = text.substr(4);
            if (const auto given = env_.find(name); given != env_.end()) {
                add(text, given->second);
            } else if (const char* set =
                           std::getenv(name.c_str())) {  // NOLINT(concurrency-mt-unsafe)
                add(text, set);
            }
        } else if (text.starts_with("file:") && text.size() > 5) {
            addFile(text, text.substr(5));
        }
    }

    void addFile(const std::string& label, std::string path) {
        if (path.empty()) return;
        if (!path.starts_with('/')) path = base_dir_ + "/" + path;
        auto content = common::readFile(path, std::size_t{64} * 1024);
        if (!content) return;
        std::string secret = std::move(content).value();
        // Like the daemon's resolver: one trailing newline (LF or CRLF) is not part of it.
        if (!secret.empty() && secret.back() == '\n') secret.pop_back();
        if (!secret.empty() && secret.back() == '\r') secret.pop_back();
        add(label, secret);
    }

    void add(const std::string& label, const std::string& value) {
        if (value.empty() || !seen_.insert(value).second) return;
        secrets_.push_back(ConfiguredSecret{labelOf(label), value});
    }

    std::vector<ConfiguredSecret> take() { return std::move(secrets_); }

private:
    std::string base_dir_;
    std::map<std::string, std::string> env_;
    std::set<std::string> seen_;
    std::vector<ConfiguredSecret> secrets_;
};

// Walks the markup of `xml` (comments skipped), handing every attribute value and every
// element text to `collector` with its element's name. Tolerant: a malformed config only
// yields fewer values.
void walkXml(std::string_view xml, SecretCollector& collector) {
    const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    std::string_view element;       // the element opened last (good enough for texts)
    std::string_view element_name;  // its `name` attribute
    std::size_t i = 0;
    while (i < xml.size()) {
        if (xml.substr(i).starts_with("<!--")) {
            const auto end = xml.find("-->", i + 4);
            i = end == std::string_view::npos ? xml.size() : end + 3;
        } else if (xml.substr(i).starts_with("<![CDATA[")) {
            const auto end = xml.find("]]>", i + 9);
            const auto stop = end == std::string_view::npos ? xml.size() : end;
            collector.value(xml.substr(i + 9, stop - i - 9), element, element_name, {});
            i = end == std::string_view::npos ? xml.size() : end + 3;
        } else if (xml[i] == '<') {
            // A tag: its name, then name="value" pairs up to '>'.
            std::size_t j = i + 1;
            while (j < xml.size() && !is_space(xml[j]) && xml[j] != '>' && xml[j] != '/') ++j;
            const std::string_view tag = xml.substr(i + 1, j - i - 1);
            const bool opens = !tag.empty() && tag.front() != '?' && tag.front() != '!';
            if (opens) {
                element = tag;
                element_name = {};
            }
            std::string_view attribute;
            while (j < xml.size() && xml[j] != '>') {
                const char c = xml[j];
                if (c == '"' || c == '\'') {
                    const auto close = xml.find(c, j + 1);
                    if (close == std::string_view::npos) return;
                    const std::string_view raw = xml.substr(j + 1, close - j - 1);
                    // Only attributes of elements: a DOCTYPE's or a processing
                    // instruction's quoted text is not a value of the config.
                    if (opens) {
                        if (attribute == "name") element_name = raw;
                        collector.value(raw, tag, {}, attribute);
                    }
                    j = close + 1;
                } else if (c == '=') {
                    // The attribute's name: the word before '='.
                    std::size_t end = j;
                    while (end > i && is_space(xml[end - 1])) --end;
                    std::size_t start = end;
                    while (start > i && !is_space(xml[start - 1])) --start;
                    attribute = xml.substr(start, end - start);
                    ++j;
                } else {
                    ++j;
                }
            }
            i = j + 1;
        } else {
            const auto next = xml.find('<', i);
            const auto stop = next == std::string_view::npos ? xml.size() : next;
            collector.value(xml.substr(i, stop - i), element, element_name, {});
            i = stop;
        }
    }
}

// The `file` attribute of the config's `<log>` element, absolute; empty when none.
std::string logFileOf(std::string_view xml, const std::string& base_dir) {
    for (std::size_t at = xml.find("<log"); at != std::string_view::npos;
         at = xml.find("<log", at + 4)) {
        const char after = at + 4 < xml.size() ? xml[at + 4] : '>';
        if (after != ' ' && after != '\t' && after != '\n' && after != '/' && after != '>') {
            continue;  // <logger…>, not <log>
        }
        const auto end = xml.find('>', at);
        const std::string_view tag = xml.substr(at, end == std::string_view::npos ? end : end - at);
        const auto attribute = tag.find(" file=\"");
        if (attribute == std::string_view::npos) return {};
        const auto close = tag.find('"', attribute + 7);
        if (close == std::string_view::npos) return {};
        std::string path = xmlUnescaped(tag.substr(attribute + 7, close - attribute - 7));
        if (!path.empty() && !path.starts_with('/')) path = base_dir + "/" + path;
        return path;
    }
    return {};
}

std::string directoryOf(const std::string& path) {
    return std::filesystem::path(path).parent_path().string();
}

// ---- collection ---------------------------------------------------------------------------

// `name` made safe as a file name (parameterised tests have '/').
std::string fileNamePart(std::string_view name) {
    std::string out;
    for (const char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        out += ok ? c : '_';
    }
    if (out.empty() || out.front() == '.') out.insert(out.begin(), '_');
    if (out.size() > 150) out.resize(150);
    return out;
}

bool writeNew(const std::string& path, std::string_view data, mode_t mode) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
    if (fd < 0) return false;
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            ::close(fd);
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    // The mode given to open() is masked by the umask; a secrets file is 0600 whatever it is.
    const bool ok = ::fchmod(fd, mode) == 0;
    return ::close(fd) == 0 && ok;
}

// The secrets of the relais configs named in `args` (any argument naming a readable file
// that holds a `<relais` document), and the key given to `hash-key`.
std::vector<ConfiguredSecret> secretsOfCommand(const std::vector<std::string>& args,
                                               const std::vector<std::string>& env) {
    std::vector<ConfiguredSecret> secrets;
    std::set<std::string> seen;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "hash-key" && i + 1 < args.size()) {
            if (seen.insert(args[i + 1]).second) {
                secrets.push_back(ConfiguredSecret{"hash-key argument", args[i + 1]});
            }
            continue;
        }
        std::error_code ec;
        if (args[i].empty() || !std::filesystem::is_regular_file(args[i], ec)) continue;
        auto text = common::readFile(args[i], std::size_t{1} * 1024 * 1024);
        if (!text || text->find("<relais") == std::string::npos) continue;
        for (auto& secret : configuredSecrets(*text, directoryOf(args[i]), env)) {
            if (seen.insert(secret.value).second) secrets.push_back(std::move(secret));
        }
    }
    return secrets;
}

}  // namespace

CommandResult runRelais(const std::vector<std::string>& args, const std::vector<std::string>& env,
                        int timeout_seconds) {
    TempDir dir;
    const std::string out_path = dir.file("stdout");
    const std::string err_path = dir.file("stderr");
    const pid_t pid = spawnRelais(args, env, out_path, err_path);
    CommandResult result;
    result.exit_code = waitUntil(pid, Clock::now() + std::chrono::seconds(timeout_seconds));
    if (result.exit_code < 0) {
        ::kill(pid, SIGKILL);
        result.exit_code = waitUntil(pid, Clock::now() + std::chrono::seconds(10));
    }
    result.out = readIfExists(out_path);
    result.err = readIfExists(err_path);
    // Standard output is the command's answer (keygen prints a key on purpose); standard
    // error is what an operator's journal keeps.
    if (std::getenv(kTestLogDirVariable) != nullptr) {  // NOLINT(concurrency-mt-unsafe)
        collectTestLog("relais-" + (args.empty() ? std::string("none") : args.front()), result.err,
                       secretsOfCommand(args, env));
    }
    return result;
}

std::string baseConfigElements(const TempDir& dir) {
    return "<server address=\"127.0.0.1\" port=\"0\"/>\n"
           "<store engine=\"sqlite\" path=\"" +
           dir.file("relais.db") + "\" blobs=\"" + dir.file("blobs") +
           "\"/>\n"
           "<plugins directory=\"" RELAIS_PLUGIN_DIR
           "\"/>\n"
           "<data directory=\"" +
           dir.file("data") +
           "\"/>\n"
           "<log level=\"debug\" file=\"" +
           dir.file("relais.log") + "\"/>\n";
}

std::string clientElement(const std::string& name, const std::string& key,
                          const std::string& rights, const std::string& procedures,
                          const std::string& instances) {
    rememberKey(name, key);
    return "<client name=\"" + name + "\" key-sha256=\"" + common::sha256Hex(key) + "\">" +
           "<rights>" + rights + "</rights><procedures>" + procedures + "</procedures>" +
           "<instances>" + instances + "</instances></client>\n";
}

std::string wrapConfig(const std::string& inner) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<relais version=\"1\">\n" + inner +
           "</relais>\n";
}

std::vector<ConfiguredSecret> configuredSecrets(std::string_view config_xml,
                                                const std::string& base_dir,
                                                const std::vector<std::string>& env) {
    SecretCollector collector(base_dir, env);
    walkXml(config_xml, collector);
    return collector.take();
}

std::string formatSecretsFile(const std::vector<ConfiguredSecret>& secrets) {
    std::string out;
    for (const auto& secret : secrets) {
        out += labelOf(secret.label) + "\t" + common::toHex(secret.value) + "\n";
    }
    return out;
}

std::vector<ConfiguredSecret> parseSecretsFile(std::string_view text) {
    std::vector<ConfiguredSecret> secrets;
    std::size_t line_number = 0;
    while (!text.empty()) {
        ++line_number;
        const auto end = text.find('\n');
        const std::string_view line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
        if (line.empty()) continue;
        const auto tab = line.rfind('\t');
        const std::string_view hex = tab == std::string_view::npos ? "" : line.substr(tab + 1);
        std::string value = common::fromHex(hex);
        if (tab == 0 || tab == std::string_view::npos || hex.empty() || value.empty()) {
            throw std::runtime_error("line " + std::to_string(line_number) +
                                     ": not 'label<TAB>hex'");
        }
        secrets.push_back(ConfiguredSecret{std::string(line.substr(0, tab)), std::move(value)});
    }
    return secrets;
}

std::string collectTestLog(std::string_view what, std::string_view log,
                           const std::vector<ConfiguredSecret>& secrets) {
    const char* directory = std::getenv(kTestLogDirVariable);  // NOLINT(concurrency-mt-unsafe)
    if (directory == nullptr || *directory == '\0') return {};
    if (auto made = common::makeDirectories(directory); !made) {
        ADD_FAILURE() << kTestLogDirVariable << ": " << made.error().message;
        return {};
    }
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    const std::string stem =
        std::string(directory) + "/" +
        fileNamePart(test != nullptr ? std::string(test->test_suite_name()) + "." + test->name()
                                     : std::string(what)) +
        "-" + std::to_string(::getpid()) + "-";
    static std::atomic<unsigned> sequence{0};
    // O_EXCL on the log: a name is never reused, even by another process with the same pid
    // in an earlier run (the directory is emptied before a run, but not by every runner).
    for (int attempt = 0; attempt < 1000; ++attempt) {
        const std::string base = stem + std::to_string(sequence.fetch_add(1));
        if (!writeNew(base + ".log", log, 0644)) {
            if (errno == EEXIST) continue;
            ADD_FAILURE() << "cannot write " << base << ".log: " << std::strerror(errno);
            return {};
        }
        if (!writeNew(base + ".secrets", formatSecretsFile(secrets), 0600)) {
            ADD_FAILURE() << "cannot write " << base << ".secrets: " << std::strerror(errno);
        }
        return base + ".log";
    }
    ADD_FAILURE() << "no free log name under " << directory;
    return {};
}

Daemon::Daemon(const TempDir& dir, const std::string& config_xml,
               const std::vector<std::string>& env)
    : config_path_(dir.write("relais.xml", config_xml)),
      ready_path_(dir.file("ready.json")),
      stdout_path_(dir.file("daemon.stdout")),
      stderr_path_(dir.file("daemon.stderr")),
      log_path_(logFileOf(config_xml, dir.path())) {
    if (log_path_.empty()) log_path_ = dir.file("relais.log");
    if (std::getenv(kTestLogDirVariable) != nullptr) {  // NOLINT(concurrency-mt-unsafe)
        secrets_ = configuredSecrets(config_xml, dir.path(), env);
        // A restarted daemon appends to the same log: collect only this run's lines.
        log_offset_ = sizeOf(log_path_);
    }
    ::unlink(ready_path_.c_str());
    pid_ = spawnRelais({"serve", "--config", config_path_, "--ready-file", ready_path_}, env,
                       stdout_path_, stderr_path_);
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    for (;;) {
        const std::string ready = readIfExists(ready_path_);
        if (!ready.empty()) {
            auto parsed = sdk::Json::parse(ready);
            if (parsed && parsed->find("port") != nullptr) {
                port_ = static_cast<int>(parsed->find("port")->asInt());
                return;
            }
        }
        const int code = waitUntil(pid_, Clock::now());
        if (code >= 0) {
            pid_ = -1;
            exit_code_ = code;
            collect();
            throw std::runtime_error("relais serve exited with " + std::to_string(code) +
                                     " before it was ready:\n" + logs());
        }
        if (Clock::now() >= deadline) {
            stop();
            throw std::runtime_error("relais serve was not ready within 30 s:\n" + logs());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

Daemon::~Daemon() { stop(); }

int Daemon::stop() {
    if (pid_ <= 0) return exit_code_;
    ::kill(pid_, SIGTERM);
    exit_code_ = waitUntil(pid_, Clock::now() + std::chrono::seconds(30));
    if (exit_code_ < 0) {
        ::kill(pid_, SIGKILL);
        exit_code_ = waitUntil(pid_, Clock::now() + std::chrono::seconds(10));
    }
    pid_ = -1;
    collect();
    return exit_code_;
}

void Daemon::kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    exit_code_ = waitUntil(pid_, Clock::now() + std::chrono::seconds(10));
    pid_ = -1;
    collect();
}

std::string Daemon::logs() const { return readIfExists(stderr_path_) + readIfExists(log_path_); }

void Daemon::collect() {
    if (collected_) return;
    collected_ = true;
    if (std::getenv(kTestLogDirVariable) == nullptr) return;  // NOLINT(concurrency-mt-unsafe)
    collectTestLog("relais-serve",
                   readIfExists(stdout_path_) + readIfExists(stderr_path_) +
                       readIfExists(log_path_, log_offset_),
                   secrets_);
}

}  // namespace relais::test
