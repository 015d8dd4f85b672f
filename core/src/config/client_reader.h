// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <libxml/tree.h>

#include "relais/config/config.h"

#include "config/element_reader.h"
#include "config/instance_reader.h"

/// @file
/// Internal to the config module: the `<clients>` section (credentials, rights, procedures,
/// instances, certification, rate limits).

namespace relais::config::detail {

/// Reads `<client>` elements into `config.clients`, checking that names, bearer keys,
/// Publik origins and certificates are each given once, and that the instances a client
/// names exist. Secret references are resolved here (bearer keys are kept as their
/// SHA-256 only). Errors are `ConfigError` (`file:line`); they never quote a secret.
/// `in`, `config` and `instances` must outlive it.
class ClientReader {
public:
    ClientReader(const ElementReader& in, Config& config, const InstanceReader& instances)
        : in_(in), config_(config), instances_(instances) {}

    /// Reads one `<client>`. Every instance it names must already be read.
    void read(const xmlNode* element);

    /// True when a client named `name` was read.
    bool isDeclared(std::string_view name) const;

    /// Checks that every attribute a client may certify is declared in `<attributes>`;
    /// call it once the catalogue is read.
    void checkCertifiedAttributes() const;

private:
    void readCertificate(const xmlNode* element, const std::string& context,
                         const ClientConfig& client);
    std::string hashClientKey(const xmlNode* element, const std::string& context,
                              const std::string& reference) const;
    std::string resolveClientSecret(const xmlNode* element, const std::string& context,
                                    const std::string& reference,
                                    std::string_view attribute = "secret") const;

    const ElementReader& in_;
    Config& config_;
    const InstanceReader& instances_;
    std::map<std::string, const xmlNode*, std::less<>> clients_;         ///< by name
    std::map<std::string, const xmlNode*, std::less<>> keys_;            ///< by key digest
    std::map<std::string, const xmlNode*, std::less<>> publik_origs_;    ///< by orig
    std::map<std::string, const xmlNode*, std::less<>> certificates_;    ///< by sha256 or cn
    std::vector<std::pair<const xmlNode*, std::size_t>> certify_nodes_;  ///< client index
};

}  // namespace relais::config::detail
