// SPDX-License-Identifier: AGPL-3.0-or-later
#include "support/daemon.h"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "relais/common/crypto.h"
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

std::string readIfExists(const std::string& path) {
    auto fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0) return {};
    std::string out;
    char buffer[8192];
    ssize_t n = 0;
    while ((n = ::read(fd, buffer, sizeof buffer)) > 0)
        out.append(buffer, static_cast<std::size_t>(n));
    ::close(fd);
    return out;
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
    return "<client name=\"" + name + "\" key-sha256=\"" + common::sha256Hex(key) + "\">" +
           "<rights>" + rights + "</rights><procedures>" + procedures + "</procedures>" +
           "<instances>" + instances + "</instances></client>\n";
}

std::string wrapConfig(const std::string& inner) {
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<relais version=\"1\">\n" + inner +
           "</relais>\n";
}

Daemon::Daemon(const TempDir& dir, const std::string& config_xml,
               const std::vector<std::string>& env)
    : config_path_(dir.write("relais.xml", config_xml)),
      ready_path_(dir.file("ready.json")),
      stderr_path_(dir.file("daemon.stderr")),
      log_path_(dir.file("relais.log")) {
    ::unlink(ready_path_.c_str());
    pid_ = spawnRelais({"serve", "--config", config_path_, "--ready-file", ready_path_}, env,
                       dir.file("daemon.stdout"), stderr_path_);
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
    return exit_code_;
}

void Daemon::kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    exit_code_ = waitUntil(pid_, Clock::now() + std::chrono::seconds(10));
    pid_ = -1;
}

std::string Daemon::logs() const { return readIfExists(stderr_path_) + readIfExists(log_path_); }

}  // namespace relais::test
