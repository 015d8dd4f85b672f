# SPDX-License-Identifier: AGPL-3.0-or-later
# Every dependency comes from Debian 12's packages through find_package, pinned to the
# versions Debian ships.

find_package(PostgreSQL REQUIRED)
# Debian 12's Poco CMake files name a PostgreSQL::client target that nothing defines.
if(NOT TARGET PostgreSQL::client)
  add_library(PostgreSQL::client INTERFACE IMPORTED)
  target_link_libraries(PostgreSQL::client INTERFACE PostgreSQL::PostgreSQL)
endif()

find_package(Poco 1.11 REQUIRED COMPONENTS
  Foundation Util Net NetSSL JSON XML Zip Data DataSQLite DataPostgreSQL Crypto)
find_package(Boost 1.74 REQUIRED)  # headers only: Boost.DLL, with std::filesystem
find_package(LibXml2 2.9 REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(Threads REQUIRED)
if(RELAIS_BUILD_TESTS)
  find_package(GTest 1.12 REQUIRED)
endif()
