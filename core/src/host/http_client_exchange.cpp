// SPDX-License-Identifier: AGPL-3.0-or-later
#include "host/http_client_exchange.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <istream>
#include <ostream>
#include <string_view>
#include <utility>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>

#include "host/http_client_body.h"

namespace relais::host::http_detail {
namespace {

using sdk::ErrorCode;
using sdk::fail;

// Request bodies are written in slices so that the send timeout shrinks with the deadline.
constexpr std::size_t kWriteSlice = 64 * 1024;

}  // namespace

Attempt exchange(Connection& connection, const Endpoint& endpoint,
                 const sdk::HttpRequest& request) {
    enum class Phase { Send, ReceiveHead, ReceiveBody };
    Phase phase = Phase::Send;
    const auto& t = endpoint.target;
    Attempt attempt;
    auto failed = [&](ErrorCode code, std::string message, bool stale_suspect) {
        attempt.error = fail(code, std::move(message));
        attempt.stale_suspect = stale_suspect;
        return std::move(attempt);
    };

    connection.resetBytesWritten();
    try {
        const auto deadline = Clock::now() + std::chrono::milliseconds(request.timeout_ms);
        auto& session = connection.session();
        connection.setTimeouts(millis(request.connect_timeout_ms), remaining(deadline));

        Poco::Net::HTTPRequest out(request.method, t.request_target,
                                   Poco::Net::HTTPMessage::HTTP_1_1);
        for (const auto& [name, value] : request.headers) out.add(name, value);
        out.set(Poco::Net::HTTPRequest::HOST, t.host_header);
        if (!out.has("User-Agent")) out.set("User-Agent", "relais/" RELAIS_VERSION);
        const bool has_body = !request.body.empty() || request.method == "POST" ||
                              request.method == "PUT" || request.method == "PATCH";
        if (has_body) {
            out.setContentLength64(static_cast<Poco::Int64>(request.body.size()));
        }

        std::ostream& body_out = session.sendRequest(out);
        std::string_view body = request.body;
        while (!body.empty() && body_out.good()) {
            const std::size_t n = std::min(body.size(), kWriteSlice);
            connection.setTimeouts(millis(request.connect_timeout_ms), remaining(deadline));
            body_out.write(body.data(), static_cast<std::streamsize>(n));
            body.remove_prefix(n);
        }
        body_out.flush();
        if (!body_out.good()) {
            if (const Poco::Exception* e = session.networkException()) e->rethrow();
            throw Poco::IOException("the request could not be written");
        }

        phase = Phase::ReceiveHead;
        connection.setTimeouts(millis(request.connect_timeout_ms), remaining(deadline));
        Poco::Net::HTTPResponse in;
        std::istream& body_in = session.receiveResponse(in);

        phase = Phase::ReceiveBody;
        const int status = static_cast<int>(in.getStatus());
        const bool expect_body =
            request.method != "HEAD" && status >= 200 && status != 204 && status != 304;
        const bool chunked = in.getChunkedTransferEncoding();
        const bool has_length = !chunked && in.hasContentLength();
        const std::size_t limit = request.max_response_bytes;
        std::uint64_t announced = 0;
        if (expect_body && has_length) {
            const Poco::Int64 length = in.getContentLength64();
            if (length < 0) throw Poco::Net::MessageException("negative Content-Length");
            announced = static_cast<std::uint64_t>(length);
            if (announced > limit) {
                return failed(ErrorCode::TooLarge,
                              "the response from " + t.authority + " announces " +
                                  std::to_string(announced) + " bytes, over the limit of " +
                                  std::to_string(limit),
                              false);
            }
        }

        sdk::HttpResponse response;
        response.status = status;
        response.reason = in.getReason();
        for (const auto& [name, value] : in) response.headers.emplace_back(name, value);
        if (has_length) response.body.reserve(static_cast<std::size_t>(announced));

        const BodyRead read = expect_body && chunked
                                  ? readChunkedBody(connection, request, deadline, response.body)
                                  : readBody(connection, body_in, request, deadline, response.body);
        if (read == BodyRead::TooLarge) {
            return failed(ErrorCode::TooLarge,
                          "the response from " + t.authority + " is over the limit of " +
                              std::to_string(limit) + " bytes",
                          false);
        }
        if (expect_body && has_length && response.body.size() != announced) {
            return failed(ErrorCode::Unavailable,
                          t.authority + " closed the connection after " +
                              std::to_string(response.body.size()) + " of " +
                              std::to_string(announced) + " response body bytes",
                          false);
        }

        const bool framed = !expect_body || chunked || has_length;
        attempt.keep_connection = framed && in.getKeepAlive() && !asksToClose(request.headers) &&
                                  connection.unreadBytes() == 0;
        attempt.response = std::move(response);
        return attempt;
    } catch (const Poco::TimeoutException&) {
        const std::string within = " within " + std::to_string(request.timeout_ms) + " ms";
        switch (phase) {
            case Phase::Send:
                return failed(ErrorCode::Timeout,
                              "could not send the request to " + t.authority + within, false);
            case Phase::ReceiveHead:
                return failed(ErrorCode::Timeout, "no response from " + t.authority + within,
                              false);
            case Phase::ReceiveBody:
                break;
        }
        return failed(ErrorCode::Timeout,
                      "the response from " + t.authority + " did not complete" + within, false);
    } catch (const Poco::Net::NoMessageException&) {
        return failed(ErrorCode::Unavailable,
                      t.authority + " closed the connection without answering", true);
    } catch (const Poco::Net::MessageException& e) {
        return failed(ErrorCode::Unavailable,
                      "invalid HTTP response from " + t.authority + ": " + e.message(), false);
    } catch (const Poco::SyntaxException&) {
        return failed(ErrorCode::Unavailable,
                      "invalid HTTP response from " + t.authority + ": malformed header value",
                      false);
    } catch (const Poco::Exception& e) {
        switch (phase) {
            case Phase::Send:
                return failed(
                    ErrorCode::Unavailable,
                    "sending the request to " + t.authority + " failed: " + e.displayText(), true);
            case Phase::ReceiveHead:
                return failed(
                    ErrorCode::Unavailable,
                    "receiving the response from " + t.authority + " failed: " + e.displayText(),
                    true);
            case Phase::ReceiveBody:
                break;
        }
        return failed(ErrorCode::Unavailable,
                      "the response body from " + t.authority + " was cut off: " + e.displayText(),
                      false);
    }
}

}  // namespace relais::host::http_detail
