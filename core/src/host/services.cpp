// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/host/services.h"

#include <chrono>
#include <mutex>

#include "relais/common/files.h"
#include "relais/log/log.h"
#include "relais/metrics/registry.h"

namespace relais::host {
namespace {

// Plugin metrics land in the process registry as `relais_plugin_<name>` with the instance
// as first label. Bad names from a plugin are dropped, not thrown back at it.
class InstanceMetrics final : public sdk::Metrics {
public:
    InstanceMetrics(metrics::Registry& registry, std::string instance)
        : registry_(registry), instance_(std::move(instance)) {}

    void increment(std::string_view name, const sdk::MetricLabels& labels,
                   double value) noexcept override {
        try {
            registry_.counter(fullName(name), "plugin counter", withInstance(labels))
                .increment(value);
        } catch (...) {
        }
    }
    void set(std::string_view name, double value,
             const sdk::MetricLabels& labels) noexcept override {
        try {
            registry_.gauge(fullName(name), "plugin gauge", withInstance(labels)).set(value);
        } catch (...) {
        }
    }
    void observe(std::string_view name, double value,
                 const sdk::MetricLabels& labels) noexcept override {
        try {
            registry_.histogram(fullName(name), "plugin histogram", withInstance(labels))
                .observe(value);
        } catch (...) {
        }
    }

private:
    static std::string fullName(std::string_view name) {
        return "relais_plugin_" + std::string(name);
    }
    metrics::Labels withInstance(const sdk::MetricLabels& labels) const {
        metrics::Labels out;
        out.reserve(labels.size() + 1);
        out.emplace_back("instance", instance_);
        out.insert(out.end(), labels.begin(), labels.end());
        return out;
    }

    metrics::Registry& registry_;
    std::string instance_;
};

class InstanceHost final : public sdk::Host {
public:
    InstanceHost(const Services& services, std::string instance, sdk::LogLevel level)
        : services_(services),
          instance_(std::move(instance)),
          logger_(services.sink, instance_, level),
          metrics_(services.metrics, instance_),
          data_directory_(services.data_directory + "/" + instance_) {}

    const std::string& instanceName() const noexcept override { return instance_; }
    sdk::Logger& logger() noexcept override { return logger_; }
    const sdk::Clock& clock() const noexcept override { return services_.clock; }
    sdk::HttpClient& http() noexcept override { return services_.http; }
    sdk::Metrics& metrics() noexcept override { return metrics_; }
    const sdk::Secrets& secrets() const noexcept override { return services_.secrets; }
    const std::string& dataDirectory() const noexcept override {
        // Created lazily: most plugins keep no files.
        std::call_once(data_directory_created_,
                       [this] { (void)common::makeDirectories(data_directory_); });
        return data_directory_;
    }

private:
    const Services& services_;
    std::string instance_;
    log::Logger logger_;
    InstanceMetrics metrics_;
    std::string data_directory_;
    mutable std::once_flag data_directory_created_;
};

}  // namespace

sdk::Timestamp SystemClock::now() const noexcept {
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    return sdk::Timestamp{micros, 0};
}

std::int64_t SystemClock::monotonicMicros() const noexcept {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

std::unique_ptr<sdk::Host> makeInstanceHost(const Services& services, const std::string& instance,
                                            const std::string& log_level) {
    sdk::LogLevel level = services.default_level;
    if (const auto parsed = log::parseLevel(log_level)) level = *parsed;
    return std::make_unique<InstanceHost>(services, instance, level);
}

}  // namespace relais::host
