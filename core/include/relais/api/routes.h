// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include "relais/api/context.h"

namespace relais::http {
class Router;
}

/// @file
/// The HTTP API, one function per group of routes. Each adds its routes with the right
/// they require (see `http::rights`).

namespace relais::api {

/// `GET /healthz` (public), `GET /readyz` and `GET /metrics` (`metrics:read`),
/// `GET /v1/connectors` (`connectors:read`).
void addSystemRoutes(http::Router& router, Context& context);

/// `POST /v1/adapters/{instance}/inbound` (`dossiers:submit`), `GET /v1/dossiers/{id}` and
/// `GET /v1/dossiers/{id}/events` (`dossiers:read`).
void addDossierRoutes(http::Router& router, Context& context);

/// Operators: `GET /v1/jobs`, `GET /v1/jobs/{id}`, `POST /v1/jobs/{id}/replay`,
/// `POST /v1/dossiers/{id}/redeliver` (`jobs:admin`).
void addJobRoutes(http::Router& router, Context& context);

/// Pull-mode applications: `GET /v1/inbox/{name}`, `POST /v1/inbox/{name}/ack`
/// (`inbox:read` and the inbox among the client's instances).
void addInboxRoutes(http::Router& router, Context& context);

/// "Tell us once": `GET /v1/prefill/{procedure}` (`prefill:read` and a contract).
void addPrefillRoutes(http::Router& router, Context& context);

/// Subjects: `PUT /v1/subjects/{id}/attributes` and `POST /v1/subjects` (`attributes:write`),
/// `GET /v1/subjects/{id}/access-log` (`subjects:access-log`), `GET /v1/subjects/{id}/export`
/// and `DELETE /v1/subjects/{id}` (`subjects:admin`).
void addSubjectRoutes(http::Router& router, Context& context);

/// Status sync: `POST /v1/dossiers/{id}/events` and
/// `POST /v1/links/{connector}/{business_id}/events` (`events:write`, with an
/// `Idempotency-Key`), `GET /v1/dossiers/{id}/timeline` (`dossiers:read`), `GET
/// /v1/conflicts`, `GET /v1/conflicts/{id}` and `POST /v1/conflicts/{id}/resolve` (`admin`).
void addStatusSyncRoutes(http::Router& router, Context& context);

/// `GET /v1/audit` (right `audit:read`): the audit trail, newest first, filtered by
/// `subject`, `client`, `action`; paged with `limit` and `before` (an entry's `seq`).
void addAuditRoutes(http::Router& router, Context& context);

}  // namespace relais::api
