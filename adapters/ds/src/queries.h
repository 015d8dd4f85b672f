// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>

/// @file
/// The GraphQL documents the inbound side sends to DS (API v2). Every champ type's value is
/// asked; a scalar `value` whose type differs between champ types is aliased
/// (`checkboxValue`, `yesNoValue`, `civiliteValue`, `integerValue`, `decimalValue`), since
/// GraphQL refuses two types under one response name.

namespace relais::adapters::ds {

/// `query DossiersPage($demarche: Int!, $first: Int!, $after: String, $since:
/// ISO8601DateTime, $deletedFirst: Int!, $deletedAfter: String, $deletedSince:
/// ISO8601DateTime)`: one page of a démarche's dossiers updated since `$since` (oldest
/// first) with every member the mapping reads, and one page of its deleted dossiers.
const std::string& dossiersPageQuery();

/// `query Dossier($number: Int!)`: one dossier with the same members.
const std::string& dossierQuery();

}  // namespace relais::adapters::ds
