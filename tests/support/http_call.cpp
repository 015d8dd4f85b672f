// SPDX-License-Identifier: AGPL-3.0-or-later
#include "support/http_call.h"

#include <chrono>
#include <sstream>
#include <thread>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include "relais/common/strings.h"

namespace relais::test {

std::string HttpResult::header(const std::string& name) const {
    for (const auto& [key, value] : headers) {
        if (common::equalsIgnoreCase(key, name)) return value;
    }
    return {};
}

sdk::Json HttpResult::json() const {
    auto parsed = sdk::Json::parse(body);
    if (!parsed) {
        ADD_FAILURE() << "response body is not JSON: " << parsed.error().message << "\n" << body;
        return {};
    }
    return std::move(parsed).value();
}

HttpResult httpCall(int port, const std::string& method, const std::string& target,
                    const std::vector<std::pair<std::string, std::string>>& headers,
                    const std::string& body, const std::string& content_type) {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
    session.setTimeout(Poco::Timespan(30, 0));
    Poco::Net::HTTPRequest request(method, target, Poco::Net::HTTPMessage::HTTP_1_1);
    for (const auto& [name, value] : headers) request.add(name, value);
    if (!body.empty() || method == "POST" || method == "PUT") {
        request.setContentType(content_type);
        request.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    auto& out = session.sendRequest(request);
    out << body;
    Poco::Net::HTTPResponse response;
    auto& in = session.receiveResponse(response);
    HttpResult result;
    result.status = static_cast<int>(response.getStatus());
    result.content_type = response.getContentType();
    for (const auto& [name, value] : response) result.headers.emplace_back(name, value);
    std::ostringstream content;
    Poco::StreamCopier::copyStream(in, content);
    result.body = content.str();
    return result;
}

std::pair<std::string, std::string> bearer(const std::string& key) {
    return {"Authorization", "Bearer " + key};
}

sdk::Json waitForDossierStatus(int port, const std::string& key, const std::string& id,
                               const std::string& status) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
    sdk::Json tracking;
    while (std::chrono::steady_clock::now() < deadline) {
        tracking = httpCall(port, "GET", "/v1/dossiers/" + id, {bearer(key)}).json();
        const sdk::Json* current = tracking.find("status");
        if (current != nullptr && current->asString() == status) return tracking;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << id << " never became " << status << ": " << tracking.dump();
    return tracking;
}

}  // namespace relais::test
