# SPDX-License-Identifier: AGPL-3.0-or-later
# Script mode helper of relais_embed(): writes INPUT as a byte array into OUTPUT.
file(READ ${INPUT} _hex HEX)
string(LENGTH "${_hex}" _len)
math(EXPR _size "${_len} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," _bytes "${_hex}")
file(WRITE ${OUTPUT}
  "// Generated from ${INPUT}; do not edit.\n"
  "#include <string_view>\n"
  "namespace relais::embedded {\n"
  "namespace { const char kData[] = {${_bytes} 0}; }\n"
  "extern const std::string_view ${SYMBOL};\n"
  "const std::string_view ${SYMBOL}(kData, ${_size});\n"
  "}\n")
