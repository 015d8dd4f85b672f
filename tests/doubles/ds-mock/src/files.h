// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "relais/sdk/json.h"

/// @file
/// The double's file storage, as ActiveStorage behind DS behaves: blobs with a checksum
/// (base64 of the MD5 of the bytes), download URLs signed with an expiry time (after it, or
/// after `expireAll`, they answer 403 as S3 does), direct uploads (a signed PUT URL; the bytes
/// must match the announced checksum) and signed blob ids that mutations accept.
///
/// Not thread-safe: the owner (DsMock) guards it with its mutex.

namespace relais::ds_mock {

/// An HTTP answer of the storage.
struct StorageAnswer {
    int status = 200;
    std::string content_type;
    std::string body;
    std::string filename;  ///< for Content-Disposition on a download
};

class FileStore {
public:
    FileStore();

    /// ActiveStorage's checksum: base64 of the MD5 of `bytes`.
    static std::string checksumOf(std::string_view bytes);

    /// Stores bytes already uploaded; returns the blob key.
    std::string add(std::string bytes, std::string filename, std::string content_type,
                    std::string created_at);
    /// A blob announced by `createDirectUpload`, waiting for its PUT; returns the key.
    std::string announce(std::string filename, std::string content_type, std::int64_t byte_size,
                         std::string checksum, std::string created_at);

    /// The `File` object of a blob (filename, contentType, checksum, byteSize,
    /// byteSizeBigInt, createdAt, virusScanResult) plus the internal `__blob` key; null for
    /// an unknown key.
    sdk::Json fileObject(const std::string& key) const;

    /// A download path with query (`/storage/<key>/<name>?expires=…&gen=…&sig=…`) valid
    /// until `expires_unix`.
    std::string downloadPath(const std::string& key, std::int64_t expires_unix) const;
    /// The PUT path of a direct upload, valid until `expires_unix`.
    std::string uploadPath(const std::string& key, std::int64_t expires_unix) const;

    /// Rails' `signed_id` stand-in: the key and an HMAC, refused if tampered with.
    std::string signedId(const std::string& key) const;
    /// Why a signed id cannot be used, in DS's words (empty when it can): invalid id, bytes
    /// not uploaded, checksum mismatch. `key` receives the blob key when it can.
    std::string check(const std::string& signed_id, std::string& key) const;

    /// `GET` of a download path / `PUT` of an upload path at time `now_unix`.
    StorageAnswer get(const std::string& path, const std::string& query, std::int64_t now_unix);
    StorageAnswer put(const std::string& path, const std::string& query, std::string body,
                      std::int64_t now_unix);

    /// Every URL given so far answers 403 from now on.
    void expireAll() { ++generation_; }
    std::size_t downloads() const noexcept { return downloads_; }

private:
    struct Blob {
        std::string filename;
        std::string content_type;
        std::string checksum;
        std::int64_t byte_size = 0;
        std::string created_at;
        std::string bytes;
        bool uploaded = false;
    };

    std::string sign(std::string_view text) const;
    /// The blob of a signed path if its signature, generation and expiry hold; otherwise the
    /// 403 answer in `refusal`.
    Blob* authorize(const std::string& path, const std::string& query, std::string_view prefix,
                    std::int64_t now_unix, StorageAnswer& refusal);

    std::string secret_;
    std::map<std::string, Blob> blobs_;
    std::int64_t next_id_ = 1;
    std::int64_t generation_ = 0;
    std::size_t downloads_ = 0;
};

}  // namespace relais::ds_mock
