# SPDX-License-Identifier: AGPL-3.0-or-later
# relais_embed(<target> <symbol> <file>): compiles <file>'s bytes into <target> as
#   namespace relais::embedded { extern const std::string_view <symbol>; }
# so that schemas travel inside the binary and validation never depends on a path.

function(relais_embed target symbol file)
  set(_out ${CMAKE_CURRENT_BINARY_DIR}/embedded_${symbol}.cpp)
  add_custom_command(
    OUTPUT ${_out}
    COMMAND ${CMAKE_COMMAND} -DINPUT=${file} -DOUTPUT=${_out} -DSYMBOL=${symbol}
            -P ${PROJECT_SOURCE_DIR}/core/cmake/relais_embed_file.cmake
    DEPENDS ${file} ${PROJECT_SOURCE_DIR}/core/cmake/relais_embed_file.cmake
    COMMENT "Embedding ${file}")
  target_sources(${target} PRIVATE ${_out})
endfunction()
