// SPDX-License-Identifier: AGPL-3.0-or-later
#include "files.h"

#include <random>
#include <vector>

#include <Poco/DigestEngine.h>
#include <Poco/HMACEngine.h>
#include <Poco/MD5Engine.h>
#include <Poco/SHA1Engine.h>

#include "relais/sdk/signing.h"
#include "relais/sdk/url_encoding.h"

namespace relais::ds_mock {
namespace {

constexpr std::string_view kDownloadPrefix = "/storage/";
constexpr std::string_view kUploadPrefix = "/direct-uploads/";

std::string digestBytes(const Poco::DigestEngine::Digest& digest) {
    return std::string(digest.begin(), digest.end());
}

std::map<std::string, std::string> queryParams(const std::string& query) {
    std::map<std::string, std::string> out;
    std::size_t start = 0;
    while (start <= query.size()) {
        const auto amp = query.find('&', start);
        const std::string pair = query.substr(start, amp == std::string::npos ? amp : amp - start);
        const auto eq = pair.find('=');
        if (eq != std::string::npos) {
            out[pair.substr(0, eq)] = sdk::url::percentDecodeLenient(pair.substr(eq + 1));
        }
        if (amp == std::string::npos) break;
        start = amp + 1;
    }
    return out;
}

// What S3 answers for an expired or forged presigned URL.
StorageAnswer accessDenied(const std::string& why) {
    return {403,
            "application/xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>AccessDenied</Code>"
            "<Message>" +
                why + "</Message></Error>",
            {}};
}

}  // namespace

FileStore::FileStore() {
    std::random_device random;
    for (int i = 0; i < 4; ++i) secret_ += std::to_string(random());
}

std::string FileStore::checksumOf(std::string_view bytes) {
    Poco::MD5Engine md5;
    md5.update(bytes.data(), static_cast<unsigned>(bytes.size()));
    return sdk::signing::base64(digestBytes(md5.digest()));
}

std::string FileStore::sign(std::string_view text) const {
    Poco::HMACEngine<Poco::SHA1Engine> hmac(secret_);
    hmac.update(text.data(), static_cast<unsigned>(text.size()));
    return sdk::signing::toHex(digestBytes(hmac.digest()));
}

std::string FileStore::add(std::string bytes, std::string filename, std::string content_type,
                           std::string created_at) {
    const std::string key = "blob" + std::to_string(next_id_++);
    Blob blob;
    blob.checksum = checksumOf(bytes);
    blob.byte_size = static_cast<std::int64_t>(bytes.size());
    blob.bytes = std::move(bytes);
    blob.filename = std::move(filename);
    blob.content_type = std::move(content_type);
    blob.created_at = std::move(created_at);
    blob.uploaded = true;
    blobs_[key] = std::move(blob);
    return key;
}

std::string FileStore::announce(std::string filename, std::string content_type,
                                std::int64_t byte_size, std::string checksum,
                                std::string created_at) {
    const std::string key = "blob" + std::to_string(next_id_++);
    Blob blob;
    blob.filename = std::move(filename);
    blob.content_type = std::move(content_type);
    blob.byte_size = byte_size;
    blob.checksum = std::move(checksum);
    blob.created_at = std::move(created_at);
    blobs_[key] = std::move(blob);
    return key;
}

sdk::Json FileStore::fileObject(const std::string& key) const {
    const auto found = blobs_.find(key);
    if (found == blobs_.end()) return {};
    const Blob& blob = found->second;
    sdk::Json file = sdk::Json::object();
    file.set("__typename", "File");
    file.set("__blob", key);
    file.set("filename", blob.filename);
    file.set("contentType", blob.content_type);
    file.set("checksum", blob.checksum);
    file.set("byteSize", blob.byte_size);
    file.set("byteSizeBigInt", std::to_string(blob.byte_size));  // BigInt: a string
    file.set("createdAt", blob.created_at);
    file.set("virusScanResult", "safe");
    return file;
}

std::string FileStore::downloadPath(const std::string& key, std::int64_t expires_unix) const {
    const auto found = blobs_.find(key);
    const std::string name = found == blobs_.end() ? "file" : found->second.filename;
    const std::string path =
        std::string(kDownloadPrefix) + key + "/" + sdk::url::percentEncode(name);
    const std::string query =
        "expires=" + std::to_string(expires_unix) + "&gen=" + std::to_string(generation_);
    return path + "?" + query + "&sig=" + sign(key + "|" + query);
}

std::string FileStore::uploadPath(const std::string& key, std::int64_t expires_unix) const {
    const std::string query =
        "expires=" + std::to_string(expires_unix) + "&gen=" + std::to_string(generation_);
    return std::string(kUploadPrefix) + key + "?" + query + "&sig=" + sign(key + "|" + query);
}

std::string FileStore::signedId(const std::string& key) const {
    return sdk::signing::base64(key) + "--" + sign("signed_id|" + key);
}

std::string FileStore::check(const std::string& signed_id, std::string& key) const {
    const auto dashes = signed_id.find("--");
    const auto decoded = dashes == std::string::npos
                             ? std::nullopt
                             : sdk::signing::base64Decode(signed_id.substr(0, dashes));
    if (!decoded || signed_id.substr(dashes + 2) != sign("signed_id|" + *decoded) ||
        blobs_.count(*decoded) == 0) {
        return "L’identifiant du fichier téléversé est invalide";
    }
    const Blob& blob = blobs_.at(*decoded);
    if (!blob.uploaded) {
        return "Le fichier n’a pas été correctement téléversé sur le serveur de stockage";
    }
    if (checksumOf(blob.bytes) != blob.checksum) return "Le hash du fichier téléversé est invalide";
    key = *decoded;
    return {};
}

FileStore::Blob* FileStore::authorize(const std::string& path, const std::string& query,
                                      std::string_view prefix, std::int64_t now_unix,
                                      StorageAnswer& refusal) {
    std::string key = path.substr(prefix.size());
    key = key.substr(0, key.find('/'));
    const auto params = queryParams(query);
    const auto param = [&](const char* name) {
        const auto found = params.find(name);
        return found == params.end() ? std::string() : found->second;
    };
    const std::string signed_part = "expires=" + param("expires") + "&gen=" + param("gen");
    const auto found = blobs_.find(key);
    if (found == blobs_.end() || param("sig") != sign(key + "|" + signed_part)) {
        refusal = accessDenied("Invalid signature");
        return nullptr;
    }
    if (param("gen") != std::to_string(generation_) ||
        std::strtoll(param("expires").c_str(), nullptr, 10) <= now_unix) {
        refusal = accessDenied("Request has expired");
        return nullptr;
    }
    return &found->second;
}

StorageAnswer FileStore::get(const std::string& path, const std::string& query,
                             std::int64_t now_unix) {
    StorageAnswer answer;
    if (path.rfind(kDownloadPrefix, 0) != 0) return {404, "text/plain", "Not Found", {}};
    Blob* blob = authorize(path, query, kDownloadPrefix, now_unix, answer);
    if (blob == nullptr) return answer;
    if (!blob->uploaded)
        return {404, "application/xml", "<Error><Code>NoSuchKey</Code></Error>", {}};
    ++downloads_;
    return {200, blob->content_type, blob->bytes, blob->filename};
}

StorageAnswer FileStore::put(const std::string& path, const std::string& query, std::string body,
                             std::int64_t now_unix) {
    StorageAnswer answer;
    if (path.rfind(kUploadPrefix, 0) != 0) return {404, "text/plain", "Not Found", {}};
    Blob* blob = authorize(path, query, kUploadPrefix, now_unix, answer);
    if (blob == nullptr) return answer;
    // ActiveStorage's disk service and S3 both refuse bytes whose MD5 is not the announced one.
    if (checksumOf(body) != blob->checksum ||
        static_cast<std::int64_t>(body.size()) != blob->byte_size) {
        return {400,
                "application/xml",
                "<Error><Code>BadDigest</Code><Message>The Content-MD5 you specified did not "
                "match what we received.</Message></Error>",
                {}};
    }
    blob->bytes = std::move(body);
    blob->uploaded = true;
    return {204, {}, {}, {}};
}

}  // namespace relais::ds_mock
