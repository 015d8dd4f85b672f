// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstdint>

#include <Poco/Version.h>
#include <boost/version.hpp>

/// @file
/// The plugin ABI identity. A plugin and the host that loads it must agree on both values
/// below, otherwise the host refuses the library before touching any C++ object in it.

namespace relais::sdk {

/// Version of the binary interface between the core and its plugins. Bump it on any new
/// virtual function, any layout change of an SDK type, or any change of the descriptor
/// beyond its first two fields (which stay `abi_version` then `fingerprint` forever).
inline constexpr std::uint32_t kAbiVersion = 3;

}  // namespace relais::sdk

#define RELAIS_STRINGIFY_INNER(x) #x
#define RELAIS_STRINGIFY(x) RELAIS_STRINGIFY_INNER(x)

#if defined(__clang__)
#define RELAIS_COMPILER_ID "clang-" RELAIS_STRINGIFY(__clang_major__)
#elif defined(__GNUC__)
#define RELAIS_COMPILER_ID "gcc-" RELAIS_STRINGIFY(__GNUC__)
#else
#define RELAIS_COMPILER_ID "unknown"
#endif

#if defined(_GLIBCXX_USE_CXX11_ABI)
#define RELAIS_STDLIB_ID "libstdc++-cxx11abi" RELAIS_STRINGIFY(_GLIBCXX_USE_CXX11_ABI)
#elif defined(_LIBCPP_VERSION)
#define RELAIS_STDLIB_ID "libc++-" RELAIS_STRINGIFY(_LIBCPP_VERSION)
#else
#define RELAIS_STDLIB_ID "stdlib-unknown"
#endif

/// The toolchain fingerprint, compiled into both sides: compiler family and major version,
/// standard library ABI, Poco and Boost versions. Two binaries with the same fingerprint
/// agree on the layout of `std::string`, `std::vector` and the SDK types. A plugin built
/// with sanitizers can be loaded by a host built without them (and vice versa) only if the
/// layouts agree, so the sanitizer set is not part of the fingerprint.
// clang-format off
#define RELAIS_TOOLCHAIN_FINGERPRINT                                                          \
    RELAIS_COMPILER_ID "/" RELAIS_STDLIB_ID "/poco-" RELAIS_STRINGIFY(POCO_VERSION)           \
        "/boost-" RELAIS_STRINGIFY(BOOST_VERSION)
// clang-format on
