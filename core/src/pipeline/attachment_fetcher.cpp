// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/pipeline/attachment_fetcher.h"

#include "relais/common/strings.h"
#include "relais/plugin/instance.h"
#include "relais/sdk/descriptor.h"

namespace relais::pipeline {
namespace {

using sdk::ErrorCode;

sdk::Error withField(sdk::Error error, const std::string& field) {
    error.message = field + ": " + error.message;
    error.field = field;
    return error;
}

}  // namespace

sdk::Result<std::string> AttachmentFetcher::download(const sdk::Dossier& dossier,
                                                     const sdk::Attachment& attachment,
                                                     plugin::Instance* adapter,
                                                     const std::string& field) const {
    if (adapter != nullptr && adapter->supports(sdk::operation::kFetchAttachment)) {
        auto content = adapter->fetchAttachment(dossier, attachment);
        if (!content) return withField(std::move(content).error(), field);
        if (content->bytes.size() > max_bytes_) {
            return sdk::fail(ErrorCode::TooLarge,
                             field + ": larger than " + std::to_string(max_bytes_) + " bytes",
                             field);
        }
        return std::move(content->bytes);
    }
    const std::string scheme = common::toLower(
        std::string_view(attachment.source_url).substr(0, attachment.source_url.find(':')));
    if (scheme != "http" && scheme != "https") {
        return sdk::fail(ErrorCode::InvalidArgument,
                         field + ": only http and https URLs can be downloaded", field);
    }
    // Before any connection: the portal chose this URL, and relais sits inside the network.
    if (auto allowed = allowed_hosts_.check(attachment.source_url); !allowed) {
        return withField(std::move(allowed).error(), field);
    }
    sdk::HttpRequest request;
    request.method = "GET";
    request.url = attachment.source_url;
    request.timeout_ms = timeout_ms_;
    request.max_response_bytes = max_bytes_;
    auto response = http_.send(request);
    if (!response) {
        sdk::Error error = std::move(response).error();
        if (error.code == ErrorCode::TooLarge) {
            error.message = "larger than " + std::to_string(max_bytes_) + " bytes";
        } else if (error.code == ErrorCode::InvalidArgument) {
            error.message = "not a usable URL";
        } else {
            error.message = "download failed: " + error.message;
        }
        return withField(std::move(error), field);
    }
    if (response->status < 200 || response->status > 299) {
        // The portal refused (4xx: the URL is wrong or expired) or failed (5xx: try later).
        return sdk::fail(
            response->status >= 500 ? ErrorCode::Unavailable : ErrorCode::InvalidArgument,
            field + ": the portal answered HTTP " + std::to_string(response->status), field);
    }
    return std::move(response->body);
}

sdk::Result<void> AttachmentFetcher::fetchAll(sdk::Dossier& dossier,
                                              plugin::Instance* adapter) const {
    for (std::size_t i = 0; i < dossier.attachments.size(); ++i) {
        sdk::Attachment& attachment = dossier.attachments[i];
        if (attachment.source_url.empty() || !attachment.storage_ref.empty()) continue;
        const std::string field = "attachments[" + std::to_string(i) + "]";
        auto bytes = download(dossier, attachment, adapter, field);
        if (!bytes) return std::move(bytes).error();
        if (attachment.size > 0 && static_cast<std::size_t>(attachment.size) != bytes->size()) {
            return sdk::fail(ErrorCode::InvalidArgument,
                             field + ": declared " + std::to_string(attachment.size) +
                                 " bytes, downloaded " + std::to_string(bytes->size()),
                             field + ".size");
        }
        auto blob = blobs_.put(*bytes);
        if (!blob) return std::move(blob).error();
        if (!attachment.sha256.empty() && common::toLower(attachment.sha256) != blob->sha256) {
            return sdk::fail(ErrorCode::InvalidArgument,
                             field + ": the downloaded file does not match its SHA-256",
                             field + ".sha256");
        }
        attachment.sha256 = blob->sha256;
        attachment.size = blob->size;
        attachment.storage_ref = blob->ref;
        if (attachment.content_type.empty()) attachment.content_type = "application/octet-stream";
    }
    return sdk::ok();
}

}  // namespace relais::pipeline
