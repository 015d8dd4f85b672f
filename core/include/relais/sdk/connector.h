// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "relais/sdk/attribute.h"
#include "relais/sdk/component.h"
#include "relais/sdk/dossier.h"
#include "relais/sdk/event.h"
#include "relais/sdk/http_client.h"
#include "relais/sdk/json.h"
#include "relais/sdk/subject.h"
#include "relais/sdk/visibility.h"

/// @file
/// The back-office side: connectors to business applications and national APIs.

namespace relais::sdk {

/// One delivery of a mapped dossier to a business application.
struct Delivery {
    const Dossier* dossier = nullptr;  ///< valid for the call only
    std::string payload;               ///< the mapping's output
    std::string content_type;          ///< `application/json`, `application/xml`…
    std::string idempotency_key;       ///< stable per (dossier, route): pass it on
    std::string route;                 ///< route name from the config
    /// The application's id for this dossier from an earlier delivery through the same
    /// connector instance (its link); empty when there is none yet. Lets a connector update
    /// what it created (`PUT …/{business_id}`) on a redelivery.
    std::string business_id;
    int attempt = 1;  ///< 1 for the first try
    /// Absolute paths of the dossier's attachments in the content-addressed store, one per
    /// entry of `dossier->attachments`, in the same order; empty for an attachment kept by
    /// reference only (never downloaded). Valid for the call only.
    std::vector<std::string> attachment_paths;
};

/// A business application's acknowledgement of a delivery.
struct DeliveryReceipt {
    std::string business_id;  ///< the application's id for the dossier (becomes a link)
    std::string display_id;   ///< a number to show the citizen, when different
    Json response;            ///< what the application answered, when it is useful to keep
    /// The application will confirm later (e.g. an acknowledgement file); the delivery is
    /// complete only when `poll` reports a `delivered` event for it.
    bool awaits_acknowledgement = false;
};

/// An event reported by the back-office side (poll) about a dossier it knows.
struct InboundEvent {
    std::string dossier_id;   ///< relais id, when the source knows it
    std::string business_id;  ///< the application's id, otherwise
    std::string source_key;   ///< the portal's id, for adapters
    Event event;
};

/// A page of events from `poll`.
struct PollBatch {
    std::vector<InboundEvent> events;
    std::vector<Dossier> dossiers;  ///< new dossiers (adapters polling a portal)
    std::string next_cursor;        ///< stored by the core and given back on the next poll
    bool more = false;              ///< call again at once, more is waiting
};

/// What the core asks a provider for.
struct AttributeQuery {
    Subject subject;
    std::vector<std::string> names;  ///< attribute names wanted
    std::string procedure;           ///< procedure the data is read for
    std::string purpose;             ///< purpose from the contract, passed to APIs that log it
    std::string access_token;        ///< a FranceConnect access token, when given
    /// Other identifiers the portal gave for this subject, by name: `ine` (student number),
    /// `identifiant_france_travail`… A provider uses the ones its endpoints need.
    std::map<std::string, std::string> identifiers;
    /// The legal basis from the contract, passed to APIs that record it.
    std::string legal_basis;
};

/// A call to a named endpoint (`/v1/connectors/{instance}/{endpoint}`).
struct EndpointRequest {
    std::string endpoint;
    std::string method;
    std::vector<std::pair<std::string, std::string>> query;  ///< decoded, in order
    HttpHeaders headers;
    std::string body;
    std::string client;  ///< authenticated API client name
};

/// An endpoint's answer. By default `data` is wrapped by the core in the Publik envelope
/// `{"err": 0, "data": …}`; set `raw` to send `body` as is with `content_type`.
struct EndpointResponse {
    Json data;
    bool raw = false;
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
};

/// A connector to a business application or a national API. Override the operations the
/// plugin supports; the others answer `Unsupported` and the descriptor says which exist.
///
/// Threading: operations run on worker threads, concurrently if the descriptor's flags say
/// `kReentrant`, otherwise serialized by the host. Errors: return an `Error`; for `deliver`,
/// `Retryable`/`Unavailable`/`Timeout` make the core retry later, `Permanent` and
/// `InvalidArgument` send the job to the dead-letter list.
class RELAIS_SDK_API Connector : public Component {
public:
    using Component::Component;
    ~Connector() override;

    virtual Result<DeliveryReceipt> deliver(const Delivery& delivery);
    virtual Result<PollBatch> poll(const std::string& cursor);
    /// A provider's answer for `query.subject`: the attributes among `query.names` it could
    /// establish, each with `source` (the instance name), `level`, `process`, `verified_at`
    /// and `valid_until` filled in; names it does not serve are left out. Errors:
    /// `NotFound` when the registry does not know the subject; `InvalidArgument` when an
    /// identifier it needs is missing (the message names it); `Unavailable`/`Timeout`/
    /// `Retryable` for transient failures (rate limit, provider down); `Permanent` for a
    /// refusal the caller must not retry (e.g. an entity not open to disclosure).
    virtual Result<std::vector<Attribute>> fetchAttributes(const AttributeQuery& query);
    virtual Result<EndpointResponse> callEndpoint(const EndpointRequest& request);
};

}  // namespace relais::sdk
