// SPDX-License-Identifier: AGPL-3.0-or-later
#include "checksum.h"

#include <Poco/MD5Engine.h>

#include "relais/sdk/signing.h"

namespace relais::adapters::ds {

std::string md5Base64(std::string_view bytes) {
    // MD5 through Poco: the SDK keeps OpenSSL private, and DS's checksum is MD5, not a
    // choice of ours.
    Poco::MD5Engine engine;
    engine.update(bytes.data(), static_cast<unsigned>(bytes.size()));
    const Poco::DigestEngine::Digest& digest = engine.digest();
    return sdk::signing::base64(
        std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

}  // namespace relais::adapters::ds
