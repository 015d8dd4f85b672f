// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "relais/sdk/json.h"

#include "forms.h"
#include "publik_verifier.h"

/// @file
/// A Publik w.c.s. double on 127.0.0.1 (Poco::Net): it holds dossiers of forms with a
/// workflow, exports them as `GET /api/forms/<slug>/<id>/` does, changes their status
/// through `jump/trigger/<id>/` (only the triggers of the current status), runs global-action
/// hooks, checks the Publik signature of every call, records the calls, and can fail on
/// demand. It can also play the portal: build the signed webservice call that a workflow
/// "send the form" action posts. See README.md for what it models and where from.

namespace relais::wcs_mock {

/// One call as the double received it, with what it answered.
struct ReceivedCall {
    std::string method;
    std::string path;
    std::string query;  ///< raw, as received
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    int status = 0;       ///< what the double answered (0: connection closed)
    std::string refusal;  ///< w.c.s.'s err_desc when refused
    std::string trigger;  ///< the trigger of a successful jump
};

/// How the next calls fail.
enum class Failure {
    ServiceUnavailable,  ///< 503 with an HTML body, as a proxy in front of w.c.s. answers
    CloseConnection,     ///< the connection is closed without an answer
};

/// What a workflow webservice call with "send the form" sends.
struct WebserviceCall {
    std::string url;  ///< the target URL with the signed query
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;  ///< the formdata export, the POST-data table under `extra`
};

/// What the target of a sent form answered (`sendForm`).
struct SentForm {
    int status = 0;
    std::string body;
};

/// Where the demo's `POST /__send/<slug>/<id>` sends a dossier, signed as `orig`.
struct SendTarget {
    std::string url;  ///< e.g. `http://127.0.0.1:8080/v1/adapters/demarches/inbound`
    std::string orig;
    std::string secret;
};

class WcsMock {
public:
    struct Options {
        std::map<std::string, std::string> secrets;  ///< orig → shared secret
        int signature_window_seconds = 30;
        std::string address = "127.0.0.1";
        int port = 0;
        /// Clock for signature timestamps and `last_update_time` (unix seconds).
        std::function<std::int64_t()> now;
        /// Target of `POST /__send/<slug>/<id>`; empty url: that endpoint answers 404.
        SendTarget send;
    };

    explicit WcsMock(Options options);
    ~WcsMock();
    WcsMock(const WcsMock&) = delete;
    WcsMock& operator=(const WcsMock&) = delete;

    int port() const noexcept;
    /// `http://127.0.0.1:<port>/`
    std::string baseUrl() const;

    void addForm(FormDef form);

    /// A new dossier of form `slug` in its first status; returns its id. `receipt_time` is a
    /// naive local time as w.c.s. writes it (`2026-11-30T10:12:44`).
    int createFormdata(const std::string& slug, sdk::Json fields, sdk::Json user,
                       const std::string& receipt_time);

    /// The export of §3.4 (id, display_id, url, api_url, times, user, fields, workflow,
    /// actions of the current status, evolution); null for an unknown dossier.
    sdk::Json exportFormdata(const std::string& slug, int id) const;
    std::string statusOf(const std::string& slug, int id) const;
    sdk::Json workflowData(const std::string& slug, int id) const;
    /// The template variables a trigger's body gives: `form_trigger_<id>_content_<key>`.
    std::map<std::string, std::string> triggerVariables(const std::string& slug, int id) const;
    /// Moves a dossier as an agent would (no call recorded).
    void setStatus(const std::string& slug, int id, const std::string& status_id);

    std::vector<ReceivedCall> calls() const;
    /// Successful jumps so far.
    std::size_t jumpCount() const;
    /// The next `n` calls fail that way (before any check).
    void failNext(int n, Failure how);

    /// The portal side: the call a webservice action with "send the form" makes to
    /// `target_url`, signed for `orig` with `secret` at the double's clock.
    WebserviceCall webserviceCall(const std::string& slug, int id, const std::string& target_url,
                                  const std::string& orig, const std::string& secret,
                                  const sdk::Json& extra = {},
                                  const std::string& algo = "sha256") const;

    /// Makes the call of `webserviceCall` over plain HTTP, as the workflow action does, and
    /// keeps what came back as a workflow storing the response in variable `relais` does:
    /// workflow data `relais_status` (HTTP status) and `relais_response` (the JSON, or the
    /// text). Throws `Poco::Exception` when the target cannot be reached.
    SentForm sendForm(const std::string& slug, int id, const std::string& target_url,
                      const std::string& orig, const std::string& secret);

private:
    struct Formdata;
    struct Answer {
        int status = 200;
        std::string body;
        bool close = false;
        std::string refusal;
        std::string trigger;
    };
    class Server;

    /// The demo's control endpoints under `/__` (not w.c.s.'s, not signed); nullopt for
    /// any other path.
    std::optional<Answer> control(const std::string& method, const std::string& path);
    Answer handle(const std::string& method, const std::string& path, const std::string& query,
                  const std::string& body);
    Answer jump(Formdata& formdata, const std::string& trigger, const std::string& method,
                const std::string& body);
    void record(ReceivedCall call);
    std::int64_t now() const;
    std::string naiveNow() const;
    sdk::Json exportLocked(const Formdata& formdata) const;
    Formdata* findLocked(const std::string& slug, int id);
    const Formdata* findLocked(const std::string& slug, int id) const;

    Options options_;
    PublikVerifier verifier_;
    mutable std::mutex mutex_;  // guards forms_, formdata_, calls_, failures_
    std::vector<FormDef> forms_;
    std::vector<std::unique_ptr<Formdata>> formdata_;
    std::vector<ReceivedCall> calls_;
    int failures_left_ = 0;
    Failure failure_ = Failure::ServiceUnavailable;
    std::unique_ptr<Server> server_;
};

}  // namespace relais::wcs_mock
