// SPDX-License-Identifier: AGPL-3.0-or-later
#include "direct_upload.h"

#include <chrono>
#include <utility>

#include <Poco/SHA2Engine.h>

#include "relais/sdk/http_helpers.h"
#include "relais/sdk/signing.h"
#include "relais/sdk/text.h"
#include "relais/sdk/time.h"

#include "checksum.h"

namespace relais::adapters::ds {
namespace {

using sdk::ErrorCode;

constexpr std::string_view kCreateDirectUpload = R"(
mutation relaisCreateDirectUpload($input: CreateDirectUploadInput!) {
  createDirectUpload(input: $input) {
    directUpload { url headers blobId signedBlobId }
  }
})";

std::string digestBytes(Poco::DigestEngine& engine, std::string_view bytes) {
    engine.update(bytes.data(), bytes.size());
    const Poco::DigestEngine::Digest& digest = engine.digest();
    return {digest.begin(), digest.end()};
}

sdk::Timestamp nowUtc() {
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(
        std::chrono::system_clock::now().time_since_epoch());
    return sdk::Timestamp::fromUnixSeconds(seconds.count());
}

// A status that is not 2xx: retryable (with the server's Retry-After) or permanent.
sdk::Error statusError(const sdk::HttpResponse& response, const std::string& what) {
    std::string message = what + " answered HTTP " + std::to_string(response.status) + ": " +
                          sdk::http::safeExcerpt(response.body, {}, 120);
    if (sdk::http::isRetryableStatus(response.status)) {
        sdk::Error error = sdk::fail(ErrorCode::Retryable, std::move(message));
        error.retry_after_seconds =
            sdk::http::retryAfterSeconds(response.header("Retry-After"), nowUtc());
        return error;
    }
    return sdk::fail(ErrorCode::Permanent, std::move(message));
}

std::string memberText(const sdk::Json& object, std::string_view key) {
    const sdk::Json* value = object.find(key);
    return value != nullptr ? value->asString() : std::string();
}

// Headers that the HTTP client sets from the URL and the body (and refuses from the caller).
bool isSetByClient(std::string_view name) {
    return sdk::text::equalsIgnoreCase(name, "Host") ||
           sdk::text::equalsIgnoreCase(name, "Content-Length") ||
           sdk::text::equalsIgnoreCase(name, "Transfer-Encoding");
}

}  // namespace

sdk::Result<UploadFile> fetchDocument(sdk::HttpClient& http, const sdk::Json& document,
                                      const std::string& field, int timeout_ms,
                                      std::size_t max_bytes) {
    UploadFile file;
    file.filename = std::string(sdk::text::trim(memberText(document, "name")));
    const std::string url = memberText(document, "url");
    if (url.empty()) {
        return sdk::fail(ErrorCode::InvalidArgument,
                         field + ".url: a document sent to DS needs the URL of its bytes",
                         field + ".url");
    }
    if (file.filename.empty()) {
        return sdk::fail(ErrorCode::InvalidArgument,
                         field + ".name: a document sent to DS needs a file name", field + ".name");
    }
    sdk::HttpRequest request;
    request.url = url;
    request.timeout_ms = timeout_ms;
    request.max_response_bytes = max_bytes;
    auto response = http.send(request);
    if (!response) return std::move(response).error();
    if (!sdk::http::isSuccessStatus(response->status)) {
        return statusError(*response, "the document " + field + " URL");
    }
    if (const std::string expected = sdk::text::toLower(memberText(document, "sha256"));
        !expected.empty()) {
        Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
        const std::string actual = sdk::signing::toHex(digestBytes(engine, response->body));
        if (actual != expected) {
            return sdk::fail(ErrorCode::Permanent,
                             field + ": the bytes fetched have sha256 " + actual +
                                 ", the event says " + expected,
                             field + ".sha256");
        }
    }
    file.content_type = memberText(document, "content_type");
    if (file.content_type.empty()) file.content_type = response->header("Content-Type");
    if (file.content_type.empty()) file.content_type = "application/octet-stream";
    file.bytes = std::move(response->body);
    return file;
}

sdk::Result<std::string> directUpload(const GraphqlCall& call, sdk::HttpClient& http,
                                      const std::string& dossier_id, const UploadFile& file,
                                      const std::string& client_mutation_id, int timeout_ms) {
    sdk::Json input = sdk::Json::object();
    input.set("dossierId", dossier_id);
    input.set("filename", file.filename);
    input.set("byteSize", static_cast<std::int64_t>(file.bytes.size()));
    input.set("checksum", md5Base64(file.bytes));
    input.set("contentType", file.content_type);
    if (!client_mutation_id.empty()) input.set("clientMutationId", client_mutation_id);
    sdk::Json variables = sdk::Json::object();
    variables.set("input", std::move(input));
    auto data = call(kCreateDirectUpload, variables);
    if (!data) return std::move(data).error();

    const sdk::Json* upload = data->path("createDirectUpload.directUpload");
    const std::string what = "DS's createDirectUpload for '" + file.filename + "'";
    if (upload == nullptr || !upload->isObject()) {
        return sdk::fail(ErrorCode::Permanent, what + " answered no directUpload");
    }
    const std::string url = memberText(*upload, "url");
    const std::string signed_blob_id = memberText(*upload, "signedBlobId");
    if (url.empty() || signed_blob_id.empty()) {
        return sdk::fail(ErrorCode::Permanent, what + " answered no url or signedBlobId");
    }
    sdk::HttpRequest put;
    put.method = "PUT";
    put.url = url;
    put.timeout_ms = timeout_ms;
    put.body = file.bytes;
    // ActiveStorage's headers (Content-Type, Content-MD5, and the storage's own) must travel
    // as given: the storage signs and checks them. The framing ones are the client's.
    if (const std::string headers_text = memberText(*upload, "headers"); !headers_text.empty()) {
        auto headers = sdk::Json::parse(headers_text);
        if (!headers || !headers->isObject()) {
            return sdk::fail(ErrorCode::Permanent, what +
                                                       " answered headers that are not a "
                                                       "JSON object");
        }
        for (const auto& member : *headers->objectIf()) {
            if (!member.value.isString()) {
                return sdk::fail(ErrorCode::Permanent,
                                 what + " answered a non-text header '" + member.key + "'");
            }
            if (isSetByClient(member.key)) continue;
            put.headers.emplace_back(member.key, member.value.asString());
        }
    }
    auto response = http.send(put);
    if (!response) return std::move(response).error();
    if (!sdk::http::isSuccessStatus(response->status)) {
        return statusError(*response, "the upload of '" + file.filename + "' to DS's storage");
    }
    return signed_blob_id;
}

}  // namespace relais::adapters::ds
