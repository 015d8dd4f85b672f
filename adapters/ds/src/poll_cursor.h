// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "relais/sdk/result.h"

/// @file
/// The polling cursor the core stores between polls: per démarche, where the current pass
/// over its dossiers (and over its deleted dossiers) stands.
///
/// A pass asks the dossiers updated since `since` (everything on the first pass), page
/// after page with `after` (DS's `endCursor`), and remembers the latest
/// `dateDerniereModification` it met in `next_since`; when a page says there is no next
/// page, the pass ends: `since` becomes `next_since` and `after` is cleared. `since` stays
/// the same during a pass, so that DS's cursors stay valid. A dossier modified at exactly
/// `since` may come again: the core ignores replays. Deleted dossiers have the same three
/// members (`deleted_since`, `deleted_after`, `next_deleted_since`, on `dateSupression`).
///
/// Written as JSON: `{"demarches": {"<number>": {"since": …, "after": …, …}}}`, empty
/// members left out.

namespace relais::adapters::ds {

/// One track (dossiers, or deleted dossiers) of one démarche.
struct CursorTrack {
    std::string since;       ///< RFC 3339; empty: from the beginning
    std::string after;       ///< DS's endCursor of the last page read; empty: first page
    std::string next_since;  ///< latest date met in this pass

    /// Notes a page read: `last_date` the latest date of its nodes (empty: none), whether
    /// DS has more and its end cursor.
    void pageRead(const std::string& last_date, bool has_next_page, const std::string& end_cursor);
};

struct DemarcheCursor {
    CursorTrack dossiers;
    CursorTrack deleted;
};

struct PollCursor {
    std::map<std::int64_t, DemarcheCursor> demarches;

    /// Reads what `dump` wrote; empty text is an empty cursor. `InvalidArgument` (field
    /// `cursor`) for anything else.
    static sdk::Result<PollCursor> parse(std::string_view text);
    std::string dump() const;
};

/// Whether RFC 3339 instant `a` is later than `b` (an empty `b` is earlier than anything).
bool isLater(const std::string& a, const std::string& b);

}  // namespace relais::adapters::ds
