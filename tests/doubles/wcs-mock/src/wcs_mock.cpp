// SPDX-License-Identifier: AGPL-3.0-or-later
#include "wcs_mock.h"

#include <array>
#include <chrono>
#include <ctime>
#include <sstream>
#include <stdexcept>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>
#include <openssl/rand.h>

namespace relais::wcs_mock {
namespace {

// What w.c.s. answers when the publisher turns an error into JSON
// (`wcs/qommon/publisher.py` `finish_interrupted_request`).
std::string errorBody(const std::string& err_class, const std::string& err_code,
                      const std::string& err_desc) {
    sdk::Json body = sdk::Json::object();
    body.set("err", 1);
    body.set("err_class", err_class);
    body.set("err_code", err_code);
    body.set("err_desc", err_desc.empty() ? sdk::Json() : sdk::Json(err_desc));
    return body.dump();
}

std::string forbidden(const std::string& desc) {
    return errorBody("Access Forbidden", "access-denied", desc);
}

std::string notFound() { return errorBody("Page not found", "not-found", ""); }

std::vector<std::string> splitPath(const std::string& path) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= path.size()) {
        const auto slash = path.find('/', start);
        const std::string part =
            path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        if (!part.empty()) parts.push_back(part);
        if (slash == std::string::npos) break;
        start = slash + 1;
    }
    return parts;
}

// Percent-encoding of a query value (a space as `%20`, which a form decoder reads back).
std::string quotePlus(const std::string& text) {
    std::string out;
    Poco::URI::encode(text, "!#$&'()*+,/:;=?@[]", out);
    return out;
}

// `2026-11-30T10:12:44` (naive) or `2026-11-30T10:12:44Z` (a signature's timestamp).
std::string utcStamp(std::int64_t unix_seconds, bool zulu) {
    const std::time_t t = unix_seconds;
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::array<char, 32> buffer{};
    std::strftime(buffer.data(), buffer.size(), "%Y-%m-%dT%H:%M:%S", &tm);
    return std::string(buffer.data()) + (zulu ? "Z" : "");
}

}  // namespace

struct WcsMock::Formdata {
    std::string slug;
    int id = 0;
    std::string display_id;
    std::string receipt_time;
    std::string last_update_time;
    std::string status;
    sdk::Json fields;
    sdk::Json user;
    sdk::Json workflow_data = sdk::Json::object();
    sdk::Json evolution = sdk::Json::array();
    std::map<std::string, std::string> trigger_variables;
};

class WcsMock::Server {
public:
    Server(WcsMock& owner, const std::string& address, int port) {
        socket_.bind(Poco::Net::SocketAddress(address, static_cast<Poco::UInt16>(port)), true);
        socket_.listen(64);
        auto* params = new Poco::Net::HTTPServerParams;
        params->setMaxThreads(16);
        params->setKeepAlive(true);
        server_ =
            std::make_unique<Poco::Net::HTTPServer>(new Factory(owner), pool_, socket_, params);
        server_->start();
    }
    ~Server() {
        server_->stopAll(true);
        pool_.joinAll();
    }
    int port() const { return socket_.address().port(); }

private:
    class Handler final : public Poco::Net::HTTPRequestHandler {
    public:
        explicit Handler(WcsMock& owner) : owner_(owner) {}
        void handleRequest(Poco::Net::HTTPServerRequest& request,
                           Poco::Net::HTTPServerResponse& response) override {
            ReceivedCall call;
            call.method = request.getMethod();
            const std::string uri = request.getURI();
            const auto question = uri.find('?');
            call.path = uri.substr(0, question);
            if (question != std::string::npos) call.query = uri.substr(question + 1);
            for (const auto& [name, value] : request) call.headers.emplace_back(name, value);
            // A request with neither Content-Length nor chunked framing has no body
            // (RFC 9112 §6.3); Poco 1.11 would read one until the client closes, and curl's
            // bare `-X POST` would wait for the socket timeout.
            if (request.hasContentLength() || request.getChunkedTransferEncoding()) {
                std::ostringstream body;
                Poco::StreamCopier::copyStream(request.stream(), body);
                call.body = body.str();
            }
            const Answer answer = owner_.handle(call.method, call.path, call.query, call.body);
            call.status = answer.close ? 0 : answer.status;
            call.refusal = answer.refusal;
            call.trigger = answer.trigger;
            owner_.record(std::move(call));
            if (answer.close) {
                // No answer at all: the client sees the connection drop.
                static_cast<Poco::Net::HTTPServerRequestImpl&>(request).socket().shutdown();
                return;
            }
            response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(answer.status));
            response.setContentType(answer.status == 503 ? "text/html" : "application/json");
            response.setContentLength(static_cast<std::streamsize>(answer.body.size()));
            response.send() << answer.body;
        }

    private:
        WcsMock& owner_;
    };

    class Factory final : public Poco::Net::HTTPRequestHandlerFactory {
    public:
        explicit Factory(WcsMock& owner) : owner_(owner) {}
        Poco::Net::HTTPRequestHandler* createRequestHandler(
            const Poco::Net::HTTPServerRequest& /*request*/) override {
            return new Handler(owner_);
        }

    private:
        WcsMock& owner_;
    };

    // Its own pool, joined on destruction (the default pool would outlive the test).
    Poco::ThreadPool pool_{2, 16};
    Poco::Net::ServerSocket socket_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
};

WcsMock::WcsMock(Options options)
    : options_(std::move(options)), verifier_(options_.secrets, options_.signature_window_seconds) {
    server_ = std::make_unique<Server>(*this, options_.address, options_.port);
}

WcsMock::~WcsMock() { server_.reset(); }

int WcsMock::port() const noexcept { return server_->port(); }

std::string WcsMock::baseUrl() const {
    return "http://" + options_.address + ":" + std::to_string(port()) + "/";
}

std::int64_t WcsMock::now() const {
    if (options_.now) return options_.now();
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The double writes its own times in UTC, without a zone, as w.c.s. writes local ones.
std::string WcsMock::naiveNow() const { return utcStamp(now(), false); }

void WcsMock::addForm(FormDef form) {
    if (form.statuses.empty()) throw std::invalid_argument("form " + form.slug + ": no status");
    std::lock_guard lock(mutex_);
    forms_.push_back(std::move(form));
}

int WcsMock::createFormdata(const std::string& slug, sdk::Json fields, sdk::Json user,
                            const std::string& receipt_time) {
    std::lock_guard lock(mutex_);
    std::size_t index = 0;
    while (index < forms_.size() && forms_[index].slug != slug) ++index;
    if (index == forms_.size()) throw std::invalid_argument("unknown form " + slug);
    int id = 1;
    for (const auto& existing : formdata_) {
        if (existing->slug == slug && existing->id >= id) id = existing->id + 1;
    }
    auto formdata = std::make_unique<Formdata>();
    formdata->slug = slug;
    formdata->id = id;
    formdata->display_id = std::to_string(index + 1) + "-" + std::to_string(id);
    formdata->receipt_time = receipt_time;
    formdata->last_update_time = receipt_time;
    formdata->status = forms_[index].statuses.front().id;
    formdata->fields = std::move(fields);
    formdata->user = std::move(user);
    sdk::Json entry = sdk::Json::object();
    entry.set("status", formdata->status);
    entry.set("time", receipt_time);
    entry.set("parts", sdk::Json::array());
    formdata->evolution.push(std::move(entry));
    formdata_.push_back(std::move(formdata));
    return id;
}

WcsMock::Formdata* WcsMock::findLocked(const std::string& slug, int id) {
    for (auto& formdata : formdata_) {
        if (formdata->slug == slug && formdata->id == id) return formdata.get();
    }
    return nullptr;
}

const WcsMock::Formdata* WcsMock::findLocked(const std::string& slug, int id) const {
    return const_cast<WcsMock*>(this)->findLocked(slug, id);  // NOLINT
}

sdk::Json WcsMock::exportLocked(const Formdata& formdata) const {
    const FormDef* form = nullptr;
    for (const auto& candidate : forms_) {
        if (candidate.slug == formdata.slug) form = &candidate;
    }
    const std::string number = std::to_string(formdata.id);
    const std::string api_url = baseUrl() + "api/forms/" + formdata.slug + "/" + number + "/";
    sdk::Json out = sdk::Json::object();
    out.set("id", formdata.slug + ":" + number);
    out.set("internal_id", number);
    out.set("display_id", formdata.display_id);
    out.set("display_name", form->title + " - n°" + formdata.display_id);
    out.set("url", baseUrl() + formdata.slug + "/" + number + "/");
    out.set("api_url", api_url);
    out.set("backoffice_url",
            baseUrl() + "backoffice/management/" + formdata.slug + "/" + number + "/");
    out.set("receipt_time", formdata.receipt_time);
    out.set("last_update_time", formdata.last_update_time);
    out.set("criticality_level", 0);
    out.set("user", formdata.user);
    out.set("fields", formdata.fields);
    const StatusDef* status = form->status(formdata.status);
    sdk::Json status_json = sdk::Json::object();
    status_json.set("id", status->id);
    status_json.set("name", status->name);
    status_json.set("endpoint", status->endpoint);
    sdk::Json workflow = sdk::Json::object();
    workflow.set("status", status_json);
    workflow.set("real_status", status_json);
    workflow.set("fields", sdk::Json::object());
    workflow.set("data", formdata.workflow_data);
    out.set("workflow", std::move(workflow));
    sdk::Json actions = sdk::Json::object();
    for (const auto& [trigger, target] : status->triggers) {
        actions.set("jump:" + trigger, api_url + "jump/trigger/" + trigger + "/");
    }
    for (const auto& hook : form->hooks) {
        actions.set("global-action:" + hook, api_url + "hooks/" + hook + "/");
    }
    out.set("actions", std::move(actions));
    sdk::Json submission = sdk::Json::object();
    submission.set("backoffice", false);
    submission.set("channel", "web");
    out.set("submission", std::move(submission));
    out.set("evolution", formdata.evolution);
    return out;
}

sdk::Json WcsMock::exportFormdata(const std::string& slug, int id) const {
    std::lock_guard lock(mutex_);
    const Formdata* formdata = findLocked(slug, id);
    return formdata == nullptr ? sdk::Json() : exportLocked(*formdata);
}

std::string WcsMock::statusOf(const std::string& slug, int id) const {
    std::lock_guard lock(mutex_);
    const Formdata* formdata = findLocked(slug, id);
    return formdata == nullptr ? std::string() : formdata->status;
}

sdk::Json WcsMock::workflowData(const std::string& slug, int id) const {
    std::lock_guard lock(mutex_);
    const Formdata* formdata = findLocked(slug, id);
    return formdata == nullptr ? sdk::Json() : formdata->workflow_data;
}

std::map<std::string, std::string> WcsMock::triggerVariables(const std::string& slug,
                                                             int id) const {
    std::lock_guard lock(mutex_);
    const Formdata* formdata = findLocked(slug, id);
    return formdata == nullptr ? std::map<std::string, std::string>() : formdata->trigger_variables;
}

void WcsMock::setStatus(const std::string& slug, int id, const std::string& status_id) {
    std::lock_guard lock(mutex_);
    if (Formdata* formdata = findLocked(slug, id)) formdata->status = status_id;
}

std::vector<ReceivedCall> WcsMock::calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
}

std::size_t WcsMock::jumpCount() const {
    std::lock_guard lock(mutex_);
    std::size_t count = 0;
    for (const auto& call : calls_) count += call.trigger.empty() ? 0 : 1;
    return count;
}

void WcsMock::failNext(int n, Failure how) {
    std::lock_guard lock(mutex_);
    failures_left_ = n;
    failure_ = how;
}

void WcsMock::record(ReceivedCall call) {
    std::lock_guard lock(mutex_);
    calls_.push_back(std::move(call));
}

std::optional<WcsMock::Answer> WcsMock::control(const std::string& method,
                                                const std::string& path) {
    const auto parts = splitPath(path);
    if (parts.size() != 3 || (parts[0] != "__send" && parts[0] != "__formdata")) {
        return std::nullopt;
    }
    int id = 0;
    try {
        id = std::stoi(parts[2]);
    } catch (const std::exception&) {
        return Answer{404, notFound(), false, "not found", {}};
    }
    if (parts[0] == "__formdata") {
        if (method != "GET")
            return Answer{405, forbidden("Method not allowed."), false, "method", {}};
        sdk::Json formdata = exportFormdata(parts[1], id);
        if (formdata.isNull()) return Answer{404, notFound(), false, "no such dossier", {}};
        return Answer{200, formdata.dump(2) + "\n", false, {}, {}};
    }
    if (method != "POST") return Answer{405, forbidden("Method not allowed."), false, "method", {}};
    if (options_.send.url.empty()) return Answer{404, notFound(), false, "no --send-to", {}};
    if (statusOf(parts[1], id).empty()) {
        return Answer{404, notFound(), false, "no such dossier", {}};
    }
    sdk::Json out = sdk::Json::object();
    try {
        const SentForm sent =
            sendForm(parts[1], id, options_.send.url, options_.send.orig, options_.send.secret);
        out.set("status", sent.status);
        auto parsed = sdk::Json::parse(sent.body);
        out.set("response", parsed ? std::move(parsed).value() : sdk::Json(sent.body));
        return Answer{200, out.dump(2) + "\n", false, {}, {}};
    } catch (const Poco::Exception& e) {
        out.set("error", e.displayText());
        return Answer{502, out.dump(2) + "\n", false, e.displayText(), {}};
    }
}

SentForm WcsMock::sendForm(const std::string& slug, int id, const std::string& target_url,
                           const std::string& orig, const std::string& secret) {
    const WebserviceCall call = webserviceCall(slug, id, target_url, orig, secret);
    const Poco::URI uri(call.url);
    Poco::Net::HTTPClientSession session(uri.getHost(), uri.getPort());
    session.setTimeout(Poco::Timespan(30, 0));
    Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, uri.getPathAndQuery(),
                                   Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [name, value] : call.headers) request.set(name, value);
    request.setContentLength(static_cast<std::streamsize>(call.body.size()));
    session.sendRequest(request) << call.body;
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    SentForm sent;
    sent.status = static_cast<int>(response.getStatus());
    std::ostringstream body;
    Poco::StreamCopier::copyStream(in, body);
    sent.body = body.str();
    // What a workflow keeps when the action stores the response in variable `relais`.
    auto parsed = sdk::Json::parse(sent.body);
    std::lock_guard lock(mutex_);
    if (Formdata* formdata = findLocked(slug, id)) {
        formdata->workflow_data.set("relais_status", sent.status);
        formdata->workflow_data.set("relais_response",
                                    parsed ? std::move(parsed).value() : sdk::Json(sent.body));
    }
    return sent;
}

WcsMock::Answer WcsMock::handle(const std::string& method, const std::string& path,
                                const std::string& query, const std::string& body) {
    if (auto answer = control(method, path)) return std::move(*answer);
    {
        std::lock_guard lock(mutex_);
        if (failures_left_ > 0) {
            --failures_left_;
            if (failure_ == Failure::CloseConnection) return {0, {}, true, {}, {}};
            return {503, "<html><body>Service Unavailable</body></html>", false, {}, {}};
        }
    }
    // Every call must be signed: the double stands for w.c.s.'s API, which relais reaches
    // with no user session.
    if (!PublikVerifier::isSigned(query)) {
        return {403, forbidden("User not authenticated."), false, "User not authenticated.", {}};
    }
    const SignatureCheck check = verifier_.check(query, now());
    if (!check.ok) return {403, forbidden(check.error), false, check.error, {}};

    const auto parts = splitPath(path);
    if (parts.size() < 4 || parts[0] != "api" || parts[1] != "forms") {
        return {404, notFound(), false, "not found", {}};
    }
    int id = 0;
    try {
        id = std::stoi(parts[3]);
    } catch (const std::exception&) {
        return {404, notFound(), false, "not found", {}};
    }
    std::lock_guard lock(mutex_);
    Formdata* formdata = findLocked(parts[2], id);
    if (formdata == nullptr) return {404, notFound(), false, "no such dossier", {}};
    if (parts.size() == 4) {
        if (method != "GET") return {405, forbidden("Method not allowed."), false, "method", {}};
        return {200, exportLocked(*formdata).dump(), false, {}, {}};
    }
    if (parts.size() == 6 && parts[4] == "jump" && parts[5] == "trigger") {
        return {404, notFound(), false, "no trigger", {}};
    }
    if (parts.size() == 7 && parts[4] == "jump" && parts[5] == "trigger") {
        return jump(*formdata, parts[6], method, body);
    }
    if (parts.size() == 6 && parts[4] == "hooks") {
        const FormDef* form = nullptr;
        for (const auto& candidate : forms_) {
            if (candidate.slug == formdata->slug) form = &candidate;
        }
        bool known = false;
        for (const auto& hook : form->hooks) known = known || hook == parts[5];
        if (!known || method != "POST") return {404, notFound(), false, "no such hook", {}};
        auto data = sdk::Json::parse(body.empty() ? "null" : body);
        formdata->workflow_data.set(parts[5], data ? std::move(data).value() : sdk::Json());
        formdata->last_update_time = naiveNow();
        return {200, R"({"err": 0})", false, {}, {}};
    }
    return {404, notFound(), false, "not found", {}};
}

// `wcs/wf/jump.py` `TriggerDirectory._q_lookup`: a trigger the current status does not offer
// is a TraversalError, which the publisher answers 404 `not-found`.
WcsMock::Answer WcsMock::jump(Formdata& formdata, const std::string& trigger,
                              const std::string& method, const std::string& body) {
    const FormDef* form = nullptr;
    for (const auto& candidate : forms_) {
        if (candidate.slug == formdata.slug) form = &candidate;
    }
    const StatusDef* status = form->status(formdata.status);
    const std::string* target = nullptr;
    for (const auto& [offered, to] : status->triggers) {
        if (offered == trigger) target = &to;
    }
    if (target == nullptr) {
        return {404,
                notFound(),
                false,
                "status " + formdata.status + " offers no trigger " + trigger,
                {}};
    }
    if (method != "POST" && method != "PUT") {
        const std::string desc = "Wrong HTTP method (must be POST or PUT).";
        return {403, forbidden(desc), false, desc, {}};
    }
    sdk::Json data;
    if (method == "POST" && !body.empty()) {
        auto parsed = sdk::Json::parse(body);
        if (parsed) {
            data = std::move(parsed).value();
            if (!data.isObject()) {
                sdk::Json wrapped = sdk::Json::object();
                wrapped.set(trigger, std::move(data));
                data = std::move(wrapped);
            }
        }
    }
    if (data.isObject()) {
        for (const auto& member : *data.objectIf()) {
            formdata.workflow_data.set(member.key, member.value);
            formdata.trigger_variables["form_trigger_" + trigger + "_content_" + member.key] =
                member.value.isString() ? member.value.asString() : member.value.dump();
        }
    }
    formdata.status = *target;
    formdata.last_update_time = naiveNow();
    sdk::Json entry = sdk::Json::object();
    entry.set("status", formdata.status);
    entry.set("time", formdata.last_update_time);
    entry.set("parts", sdk::Json::array());
    formdata.evolution.push(std::move(entry));
    return {200, R"({"err": 0, "url": null})", false, {}, trigger};
}

WebserviceCall WcsMock::webserviceCall(const std::string& slug, int id,
                                       const std::string& target_url, const std::string& orig,
                                       const std::string& secret, const sdk::Json& extra,
                                       const std::string& algo) const {
    WebserviceCall call;
    sdk::Json body;
    {
        std::lock_guard lock(mutex_);
        const Formdata* formdata = findLocked(slug, id);
        if (formdata == nullptr) throw std::invalid_argument("unknown dossier");
        body = exportLocked(*formdata);
    }
    if (!extra.isNull()) body.set("extra", extra);
    call.body = body.dump();
    std::array<unsigned char, 16> random{};
    if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
        throw std::runtime_error("RAND_bytes failed");
    }
    std::string nonce;
    for (const unsigned char byte : random) {
        static constexpr char kHex[] = "0123456789abcdef";
        nonce.push_back(kHex[byte >> 4]);
        nonce.push_back(kHex[byte & 15]);
    }
    // What the URL already holds is signed too: the HMAC covers everything after `?`.
    const auto question = target_url.find('?');
    std::string query = question == std::string::npos ? "" : target_url.substr(question + 1);
    if (!query.empty()) query += "&";
    query += "orig=" + quotePlus(orig) + "&algo=" + algo +
             "&timestamp=" + quotePlus(utcStamp(now(), true)) + "&nonce=" + nonce;
    // Publik quotes the signature with `quote`, which keeps `/`.
    std::string signature = quotePlus(hmacBase64(algo, secret, query));
    for (auto at = signature.find("%2F"); at != std::string::npos; at = signature.find("%2F")) {
        signature.replace(at, 3, "/");
    }
    query += "&signature=" + signature;
    call.url = target_url.substr(0, question) + "?" + query;
    call.headers = {{"Accept", "application/json"},
                    {"User-agent", "w.c.s./0 (wcs-mock)"},
                    {"Content-type", "application/json"},
                    {"Publik-Caller-URL",
                     baseUrl() + "backoffice/management/" + slug + "/" + std::to_string(id) + "/"}};
    return call;
}

}  // namespace relais::wcs_mock
