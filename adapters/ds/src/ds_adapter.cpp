// SPDX-License-Identifier: AGPL-3.0-or-later
#include "ds_adapter.h"

#include "relais/sdk/host.h"

#include "attachments.h"
#include "inbound.h"
#include "push.h"

namespace relais::adapters::ds {

DsAdapter::DsAdapter(sdk::Host& host) : sdk::PortalAdapter(host) {}

sdk::Result<void> DsAdapter::configure(const sdk::Settings& settings) {
    auto parsed = settingsFrom(settings);
    if (!parsed) return std::move(parsed).error();
    auto token = host().secrets().resolve(parsed->token_reference);
    if (!token) {
        sdk::Error error = std::move(token).error();
        error.message = "token: " + error.message;
        error.field = "token";
        return error;
    }
    settings_ = std::move(parsed).value();
    return sdk::ok();
}

GraphqlCall DsAdapter::graphql() const {
    return [this](std::string_view document, const sdk::Json& variables) -> sdk::Result<sdk::Json> {
        auto token = host().secrets().resolve(settings_.token_reference);
        if (!token) return std::move(token).error();
        const GraphqlEndpoint endpoint{settings_.endpoint, settings_.timeout_ms, settings_.tls};
        return executeGraphql(host().http(), endpoint, *token, document, variables,
                              host().clock().now());
    };
}

sdk::Result<sdk::InboundBatch> DsAdapter::parseInbound(const sdk::InboundRequest& request) {
    return parseWebhook(settings_, graphql(), request, host().instanceName());
}

sdk::Result<sdk::PollBatch> DsAdapter::poll(const std::string& cursor) {
    return pollDemarches(settings_, graphql(), cursor, host().instanceName());
}

sdk::Result<sdk::PushReceipt> DsAdapter::pushEvent(const sdk::Dossier& dossier,
                                                   const sdk::Event& event) {
    PushSettings push;
    push.instructeur_id = settings_.instructeur_id;
    push.disable_notification = settings_.disable_notification;
    push.timeout_ms = settings_.timeout_ms;
    return ds::pushEvent(graphql(), push, dossier, event, host().http());
}

sdk::Result<sdk::AttachmentContent> DsAdapter::fetchAttachment(const sdk::Dossier& dossier,
                                                               const sdk::Attachment& attachment) {
    return fetchDsAttachment(host().http(), settings_, graphql(), dossier, attachment);
}

}  // namespace relais::adapters::ds
