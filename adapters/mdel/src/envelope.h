// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "relais/sdk/json.h"
#include "relais/sdk/result.h"
#include "relais/sdk/time.h"
#include "relais/sdk/time_zone.h"
#include "relais/sdk/xml.h"

/// @file
/// The PEC envelope (`message.xml` of an MDEL delivery): `Message/Header/Routing` says who
/// sends what to whom (`MessageId`, `FlowType`, `Sender`, `Recipients`, `ConversationId`,
/// ack request), `Message/Body/Content` carries the business content: for mon.service-
/// public.fr's télédémarches an `Aller` (in the PEC namespace) whose children are in the
/// "teledemarchexml metier" namespace (`NumeroDemarche`, `Teledemarche`, `Routage`,
/// `PieceJointe`, `Document`); for other flows (DIA) an opaque text. Parsed with the SDK's
/// safe libxml2 settings (no DTD, no entity, no network). No I/O here.

namespace relais::adapters::mdel {

inline constexpr std::string_view kPecNamespace = "http://finances.gouv.fr/dgme/pec/message/v1";
inline constexpr std::string_view kMetierNamespace =
    "http://finances.gouv.fr/dgme/gf/composants/teledemarchexml/donnee/metier";

/// A file of the zip that the envelope names.
struct FileReference {
    std::string entry;  ///< file name as written in the envelope
    std::string kind;   ///< the `Code` of its `PieceJointe` or `Document`
};

/// What relais keeps of an envelope.
struct Envelope {
    std::string message_id;       ///< Header/Routing/MessageId (never empty)
    std::string flow_type;        ///< Header/Routing/FlowType (never empty)
    std::string conversation_id;  ///< Header/Routing/ConversationId, may be empty
    std::string numero;           ///< Aller/Teledemarche/NumeroTeledemarche, may be empty
    std::string date;             ///< Teledemarche/Date, else Header/Security/DateTime
    sdk::Json routing;            ///< Sender, Recipients, AckRequired, AckType… as a tree
    sdk::Json content;            ///< the business content as a tree (see README)
    std::vector<FileReference> files;
};

/// True when `root` is a PEC `Message`.
bool isPecMessage(const sdk::XmlElement& root);

/// Reads an envelope. Errors: `InvalidArgument` naming the element
/// (`Header/Routing/MessageId`, `Body/Content/Aller/Teledemarche/NumeroTeledemarche`…) or
/// quoting libxml2's problems.
sdk::Result<Envelope> parseEnvelope(std::string_view xml);

/// `element` as a readable JSON tree: a leaf is its trimmed text, an element with children
/// an object of its children by local name; `PieceJointe`, `Document`, `Donnee`,
/// `Recipient` and `AckType` are always arrays, other repeated names become arrays; the
/// GS access password (`MotDePasse`) is left out.
sdk::Json elementTree(const sdk::XmlElement& element);

/// An envelope time: RFC 3339 when it has an offset, otherwise local time in `zone`
/// (`2019-04-03T16:26:20.790`, or a date alone at midnight). `InvalidArgument` otherwise.
sdk::Result<sdk::Timestamp> parseEnvelopeTime(std::string_view text, const sdk::TimeZone& zone);

}  // namespace relais::adapters::mdel
