// SPDX-License-Identifier: AGPL-3.0-or-later
#include "publik_envelope.h"

#include <string>
#include <utility>

#include "relais/sdk/json.h"

namespace relais::api {
namespace {

constexpr std::string_view kProblemPrefix = "urn:relais:problem:";

std::string stringMember(const sdk::Json& object, std::string_view name) {
    const sdk::Json* member = object.isObject() ? object.find(name) : nullptr;
    return member != nullptr && member->isString() ? member->asString() : std::string();
}

// The error half: w.c.s. tells `err` != 0 apart from transport errors and shows `err_desc`.
sdk::Json errorEnvelope(const http::Response& answer, std::string& code) {
    auto parsed = sdk::Json::parse(answer.body);
    const sdk::Json problem = parsed ? std::move(parsed).value() : sdk::Json::object();
    const std::string type = stringMember(problem, "type");
    code = type.starts_with(kProblemPrefix) ? type.substr(kProblemPrefix.size()) : "error";
    std::string title = stringMember(problem, "title");
    if (title.empty()) title = "HTTP " + std::to_string(answer.status);
    std::string detail = stringMember(problem, "detail");
    if (detail.empty()) detail = parsed ? title : answer.body;
    const std::string field = stringMember(problem, "field");
    // The field is named in the text w.c.s. shows, not only in a member it ignores.
    if (!field.empty() && detail.find(field) == std::string::npos) {
        detail += " (field '" + field + "')";
    }
    sdk::Json envelope = sdk::Json::object();
    envelope.set("err", 1);
    envelope.set("err_class", title);
    envelope.set("err_code", code);
    envelope.set("err_desc", detail);
    sdk::Json data = sdk::Json::object();
    if (!type.empty()) data.set("type", type);
    if (!field.empty()) data.set("field", field);
    data.set("status", answer.status);
    envelope.set("data", std::move(data));
    return envelope;
}

}  // namespace

http::Response publikEnvelope(http::Response answer) {
    sdk::Json envelope = sdk::Json::object();
    if (answer.status >= 200 && answer.status < 300) {
        auto parsed = sdk::Json::parse(answer.body);
        sdk::Json data = parsed ? std::move(parsed).value() : sdk::Json(answer.body);
        envelope.set("err", 0);
        // relais's own members stay readable where they were (`id`, `status_url`): a
        // workflow written against relais's plain answer keeps working; w.c.s. ignores them.
        if (const auto* members = data.objectIf()) {
            for (const auto& member : *members) {
                if (member.key != "err" && member.key != "data") {
                    envelope.set(member.key, member.value);
                }
            }
        }
        envelope.set("data", std::move(data));
    } else {
        std::string code;
        envelope = errorEnvelope(answer, code);
        answer.headers.emplace_back("x-error-code", code);
    }
    answer.content_type = "application/json";
    answer.body.clear();
    envelope.dumpTo(answer.body);
    return answer;
}

}  // namespace relais::api
