// SPDX-License-Identifier: AGPL-3.0-or-later
#include "host/http_client_body.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>

#include <Poco/Exception.h>
#include <Poco/Net/NetException.h>
#include <Poco/Timespan.h>

#include "relais/common/chunked_decoder.h"

namespace relais::host::http_detail {
namespace {

constexpr std::size_t kReadChunk = 16 * 1024;

/// The connection as the chunked decoder's source, each read bounded by the deadline: the
/// socket timeout is set to the time left before a raw read and at the start of each
/// framing line; the clock check on every byte bounds a line that trickles in.
class ConnectionSource final : public common::ChunkedSource {
public:
    ConnectionSource(Connection& connection, const sdk::HttpRequest& request,
                     Clock::time_point deadline) noexcept
        : connection_(connection),
          connect_timeout_(millis(request.connect_timeout_ms)),
          deadline_(deadline) {}

    std::optional<char> readByte() override {
        if (in_line_) {
            (void)remaining(deadline_);
        } else {
            connection_.setTimeouts(connect_timeout_, remaining(deadline_));
            in_line_ = true;
        }
        const int ch = connection_.nextByte();
        if (ch == std::char_traits<char>::eof()) return std::nullopt;
        if (ch == '\n') in_line_ = false;
        return static_cast<char>(ch);
    }

    std::size_t read(char* buffer, std::size_t length) override {
        in_line_ = false;
        connection_.setTimeouts(connect_timeout_, remaining(deadline_));
        const int n =
            connection_.readRaw(buffer, static_cast<std::streamsize>(std::min(length, kReadChunk)));
        return n > 0 ? static_cast<std::size_t>(n) : 0;
    }

private:
    Connection& connection_;
    Poco::Timespan connect_timeout_;
    Clock::time_point deadline_;
    bool in_line_ = false;
};

}  // namespace

/// Reads a body framed by Content-Length (Poco stops at the length) or by the end of the
/// connection, through Poco's response stream. One device read per turn (sgetc fills the
/// stream's buffer once, then only what it holds is taken), so that each socket read waits
/// at most the time left.
BodyRead readBody(Connection& connection, std::istream& body_in, const sdk::HttpRequest& request,
                  Clock::time_point deadline, std::string& body) {
    std::streambuf& source = *body_in.rdbuf();
    char chunk[kReadChunk];
    for (;;) {
        connection.setTimeouts(millis(request.connect_timeout_ms), remaining(deadline));
        if (source.sgetc() == std::char_traits<char>::eof()) return BodyRead::Complete;
        const std::streamsize available = std::max<std::streamsize>(source.in_avail(), 1);
        const auto n = static_cast<std::size_t>(
            source.sgetn(chunk, std::min<std::streamsize>(available, sizeof chunk)));
        if (n > request.max_response_bytes - body.size()) return BodyRead::TooLarge;
        body.append(chunk, n);
    }
}

BodyRead readChunkedBody(Connection& connection, const sdk::HttpRequest& request,
                         Clock::time_point deadline, std::string& body) {
    ConnectionSource source(connection, request, deadline);
    const common::ChunkedResult result =
        common::decodeChunkedBody(source, request.max_response_bytes, body);
    switch (result.outcome) {
        case common::ChunkedOutcome::Complete:
            return BodyRead::Complete;
        case common::ChunkedOutcome::TooLarge:
            return BodyRead::TooLarge;
        case common::ChunkedOutcome::Malformed:
            throw Poco::Net::MessageException(result.detail);
        case common::ChunkedOutcome::Truncated:
            break;
    }
    throw Poco::IOException(result.detail);
}

}  // namespace relais::host::http_detail
