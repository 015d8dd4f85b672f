// SPDX-License-Identifier: AGPL-3.0-or-later
#include "forms.h"

#include "relais/sdk/json.h"

namespace relais::wcs_mock {
namespace {

sdk::Error bad(const std::string& where, const std::string& what) {
    return sdk::fail(sdk::ErrorCode::InvalidArgument, where + ": " + what, where);
}

}  // namespace

const StatusDef* FormDef::status(std::string_view id) const {
    for (const auto& status : statuses) {
        if (status.id == id) return &status;
    }
    return nullptr;
}

sdk::Result<std::vector<FormDef>> parseForms(std::string_view text) {
    auto parsed = sdk::Json::parse(text);
    if (!parsed) return std::move(parsed).error();
    const sdk::Json* forms = parsed->find("forms");
    if (forms == nullptr || !forms->isArray()) return bad("forms", "must be an array");
    std::vector<FormDef> result;
    for (std::size_t f = 0; f < forms->size(); ++f) {
        const sdk::Json& form = *forms->at(f);
        const std::string at = "forms[" + std::to_string(f) + "]";
        FormDef def;
        const sdk::Json* slug = form.find("slug");
        if (slug == nullptr || !slug->isString() || slug->asString().empty()) {
            return bad(at + ".slug", "must be a non-empty string");
        }
        def.slug = slug->asString();
        if (const sdk::Json* title = form.find("title")) def.title = title->asString();
        if (const sdk::Json* hooks = form.find("hooks"); hooks != nullptr) {
            for (std::size_t h = 0; h < hooks->size(); ++h) {
                def.hooks.push_back(hooks->at(h)->asString());
            }
        }
        const sdk::Json* statuses = form.find("statuses");
        if (statuses == nullptr || !statuses->isArray() || statuses->size() == 0) {
            return bad(at + ".statuses", "must be a non-empty array");
        }
        for (std::size_t s = 0; s < statuses->size(); ++s) {
            const sdk::Json& status = *statuses->at(s);
            const std::string sat = at + ".statuses[" + std::to_string(s) + "]";
            StatusDef sd;
            const sdk::Json* id = status.find("id");
            if (id == nullptr || !id->isString() || id->asString().empty()) {
                return bad(sat + ".id", "must be a non-empty string");
            }
            sd.id = id->asString();
            if (const sdk::Json* name = status.find("name")) sd.name = name->asString();
            if (const sdk::Json* endpoint = status.find("endpoint")) {
                sd.endpoint = endpoint->asBool();
            }
            if (const sdk::Json* triggers = status.find("triggers"); triggers != nullptr) {
                if (!triggers->isObject()) return bad(sat + ".triggers", "must be an object");
                for (const auto& member : *triggers->objectIf()) {
                    sd.triggers.emplace_back(member.key, member.value.asString());
                }
            }
            def.statuses.push_back(std::move(sd));
        }
        for (const auto& status : def.statuses) {
            for (const auto& [trigger, target] : status.triggers) {
                if (def.status(target) == nullptr) {
                    return bad(at + ".statuses", "trigger '" + trigger + "' of status '" +
                                                     status.id + "' leads to unknown status '" +
                                                     target + "'");
                }
            }
        }
        result.push_back(std::move(def));
    }
    return result;
}

}  // namespace relais::wcs_mock
