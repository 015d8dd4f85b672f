// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "relais/sdk/result.h"
#include "relais/sdk/status.h"

/// @file
/// The per-form tables between w.c.s. statuses and the canonical lifecycle: which w.c.s.
/// status id means which canonical status, and which trigger moves a dossier to a canonical
/// status. One instance may serve several forms: an entry prefixed `slug/` is for that form
/// only and wins over an entry without a prefix, which is for every form.

namespace relais::adapters::wcs {

class StatusTables {
public:
    /// Reads the `status-map` entries (`[slug/]<w.c.s. status id>:<canonical status>`) and
    /// the `triggers` entries (`[slug/]<canonical status>:<trigger id>`). `InvalidArgument`
    /// naming the key and the entry: no `:`, an empty side, an unknown canonical status, the
    /// same left side twice.
    static sdk::Result<StatusTables> parse(const std::vector<std::string>& status_map,
                                           const std::vector<std::string>& triggers);

    /// The canonical status of w.c.s. status `status_id` of form `slug`, if the table says.
    std::optional<sdk::Status> canonical(std::string_view slug, std::string_view status_id) const;

    /// The trigger that moves a dossier of form `slug` to `status`; empty when none is set.
    std::string trigger(std::string_view slug, sdk::Status status) const;

private:
    // form slug ("" for every form) → left side → right side
    std::map<std::string, std::map<std::string, sdk::Status, std::less<>>, std::less<>>
        to_canonical_;
    std::map<std::string, std::map<sdk::Status, std::string>, std::less<>> to_trigger_;
};

}  // namespace relais::adapters::wcs
