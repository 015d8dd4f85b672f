// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>
#include <string_view>

/// @file
/// ActiveStorage's checksum, which DS gives for every file it serves and wants for every
/// file uploaded to it.

namespace relais::adapters::ds {

/// The standard base64 of the MD5 of `bytes`: ActiveStorage's `checksum`, which DS's storage
/// checks on a direct upload (`Content-MD5`) and DS gives with every file it serves.
std::string md5Base64(std::string_view bytes);

}  // namespace relais::adapters::ds
