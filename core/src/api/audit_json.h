// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include "relais/sdk/json.h"
#include "relais/store/store.h"

/// @file
/// The JSON view of audit entries, as the access log, the export and `GET /v1/audit` show
/// them.

namespace relais::api {

/// `{"at", "client", "action", "subject"?, "dossier"?, "attributes": [...], "procedure"?,
///   "purpose"?, "outcome"}`; `subject` only when `with_subject`, `seq` only when `with_seq`
/// (the paging cursor of `GET /v1/audit`).
sdk::Json auditJson(const store::AuditRecord& record, bool with_subject, bool with_seq = false);

}  // namespace relais::api
