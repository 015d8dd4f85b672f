// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "relais/sdk/result.h"

/// @file
/// The forms a w.c.s. double knows: a slug and a workflow whose statuses offer triggers
/// ("automatic jump" items in `trigger` mode, `wcs/wf/jump.py`).

namespace relais::wcs_mock {

/// One workflow status.
struct StatusDef {
    std::string id;         ///< w.c.s. status id (`"2"`, or `"wf-…"` for named ones)
    std::string name;       ///< its label
    bool endpoint = false;  ///< a final status
    /// Triggers this status offers: trigger id → target status id, in order.
    std::vector<std::pair<std::string, std::string>> triggers;
};

/// One form and its workflow. The first status is where new dossiers start.
struct FormDef {
    std::string slug;
    std::string title;
    std::vector<StatusDef> statuses;
    std::vector<std::string> hooks;  ///< global-action webhook ids (`hooks/<id>/`), any status

    const StatusDef* status(std::string_view id) const;
};

/// Parses a forms file:
/// `{"forms": [{"slug": "…", "title": "…", "hooks": ["…"], "statuses": [{"id": "1",
/// "name": "…", "endpoint": false, "triggers": {"accepter": "3"}}]}]}`. Errors name the
/// member (`forms[0].statuses[1].id`); a trigger towards an unknown status is refused.
sdk::Result<std::vector<FormDef>> parseForms(std::string_view text);

}  // namespace relais::wcs_mock
