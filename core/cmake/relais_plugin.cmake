# SPDX-License-Identifier: AGPL-3.0-or-later
# add_plugin(NAME <name> KIND connector|adapter SOURCES <logic sources>
#            ENTRY <file with RELAIS_PLUGIN> [LIBRARIES <libs>])
#
# Builds
#   relais_<name>_logic  an object library with the plugin's logic, for tests without dlopen;
#   relais_<name>        the loadable MODULE (logic + entry), output to build/plugins/, linked
#                        with --no-undefined and a version script so that it exports exactly
#                        one symbol, `relais_plugin`.
# Each plugin has an option RELAIS_PLUGIN_<NAME> (ON by default).

set(RELAIS_PLUGIN_VERSION_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/relais_plugin.map)

function(add_plugin)
  cmake_parse_arguments(P "" "NAME;KIND;ENTRY" "SOURCES;LIBRARIES" ${ARGN})
  string(TOUPPER "${P_NAME}" _upper)
  string(REPLACE "-" "_" _upper "${_upper}")
  string(REPLACE "-" "_" _target "${P_NAME}")
  option(RELAIS_PLUGIN_${_upper} "Build the ${P_NAME} ${P_KIND}" ON)
  if(NOT RELAIS_PLUGIN_${_upper})
    return()
  endif()

  add_library(relais_${_target}_logic OBJECT ${P_SOURCES})
  target_link_libraries(relais_${_target}_logic PUBLIC relais::sdk ${P_LIBRARIES}
                        PRIVATE relais_warnings)
  target_include_directories(relais_${_target}_logic PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/src)

  add_library(relais_${_target} MODULE ${P_ENTRY})
  target_link_libraries(relais_${_target} PRIVATE relais_${_target}_logic relais_warnings)
  set_target_properties(relais_${_target} PROPERTIES
    PREFIX "lib"
    OUTPUT_NAME "relais_${_target}"
    LIBRARY_OUTPUT_DIRECTORY ${RELAIS_PLUGIN_OUTPUT_DIRECTORY}
    LINK_DEPENDS ${RELAIS_PLUGIN_VERSION_SCRIPT})
  target_link_options(relais_${_target} PRIVATE
    -Wl,--no-undefined -Wl,--version-script=${RELAIS_PLUGIN_VERSION_SCRIPT})
  set_property(GLOBAL APPEND PROPERTY RELAIS_PLUGIN_TARGETS relais_${_target})
endfunction()
