// SPDX-License-Identifier: AGPL-3.0-or-later
#include "return_files.h"

#include <utility>

#include "relais/sdk/text.h"

namespace relais::plugins::filedrop {
namespace {

using sdk::ErrorCode;

sdk::Result<std::string> xpathText(const sdk::XPathQuery* query, const sdk::XmlDocument& doc) {
    if (query == nullptr) return std::string();
    auto value = query->evaluate(doc);
    if (!value) return std::move(value).error();
    return value->value_or(std::string());
}

sdk::Result<std::vector<sdk::InboundEvent>> readJson(std::string_view content,
                                                     const ReturnConfig& config, sdk::Timestamp now,
                                                     std::string_view actor) {
    auto parsed = sdk::Json::parse(content);
    if (!parsed) {
        return sdk::fail(ErrorCode::InvalidArgument, "not JSON: " + parsed.error().message);
    }
    std::vector<const sdk::Json*> items;
    if (parsed->isArray()) {
        for (std::size_t i = 0; i < parsed->size(); ++i) items.push_back(parsed->at(i));
    } else {
        items.push_back(&*parsed);
    }
    std::vector<sdk::InboundEvent> events;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const sdk::Json& item = *items[i];
        const std::string where = items.size() > 1 ? "decision " + std::to_string(i) + ": " : "";
        if (!item.isObject()) {
            return sdk::fail(ErrorCode::InvalidArgument, where + "not a JSON object");
        }
        const sdk::StatusReport report = sdk::readStatusReport(item, config.paths);
        auto event = sdk::statusReportEvent(report, config.table, now, actor);
        if (!event) return sdk::fail(ErrorCode::InvalidArgument, where + event.error().message);
        events.push_back(std::move(event).value());
    }
    return events;
}

sdk::Result<std::vector<sdk::InboundEvent>> readXml(std::string_view content,
                                                    const ReturnConfig& config, sdk::Timestamp now,
                                                    std::string_view actor) {
    if (!config.xpath_business_id || !config.xpath_status) {
        return sdk::fail(ErrorCode::InvalidArgument,
                         "XML return files need return-xpath-business-id and "
                         "return-xpath-status");
    }
    const sdk::ParsedXml parsed = sdk::parseXmlSafely(content);
    if (!parsed.doc) {
        return sdk::fail(ErrorCode::InvalidArgument,
                         "not well-formed XML: " + sdk::describeProblems(parsed.problems));
    }
    const sdk::XmlDocument& doc = *parsed.doc;
    sdk::StatusReport report;
    struct Pick {
        const sdk::XPathQuery* query;
        std::string* target;
    };
    const Pick picks[] = {{config.xpath_business_id.get(), &report.business_id},
                          {config.xpath_status.get(), &report.code},
                          {config.xpath_sub_label.get(), &report.sub_label},
                          {config.xpath_message.get(), &report.message},
                          {config.xpath_occurred_at.get(), &report.occurred_at},
                          {config.xpath_version.get(), &report.version}};
    for (const auto& [query, target] : picks) {
        auto value = xpathText(query, doc);
        if (!value) return std::move(value).error();
        *target = std::move(value).value();
    }
    auto event = sdk::statusReportEvent(report, config.table, now, actor);
    if (!event) return std::move(event).error();
    std::vector<sdk::InboundEvent> events;
    events.push_back(std::move(event).value());
    return events;
}

}  // namespace

sdk::Result<ReturnConfig> buildReturnConfig(const sdk::Settings& settings) {
    ReturnConfig config;
    config.directory = settings.string("return-directory");
    config.paths.business_id = settings.string("return-business-id", "business_id");
    config.paths.code = settings.string("return-status", "status");
    config.paths.sub_label = settings.string("return-sub-label");
    config.paths.message = settings.string("return-message");
    config.paths.occurred_at = settings.string("return-occurred-at");
    config.paths.version = settings.string("return-version");
    auto namespaces = sdk::parseNamespaceBindings(settings.list("return-namespaces"));
    if (!namespaces) {
        sdk::Error error = std::move(namespaces).error();
        error.field = "return-namespaces";
        return error;
    }
    struct XPathKey {
        std::string_view key;
        std::shared_ptr<const sdk::XPathQuery>* target;
    };
    const XPathKey xpaths[] = {{"return-xpath-business-id", &config.xpath_business_id},
                               {"return-xpath-status", &config.xpath_status},
                               {"return-xpath-sub-label", &config.xpath_sub_label},
                               {"return-xpath-message", &config.xpath_message},
                               {"return-xpath-occurred-at", &config.xpath_occurred_at},
                               {"return-xpath-version", &config.xpath_version}};
    for (const auto& [key, target] : xpaths) {
        const std::string expression = settings.string(key);
        if (expression.empty()) continue;
        auto compiled = sdk::XPathQuery::compile(expression, *namespaces);
        if (!compiled) {
            sdk::Error error = std::move(compiled).error();
            error.field = std::string(key);
            return error;
        }
        *target = std::move(compiled).value();
    }
    if (static_cast<bool>(config.xpath_business_id) != static_cast<bool>(config.xpath_status)) {
        return sdk::fail(ErrorCode::InvalidArgument,
                         "return-xpath-business-id and return-xpath-status go together",
                         config.xpath_status ? "return-xpath-business-id" : "return-xpath-status");
    }
    auto table = sdk::parseStatusTable(settings.list("return-table"), "return-table");
    if (!table) return std::move(table).error();
    config.table = std::move(table).value();
    return config;
}

bool isReturnFile(std::string_view file_name) {
    if (file_name.empty() || file_name.front() == '.') return false;
    const std::string lower = sdk::text::toLower(file_name);
    return (lower.size() > 5 && lower.ends_with(".json")) ||
           (lower.size() > 4 && lower.ends_with(".xml"));
}

sdk::Result<std::vector<sdk::InboundEvent>> readReturnFile(std::string_view file_name,
                                                           std::string_view content,
                                                           const ReturnConfig& config,
                                                           sdk::Timestamp now,
                                                           std::string_view actor) {
    if (sdk::text::toLower(file_name).ends_with(".xml")) {
        return readXml(content, config, now, actor);
    }
    return readJson(content, config, now, actor);
}

}  // namespace relais::plugins::filedrop
