// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

/// @file
/// Prometheus metrics: counters, gauges and histograms with labels, rendered in the text
/// exposition format (version 0.0.4) by `/metrics`.

namespace relais::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

/// A monotonically increasing value. Lock-free.
class Counter {
public:
    void increment(double by = 1.0) noexcept { value_.fetch_add(by, std::memory_order_relaxed); }
    double value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<double> value_{0.0};
};

/// A value that goes up and down. Lock-free.
class Gauge {
public:
    void set(double value) noexcept { value_.store(value, std::memory_order_relaxed); }
    void add(double by) noexcept { value_.fetch_add(by, std::memory_order_relaxed); }
    double value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<double> value_{0.0};
};

/// Cumulative buckets with fixed upper bounds. Lock-free observations.
class Histogram {
public:
    explicit Histogram(std::vector<double> upper_bounds);
    void observe(double value) noexcept;

    struct Snapshot {
        std::vector<double> upper_bounds;
        std::vector<std::uint64_t> cumulative_counts;  ///< one per bound, then +Inf
        double sum = 0;
        std::uint64_t count = 0;
    };
    Snapshot snapshot() const;

private:
    std::vector<double> upper_bounds_;
    std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  ///< per bucket, +Inf last
    std::atomic<double> sum_{0.0};
    std::atomic<std::uint64_t> count_{0};
};

/// Default latency buckets, in seconds (0.5 ms … 10 s).
const std::vector<double>& latencyBuckets();

/// All metrics of the process. Getting a metric takes a lock; keep the returned reference
/// (valid for the registry's lifetime) on hot paths.
///
/// Thread-safety: every method is thread-safe; `mutex_` guards the families.
class Registry {
public:
    Registry() = default;
    Registry(const Registry&) = delete;
    Registry& operator=(const Registry&) = delete;

    /// The metric `name` with `labels`, created on first use. A name reused with another
    /// type, or an invalid name or label name, throws `std::invalid_argument`.
    Counter& counter(std::string_view name, std::string_view help, const Labels& labels = {});
    Gauge& gauge(std::string_view name, std::string_view help, const Labels& labels = {});
    Histogram& histogram(std::string_view name, std::string_view help, const Labels& labels = {},
                         const std::vector<double>& upper_bounds = latencyBuckets());

    /// Called at the start of every `render`, to refresh gauges computed on demand (queue
    /// depth…). The callback must not call `render`.
    void addCollector(std::function<void(Registry&)> collector);

    /// The text exposition of every metric, families sorted by name.
    std::string render();

private:
    enum class Type { Counter, Gauge, Histogram };
    struct Family {
        Type type = Type::Counter;
        std::string help;
        std::map<std::string, std::unique_ptr<Counter>> counters;
        std::map<std::string, std::unique_ptr<Gauge>> gauges;
        std::map<std::string, std::unique_ptr<Histogram>> histograms;
    };

    Family& family(std::string_view name, std::string_view help, Type type, const Labels& labels);

    std::mutex mutex_;
    std::map<std::string, Family, std::less<>> families_;
    std::mutex collectors_mutex_;
    std::vector<std::function<void(Registry&)>> collectors_;
};

}  // namespace relais::metrics
