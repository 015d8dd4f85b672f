// SPDX-License-Identifier: AGPL-3.0-or-later
#include "mapping/source_path.h"

#include <array>
#include <charconv>
#include <utility>

namespace relais::mapping::detail {
namespace {

struct MetaName {
    std::string_view name;
    MetaField field;
};

constexpr std::array kDossierFields{
    MetaName{"id", MetaField::Id},
    MetaName{"source", MetaField::Source},
    MetaName{"source_key", MetaField::SourceKey},
    MetaName{"procedure", MetaField::Procedure},
    MetaName{"submitted_at", MetaField::SubmittedAt},
    MetaName{"status", MetaField::Status},
    MetaName{"portal_status", MetaField::PortalStatus},
    MetaName{"version", MetaField::Version},
};

constexpr std::array kSubjectFields{
    MetaName{"id", MetaField::SubjectId},
    MetaName{"kind", MetaField::SubjectKind},
    MetaName{"france_connect_sub", MetaField::FranceConnectSub},
    MetaName{"family_name", MetaField::FamilyName},
    MetaName{"given_names", MetaField::GivenNames},
    MetaName{"birth_date", MetaField::BirthDate},
    MetaName{"gender", MetaField::Gender},
    MetaName{"birth_place", MetaField::BirthPlace},
    MetaName{"birth_country", MetaField::BirthCountry},
    MetaName{"siren", MetaField::Siren},
    MetaName{"siret", MetaField::Siret},
};

template <std::size_t N>
std::string namesOf(const std::array<MetaName, N>& names, std::string_view prefix) {
    std::string out;
    for (const auto& name : names) {
        if (!out.empty()) out += ", ";
        out += prefix;
        out += name.name;
    }
    return out;
}

sdk::Error pathError(std::string_view text, const std::string& what) {
    return sdk::fail(sdk::ErrorCode::InvalidArgument,
                     "bad path '" + std::string(text) + "': " + what);
}

/// Parses `a.b[0].c` (no leading `$`) into steps. Empty text gives no steps.
sdk::Result<std::vector<PathStep>> parseSteps(std::string_view full, std::string_view text) {
    std::vector<PathStep> steps;
    std::size_t pos = 0;
    bool expect_name = true;  // at the start and after a '.'
    while (pos < text.size()) {
        const char c = text[pos];
        if (c == '[') {
            const auto close = text.find(']', pos);
            if (close == std::string_view::npos) return pathError(full, "'[' without ']'");
            const std::string_view digits = text.substr(pos + 1, close - pos - 1);
            std::size_t index = 0;
            const auto [end, ec] =
                std::from_chars(digits.data(), digits.data() + digits.size(), index);
            if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size()) {
                return pathError(full, "an index is written [N] with N a number from 0");
            }
            if (expect_name && !steps.empty()) {
                return pathError(full, "a member name is expected after '.'");
            }
            steps.push_back(PathStep{{}, index, true});
            expect_name = false;
            pos = close + 1;
            continue;
        }
        if (c == ']') return pathError(full, "']' without '['");
        if (c == '.') {
            if (expect_name) return pathError(full, "empty member name");
            expect_name = true;
            ++pos;
            continue;
        }
        if (!expect_name) return pathError(full, "'.' or '[' expected after ']'");
        const auto stop = text.find_first_of(".[]", pos);
        const std::string_view name =
            text.substr(pos, stop == std::string_view::npos ? std::string_view::npos : stop - pos);
        for (const char n : name) {
            if (static_cast<unsigned char>(n) < 0x20) {
                return pathError(full, "control character in a member name");
            }
        }
        steps.push_back(PathStep{std::string(name), 0, false});
        expect_name = false;
        pos = stop == std::string_view::npos ? text.size() : stop;
    }
    if (expect_name && !steps.empty()) return pathError(full, "empty member name at the end");
    return steps;
}

sdk::Json text(const std::string& value) { return sdk::Json(value); }

}  // namespace

sdk::Result<SourcePath> SourcePath::parse(std::string_view text) {
    SourcePath path;
    path.text_ = std::string(text);
    path.display_ = path.text_;
    if (text.empty()) return pathError(text, "empty path");
    for (const char c : text) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            return pathError(text, "spaces are not allowed in a path");
        }
    }
    if (text == ".") {
        path.root_ = PathRoot::Item;
        return path;
    }
    if (text.front() != '$') {
        auto steps = parseSteps(text, text);
        if (!steps) return std::move(steps).error();
        path.steps_ = std::move(*steps);
        return path;
    }
    const auto stop = text.find_first_of(".[");
    const std::string_view head = text.substr(0, stop);
    const std::string_view rest =
        stop == std::string_view::npos ? std::string_view{} : text.substr(stop);
    if (head == "$dossier" || head == "$subject") {
        const bool dossier = head == "$dossier";
        const std::string_view name = rest.size() > 1 && rest[0] == '.' ? rest.substr(1) : "";
        MetaField field = MetaField::None;
        if (dossier) {
            for (const auto& m : kDossierFields) {
                if (m.name == name) field = m.field;
            }
        } else {
            for (const auto& m : kSubjectFields) {
                if (m.name == name) field = m.field;
            }
        }
        if (field == MetaField::None) {
            return pathError(text, "unknown metadata; known: " +
                                       (dossier ? namesOf(kDossierFields, "$dossier.")
                                                : namesOf(kSubjectFields, "$subject.")));
        }
        path.root_ = dossier ? PathRoot::Dossier : PathRoot::Subject;
        path.meta_ = field;
        return path;
    }
    if (head == "$index" || head == "$position") {
        if (!rest.empty()) return pathError(text, std::string(head) + " takes no member");
        path.root_ = head == "$index" ? PathRoot::Index : PathRoot::Position;
        return path;
    }
    if (head == "$fields" || head == "$attachments") {
        path.root_ = head == "$fields" ? PathRoot::Fields : PathRoot::Attachments;
        std::string_view steps_text = rest;
        if (!steps_text.empty() && steps_text.front() == '.') {
            steps_text.remove_prefix(1);
            if (steps_text.empty()) return pathError(text, "empty member name at the end");
        }
        auto steps = parseSteps(text, steps_text);
        if (!steps) return std::move(steps).error();
        path.steps_ = std::move(*steps);
        if (path.root_ == PathRoot::Fields) {
            path.display_ = steps_text.empty() ? "." : std::string(steps_text);
        }
        return path;
    }
    return pathError(text,
                     "unknown '$' prefix; known: $dossier., $subject., $attachments, $fields., "
                     "$index, $position");
}

const sdk::Json* SourcePath::resolve(const Scope& scope, sdk::Json& scratch) const {
    const sdk::Json* current = nullptr;
    switch (root_) {
        case PathRoot::Item:
            current = scope.item;
            break;
        case PathRoot::Fields:
            current = &scope.context->dossier->fields;
            break;
        case PathRoot::Attachments:
            current = &scope.context->attachmentsJson();
            break;
        case PathRoot::Dossier:
        case PathRoot::Subject: {
            auto value = metaValue(*scope.context->dossier, meta_);
            if (!value) return nullptr;
            scratch = std::move(*value);
            return &scratch;
        }
        case PathRoot::Index:
        case PathRoot::Position:
            for (const Scope* s = &scope; s != nullptr; s = s->parent) {
                if (s->indexed) {
                    scratch = sdk::Json(s->index + (root_ == PathRoot::Position ? 1 : 0));
                    return &scratch;
                }
            }
            return nullptr;
    }
    for (const PathStep& step : steps_) {
        if (current == nullptr) return nullptr;
        current = step.is_index ? current->at(step.index) : current->find(step.key);
    }
    return current;
}

const sdk::Json& ApplyContext::attachmentsJson() {
    if (!attachments) {
        sdk::Json list = sdk::Json::array();
        for (const sdk::Attachment& a : dossier->attachments) {
            sdk::Json item = sdk::Json::object();
            item.set("name", a.name);
            item.set("content_type", a.content_type);
            item.set("size", a.size);
            item.set("sha256", a.sha256);
            item.set("storage_ref", a.storage_ref);
            item.set("source_url", a.source_url);
            item.set("kind", a.kind);
            list.push(std::move(item));
        }
        attachments = std::move(list);
    }
    return *attachments;
}

std::string Scope::name(const SourcePath& path) const {
    if (path.absolute()) return path.display();
    std::string out;
    appendPrefix(out);
    if (path.isSelf()) {
        if (!out.empty() && out.back() == '.') out.pop_back();
        return out.empty() ? "." : out;
    }
    out += path.display();
    return out;
}

void Scope::appendPrefix(std::string& out) const {
    if (parent == nullptr) return;
    if (from == nullptr) {
        parent->appendPrefix(out);
        return;
    }
    if (!from->absolute()) parent->appendPrefix(out);
    if (from->isSelf()) {
        if (!out.empty() && out.back() == '.') out.pop_back();
    } else {
        out += from->display();
        if (from->display() == ".") out.pop_back();
    }
    if (indexed) {
        out += '[';
        out += std::to_string(index);
        out += ']';
    }
    if (!out.empty()) out += '.';
}

std::optional<sdk::Json> metaValue(const sdk::Dossier& dossier, MetaField field) {
    switch (field) {
        case MetaField::None:
            return std::nullopt;
        case MetaField::Id:
            return text(dossier.id);
        case MetaField::Source:
            return text(dossier.source);
        case MetaField::SourceKey:
            return text(dossier.source_key);
        case MetaField::Procedure:
            return text(dossier.procedure);
        case MetaField::SubmittedAt:
            return sdk::Json(dossier.submitted_at.toString());
        case MetaField::Status:
            return sdk::Json(sdk::toString(dossier.status));
        case MetaField::PortalStatus:
            return text(dossier.portal_status);
        case MetaField::Version:
            return sdk::Json(dossier.version);
        default:
            break;
    }
    if (!dossier.subject) return std::nullopt;
    const sdk::Subject& subject = *dossier.subject;
    switch (field) {
        case MetaField::SubjectId:
            return text(subject.id);
        case MetaField::SubjectKind:
            return sdk::Json(subject.kind == sdk::SubjectKind::Company ? "company" : "person");
        case MetaField::FranceConnectSub:
            return text(subject.france_connect_sub);
        case MetaField::FamilyName:
            return text(subject.pivot.family_name);
        case MetaField::GivenNames: {
            std::string joined;
            for (const auto& name : subject.pivot.given_names) {
                if (!joined.empty()) joined += ' ';
                joined += name;
            }
            return sdk::Json(std::move(joined));
        }
        case MetaField::BirthDate:
            return text(subject.pivot.birth_date);
        case MetaField::Gender:
            return text(subject.pivot.gender);
        case MetaField::BirthPlace:
            return text(subject.pivot.birth_place);
        case MetaField::BirthCountry:
            return text(subject.pivot.birth_country);
        case MetaField::Siren:
            return text(subject.siren);
        case MetaField::Siret:
            return text(subject.siret);
        default:
            return std::nullopt;
    }
}

}  // namespace relais::mapping::detail
