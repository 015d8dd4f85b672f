// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <atomic>

namespace relais::config {
struct Config;
}
namespace relais::store {
class Store;
}
namespace relais::plugin {
class Registry;
class InstanceManager;
}  // namespace relais::plugin
namespace relais::metrics {
class Registry;
}
namespace relais::log {
class Logger;
}
namespace relais::sdk {
class Clock;
}
namespace relais::pipeline {
class Ingestor;
class DeliveryService;
class Dispatcher;
class RouteTable;
class StatusSync;
}  // namespace relais::pipeline

namespace relais::subjects {
class AttributeVault;
class PrefillService;
}  // namespace relais::subjects

/// @file
/// What the HTTP handlers of the API share. Everything referenced outlives the server.

namespace relais::api {

struct Context {
    const config::Config& config;
    store::Store& store;
    const plugin::Registry& plugins;
    plugin::InstanceManager& instances;
    metrics::Registry& metrics;
    const sdk::Clock& clock;
    log::Logger& logger;
    pipeline::Ingestor& ingestor;
    pipeline::DeliveryService& delivery;
    pipeline::Dispatcher& dispatcher;
    const pipeline::RouteTable& routes;
    /// Every event from portals and applications goes through it.
    pipeline::StatusSync& status_sync;
    /// The verified-attribute store; null when the config has no `<attributes>` element.
    subjects::AttributeVault* vault;
    subjects::PrefillService* prefill;
    /// True once every plugin started and the server listens; false again during shutdown.
    std::atomic<bool>& ready;
};

}  // namespace relais::api
