// SPDX-License-Identifier: AGPL-3.0-or-later
#include "delivery_zips.h"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <Poco/Checksum.h>
#include <Poco/DateTime.h>
#include <Poco/Path.h>
#include <Poco/Zip/Compress.h>
#include <Poco/Zip/ZipArchive.h>
#include <Poco/Zip/ZipStream.h>

#include "support/temp_dir.h"

namespace relais::adapters::mdel::test {
namespace {

void littleEndian(std::string& out, std::uint32_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

// Flags (none), method (stored), time and date (zero), CRC, sizes, name length.
void sharedFields(std::string& out, std::uint32_t crc, std::uint32_t size,
                  std::uint32_t name_size) {
    littleEndian(out, 0, 4);
    littleEndian(out, 0, 4);
    littleEndian(out, crc, 4);
    littleEndian(out, size, 4);
    littleEndian(out, size, 4);
    littleEndian(out, name_size, 2);
}

}  // namespace

std::string dauaEnvelope() {
    return relais::test::readSourceFile(
        "tests/fixtures/portals/mdel/declaration-travaux-api_DAUA_message.xml");
}

std::string diaEnvelope() {
    return relais::test::readSourceFile("tests/fixtures/portals/mdel/s2low_DIA_pec_message.xml");
}

std::string withMessageId(std::string envelope, const std::string& message_id) {
    const auto open = envelope.find("MessageId>");
    const auto start = open + std::string("MessageId>").size();
    const auto end = envelope.find('<', start);
    return envelope.replace(start, end - start, message_id);
}

Files dauaFiles() {
    return {
        {"A-9-X3UGO4V7-DAUA-doc-cerfa_13703_DPMI-1-2.pdf", "%PDF-1.4 cerfa 13703 DPMI\n%%EOF\n"},
        {"A-9-X3UGO4V7-DAUA-doc-Liste des pieces jointes-1-2.pdf", "%PDF-1.4 liste\n%%EOF\n"},
        {"A-9-X3UGO4V7-DAUA-doc-recapPDF-1-2.pdf", "%PDF-1.4 recap\n%%EOF\n"},
        {"A-9-X3UGO4V7-DAUA-doc-Note_a_l_administration-1-2.pdf", "%PDF-1.4 note\n%%EOF\n"},
        {"A-9-X3UGO4V7-DAUA-pj-Pieces_Jointes_DAUA-1-2.zip",
         std::string("PK\x05\x06", 4) + std::string(18, '\0')},
    };
}

std::string zipOf(const Files& files) {
    std::ostringstream out(std::ios::binary);
    Poco::Zip::Compress zip(out, true);
    for (const auto& [name, bytes] : files) {
        std::istringstream content(bytes, std::ios::binary);
        zip.addFile(content, Poco::DateTime(2019, 4, 3, 16, 26, 40),
                    Poco::Path(name, Poco::Path::PATH_UNIX));
    }
    zip.close();
    return out.str();
}

std::string rawZipOf(const Files& files) {
    std::string out;
    std::string directory;
    for (const auto& [name, bytes] : files) {
        Poco::Checksum crc(Poco::Checksum::TYPE_CRC32);
        crc.update(bytes.data(), static_cast<unsigned>(bytes.size()));
        const auto offset = static_cast<std::uint32_t>(out.size());
        const auto size = static_cast<std::uint32_t>(bytes.size());
        const auto name_size = static_cast<std::uint32_t>(name.size());
        // Local file header: version 20, then the fields both headers share, no extra field.
        littleEndian(out, 0x04034b50, 4);
        littleEndian(out, 20, 2);
        sharedFields(out, crc.checksum(), size, name_size);
        littleEndian(out, 0, 2);
        out += name;
        out += bytes;
        // Its central directory record.
        littleEndian(directory, 0x02014b50, 4);
        littleEndian(directory, 20 + (20 << 16), 4);  // made by, needed
        sharedFields(directory, crc.checksum(), size, name_size);
        littleEndian(directory, 0, 4);  // extra field and comment lengths
        littleEndian(directory, 0, 4);  // disk number and internal attributes
        littleEndian(directory, 0, 4);  // external attributes
        littleEndian(directory, offset, 4);
        directory += name;
    }
    const auto directory_offset = static_cast<std::uint32_t>(out.size());
    out += directory;
    littleEndian(out, 0x06054b50, 4);
    littleEndian(out, 0, 4);  // disk numbers
    littleEndian(out, static_cast<std::uint32_t>(files.size()), 2);
    littleEndian(out, static_cast<std::uint32_t>(files.size()), 2);
    littleEndian(out, static_cast<std::uint32_t>(directory.size()), 4);
    littleEndian(out, directory_offset, 4);
    littleEndian(out, 0, 2);
    return out;
}

std::map<std::string, std::string> unzip(const std::string& path) {
    std::map<std::string, std::string> files;
    std::ifstream in(path, std::ios::binary);
    const Poco::Zip::ZipArchive archive(in);
    for (auto it = archive.headerBegin(); it != archive.headerEnd(); ++it) {
        std::ifstream again(path, std::ios::binary);
        Poco::Zip::ZipInputStream stream(again, it->second, true);
        std::ostringstream bytes;
        bytes << stream.rdbuf();
        files[it->first] = bytes.str();
    }
    return files;
}

std::vector<std::string> filesIn(const std::string& directory) {
    std::vector<std::string> names;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(directory, ec), end; !ec && it != end;
         it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.front() != '.') names.push_back(name);
    }
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace relais::adapters::mdel::test
