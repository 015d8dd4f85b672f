// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/metrics/registry.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace relais::metrics {
namespace {

bool validName(std::string_view name, bool allow_colon) noexcept {
    if (name.empty()) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                           (allow_colon && c == ':');
        if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
    }
    return true;
}

void appendEscaped(std::string& out, std::string_view value, bool quote_escape) {
    for (const char c : value) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else if (quote_escape && c == '"') {
            out += "\\\"";
        } else {
            out += c;
        }
    }
}

// `{a="x",b="y"}` (labels in the given order), or empty for no labels.
std::string labelKey(const Labels& labels) {
    if (labels.empty()) return {};
    std::string out = "{";
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (!validName(labels[i].first, false)) {
            throw std::invalid_argument("invalid metric label name '" + labels[i].first + "'");
        }
        if (i > 0) out += ',';
        out += labels[i].first;
        out += "=\"";
        appendEscaped(out, labels[i].second, true);
        out += '"';
    }
    out += '}';
    return out;
}

void appendNumber(std::string& out, double value) {
    if (std::isnan(value)) {
        out += "NaN";
    } else if (std::isinf(value)) {
        out += value > 0 ? "+Inf" : "-Inf";
    } else {
        char buffer[32];
        const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
        out.append(buffer, static_cast<std::size_t>(end - buffer));
    }
}

// Adds `le="…"` to a label key.
std::string withLe(const std::string& key, std::string_view le) {
    std::string out = key.empty() ? std::string("{") : key.substr(0, key.size() - 1) + ",";
    out += "le=\"";
    out += le;
    out += "\"}";
    return out;
}

}  // namespace

Histogram::Histogram(std::vector<double> upper_bounds) : upper_bounds_(std::move(upper_bounds)) {
    std::sort(upper_bounds_.begin(), upper_bounds_.end());
    counts_ = std::make_unique<std::atomic<std::uint64_t>[]>(upper_bounds_.size() + 1);
}

void Histogram::observe(double value) noexcept {
    const auto it = std::lower_bound(upper_bounds_.begin(), upper_bounds_.end(), value);
    counts_[static_cast<std::size_t>(it - upper_bounds_.begin())].fetch_add(
        1, std::memory_order_relaxed);
    sum_.fetch_add(value, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
    Snapshot s;
    s.upper_bounds = upper_bounds_;
    std::uint64_t running = 0;
    for (std::size_t i = 0; i <= upper_bounds_.size(); ++i) {
        running += counts_[i].load(std::memory_order_relaxed);
        s.cumulative_counts.push_back(running);
    }
    s.sum = sum_.load(std::memory_order_relaxed);
    s.count = running;
    return s;
}

const std::vector<double>& latencyBuckets() {
    static const std::vector<double> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                 0.1,    0.25,  0.5,    1.0,   2.5,  5.0,   10.0};
    return kBuckets;
}

Registry::Family& Registry::family(std::string_view name, std::string_view help, Type type,
                                   const Labels& /*labels*/) {
    if (!validName(name, true)) {
        throw std::invalid_argument("invalid metric name '" + std::string(name) + "'");
    }
    auto it = families_.find(name);
    if (it == families_.end()) {
        it = families_.emplace(std::string(name), Family{}).first;
        it->second.type = type;
        it->second.help = std::string(help);
    } else if (it->second.type != type) {
        throw std::invalid_argument("metric '" + std::string(name) +
                                    "' already exists with another type");
    }
    return it->second;
}

Counter& Registry::counter(std::string_view name, std::string_view help, const Labels& labels) {
    const std::string key = labelKey(labels);
    std::lock_guard lock(mutex_);
    auto& slot = family(name, help, Type::Counter, labels).counters[key];
    if (!slot) slot = std::make_unique<Counter>();
    return *slot;
}

Gauge& Registry::gauge(std::string_view name, std::string_view help, const Labels& labels) {
    const std::string key = labelKey(labels);
    std::lock_guard lock(mutex_);
    auto& slot = family(name, help, Type::Gauge, labels).gauges[key];
    if (!slot) slot = std::make_unique<Gauge>();
    return *slot;
}

Histogram& Registry::histogram(std::string_view name, std::string_view help, const Labels& labels,
                               const std::vector<double>& upper_bounds) {
    const std::string key = labelKey(labels);
    std::lock_guard lock(mutex_);
    auto& slot = family(name, help, Type::Histogram, labels).histograms[key];
    if (!slot) slot = std::make_unique<Histogram>(upper_bounds);
    return *slot;
}

void Registry::addCollector(std::function<void(Registry&)> collector) {
    std::lock_guard lock(collectors_mutex_);
    collectors_.push_back(std::move(collector));
}

std::string Registry::render() {
    {
        std::lock_guard lock(collectors_mutex_);
        for (const auto& collector : collectors_) collector(*this);
    }
    std::string out;
    std::lock_guard lock(mutex_);
    for (const auto& [name, family] : families_) {
        out += "# HELP ";
        out += name;
        out += ' ';
        appendEscaped(out, family.help, false);
        out += "\n# TYPE ";
        out += name;
        switch (family.type) {
            case Type::Counter:
                out += " counter\n";
                for (const auto& [key, c] : family.counters) {
                    out += name;
                    out += key;
                    out += ' ';
                    appendNumber(out, c->value());
                    out += '\n';
                }
                break;
            case Type::Gauge:
                out += " gauge\n";
                for (const auto& [key, g] : family.gauges) {
                    out += name;
                    out += key;
                    out += ' ';
                    appendNumber(out, g->value());
                    out += '\n';
                }
                break;
            case Type::Histogram:
                out += " histogram\n";
                for (const auto& [key, h] : family.histograms) {
                    const auto s = h->snapshot();
                    for (std::size_t i = 0; i <= s.upper_bounds.size(); ++i) {
                        std::string le;
                        if (i < s.upper_bounds.size()) {
                            appendNumber(le, s.upper_bounds[i]);
                        } else {
                            le = "+Inf";
                        }
                        out += name;
                        out += "_bucket";
                        out += withLe(key, le);
                        out += ' ';
                        out += std::to_string(s.cumulative_counts[i]);
                        out += '\n';
                    }
                    out += name;
                    out += "_sum";
                    out += key;
                    out += ' ';
                    appendNumber(out, s.sum);
                    out += '\n';
                    out += name;
                    out += "_count";
                    out += key;
                    out += ' ';
                    out += std::to_string(s.count);
                    out += '\n';
                }
                break;
        }
    }
    return out;
}

}  // namespace relais::metrics
