// SPDX-License-Identifier: AGPL-3.0-or-later
#include "champs.h"

#include <charconv>
#include <functional>
#include <map>
#include <utility>

#include "relais/sdk/text.h"
#include "relais/sdk/time.h"

#include "field_error.h"

namespace relais::adapters::ds {
namespace {

using sdk::Json;

// Member `key` if it is a non-empty string, else null.
Json stringOrNull(const Json& object, std::string_view key) {
    const Json* value = object.find(key);
    if (value == nullptr || !value->isString() || value->asString().empty()) return nullptr;
    return *value;
}

// Copies the members of `from` named on the left into `to` under the names on the right,
// leaving out the null and missing ones.
void copyMembers(const Json& from, Json& to,
                 std::initializer_list<std::pair<std::string_view, std::string_view>> names) {
    for (const auto& [from_key, to_key] : names) {
        const Json* value = from.find(from_key);
        if (value != nullptr && !value->isNull()) to.set(to_key, *value);
    }
}

// `{code, name}` objects (département, région, pays, EPCI); null when absent.
Json codeName(const Json* value) {
    if (value == nullptr || !value->isObject()) return nullptr;
    Json out = Json::object();
    copyMembers(*value, out, {{"code", "code"}, {"name", "name"}});
    return out;
}

// A BAN address (`Address`) with its useful members, in snake_case.
Json address(const Json* value) {
    if (value == nullptr || !value->isObject()) return nullptr;
    Json out = Json::object();
    copyMembers(*value, out,
                {{"label", "label"},
                 {"type", "type"},
                 {"streetAddress", "street_address"},
                 {"streetNumber", "street_number"},
                 {"streetName", "street_name"},
                 {"postalCode", "postal_code"},
                 {"cityName", "city_name"},
                 {"cityCode", "city_code"},
                 {"departmentCode", "department_code"},
                 {"departmentName", "department_name"},
                 {"regionCode", "region_code"},
                 {"regionName", "region_name"},
                 {"countryCode", "country_code"},
                 {"countryName", "country_name"},
                 {"geometry", "geometry"}});
    return out;
}

Json commune(const Json* value) {
    if (value == nullptr || !value->isObject()) return nullptr;
    Json out = Json::object();
    copyMembers(*value, out, {{"name", "name"}, {"code", "code"}, {"postalCode", "postal_code"}});
    return out;
}

// BigInt travels as a string (graphql-ruby), Int as a number.
std::optional<std::int64_t> integerOf(const Json& value) {
    if (value.isInt()) return value.asInt();
    const std::string* text = value.stringIf();
    if (text == nullptr || text->empty()) return std::nullopt;
    std::int64_t out = 0;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), out);
    if (ec != std::errc() || end != text->data() + text->size()) return std::nullopt;
    return out;
}

std::optional<double> decimalOf(const Json& value) {
    if (value.isNumber()) return value.asDouble();
    const std::string* text = value.stringIf();
    if (text == nullptr || text->empty()) return std::nullopt;
    double out = 0;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), out);
    if (ec != std::errc() || end != text->data() + text->size()) return std::nullopt;
    return out;
}

bool isIsoDate(const std::string& text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
    for (const std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
        if (text[i] < '0' || text[i] > '9') return false;
    }
    return sdk::isValidDate(std::stoll(text.substr(0, 4)),
                            static_cast<unsigned>(std::stoul(text.substr(5, 2))),
                            static_cast<unsigned>(std::stoul(text.substr(8, 2))));
}

// The champ's `value`, asked under the alias `alias` (GraphQL refuses one response name
// with two scalar types across fragments: `value` is a String, a Boolean, a Float…); an
// answer without the alias (a double that ignores aliases) keeps `value`.
const Json* aliasedValue(const Json& champ, std::string_view alias) {
    const Json* value = champ.find(alias);
    return value != nullptr ? value : champ.find("value");
}

// What a champ's mapper sees.
struct ChampContext {
    const Json& champ;
    const std::string& field;  // `fields.<key>`, for errors
    FileList& files;
};

using ValueMapper = std::function<sdk::Result<Json>(const ChampContext&)>;

sdk::Result<Json> mapChampsArray(const Json& champs, const std::string& where, FileList& files,
                                 MappedChamps* ids);

// Reads member `key` with `read`; null when absent; an error when `read` refuses it.
template <typename Read>
sdk::Result<Json> typedMember(const ChampContext& c, std::string_view alias, const char* what,
                              Read read) {
    const Json* value = aliasedValue(c.champ, alias);
    if (value == nullptr || value->isNull()) return Json(nullptr);
    auto read_value = read(*value);
    if (!read_value) return invalidField(c.field, std::string("is not ") + what);
    return Json(*read_value);
}

sdk::Result<Json> stringValue(const ChampContext& c, std::string_view alias) {
    const Json* aliased = aliasedValue(c.champ, alias);
    Json value = aliased != nullptr && aliased->isString() && !aliased->asString().empty()
                     ? *aliased
                     : Json(nullptr);
    if (value.isNull()) value = stringOrNull(c.champ, "stringValue");
    return value;
}

sdk::Result<Json> booleanValue(const ChampContext& c, std::string_view alias) {
    const Json* value = aliasedValue(c.champ, alias);
    if (value == nullptr || value->isNull()) return Json(nullptr);
    if (!value->isBool()) return invalidField(c.field, "is not a boolean");
    return *value;
}

sdk::Result<Json> dateValue(const ChampContext& c) {
    Json date = stringOrNull(c.champ, "date");
    // Older answers only have the deprecated `value`, a datetime at midnight.
    if (date.isNull()) {
        date = stringOrNull(c.champ, "value");
        if (date.isString() && date.asString().size() > 10) date = date.asString().substr(0, 10);
    }
    if (date.isNull()) return date;
    if (!isIsoDate(date.asString())) return invalidField(c.field, "is not a YYYY-MM-DD date");
    return date;
}

sdk::Result<Json> datetimeValue(const ChampContext& c) {
    Json datetime = stringOrNull(c.champ, "datetime");
    if (datetime.isNull()) return datetime;
    // Kept as DS wrote it: the offset is the citizen's and says when in their day it was.
    if (datetime.asString().size() <= 10 || !sdk::Timestamp::parse(datetime.asString())) {
        return invalidField(c.field, "is not an RFC 3339 date-time with its offset");
    }
    return datetime;
}

sdk::Result<Json> addressValue(const ChampContext& c) {
    Json out = address(c.champ.find("address"));
    if (out.isNull()) {
        Json label = stringOrNull(c.champ, "stringValue");
        if (label.isNull()) return label;
        out = Json::object();
        out.set("label", std::move(label));
    }
    if (Json value = commune(c.champ.find("commune")); !value.isNull()) {
        out.set("commune", std::move(value));
    }
    if (Json value = codeName(c.champ.find("departement")); !value.isNull()) {
        out.set("departement", std::move(value));
    }
    return out;
}

sdk::Result<Json> communeValue(const ChampContext& c) {
    Json out = commune(c.champ.find("commune"));
    if (out.isNull()) return out;
    if (Json value = codeName(c.champ.find("departement")); !value.isNull()) {
        out.set("departement", std::move(value));
    }
    return out;
}

sdk::Result<Json> epciValue(const ChampContext& c) {
    Json out = codeName(c.champ.find("epci"));
    if (out.isNull()) return out;
    if (Json value = codeName(c.champ.find("departement")); !value.isNull()) {
        out.set("departement", std::move(value));
    }
    return out;
}

// An établissement (`PersonneMorale`) as the SIRET champ and the demandeur give it.
Json etablissement(const Json& value) {
    Json out = Json::object();
    copyMembers(value, out,
                {{"siret", "siret"},
                 {"siegeSocial", "siege_social"},
                 {"naf", "naf"},
                 {"libelleNaf", "libelle_naf"}});
    if (const Json* entreprise = value.find("entreprise");
        entreprise != nullptr && entreprise->isObject()) {
        copyMembers(*entreprise, out,
                    {{"siren", "siren"},
                     {"raisonSociale", "raison_sociale"},
                     {"nomCommercial", "nom_commercial"},
                     {"formeJuridique", "forme_juridique"},
                     {"formeJuridiqueCode", "forme_juridique_code"},
                     {"etatAdministratif", "etat_administratif"}});
    }
    if (out.find("siren") == nullptr) {
        const std::string& siret =
            out.find("siret") != nullptr ? out.find("siret")->asString() : "";
        if (siret.size() == 14) out.set("siren", siret.substr(0, 9));
    }
    if (Json value_address = address(value.find("address")); !value_address.isNull()) {
        out.set("address", std::move(value_address));
    }
    return out;
}

sdk::Result<Json> siretValue(const ChampContext& c) {
    const Json* value = c.champ.find("etablissement");
    if (value != nullptr && value->isObject()) return etablissement(*value);
    Json siret = stringOrNull(c.champ, "stringValue");
    if (siret.isNull()) return siret;
    Json out = Json::object();
    out.set("siret", std::move(siret));
    return out;
}

// RNA (associations) and RNF (foundations): `{id, title, address}` plus the commune.
sdk::Result<Json> registryValue(const ChampContext& c, std::string_view member) {
    const Json* value = c.champ.find(member);
    Json out = Json::object();
    if (value != nullptr && value->isObject()) {
        copyMembers(*value, out, {{"id", "id"}, {"title", "title"}});
        if (Json value_address = address(value->find("address")); !value_address.isNull()) {
            out.set("address", std::move(value_address));
        }
    } else if (Json id = stringOrNull(c.champ, "stringValue"); !id.isNull()) {
        out.set("id", std::move(id));
    } else {
        return Json(nullptr);
    }
    if (Json value_commune = commune(c.champ.find("commune")); !value_commune.isNull()) {
        out.set("commune", std::move(value_commune));
    }
    return out;
}

sdk::Result<Json> dossierLinkValue(const ChampContext& c) {
    const Json* number = c.champ.path("dossier.number");
    if (number != nullptr && number->isInt()) return *number;
    const Json text = stringOrNull(c.champ, "stringValue");
    if (text.isNull()) return text;
    const auto parsed = integerOf(text);
    if (!parsed) return invalidField(c.field, "is not a dossier number");
    return Json(*parsed);
}

sdk::Result<Json> engagementValue(const ChampContext& c) {
    Json out = Json::object();
    if (Json numero = stringOrNull(c.champ, "stringValue"); !numero.isNull()) {
        out.set("numero", std::move(numero));
    }
    if (const Json* ej = c.champ.find("engagementJuridique"); ej != nullptr && ej->isObject()) {
        copyMembers(*ej, out,
                    {{"montantEngage", "montant_engage"}, {"montantPaye", "montant_paye"}});
    }
    return out.size() == 0 ? Json(nullptr) : out;
}

sdk::Result<Json> carteValue(const ChampContext& c) {
    auto areas = listMember(c.champ.find("geoAreas"), c.field + ".geoAreas");
    if (!areas) return std::move(areas).error();
    Json out = Json::array();
    for (const Json& geo_area : **areas) {
        Json area = Json::object();
        copyMembers(geo_area, area,
                    {{"id", "id"},
                     {"source", "source"},
                     {"description", "description"},
                     {"geometry", "geometry"},
                     {"commune", "commune"},
                     {"prefixe", "prefixe"},
                     {"section", "section"},
                     {"numero", "numero"},
                     {"surface", "surface"}});
        out.push(std::move(area));
    }
    return out;
}

sdk::Result<Json> pieceJustificativeValue(const ChampContext& c) {
    const Json* files = c.champ.find("files");
    Json single = Json::array();
    if (files == nullptr || !files->isArray()) {
        // Older answers: the deprecated `file`.
        if (const Json* file = c.champ.find("file"); file != nullptr && file->isObject()) {
            single.push(*file);
        }
        files = &single;
    }
    Json out = Json::array();
    for (std::size_t i = 0; i < files->size(); ++i) {
        const Json& file = *files->at(i);
        const std::string where = c.field + "[" + std::to_string(i) + "]";
        const Json url = stringOrNull(file, "url");
        const Json name = stringOrNull(file, "filename");
        if (url.isNull() || name.isNull())
            return invalidField(where, "is a file without url or filename");
        sdk::Attachment attachment;
        attachment.name = name.asString();
        attachment.content_type = file.find("contentType") != nullptr
                                      ? file.find("contentType")->asString()
                                      : std::string();
        const Json* size = file.find("byteSizeBigInt");
        if (size == nullptr || size->isNull()) size = file.find("byteSize");
        const auto bytes = size != nullptr ? integerOf(*size) : std::nullopt;
        if (size != nullptr && !size->isNull() && (!bytes || *bytes < 0)) {
            return invalidField(where + ".byteSize", "is not a size in bytes");
        }
        attachment.size = bytes.value_or(0);
        attachment.source_url = url.asString();
        attachment.kind = "piece_justificative";

        Json entry = Json::object();
        entry.set("name", attachment.name);
        entry.set("content_type", attachment.content_type);
        entry.set("size", attachment.size);
        entry.set("attachment", static_cast<std::int64_t>(c.files.attachments.size()));
        out.push(std::move(entry));

        Json meta = Json::object();
        meta.set("champ_id", c.champ.find("id") != nullptr ? c.champ.find("id")->asString() : "");
        meta.set("checksum", stringOrNull(file, "checksum"));
        meta.set("filename", attachment.name);
        meta.set("byte_size", attachment.size);
        c.files.files.push(std::move(meta));
        c.files.attachments.push_back(std::move(attachment));
    }
    return out;
}

sdk::Result<Json> repetitionValue(const ChampContext& c) {
    auto rows = listMember(c.champ.find("rows"), c.field + ".rows");
    if (!rows) return std::move(rows).error();
    Json out = Json::array();
    for (std::size_t i = 0; i < (*rows)->size(); ++i) {
        const Json* champs = (**rows)[i].find("champs");
        if (champs == nullptr) continue;
        auto row =
            mapChampsArray(*champs, c.field + "[" + std::to_string(i) + "]", c.files, nullptr);
        if (!row) return std::move(row).error();
        out.push(std::move(row).value());
    }
    return out;
}

const std::map<std::string, ValueMapper, std::less<>>& valueMappers() {
    static const std::map<std::string, ValueMapper, std::less<>> kMappers = {
        {"TextChamp", [](const ChampContext& c) { return stringValue(c, "value"); }},
        {"DropDownListChamp", [](const ChampContext& c) { return stringValue(c, "value"); }},
        {"CiviliteChamp", [](const ChampContext& c) { return stringValue(c, "civiliteValue"); }},
        {"CheckboxChamp", [](const ChampContext& c) { return booleanValue(c, "checkboxValue"); }},
        {"YesNoChamp", [](const ChampContext& c) { return booleanValue(c, "yesNoValue"); }},
        {"DateChamp", dateValue},
        {"DatetimeChamp", datetimeValue},
        {"IntegerNumberChamp",
         [](const ChampContext& c) {
             return typedMember(c, "integerValue", "an integer", integerOf);
         }},
        {"DecimalNumberChamp",
         [](const ChampContext& c) {
             return typedMember(c, "decimalValue", "a number", decimalOf);
         }},
        {"MultipleDropDownListChamp",
         [](const ChampContext& c) -> sdk::Result<Json> {
             const Json* values = c.champ.find("values");
             return values != nullptr && values->isArray() ? *values : Json::array();
         }},
        {"LinkedDropDownListChamp",
         [](const ChampContext& c) -> sdk::Result<Json> {
             Json primary = stringOrNull(c.champ, "primaryValue");
             if (primary.isNull()) return primary;
             Json out = Json::object();
             out.set("primary", std::move(primary));
             out.set("secondary", stringOrNull(c.champ, "secondaryValue"));
             return out;
         }},
        {"AddressChamp", addressValue},
        {"CommuneChamp", communeValue},
        {"DepartementChamp",
         [](const ChampContext& c) -> sdk::Result<Json> {
             return codeName(c.champ.find("departement"));
         }},
        {"RegionChamp",
         [](const ChampContext& c) -> sdk::Result<Json> {
             return codeName(c.champ.find("region"));
         }},
        {"PaysChamp",
         [](const ChampContext& c) -> sdk::Result<Json> { return codeName(c.champ.find("pays")); }},
        {"EpciChamp", epciValue},
        {"SiretChamp", siretValue},
        {"RNAChamp", [](const ChampContext& c) { return registryValue(c, "rna"); }},
        {"RNFChamp", [](const ChampContext& c) { return registryValue(c, "rnf"); }},
        {"DossierLinkChamp", dossierLinkValue},
        {"EngagementJuridiqueChamp", engagementValue},
        {"CarteChamp", carteValue},
        {"PieceJustificativeChamp", pieceJustificativeValue},
        {"TitreIdentiteChamp",
         [](const ChampContext& c) -> sdk::Result<Json> {
             // DS never gives the identity document itself over the API: only whether it
             // was given, and how (uploaded, or FranceConnect).
             Json out = Json::object();
             copyMembers(c.champ, out, {{"filled", "filled"}, {"grantType", "grant_type"}});
             return out;
         }},
        {"RepetitionChamp", repetitionValue},
    };
    return kMappers;
}

bool carriesNoValue(std::string_view type) {
    return type == "HeaderSectionChamp" || type == "ExplicationChamp";
}

sdk::Result<Json> mapChampsArray(const Json& champs, const std::string& where, FileList& files,
                                 MappedChamps* ids) {
    if (!champs.isArray()) return invalidField(where, "must be an array of champs");
    Json fields = Json::object();
    for (std::size_t i = 0; i < champs.size(); ++i) {
        const Json& champ = *champs.at(i);
        if (!champ.isObject()) {
            return invalidField(where + "[" + std::to_string(i) + "]", "must be a champ object");
        }
        const std::string type =
            champ.find("__typename") != nullptr ? champ.find("__typename")->asString() : "";
        if (carriesNoValue(type)) continue;
        const Json* label = champ.find("label");
        const std::string key =
            uniqueKey(champKey(label != nullptr ? label->asString() : ""), fields);
        const std::string field = where + "." + key;
        const auto& mappers = valueMappers();
        const auto mapper = mappers.find(type);
        const ChampContext context{champ, field, files};
        auto value =
            mapper != mappers.end() ? mapper->second(context) : stringValue(context, "stringValue");
        if (!value) return std::move(value).error();
        fields.set(key, std::move(value).value());
        if (ids != nullptr) {
            ids->champ_ids.set(key, stringOrNull(champ, "id"));
            ids->descriptor_ids.set(key, stringOrNull(champ, "champDescriptorId"));
        }
    }
    return fields;
}

}  // namespace

std::string champKey(std::string_view label) {
    const std::string folded = sdk::text::foldAccents(label);
    std::string key;
    bool pending_separator = false;
    for (const char ch : folded) {
        const auto c = static_cast<unsigned char>(ch);
        const bool alnum =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum) {
            pending_separator = !key.empty();
            continue;
        }
        if (pending_separator) key.push_back('_');
        pending_separator = false;
        key.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : ch);
    }
    return key.empty() ? "champ" : key;
}

std::string uniqueKey(const std::string& base, const Json& object) {
    if (object.find(base) == nullptr) return base;
    for (int n = 2;; ++n) {
        std::string candidate = base + "_" + std::to_string(n);
        if (object.find(candidate) == nullptr) return candidate;
    }
}

sdk::Result<MappedChamps> mapChamps(const Json& champs, const std::string& where, FileList& files) {
    MappedChamps out;
    auto fields = mapChampsArray(champs, where, files, &out);
    if (!fields) return std::move(fields).error();
    out.fields = std::move(fields).value();
    return out;
}

}  // namespace relais::adapters::ds
