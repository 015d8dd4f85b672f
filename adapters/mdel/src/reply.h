// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <map>
#include <string>
#include <vector>

#include "relais/sdk/json.h"
#include "relais/sdk/result.h"
#include "relais/sdk/status.h"

/// @file
/// The return flow: a reply PEC envelope for a dossier that came through MDEL. Routing is the
/// incoming one turned around (its `Recipient` sends, its `Sender` receives), with a new
/// `MessageId`, the same `FlowType` and the conversation of the incoming message; the body
/// is a `Retour` (PEC namespace, like the incoming `Aller`) whose children, in the
/// teledemarchexml metier namespace, carry the télédémarche number, the state code and label,
/// the message and the document's file name.

namespace relais::adapters::mdel {

/// An MDEL state code and the label written next to it.
struct StateCode {
    std::string code;
    std::string label;
};

/// Canonical status -> state code. A status absent from the table sends nothing.
using StateCodes = std::map<sdk::Status, StateCode>;

/// The default table (README, "Statuses"), changed by `status:CODE` entries (`status:` drops
/// a status). `InvalidArgument` (field `status-codes`) quoting a bad entry.
sdk::Result<StateCodes> stateCodesFrom(const std::vector<std::string>& entries);

/// What a reply says.
struct ReplyContent {
    std::string message_id;  ///< ours, new
    std::string created_at;  ///< RFC 3339
    StateCode state;
    std::string message;   ///< motivation or message, may be empty
    std::string document;  ///< file name of the document packed with it, may be empty
};

/// The reply envelope for a dossier whose `_mdel` metadata is `meta` (as the adapter stored
/// it). `InvalidArgument` naming the member of `_mdel` that is missing.
sdk::Result<std::string> replyEnvelope(const sdk::Json& meta, const ReplyContent& content);

}  // namespace relais::adapters::mdel
