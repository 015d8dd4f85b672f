// SPDX-License-Identifier: AGPL-3.0-or-later
#include "data_commands.h"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include "relais/host/services.h"
#include "relais/sdk/json.h"
#include "relais/store/store.h"
#include "relais/subjects/attribute_key_ring.h"
#include "relais/subjects/validity.h"
#include "relais/subjects/vault.h"

namespace relais::app {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitData = 65;
constexpr int kExitSoftware = 70;
constexpr int kExitCantCreate = 73;
constexpr int kExitConfig = 78;

/// Concurrent writers of an import: the store's group commit folds their transactions into
/// few disk flushes, so an import costs far fewer fsyncs than records.
constexpr unsigned kImportWriters = 16;

struct Record {
    std::string sub;
    std::vector<sdk::Attribute> attributes;
};

}  // namespace

int runAuditVerify(const config::Config& config, std::ostream& out, std::ostream& err) {
    auto store = store::Store::open(config.store);
    auto verdict = store->verifyAudit();
    if (!verdict) {
        err << "relais: audit verify: " << verdict.error().message << '\n';
        return kExitSoftware;
    }
    if (!verdict->intact) {
        err << "audit trail BROKEN at entry " << verdict->first_bad << ": " << verdict->reason
            << " (" << verdict->entries << " entries checked)\n";
        return kExitData;
    }
    out << "audit trail intact: " << verdict->entries << " entries\n";
    return kExitOk;
}

int runKeygen(const std::string& path, std::ostream& out, std::ostream& err) {
    const std::string key = subjects::KeyRing::generateKeyHex() + "\n";
    // O_EXCL: never replace a key (values sealed with it would be lost for good).
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0400);
    if (fd < 0) {
        err << "relais: keygen: cannot create " << path << ": " << std::strerror(errno) << '\n';
        return kExitCantCreate;
    }
    const bool written = ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size());
    const bool synced = ::fsync(fd) == 0;
    ::close(fd);
    if (!written || !synced) {
        err << "relais: keygen: cannot write " << path << '\n';
        ::unlink(path.c_str());
        return kExitCantCreate;
    }
    out << "new AES-256 key written to " << path << " (mode 0400)\n";
    return kExitOk;
}

int runSubjectsImport(const config::Config& config, const ImportOptions& options, std::ostream& out,
                      std::ostream& err) {
    if (!config.attributes.enabled) {
        err << config.path << ": no <attributes> element: this relais keeps no attributes\n";
        return kExitConfig;
    }
    if (options.file.empty() || options.source.empty() ||
        config.attributes.findLevel(options.level) == nullptr) {
        err << "relais: subjects import FILE --source NAME --level N (N a level of the scale)\n";
        return 64;
    }
    std::ifstream in(options.file, std::ios::binary);
    if (!in) {
        err << options.file << ": cannot read\n";
        return kExitData;
    }
    std::ostringstream text;
    text << in.rdbuf();
    auto document = sdk::Json::parse(text.str());
    if (!document) {
        err << options.file << ": " << document.error().message << '\n';
        return kExitData;
    }

    // Everything is checked before anything is written.
    host::SystemClock clock;
    const std::int64_t now = clock.now().micros;
    const std::string process = "import:" + std::filesystem::path(options.file).filename().string();
    std::vector<Record> records;
    const auto take = [&](const std::string& where, const sdk::Json& item,
                          std::string sub) -> bool {
        if (!item.isObject()) {
            err << options.file << ": " << where << ": a record must be an object\n";
            return false;
        }
        Record record;
        if (const sdk::Json* inner = item.find("sub"); inner != nullptr) {
            if (!sub.empty() && inner->asString() != sub) {
                err << options.file << ": " << where << ".sub: differs from its key\n";
                return false;
            }
            sub = inner->asString();
        }
        if (sub.empty()) {
            err << options.file << ": " << where << ".sub: a FranceConnect sub is required\n";
            return false;
        }
        record.sub = sub;
        const sdk::Json::Object* members = item.objectIf();
        for (const auto& member : *members) {
            if (member.key == "sub") continue;
            const auto* kind = config.attributes.findKind(member.key);
            if (kind == nullptr) {
                err << options.file << ": " << where << "." << member.key
                    << ": attribute not declared in <attributes> of " << config.path << '\n';
                return false;
            }
            sdk::Attribute attribute;
            attribute.name = member.key;
            attribute.value = member.value;
            attribute.source = options.source;
            attribute.level = options.level;
            attribute.process = process;
            attribute.verified_at = sdk::Timestamp{now, 0};
            if (const std::int64_t limit = subjects::validUntil(*kind, now); limit != 0) {
                attribute.valid_until = sdk::Timestamp{limit, 0};
            }
            record.attributes.push_back(std::move(attribute));
        }
        records.push_back(std::move(record));
        return true;
    };
    if (const sdk::Json::Object* object = document->objectIf()) {
        for (const auto& member : *object) {
            if (!take(member.key, member.value, member.key)) return kExitData;
        }
    } else if (document->isArray()) {
        for (std::size_t i = 0; i < document->size(); ++i) {
            if (!take("[" + std::to_string(i) + "]", *document->at(i), "")) return kExitData;
        }
    } else {
        err << options.file << ": must be an object keyed by sub, or an array of records\n";
        return kExitData;
    }

    std::vector<subjects::KeySpec> keys;
    for (const auto& key : config.attributes.keys) keys.push_back({key.id, key.file});
    const subjects::KeyRing ring = subjects::KeyRing::load(keys, config.attributes.current_key);
    auto store = store::Store::open(config.store);
    subjects::AttributeVault vault(*store, ring);

    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> values{0};
    std::atomic<bool> failed{false};
    std::mutex err_mutex;
    const auto work = [&] {
        for (std::size_t i = next++; i < records.size() && !failed; i = next++) {
            store::SubjectKey key;
            key.fc_sub = records[i].sub;
            auto subject = store->resolveSubject(key, now);
            auto recorded =
                subject
                    ? vault.record(subject->id, records[i].attributes, 0, now)
                    : sdk::Result<std::vector<store::AttributeOutcome>>(std::move(subject).error());
            if (!recorded) {
                std::lock_guard lock(err_mutex);
                err << options.file << ": " << records[i].sub << ": " << recorded.error().message
                    << '\n';
                failed = true;
                return;
            }
            values += recorded->size();
        }
    };
    std::vector<std::thread> writers;
    for (unsigned i = 0; i < kImportWriters; ++i) writers.emplace_back(work);
    for (std::thread& writer : writers) writer.join();
    if (failed) return kExitSoftware;
    out << "imported " << records.size() << " subjects, " << values << " attribute values from "
        << options.file << '\n';
    return kExitOk;
}

}  // namespace relais::app
