// SPDX-License-Identifier: AGPL-3.0-or-later
#include "file_drop.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "relais/sdk/host.h"

namespace relais::plugins::filedrop {
namespace {

namespace fs = std::filesystem;
using sdk::ErrorCode;

constexpr std::size_t kMaxAckBytes = 64 * 1024;
constexpr std::size_t kMaxAcksPerPoll = 500;
// A status file holds a decision or a few: a megabyte is plenty, and bounds what a writer
// of the shared directory can make relais read.
constexpr std::size_t kMaxReturnBytes = std::size_t{1024} * 1024;
constexpr std::size_t kMaxReturnsPerPoll = 500;

sdk::Error ioError(const std::string& what, const std::string& path, int error_number) {
    // A full disk or a permission problem may pass once an operator acts: retry.
    return sdk::fail(ErrorCode::Unavailable,
                     what + " '" + path + "': " + std::strerror(error_number));
}

// Creates `temp` for writing, never through a link: the drop directory is shared with the
// business software (and whoever else can write there), and a symbolic link planted at a
// predictable temporary name would otherwise make relais overwrite the file it points to.
// A leftover of an interrupted attempt (or a planted link) is removed first; O_EXCL and
// O_NOFOLLOW then refuse anything that appears in between.
int createTemporary(const std::string& temp) {
    if (::unlink(temp.c_str()) != 0 && errno != ENOENT) return -1;
    return ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
}

// Writes `data` to `path` through a temporary file in the same directory: write, fsync,
// rename. The directory is fsynced by the caller once all files of the drop are in place.
// The rename replaces whatever is at `path` (a link included) without following it.
sdk::Result<void> writeDurably(const std::string& path, std::string_view data) {
    const std::string temp = path + ".part";
    const int fd = createTemporary(temp);
    if (fd < 0) return ioError("cannot create", temp, errno);
    std::size_t written = 0;
    while (written < data.size()) {
        const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
        if (n < 0) {
            if (errno == EINTR) continue;
            const int saved = errno;
            ::close(fd);
            ::unlink(temp.c_str());
            return ioError("cannot write", temp, saved);
        }
        written += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) {
        const int saved = errno;
        ::close(fd);
        ::unlink(temp.c_str());
        return ioError("cannot fsync", temp, saved);
    }
    ::close(fd);
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        const int saved = errno;
        ::unlink(temp.c_str());
        return ioError("cannot rename", temp, saved);
    }
    return sdk::ok();
}

sdk::Result<void> syncDirectory(const std::string& directory) {
    const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return ioError("cannot open directory", directory, errno);
    const int rc = ::fsync(fd);
    const int saved = errno;
    ::close(fd);
    if (rc != 0) return ioError("cannot fsync directory", directory, saved);
    return sdk::ok();
}

// Reads a file of the drop or ack directory. A symbolic link is refused (ELOOP), and so is
// anything but a regular file: whoever can write to those directories must not make relais
// read another file (its secrets, the personal-data key) into a dossier's events.
sdk::Result<std::string> readSmallFile(const std::string& path, std::size_t max_bytes) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return ioError("cannot read", path, errno);
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return sdk::fail(ErrorCode::InvalidArgument, "'" + path + "' is not a regular file");
    }
    std::string content;
    char buffer[8192];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int saved = errno;
            ::close(fd);
            return ioError("cannot read", path, saved);
        }
        if (n == 0) break;
        content.append(buffer, static_cast<std::size_t>(n));
        if (content.size() > max_bytes) {
            ::close(fd);
            return sdk::fail(ErrorCode::TooLarge, "file '" + path + "' is too large");
        }
    }
    ::close(fd);
    return content;
}

// True when `path` is a directory itself, not a link to one.
bool isRealDirectory(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Copies `source` to `target` through a temporary file, in blocks (attachments may be
// large), then fsync and rename like writeDurably.
sdk::Result<void> copyDurably(const std::string& source, const std::string& target) {
    const int in = ::open(source.c_str(), O_RDONLY | O_CLOEXEC);
    if (in < 0) return ioError("cannot open", source, errno);
    const std::string temp = target + ".part";
    const int out = createTemporary(temp);
    if (out < 0) {
        const int saved = errno;
        ::close(in);
        return ioError("cannot create", temp, saved);
    }
    const auto fail_with = [&](const std::string& what, const std::string& path, int error) {
        ::close(in);
        ::close(out);
        ::unlink(temp.c_str());
        return ioError(what, path, error);
    };
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::read(in, buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail_with("cannot read", source, errno);
        }
        if (n == 0) break;
        ssize_t done = 0;
        while (done < n) {
            const ssize_t w = ::write(out, buffer + done, static_cast<std::size_t>(n - done));
            if (w < 0) {
                if (errno == EINTR) continue;
                return fail_with("cannot write", temp, errno);
            }
            done += w;
        }
    }
    if (::fsync(out) != 0) return fail_with("cannot fsync", temp, errno);
    ::close(in);
    ::close(out);
    if (::rename(temp.c_str(), target.c_str()) != 0) {
        const int saved = errno;
        ::unlink(temp.c_str());
        return ioError("cannot rename", temp, saved);
    }
    return sdk::ok();
}

std::string extensionFor(const std::string& content_type) {
    if (content_type.find("json") != std::string::npos) return "json";
    if (content_type.find("xml") != std::string::npos) return "xml";
    if (content_type.find("csv") != std::string::npos) return "csv";
    return "txt";
}

std::string safeName(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        out += ok ? c : '_';
    }
    // No hidden files, no "." or "..": a leading dot becomes '_'.
    if (!out.empty() && out.front() == '.') out.front() = '_';
    if (out.size() > 200) out.resize(200);
    return out;
}

std::string trimmed(std::string text) {
    const auto not_space = [](unsigned char c) { return std::isspace(c) == 0; };
    text.erase(text.begin(), std::find_if(text.begin(), text.end(), not_space));
    text.erase(std::find_if(text.rbegin(), text.rend(), not_space).base(), text.end());
    return text;
}

}  // namespace

std::string expandFileName(const std::string& name_template, const sdk::Delivery& delivery) {
    const sdk::Dossier& dossier = *delivery.dossier;
    std::string out;
    std::size_t pos = 0;
    while (pos < name_template.size()) {
        const auto open = name_template.find('{', pos);
        if (open == std::string::npos) {
            out += name_template.substr(pos);
            break;
        }
        out += name_template.substr(pos, open - pos);
        const auto close = name_template.find('}', open);
        if (close == std::string::npos) {
            out += name_template.substr(open);
            break;
        }
        const std::string name = name_template.substr(open + 1, close - open - 1);
        if (name == "dossier_id") {
            out += dossier.id;
        } else if (name == "source_key") {
            out += dossier.source_key;
        } else if (name == "procedure") {
            out += dossier.procedure;
        } else if (name == "route") {
            out += delivery.route;
        } else if (name == "date") {
            out += dossier.submitted_at.toUtcString().substr(0, 10);
        } else {
            out += name_template.substr(open, close - open + 1);
        }
        pos = close + 1;
    }
    return safeName(out);
}

FileDrop::FileDrop(sdk::Host& host) : sdk::Connector(host) {}

sdk::Result<void> FileDrop::configure(const sdk::Settings& settings) {
    directory_ = settings.string("directory");
    name_template_ = settings.string("file-name");
    extension_ = safeName(settings.string("extension"));
    manifest_ = settings.boolean("manifest", true);
    acknowledgements_ = settings.boolean("acknowledgements", false);
    ack_directory_ = settings.string("ack-directory");
    if (ack_directory_.empty()) ack_directory_ = directory_ + "/ack";
    if (name_template_.find("{dossier_id}") == std::string::npos &&
        name_template_.find("{source_key}") == std::string::npos) {
        return sdk::fail(ErrorCode::InvalidArgument,
                         "file-name must contain {dossier_id} or {source_key}, otherwise "
                         "dossiers would overwrite each other",
                         "file-name");
    }
    std::error_code ec;
    fs::create_directories(directory_, ec);
    if (ec) {
        return sdk::fail(ErrorCode::InvalidArgument,
                         "cannot create directory '" + directory_ + "': " + ec.message(),
                         "directory");
    }
    auto returns = buildReturnConfig(settings);
    if (!returns) return std::move(returns).error();
    if (returns->enabled()) {
        for (const char* sub : {"processed", "rejected"}) {
            fs::create_directories(fs::path(returns->directory) / sub, ec);
            if (ec) {
                return sdk::fail(
                    ErrorCode::InvalidArgument,
                    "cannot create directory '" + returns->directory + "': " + ec.message(),
                    "return-directory");
            }
        }
    }
    returns_ = std::make_shared<const ReturnConfig>(std::move(returns).value());
    if (acknowledgements_) {
        fs::create_directories(fs::path(ack_directory_) / "processed", ec);
        if (ec) {
            return sdk::fail(ErrorCode::InvalidArgument,
                             "cannot create directory '" + ack_directory_ + "': " + ec.message(),
                             "ack-directory");
        }
    }
    return sdk::ok();
}

sdk::Result<sdk::HealthReport> FileDrop::health() {
    if (::access(directory_.c_str(), W_OK | X_OK) != 0) {
        return sdk::HealthReport{
            false, "directory '" + directory_ + "' is not writable: " + std::strerror(errno)};
    }
    return sdk::HealthReport{true, "directory '" + directory_ + "' is writable"};
}

sdk::Result<sdk::DeliveryReceipt> FileDrop::deliver(const sdk::Delivery& delivery) {
    if (delivery.dossier == nullptr) {
        return sdk::fail(ErrorCode::InvalidArgument, "delivery without a dossier");
    }
    const std::string name = expandFileName(name_template_, delivery);
    if (name.empty()) {
        return sdk::fail(ErrorCode::Permanent, "the file-name template produced an empty name");
    }
    const std::string extension =
        extension_.empty() ? extensionFor(delivery.content_type) : extension_;
    const std::string payload_file = name + "." + extension;
    const std::string manifest_path = directory_ + "/" + name + ".manifest.json";

    // A previous attempt that completed (manifest present, same idempotency key) is the
    // same delivery: do not write again.
    if (manifest_ && fs::exists(manifest_path)) {
        auto existing = readSmallFile(manifest_path, kMaxAckBytes);
        if (existing) {
            auto parsed = sdk::Json::parse(*existing);
            if (parsed && parsed->find("idempotency_key") != nullptr &&
                parsed->find("idempotency_key")->asString() == delivery.idempotency_key) {
                return sdk::DeliveryReceipt{name, {}, {}, acknowledgements_};
            }
        }
    }

    if (auto written = writeDurably(directory_ + "/" + payload_file, delivery.payload); !written) {
        return std::move(written).error();
    }

    sdk::Json attachments = sdk::Json::array();
    if (!delivery.attachment_paths.empty()) {
        const std::string files_dir = directory_ + "/" + name + ".files";
        std::error_code ec;
        fs::create_directories(files_dir, ec);
        if (ec) return ioError("cannot create", files_dir, ec.value());
        // A link planted at that name would send the attachments elsewhere.
        if (!isRealDirectory(files_dir)) {
            return sdk::fail(ErrorCode::Unavailable,
                             "'" + files_dir +
                                 "' is not a directory (a symbolic link?): "
                                 "remove it to let the delivery go through");
        }
        for (std::size_t i = 0; i < delivery.attachment_paths.size(); ++i) {
            // An attachment kept by reference only (never downloaded) has no file.
            if (delivery.attachment_paths[i].empty()) continue;
            const sdk::Attachment* meta = i < delivery.dossier->attachments.size()
                                              ? &delivery.dossier->attachments[i]
                                              : nullptr;
            std::string file = safeName(meta != nullptr && !meta->name.empty()
                                            ? meta->name
                                            : "attachment-" + std::to_string(i + 1));
            file = std::to_string(i + 1) + "-" + file;
            const std::string target = files_dir + "/" + file;
            if (auto copied = copyDurably(delivery.attachment_paths[i], target); !copied) {
                return std::move(copied).error();
            }
            sdk::Json entry = sdk::Json::object();
            entry.set("file", name + ".files/" + file);
            if (meta != nullptr) {
                entry.set("name", meta->name);
                entry.set("content_type", meta->content_type);
                entry.set("sha256", meta->sha256);
                entry.set("size", meta->size);
            }
            attachments.push(std::move(entry));
        }
        if (auto s = syncDirectory(files_dir); !s) return std::move(s).error();
    }

    if (manifest_) {
        sdk::Json manifest = sdk::Json::object();
        manifest.set("dossier_id", delivery.dossier->id);
        manifest.set("source", delivery.dossier->source);
        manifest.set("source_key", delivery.dossier->source_key);
        manifest.set("procedure", delivery.dossier->procedure);
        manifest.set("route", delivery.route);
        manifest.set("idempotency_key", delivery.idempotency_key);
        manifest.set("payload", payload_file);
        manifest.set("content_type", delivery.content_type);
        manifest.set("attachments", std::move(attachments));
        manifest.set("written_at", host().clock().now().toUtcString());
        if (auto w = writeDurably(manifest_path, manifest.dump(2) + "\n"); !w) {
            return std::move(w).error();
        }
    }
    if (auto s = syncDirectory(directory_); !s) return std::move(s).error();
    host().logger().info("dossier dropped",
                         {{"dossier_id", delivery.dossier->id}, {"file", payload_file}});
    return sdk::DeliveryReceipt{name, {}, {}, acknowledgements_};
}

namespace {

// The cursor names the files of the previous batch, whose events relais has stored since.
// Acknowledgements only: a JSON array of names (as before return directories existed);
// otherwise `{"ack": […], "return": […]}`.
void readCursor(const std::string& cursor, std::vector<std::string>& acks,
                std::vector<std::string>& returns) {
    if (cursor.empty()) return;
    auto parsed = sdk::Json::parse(cursor);
    if (!parsed) return;
    const auto names = [](const sdk::Json* list, std::vector<std::string>& out) {
        for (std::size_t i = 0; list != nullptr && i < list->size(); ++i) {
            out.push_back(list->at(i)->asString());
        }
    };
    if (parsed->isArray()) {
        names(&*parsed, acks);
    } else {
        names(parsed->find("ack"), acks);
        names(parsed->find("return"), returns);
    }
}

sdk::Json nameList(const std::vector<std::string>& names) {
    sdk::Json list = sdk::Json::array();
    for (const auto& name : names) list.push(name);
    return list;
}

// A plain entry of a directory relais listed itself: no separator, not `.` or `..`.
bool plainName(const std::string& name) {
    return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos;
}

}  // namespace

sdk::Result<sdk::PollBatch> FileDrop::poll(const std::string& cursor) {
    sdk::PollBatch batch;
    const bool returns = returns_ && returns_->enabled();
    if (!acknowledgements_ && !returns) return batch;

    std::vector<std::string> previous_acks;
    std::vector<std::string> previous_returns;
    readCursor(cursor, previous_acks, previous_returns);
    std::vector<std::string> done_returns;
    if (returns) {
        if (auto read = pollReturns(previous_returns, batch, done_returns); !read) {
            return std::move(read).error();
        }
    }
    std::vector<std::string> done_acks;
    if (acknowledgements_) {
        if (auto read = pollAcknowledgements(previous_acks, batch, done_acks); !read) {
            return std::move(read).error();
        }
    }
    if (!returns) {
        batch.next_cursor = nameList(done_acks).dump();
    } else {
        sdk::Json next = sdk::Json::object();
        next.set("ack", nameList(done_acks));
        next.set("return", nameList(done_returns));
        batch.next_cursor = next.dump();
    }
    return batch;
}

sdk::Result<void> FileDrop::pollAcknowledgements(const std::vector<std::string>& previous,
                                                 sdk::PollBatch& batch,
                                                 std::vector<std::string>& done) {
    // relais stored the previous batch's events before calling again, so its ack files can
    // be moved out of the way now.
    for (const auto& name : previous) {
        const std::string file = safeName(name);
        if (file.empty()) continue;
        std::error_code ec;
        fs::rename(fs::path(ack_directory_) / file, fs::path(ack_directory_) / "processed" / file,
                   ec);
    }
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(ack_directory_, ec)) {
        const std::string file = entry.path().filename().string();
        if (file.size() <= 4 || !file.ends_with(".ack")) continue;
        std::error_code status_ec;
        // The entry itself, not what a link points to (see readSmallFile).
        if (!fs::is_regular_file(entry.symlink_status(status_ec))) {
            host().logger().warn("acknowledgement that is not a regular file ignored",
                                 {{"file", file}});
            continue;
        }
        names.push_back(file);
    }
    if (ec) return ioError("cannot list", ack_directory_, ec.value());
    std::sort(names.begin(), names.end());
    if (names.size() > kMaxAcksPerPoll) {
        names.resize(kMaxAcksPerPoll);
        batch.more = true;
    }

    for (const auto& file : names) {
        const std::string base = file.substr(0, file.size() - 4);
        auto manifest_text =
            readSmallFile(directory_ + "/" + base + ".manifest.json", kMaxAckBytes);
        auto ack_text = readSmallFile(ack_directory_ + "/" + file, kMaxAckBytes);
        if (!manifest_text || !ack_text) {
            host().logger().warn("acknowledgement without a matching drop", {{"file", file}});
            continue;
        }
        auto manifest = sdk::Json::parse(*manifest_text);
        if (!manifest || manifest->find("dossier_id") == nullptr) continue;

        sdk::InboundEvent inbound;
        inbound.dossier_id = manifest->find("dossier_id")->asString();
        inbound.event.type = std::string(sdk::event_type::kDelivered);
        inbound.event.side = sdk::EventSide::Backoffice;
        inbound.event.source_event_key = "ack:" + file;
        inbound.event.occurred_at = host().clock().now();
        inbound.event.actor = host().instanceName();
        sdk::Json payload = sdk::Json::object();
        if (auto ack = sdk::Json::parse(*ack_text); ack && ack->isObject()) {
            payload = std::move(ack).value();
        } else {
            payload.set("business_id", trimmed(*ack_text));
        }
        inbound.business_id = payload.find("business_id") != nullptr
                                  ? payload.find("business_id")->asString()
                                  : std::string();
        inbound.event.payload = std::move(payload);
        batch.events.push_back(std::move(inbound));
        done.push_back(file);
    }
    return sdk::ok();
}

void FileDrop::rejectReturn(const std::string& file, const std::string& reason) {
    const fs::path directory(returns_->directory);
    std::error_code ec;
    // rename moves a symbolic link itself, never what it points to.
    fs::rename(directory / file, directory / "rejected" / file, ec);
    if (ec) {
        host().logger().warn("return file not moved to rejected/",
                             {{"file", file}, {"error", ec.message()}});
        return;
    }
    (void)writeDurably((directory / "rejected" / (file + ".reason")).string(), reason + "\n");
    host().logger().warn("return file rejected", {{"file", file}, {"reason", reason}});
}

sdk::Result<void> FileDrop::pollReturns(const std::vector<std::string>& previous,
                                        sdk::PollBatch& batch, std::vector<std::string>& done) {
    const fs::path directory(returns_->directory);
    for (const auto& file : previous) {
        if (!plainName(file) || !isReturnFile(file)) continue;
        std::error_code ec;
        fs::rename(directory / file, directory / "processed" / file, ec);
    }

    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(directory, ec)) {
        const std::string file = entry.path().filename().string();
        if (!isReturnFile(file)) continue;
        std::error_code status_ec;
        const fs::file_status status = entry.symlink_status(status_ec);
        if (fs::is_symlink(status)) {
            rejectReturn(file, "a symbolic link: relais never reads through one");
            continue;
        }
        if (!fs::is_regular_file(status)) continue;
        names.push_back(file);
    }
    if (ec) return ioError("cannot list", returns_->directory, ec.value());
    std::sort(names.begin(), names.end());
    if (names.size() > kMaxReturnsPerPoll) {
        names.resize(kMaxReturnsPerPoll);
        batch.more = true;
    }
    for (const auto& file : names) {
        auto content = readSmallFile((directory / file).string(), kMaxReturnBytes);
        if (!content) {
            // Too large, or not a regular file any more (a link planted since the listing:
            // ELOOP): rejected. Another I/O error may pass: the file stays for the next poll.
            const bool transient =
                content.error().code == ErrorCode::Unavailable &&
                content.error().message.find(std::strerror(ELOOP)) == std::string::npos;
            if (transient) {
                host().logger().warn("return file not read",
                                     {{"file", file}, {"error", content.error().message}});
            } else {
                rejectReturn(file, content.error().message);
            }
            continue;
        }
        auto events =
            readReturnFile(file, *content, *returns_, host().clock().now(), host().instanceName());
        if (!events) {
            rejectReturn(file, events.error().message);
            continue;
        }
        for (auto& event : *events) batch.events.push_back(std::move(event));
        done.push_back(file);
    }
    return sdk::ok();
}

}  // namespace relais::plugins::filedrop
