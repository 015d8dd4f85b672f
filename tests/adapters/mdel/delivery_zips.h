// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

/// @file
/// MDEL delivery zips for the adapter's tests: the fixtures' envelopes (tests/fixtures/
/// portals/mdel/) with small made-up PDF bytes, packed with Poco::Zip::Compress as the
/// platform's transfer would drop them; hand-made zips for what Compress refuses to write
/// (hostile entry names); and reading a zip back with Poco::Zip.

namespace relais::adapters::mdel::test {

using Files = std::vector<std::pair<std::string, std::string>>;  ///< entry name, bytes

/// The DAUA envelope of the fixture, unchanged.
std::string dauaEnvelope();
/// The DIA envelope of the fixture, unchanged.
std::string diaEnvelope();
/// `envelope` with its MessageId replaced by `message_id`.
std::string withMessageId(std::string envelope, const std::string& message_id);

/// The files the DAUA envelope names (four PDFs and the attachments zip), with bytes.
Files dauaFiles();

/// `files` deflated into a zip with Poco::Zip::Compress.
std::string zipOf(const Files& files);
/// `files` stored (not deflated) in a zip written byte by byte, names as given (`../x`…).
std::string rawZipOf(const Files& files);

/// Every file of the zip at `path`, read with Poco::Zip (ZipArchive + ZipInputStream).
std::map<std::string, std::string> unzip(const std::string& path);

/// The names in `directory` (hidden ones left out), sorted.
std::vector<std::string> filesIn(const std::string& directory);

}  // namespace relais::adapters::mdel::test
