// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/pipeline/blob_store.h"

#include <filesystem>

#include <unistd.h>

#include "relais/common/crypto.h"
#include "relais/common/errors.h"
#include "relais/common/files.h"

namespace relais::pipeline {
namespace {

bool isSha256Hex(std::string_view text) noexcept {
    return text.size() == 64 && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace

BlobStore::BlobStore(std::string directory) : directory_(std::move(directory)) {
    if (auto made = common::makeDirectories(directory_); !made) {
        throw StoreError("blob directory: " + made.error().message);
    }
}

sdk::Result<BlobStore::Blob> BlobStore::put(std::string_view bytes) {
    Blob blob;
    blob.sha256 = common::sha256Hex(bytes);
    blob.size = static_cast<std::int64_t>(bytes.size());
    blob.ref = "sha256:" + blob.sha256;
    const std::string shard = directory_ + "/" + blob.sha256.substr(0, 2);
    blob.path = shard + "/" + blob.sha256;
    if (::access(blob.path.c_str(), F_OK) == 0) return blob;  // same content, already durable
    if (auto made = common::makeDirectories(shard); !made) return std::move(made).error();
    if (auto written = common::writeFileAtomic(blob.path, bytes); !written) {
        return std::move(written).error();
    }
    return blob;
}

std::optional<std::string> BlobStore::pathOf(std::string_view ref) const {
    if (!ref.starts_with("sha256:")) return std::nullopt;
    const std::string_view hex = ref.substr(7);
    if (!isSha256Hex(hex)) return std::nullopt;
    std::string path = directory_ + "/" + std::string(hex.substr(0, 2)) + "/" + std::string(hex);
    if (::access(path.c_str(), R_OK) != 0) return std::nullopt;
    return path;
}

}  // namespace relais::pipeline
