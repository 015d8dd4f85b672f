// SPDX-License-Identifier: AGPL-3.0-or-later
#include "host/http_client_body.h"

#include <algorithm>
#include <cstdint>

#include <Poco/Exception.h>
#include <Poco/Net/NetException.h>

namespace relais::host::http_detail {
namespace {

constexpr std::size_t kReadChunk = 16 * 1024;
constexpr std::size_t kMaxChunkLine = 4096;
constexpr int kMaxTrailerFields = 100;

/// One line of the chunked framing, without its CRLF.
std::string readChunkLine(Connection& connection, Clock::time_point deadline) {
    std::string line;
    for (;;) {
        // The socket timeout was set for the line; the clock check bounds a line that
        // trickles in byte by byte.
        (void)remaining(deadline);
        const int ch = connection.nextByte();
        if (ch == std::char_traits<char>::eof()) {
            throw Poco::IOException("connection closed inside the chunked body");
        }
        if (ch == '\n') break;
        if (line.size() >= kMaxChunkLine) {
            throw Poco::Net::MessageException("chunk header line too long");
        }
        line.push_back(static_cast<char>(ch));
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

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

/// Decodes a chunked body (RFC 9112 §7.1) from the connection. Poco's decoder takes a
/// connection closed in the middle of the body for its end, which would hand a truncated
/// document to the caller as complete; this one requires the last chunk.
BodyRead readChunkedBody(Connection& connection, const sdk::HttpRequest& request,
                         Clock::time_point deadline, std::string& body) {
    const Poco::Timespan connect_timeout = millis(request.connect_timeout_ms);
    char buffer[kReadChunk];
    for (;;) {
        connection.setTimeouts(connect_timeout, remaining(deadline));
        const std::string line = readChunkLine(connection, deadline);
        std::uint64_t size = 0;
        std::size_t digits = 0;
        for (; digits < line.size(); ++digits) {
            const char c = line[digits];
            int value = 0;
            if (c >= '0' && c <= '9') {
                value = c - '0';
            } else if (c >= 'a' && c <= 'f') {
                value = c - 'a' + 10;
            } else if (c >= 'A' && c <= 'F') {
                value = c - 'A' + 10;
            } else {
                break;
            }
            if (digits == 15) throw Poco::Net::MessageException("chunk size too large");
            size = size * 16 + static_cast<std::uint64_t>(value);
        }
        const char after = digits < line.size() ? line[digits] : ';';
        if (digits == 0 || (after != ';' && after != ' ' && after != '\t')) {
            throw Poco::Net::MessageException("invalid chunk size line");
        }
        if (size == 0) {
            // Trailer fields, ignored, up to the empty line.
            for (int fields = 0; !readChunkLine(connection, deadline).empty(); ++fields) {
                if (fields == kMaxTrailerFields) {
                    throw Poco::Net::MessageException("too many trailer fields");
                }
            }
            return BodyRead::Complete;
        }
        if (size > request.max_response_bytes - body.size()) return BodyRead::TooLarge;
        auto left = static_cast<std::size_t>(size);
        while (left > 0) {
            connection.setTimeouts(connect_timeout, remaining(deadline));
            const int n = connection.readRaw(
                buffer, static_cast<std::streamsize>(std::min(left, sizeof buffer)));
            if (n <= 0) throw Poco::IOException("connection closed inside the chunked body");
            body.append(buffer, static_cast<std::size_t>(n));
            left -= static_cast<std::size_t>(n);
        }
        if (!readChunkLine(connection, deadline).empty()) {
            throw Poco::Net::MessageException("chunk not followed by CRLF");
        }
    }
}

}  // namespace relais::host::http_detail
