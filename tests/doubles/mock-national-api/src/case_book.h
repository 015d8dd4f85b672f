// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "routes.h"

/// @file
/// The mock's knowledge: the test cases read from case folders, and how a request picks its
/// answer. Pure logic, no sockets, so that matching rules are tested on their own.

namespace relais::mock_api {

/// A request as the server received it.
struct MockRequest {
    std::string method;         ///< `GET`…
    std::string target;         ///< raw request target: path and query, still encoded
    std::string authorization;  ///< the `Authorization` header, empty when absent
};

/// What the mock answers.
struct MockAnswer {
    int status = 200;
    std::string content_type = "application/json; charset=utf-8";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    /// For the request log: the case file that answered, or why nothing did. Never holds
    /// parameter values (they are personal data in real use).
    std::string why;
};

/// Every case of one or more case folders, immutable once loaded.
///
/// A case folder is laid out like tests/fixtures/national-apis:
/// - `api-particulier/payloads/<operation id>/*.json` and
///   `api-entreprise/payloads/<operation id>/*.json`: one case per file (`params`, `status`,
///   `payload`; optional `headers`, a relais extension: response headers as an object of
///   strings). Other files (the YAML originals, README.md, summary.csv) are ignored.
/// - `franceconnect/*.json` (except `*_schema.json`): a FranceConnect token-introspection
///   mock, `params.token` being the fake access token and `payload.token_introspection`
///   the identity.
///
/// Matching (see `answer`): the first case, in folder order then file-name order, whose
/// every param equals the request's (query values, path parameters; a repeated `prenoms[]`
/// is an array; a number is compared as its decimal text; `null` means absent). Extra
/// request params are ignored.
///
/// Thread-safety: `answer` is const and may run concurrently.
class CaseBook {
public:
    /// Loads the cases of each directory, in order. Throws `relais::ConfigError` naming the
    /// file (and the param) for anything it cannot use: unreadable or invalid JSON, a folder
    /// named after no known operation or under the wrong API, a param whose value is an
    /// object, a status outside 100–599, two FranceConnect mocks with one token, no case at
    /// all.
    static CaseBook load(const std::vector<std::string>& directories);

    /// The answer to `request`:
    /// - a method other than GET: 405;
    /// - a path that is no route: 404; a route without any case loaded: 404;
    /// - no `Authorization: Bearer <token>`: 401 (`00101`);
    /// - `recipient` missing (API Entreprise: also `context`, `object`): 422 (`00203`,
    ///   `00201`, `00202`), as the real APIs do;
    /// - FranceConnect routes: the bearer token must be the `params.token` of an active
    ///   FranceConnect mock (otherwise 401); its identity (`family_name` → `nomNaissance`,
    ///   `given_name_array` → `prenoms`, `birthdate` → `anneeDateNaissance`,
    ///   `moisDateNaissance`, `jourDateNaissance`, `gender` → `sexeEtatCivil` M/F,
    ///   `birthplace` → `codeCogInseeCommuneNaissance`, `birthcountry` →
    ///   `codeCogInseePaysNaissance`) is added to the request's params, and case params
    ///   that neither the identity nor the query hold (e.g. `nomUsage`) are ignored;
    /// - otherwise the matching case's status, headers and payload (JSON; a string payload
    ///   is sent as is, as text), or 404 when no case matches.
    /// Error bodies have the APIs' shape: `{"errors": [{code, title, detail, source, meta}]}`.
    MockAnswer answer(const MockRequest& request) const;

    std::size_t caseCount() const noexcept;
    std::size_t tokenCount() const noexcept { return tokens_.size(); }
    /// Operation ids that have at least one case, sorted.
    std::vector<std::string> operations() const;

    /// Expected value of one case param: the texts to compare with, or nullopt for `null`
    /// (the request must not carry it).
    struct Expected {
        std::optional<std::vector<std::string>> values;
        bool array = false;
    };
    struct Case {
        std::string file;  ///< path relative to its case folder, for logs and errors
        std::vector<std::pair<std::string, Expected>> params;
        int status = 200;
        std::string body;
        bool json = true;
        std::vector<std::pair<std::string, std::string>> headers;
    };
    struct FranceConnectIdentity {
        std::string file;
        bool active = false;
        Params identity;
    };

private:
    const std::vector<Case>* casesOf(std::string_view operation_id) const;

    std::map<std::string, std::vector<Case>, std::less<>> cases_;  // by operation id
    std::map<std::string, FranceConnectIdentity, std::less<>> tokens_;
};

/// Splits a raw query string into params: `a=1&b=2&prenoms[]=X&prenoms[]=Y` → `a: [1]`,
/// `b: [2]`, `prenoms: [X, Y]` (a trailing `[]` of a name is dropped). Nullopt for a
/// malformed escape.
std::optional<Params> parseQuery(std::string_view query);

}  // namespace relais::mock_api
