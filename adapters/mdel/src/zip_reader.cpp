// SPDX-License-Identifier: AGPL-3.0-or-later
#include "zip_reader.h"

#include <fstream>
#include <sstream>
#include <utility>

#include <Poco/DateTime.h>
#include <Poco/Exception.h>
#include <Poco/Path.h>
#include <Poco/Zip/Compress.h>
#include <Poco/Zip/ZipArchive.h>
#include <Poco/Zip/ZipStream.h>

#include "relais/sdk/text.h"

namespace relais::adapters::mdel {
namespace {

using sdk::ErrorCode;

}  // namespace

struct ZipReader::Directory {
    explicit Directory(Poco::Zip::ZipArchive parsed) : archive(std::move(parsed)) {}
    Poco::Zip::ZipArchive archive;
};

std::string unsafeEntryName(std::string_view name) {
    if (name.empty()) return "an entry has an empty name";
    const std::string quoted = "entry '" + std::string(name.substr(0, 200)) + "'";
    if (sdk::text::hasControlCharacter(name)) return quoted + " has a control character";
    if (name.front() == '/') return quoted + " is an absolute path";
    if (name.find('\\') != std::string_view::npos) return quoted + " has a backslash";
    if (name.size() >= 2 && name[1] == ':') return quoted + " names a drive";
    std::size_t start = 0;
    while (start <= name.size()) {
        const std::size_t slash = name.find('/', start);
        const std::string_view segment =
            name.substr(start, slash == std::string_view::npos ? name.npos : slash - start);
        if (segment == "..") return quoted + " climbs out of the zip (`..`)";
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    return {};
}

ZipReader::ZipReader(std::string path, std::unique_ptr<Directory> directory,
                     std::vector<ZipEntry> entries)
    : path_(std::move(path)), directory_(std::move(directory)), entries_(std::move(entries)) {}
ZipReader::ZipReader(ZipReader&&) noexcept = default;
ZipReader& ZipReader::operator=(ZipReader&&) noexcept = default;
ZipReader::~ZipReader() = default;

sdk::Result<ZipReader> ZipReader::open(const std::string& path, std::uint64_t max_total) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return sdk::fail(ErrorCode::Unavailable, "cannot open '" + path + "'");
    std::unique_ptr<Directory> directory;
    try {
        directory = std::make_unique<Directory>(Poco::Zip::ZipArchive(in));
    } catch (const Poco::Exception& e) {
        return sdk::fail(ErrorCode::InvalidArgument, "not a readable zip: " + e.displayText());
    } catch (const std::exception& e) {
        return sdk::fail(ErrorCode::InvalidArgument,
                         std::string("not a readable zip: ") + e.what());
    }
    std::vector<ZipEntry> entries;
    std::uint64_t total = 0;
    for (auto it = directory->archive.headerBegin(); it != directory->archive.headerEnd(); ++it) {
        const auto& header = it->second;
        if (auto why = unsafeEntryName(header.getFileName()); !why.empty()) {
            return sdk::fail(ErrorCode::InvalidArgument, why);
        }
        if (header.isDirectory()) continue;
        if (header.isEncrypted()) {
            return sdk::fail(ErrorCode::InvalidArgument,
                             "entry '" + header.getFileName() + "' is encrypted");
        }
        total += header.getUncompressedSize();
        if (total > max_total) {
            return sdk::fail(ErrorCode::InvalidArgument,
                             "the zip declares more than " + std::to_string(max_total) +
                                 " uncompressed bytes (max-uncompressed-bytes)");
        }
        entries.push_back({header.getFileName(), header.getUncompressedSize()});
    }
    if (entries.empty()) {
        return sdk::fail(ErrorCode::InvalidArgument, "not a readable zip: it holds no file");
    }
    return ZipReader(path, std::move(directory), std::move(entries));
}

const ZipEntry* ZipReader::find(std::string_view name) const noexcept {
    for (const auto& entry : entries_) {
        if (entry.name == name) return &entry;
    }
    return nullptr;
}

sdk::Result<std::string> ZipReader::read(const std::string& name, std::uint64_t max_bytes) const {
    const ZipEntry* entry = find(name);
    const auto header = directory_->archive.findHeader(name);
    if (entry == nullptr || header == directory_->archive.headerEnd()) {
        return sdk::fail(ErrorCode::NotFound, "no entry '" + name + "' in the zip");
    }
    if (entry->size > max_bytes) {
        return sdk::fail(ErrorCode::TooLarge, "entry '" + name + "' is larger than " +
                                                  std::to_string(max_bytes) + " bytes");
    }
    std::ifstream in(path_, std::ios::binary);
    if (!in) return sdk::fail(ErrorCode::Unavailable, "cannot open '" + path_ + "'");
    try {
        Poco::Zip::ZipInputStream stream(in, header->second, true);
        // A CRC or inflate failure is thrown inside the stream buffer: let it out.
        stream.exceptions(std::ios::badbit);
        std::string bytes;
        char buffer[16384];
        // One byte past the declared size is enough to know the header lied.
        while (bytes.size() <= entry->size) {
            stream.read(buffer, sizeof buffer);
            const auto got = static_cast<std::size_t>(stream.gcount());
            if (got == 0) break;
            bytes.append(buffer, got);
        }
        if (bytes.size() != entry->size) {
            return sdk::fail(ErrorCode::InvalidArgument,
                             "entry '" + name + "' holds " + std::to_string(bytes.size()) +
                                 " bytes, its header says " + std::to_string(entry->size));
        }
        if (!stream.crcValid()) {
            return sdk::fail(ErrorCode::InvalidArgument, "entry '" + name + "' fails its CRC");
        }
        return bytes;
    } catch (const Poco::Exception& e) {
        return sdk::fail(ErrorCode::InvalidArgument,
                         "entry '" + name + "' cannot be read: " + e.displayText());
    } catch (const std::exception& e) {
        return sdk::fail(ErrorCode::InvalidArgument,
                         "entry '" + name + "' cannot be read: " + e.what());
    }
}

std::string packZip(const std::vector<ZipMember>& members) {
    std::ostringstream out(std::ios::binary);
    Poco::Zip::Compress compress(out, true);
    const Poco::DateTime now;
    for (const auto& member : members) {
        std::istringstream in(member.bytes, std::ios::binary);
        compress.addFile(in, now, Poco::Path(member.name, Poco::Path::PATH_UNIX));
    }
    compress.close();
    return std::move(out).str();
}

}  // namespace relais::adapters::mdel
