// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include "relais/http/request.h"

/// @file
/// The Publik envelope (DESIGN §7): how a w.c.s. webservice call expects to be answered.
/// Used for the inbound route of adapters whose descriptor sets
/// `sdk::plugin_flag::kPublikAnswers`.

namespace relais::api {

/// `answer` in the Publik envelope, same HTTP status and headers:
/// - a 2xx becomes `{"err": 0, "data": <its JSON body>}` (`{"id", "status_url", …}`;
///   a body that is not JSON travels as a string), the members of that body repeated at
///   the top level (what relais answered before the envelope);
/// - any other status becomes `{"err": 1, "err_class": <title>, "err_code": <problem slug>,
///   "err_desc": <detail, naming the field>, "data": {"type", "field"?, "status"}}` with the
///   header `x-error-code: <problem slug>` (`bad-request`, `unauthorized`…).
/// The content type is `application/json` either way. Never throws but `std::bad_alloc`.
http::Response publikEnvelope(http::Response answer);

}  // namespace relais::api
