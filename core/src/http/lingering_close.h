// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <Poco/Net/StreamSocket.h>
#include <Poco/Timespan.h>

/// @file
/// The "lingering close" of Apache and nginx (internal to relais_http): after refusing a
/// request without reading all of it, the server keeps reading (and discarding) for a
/// moment before closing, so that a client still sending gets to read the refusal instead
/// of a connection reset.

namespace relais::http::detail {

/// Reads and drops what `socket` receives, waiting at most `receive_timeout` for each read,
/// until the peer stops sending, 1 MiB was dropped or one second passed. Socket errors
/// propagate as `Poco::Exception`s (the caller is closing the connection anyway).
void discardIncoming(Poco::Net::StreamSocket& socket, Poco::Timespan receive_timeout);

}  // namespace relais::http::detail
