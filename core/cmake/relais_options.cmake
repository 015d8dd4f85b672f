# SPDX-License-Identifier: AGPL-3.0-or-later
# Build options: warnings, sanitizers, clang-tidy, tests.

option(RELAIS_WERROR "Treat compiler warnings as errors" OFF)
set(RELAIS_SANITIZE "" CACHE STRING
    "Sanitizers to build with: empty, 'address;undefined' or 'thread'")
option(RELAIS_CLANG_TIDY "Run clang-tidy while compiling" OFF)
option(RELAIS_BUILD_TESTS "Build the test suite" ON)

add_library(relais_warnings INTERFACE)
target_compile_options(relais_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow=local -Wnon-virtual-dtor -Woverloaded-virtual
  -Wcast-qual -Wformat=2 -Wimplicit-fallthrough -Wmissing-declarations)
if(RELAIS_WERROR)
  target_compile_options(relais_warnings INTERFACE -Werror)
endif()

if(RELAIS_SANITIZE)
  string(REPLACE ";" "," _relais_sanitizers "${RELAIS_SANITIZE}")
  add_compile_options(-fsanitize=${_relais_sanitizers} -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${_relais_sanitizers})
  if("thread" IN_LIST RELAIS_SANITIZE)
    # Boost.Asio ends each handler with a standalone fence, which ThreadSanitizer does not
    # model (GCC's -Wtsan). Its scheduler hands handlers over under a mutex, which TSan does
    # see; the fenced block is left out so that TSan checks that synchronisation alone.
    add_compile_definitions(BOOST_ASIO_DISABLE_FENCED_BLOCK)
  endif()
endif()

if(RELAIS_CLANG_TIDY)
  find_program(RELAIS_CLANG_TIDY_EXE NAMES clang-tidy clang-tidy-14 REQUIRED)
  set(CMAKE_CXX_CLANG_TIDY ${RELAIS_CLANG_TIDY_EXE})
endif()
