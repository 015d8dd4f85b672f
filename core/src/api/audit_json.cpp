// SPDX-License-Identifier: AGPL-3.0-or-later
#include "audit_json.h"

#include <string>

#include "relais/common/strings.h"
#include "relais/sdk/time.h"

namespace relais::api {

sdk::Json auditJson(const store::AuditRecord& record, bool with_subject, bool with_seq) {
    const store::AuditEntry& entry = record.entry;
    sdk::Json out = sdk::Json::object();
    if (with_seq) out.set("seq", record.seq);
    out.set("at", sdk::Timestamp{entry.at, 0}.toUtcString());
    out.set("client", entry.client);
    out.set("action", entry.action);
    if (with_subject && !entry.subject_id.empty()) out.set("subject", entry.subject_id);
    if (!entry.dossier_id.empty()) out.set("dossier", entry.dossier_id);
    sdk::Json attributes = sdk::Json::array();
    for (std::string& name : common::splitTrimmed(entry.attributes, ',')) {
        attributes.push(std::move(name));
    }
    out.set("attributes", std::move(attributes));
    if (!entry.procedure.empty()) out.set("procedure", entry.procedure);
    if (!entry.purpose.empty()) out.set("purpose", entry.purpose);
    out.set("outcome", entry.outcome);
    return out;
}

}  // namespace relais::api
