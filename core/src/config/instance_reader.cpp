// SPDX-License-Identifier: AGPL-3.0-or-later
#include "config/instance_reader.h"

#include <charconv>

#include "relais/common/strings.h"
#include "relais/config/xml.h"

namespace relais::config::detail {
namespace {

void readRetry(const ElementReader& in, const xmlNode* element, RetryConfig& retry,
               const std::string& context) {
    retry.initial_ms = in.longDurationAttribute(element, "initial", retry.initial_ms);
    retry.max_ms = in.longDurationAttribute(element, "max", retry.max_ms);
    retry.give_up_after_ms =
        in.longDurationAttribute(element, "give-up-after", retry.give_up_after_ms);
    if (auto value = xmlAttribute(element, "multiplier")) {
        double multiplier = 0;
        const std::string_view text = common::trim(*value);
        const auto [end, error] =
            std::from_chars(text.data(), text.data() + text.size(), multiplier);
        if (error != std::errc() || end != text.data() + text.size() || multiplier < 1.0 ||
            multiplier > 10.0) {
            in.fail(element, context + ", element 'retry', attribute 'multiplier': " +
                                 inQuotes(*value) + " is not a number from 1 to 10");
        }
        retry.multiplier = multiplier;
    }
    if (retry.max_ms < retry.initial_ms) {
        in.fail(element, context + ", element 'retry': 'max' is shorter than 'initial'");
    }
}

}  // namespace

void InstanceReader::readList(const xmlNode* list, InstanceKind kind) {
    for (const xmlNode* element : elementsOf(list)) {
        if (isNamed(element, "inbox")) {
            readInbox(element);
        } else {
            readInstance(element, kind);
        }
    }
}

const InstanceRef* InstanceReader::find(std::string_view name) const {
    const auto found = names_.find(name);
    return found == names_.end() ? nullptr : &found->second;
}

void InstanceReader::readInbox(const xmlNode* element) {
    InboxConfig inbox;
    inbox.where = in_.where(element);
    inbox.name = in_.requiredAttribute(element, "name");
    const auto [known, inserted] =
        names_.emplace(inbox.name, InstanceRef{element, InstanceKind::Connector, true});
    if (!inserted) {
        in_.fail(element,
                 "inbox " + inQuotes(inbox.name) + ": the name is already used by the " +
                     std::string(known->second.inbox ? "inbox" : kindName(known->second.kind)) +
                     " at line " + std::to_string(lineOf(known->second.node)) +
                     " (adapters, connectors and inboxes share one set of names)");
    }
    config_.inboxes.push_back(std::move(inbox));
}

void InstanceReader::readInstance(const xmlNode* element, InstanceKind kind) {
    InstanceConfig instance;
    instance.kind = kind;
    instance.where = in_.where(element);
    instance.name = in_.requiredAttribute(element, "name");
    instance.plugin = in_.requiredAttribute(element, "plugin");
    instance.log_level = in_.attributeOr(element, "log-level", "");
    instance.poll_interval_ms = in_.durationAttribute(element, "poll-interval",
                                                      static_cast<int>(instance.poll_interval_ms));
    const std::string context = std::string(kindName(kind)) + " " + inQuotes(instance.name);

    const auto [known, inserted] = names_.emplace(instance.name, InstanceRef{element, kind});
    if (!inserted) {
        in_.fail(element, context + ": the name is already used by the " +
                              std::string(kindName(known->second.kind)) + " at line " +
                              std::to_string(lineOf(known->second.node)) +
                              " (adapters and connectors share one set of names)");
    }

    std::map<std::string, const xmlNode*, std::less<>> seen;
    const xmlNode* retry_seen = nullptr;
    for (const xmlNode* param : elementsOf(element)) {
        if (isNamed(param, "retry")) {
            if (retry_seen != nullptr) {
                in_.fail(param, context + ": element 'retry' given twice (first at line " +
                                    std::to_string(lineOf(retry_seen)) + ")");
            }
            retry_seen = param;
            readRetry(in_, param, instance.retry, context);
            continue;
        }
        if (!isNamed(param, "param")) {
            in_.fail(param, context + ": unknown element " + inQuotes(nameOf(param)));
        }
        InstanceParam entry;
        entry.name = in_.requiredAttribute(param, "name");
        entry.value = xmlText(param);
        entry.where = in_.where(param);
        const auto [first, fresh] = seen.emplace(entry.name, param);
        if (!fresh) {
            in_.fail(param, context + ", param " + inQuotes(entry.name) +
                                ": given twice (first at line " +
                                std::to_string(lineOf(first->second)) + ")");
        }
        instance.params.push_back(std::move(entry));
    }
    config_.instances.push_back(std::move(instance));
}

}  // namespace relais::config::detail
