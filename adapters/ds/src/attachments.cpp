// SPDX-License-Identifier: AGPL-3.0-or-later
#include "attachments.h"

#include <algorithm>

#include "relais/sdk/signing.h"

#include "checksum.h"
#include "inbound.h"

namespace relais::adapters::ds {
namespace {

using sdk::ErrorCode;
using sdk::Json;

constexpr int kMaxRedirects = 3;
constexpr std::size_t kMinResponseBytes = std::size_t{1} << 20;

std::string nameOf(const sdk::Attachment& attachment) {
    return "attachment '" + attachment.name + "'";
}

sdk::Error invalid(const sdk::Attachment& attachment, const std::string& what) {
    return sdk::fail(ErrorCode::InvalidArgument, nameOf(attachment) + ": " + what, "attachment");
}

bool isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

bool isExpired(int status) {
    return status == 401 || status == 403 || status == 404 || status == 410;
}

struct Download {
    int status = 0;
    sdk::AttachmentContent content;
};

// GET `url`, following redirects; the final HTTP status and body.
sdk::Result<Download> download(sdk::HttpClient& http, const DsSettings& settings,
                               const sdk::Attachment& attachment, std::string url) {
    for (int hop = 0;; ++hop) {
        sdk::HttpRequest request;
        request.method = "GET";
        request.url = url;
        request.timeout_ms = settings.timeout_ms;
        request.tls = settings.tls;
        // The declared size bounds the download; not below 1 MiB, so that an error page
        // (an expired URL's) is read whole even for a tiny file.
        if (attachment.size > 0) {
            request.max_response_bytes =
                std::max(static_cast<std::size_t>(attachment.size), kMinResponseBytes);
        }
        auto response = http.send(request);
        if (!response) {
            sdk::Error error = std::move(response).error();
            if (error.code == ErrorCode::TooLarge) {
                return invalid(attachment, "larger than the " + std::to_string(attachment.size) +
                                               " bytes DS declared");
            }
            error.message = nameOf(attachment) + ": " + error.message;
            return error;
        }
        const std::string location = response->header("Location");
        if (isRedirect(response->status) && !location.empty() && hop < kMaxRedirects &&
            (location.starts_with("https://") || location.starts_with("http://"))) {
            url = location;
            continue;
        }
        Download out;
        out.status = response->status;
        out.content.content_type = response->header("Content-Type");
        out.content.bytes = std::move(response->body);
        return out;
    }
}

}  // namespace

const Json* fileEntryOf(const sdk::Dossier& dossier, const sdk::Attachment& attachment) {
    const Json* files = dossier.fields.path(std::string(kMetaKey) + ".files");
    if (files == nullptr || !files->isArray()) return nullptr;
    for (std::size_t i = 0; i < dossier.attachments.size(); ++i) {
        if (&dossier.attachments[i] == &attachment) return files->at(i);
    }
    for (std::size_t i = 0; i < files->size(); ++i) {
        const Json& entry = *files->at(i);
        const Json* name = entry.find("filename");
        const Json* size = entry.find("byte_size");
        if (name != nullptr && name->asString() == attachment.name &&
            (size == nullptr || size->asInt() == attachment.size)) {
            return &entry;
        }
    }
    return nullptr;
}

sdk::Result<void> verifyFile(const Json* entry, const sdk::Attachment& attachment,
                             std::string_view bytes) {
    if (attachment.size > 0 && static_cast<std::size_t>(attachment.size) != bytes.size()) {
        return invalid(attachment, "DS declared " + std::to_string(attachment.size) +
                                       " bytes, downloaded " + std::to_string(bytes.size()));
    }
    const Json* checksum = entry != nullptr ? entry->find("checksum") : nullptr;
    if (checksum != nullptr && checksum->isString() && !checksum->asString().empty() &&
        checksum->asString() != md5Base64(bytes)) {
        return invalid(attachment, "the downloaded bytes do not match DS's checksum");
    }
    return sdk::ok();
}

std::optional<std::string> freshUrlOf(const MappedDossier& fresh, const Json& entry) {
    const Json* files = fresh.dossier.fields.path(std::string(kMetaKey) + ".files");
    if (files == nullptr) return std::nullopt;
    const Json* checksum = entry.find("checksum");
    const bool by_checksum = checksum != nullptr && !checksum->asString().empty();
    for (std::size_t i = 0; i < files->size() && i < fresh.dossier.attachments.size(); ++i) {
        const Json& candidate = *files->at(i);
        const Json* champ = candidate.find("champ_id");
        if (champ == nullptr || entry.find("champ_id") == nullptr ||
            champ->asString() != entry.find("champ_id")->asString()) {
            continue;
        }
        const char* key = by_checksum ? "checksum" : "filename";
        const Json* mine = entry.find(key);
        const Json* theirs = candidate.find(key);
        if (mine != nullptr && theirs != nullptr && mine->asString() == theirs->asString()) {
            return fresh.dossier.attachments[i].source_url;
        }
    }
    return std::nullopt;
}

sdk::Result<sdk::AttachmentContent> fetchDsAttachment(sdk::HttpClient& http,
                                                      const DsSettings& settings,
                                                      const GraphqlCall& call,
                                                      const sdk::Dossier& dossier,
                                                      const sdk::Attachment& attachment) {
    const Json* entry = fileEntryOf(dossier, attachment);
    auto got = download(http, settings, attachment, attachment.source_url);
    if (!got) return std::move(got).error();
    if (isExpired(got->status)) {
        // DS's file URLs expire: a dossier polled a while ago, or a retry,
        // meets an expired one. Ask DS for the same file's URL now, once.
        const auto number = parseNumber(dossier.source_key);
        if (entry == nullptr || !number) {
            return invalid(attachment, "DS refused the URL (HTTP " + std::to_string(got->status) +
                                           ") and the file cannot be asked again");
        }
        auto fresh = fetchDossier(settings, call, *number, dossier.source);
        if (!fresh) return std::move(fresh).error();
        const auto url = freshUrlOf(*fresh, *entry);
        if (!url) return invalid(attachment, "DS no longer has this file on the dossier");
        got = download(http, settings, attachment, *url);
        if (!got) return std::move(got).error();
    }
    if (got->status >= 500) {
        return sdk::fail(ErrorCode::Unavailable,
                         nameOf(attachment) + ": DS answered HTTP " + std::to_string(got->status),
                         "attachment");
    }
    if (got->status < 200 || got->status > 299) {
        return invalid(attachment, "DS answered HTTP " + std::to_string(got->status));
    }
    auto verified = verifyFile(entry, attachment, got->content.bytes);
    if (!verified) return std::move(verified).error();
    if (got->content.content_type.empty() || !attachment.content_type.empty()) {
        got->content.content_type = attachment.content_type;
    }
    return std::move(got->content);
}

}  // namespace relais::adapters::ds
