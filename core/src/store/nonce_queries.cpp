// SPDX-License-Identifier: AGPL-3.0-or-later
// Store operations on signature nonces (replay protection of signed requests).
#include <string>
#include <utility>

#include "relais/store/store.h"

#include "store/rows.h"

namespace relais::store {

sdk::Result<bool> Store::rememberNonce(const std::string& nonce, std::int64_t now,
                                       std::int64_t expires_at) {
    if (nonce.empty()) {
        return sdk::fail(sdk::ErrorCode::InvalidArgument, "nonce is empty", "nonce");
    }
    if (expires_at <= now) {
        return sdk::fail(sdk::ErrorCode::InvalidArgument, "nonce expires_at must be later than now",
                         "expires_at");
    }
    bool fresh = false;
    auto written = database_->write([&](Poco::Data::Session& session) {
        // One statement, so that no other writer (another relais on PostgreSQL) can slip in
        // between a check and an insert: a live nonce is left as is (nothing changed, a
        // replay); an expired one is taken over as if it were new.
        fresh = detail::execute(session,
                                "INSERT INTO nonces (nonce, seen_at, expires_at) VALUES (?, ?, ?) "
                                "ON CONFLICT (nonce) DO UPDATE SET seen_at = excluded.seen_at, "
                                "expires_at = excluded.expires_at WHERE nonces.expires_at <= ?",
                                nonce, now, expires_at, now) == 1;
    });
    if (!written) return std::move(written).error();
    return fresh;
}

}  // namespace relais::store
