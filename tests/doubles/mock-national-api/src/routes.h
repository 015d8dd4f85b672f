// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

/// @file
/// The routes of API Particulier and API Entreprise, by upstream operation id. A mock case
/// folder is named after the operation it answers (`x-operationId` in the OpenAPI files,
/// e.g. `api_particulier_v3_cnav_quotient_familial_with_civility`), so the folder name says
/// which route its cases belong to.

namespace relais::mock_api {

/// Query and path parameters of a request: name (without a trailing `[]`) to its values in
/// the order they came.
using Params = std::map<std::string, std::vector<std::string>, std::less<>>;

enum class Api { Particulier, Entreprise };

/// One GET operation of an API.
struct Route {
    std::string_view operation_id;  ///< upstream `x-operationId`, the mock folder name
    std::string_view path;          ///< OpenAPI path template (`/v3/…/{siren}`)
    Api api;
};

/// Every GET operation of the two OpenAPI files of shared/fixtures/national-apis (API
/// Particulier v3/v4/v5: 36, API Entreprise v3/v4: 51, `/privileges` left out), in file order.
std::span<const Route> allRoutes() noexcept;

/// The route of an operation id, or null.
const Route* routeForOperation(std::string_view operation_id) noexcept;

/// `API Particulier` / `API Entreprise`.
std::string_view apiName(Api api) noexcept;

/// The calling mode where the bearer token is a FranceConnect access token that the API
/// introspects to learn the identity (paths ending in `/france_connect`).
bool isFranceConnect(const Route& route) noexcept;

/// Matches decoded path `segments` against `route`'s template; on success adds the template
/// parameters (`{siren}` → `siren`) to `params` and returns the number of literal segments
/// (so that the most specific of several matching templates wins), otherwise -1.
int matchPath(const Route& route, const std::vector<std::string>& segments, Params& params);

}  // namespace relais::mock_api
