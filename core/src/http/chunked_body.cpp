// SPDX-License-Identifier: AGPL-3.0-or-later
#include "http/chunked_body.h"

#include <istream>
#include <optional>

#include <Poco/Net/HTTPFixedLengthStream.h>
#include <Poco/Net/HTTPSession.h>

namespace relais::http::detail {
namespace {

/// The server's session as the decoder's source, through length-bounded streams that
/// never read past what is asked.
class SessionSource final : public common::ChunkedSource {
public:
    explicit SessionSource(Poco::Net::HTTPSession& session) noexcept : session_(session) {}

    /// Not through `HTTPSession::get` (nor Poco's header stream, which uses it): Poco 1.11
    /// returns a plain `char` there, so a 0xFF byte reads as end-of-file and vanishes, and
    /// `1\xFF0` would be taken for the size `10` (framing a body differently from a strict
    /// front end). A length-bounded stream copies bytes as they are.
    std::optional<char> readByte() override {
        char c = 0;
        if (read(&c, 1) != 1) return std::nullopt;
        return c;
    }

    std::size_t read(char* buffer, std::size_t length) override {
        Poco::Net::HTTPFixedLengthInputStream in(
            session_, static_cast<Poco::Net::HTTPFixedLengthStreamBuf::ContentLength>(length));
        in.exceptions(std::ios::badbit);
        in.read(buffer, static_cast<std::streamsize>(length));
        return static_cast<std::size_t>(in.gcount());
    }

private:
    Poco::Net::HTTPSession& session_;
};

}  // namespace

ChunkedResult readChunkedBody(Poco::Net::HTTPSession& session, std::size_t limit,
                              std::string& body) {
    body.clear();
    SessionSource source(session);
    return common::decodeChunkedBody(source, limit, body);
}

}  // namespace relais::http::detail
