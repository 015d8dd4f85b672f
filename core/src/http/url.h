// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "relais/http/request.h"
#include "relais/sdk/result.h"

/// @file
/// Request-target helpers shared by the router and the server (internal to relais_http):
/// percent-decoding, path segments and query strings. ASCII only, no allocation beyond the
/// decoded strings.

namespace relais::http::url {

/// Decodes `%XX` escapes of `text` into `out` (cleared first). With `plus_as_space`, `+`
/// becomes a space (query strings, `application/x-www-form-urlencoded`). Returns false on a
/// malformed escape (`%`, `%4`, `%zz`).
bool percentDecode(std::string_view text, std::string& out, bool plus_as_space = false);

/// Splits a request target (`/a/b?x=1`, or the absolute form `http://host/a/b?x=1`) into
/// its raw path and raw query (without `?`; a fragment, which clients must not send, is
/// dropped). Returns false when the target has no path (`*`, `host:port`, empty).
bool splitTarget(std::string_view target, std::string_view& path, std::string_view& query);

/// The segments of a raw path after its leading `/` (`/` gives one empty segment), each
/// decoded. Empty optional when the path does not start with `/`, holds a malformed escape,
/// a NUL byte (raw or encoded), or a `.` / `..` segment: such paths are never served.
std::optional<std::vector<std::string>> decodeSegments(std::string_view raw_path);

/// The whole decoded path (`/` + segments joined by `/`), under the same rules.
std::optional<std::string> decodePath(std::string_view raw_path);

/// Parses `a=1&b=&c` into decoded pairs, in order (`c` gives an empty value). A malformed
/// escape is an `InvalidArgument` error naming the parameter.
sdk::Result<Params> parseQuery(std::string_view raw_query);

}  // namespace relais::http::url
