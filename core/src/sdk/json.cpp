// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/sdk/json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace relais::sdk {

Json::Json() noexcept = default;
Json::Json(std::nullptr_t) noexcept {}
Json::Json(bool value) noexcept : value_(value) {}
Json::Json(std::int64_t value, IntTag) noexcept : value_(value) {}
Json::Json(double value) noexcept : value_(value) {}
Json::Json(std::string value) noexcept : value_(std::move(value)) {}
Json::Json(std::string_view value) : value_(std::string(value)) {}
Json::Json(const char* value) : value_(std::string(value)) {}
Json::Json(Array value) noexcept : value_(std::move(value)) {}
Json::Json(Object value) noexcept : value_(std::move(value)) {}
Json::Json(const Json& other) = default;
Json::Json(Json&& other) noexcept = default;
Json& Json::operator=(const Json& other) = default;
Json& Json::operator=(Json&& other) noexcept = default;
Json::~Json() = default;

Json Json::array() { return Json(Array{}); }
Json Json::object() { return Json(Object{}); }

Json::Type Json::type() const noexcept { return static_cast<Type>(value_.index()); }

bool Json::asBool(bool fallback) const noexcept {
    const auto* b = std::get_if<bool>(&value_);
    return b != nullptr ? *b : fallback;
}

std::int64_t Json::asInt(std::int64_t fallback) const noexcept {
    if (const auto* i = std::get_if<std::int64_t>(&value_)) return *i;
    if (const auto* d = std::get_if<double>(&value_)) {
        // Out-of-range doubles have no integer meaning; keep the fallback.
        if (std::isfinite(*d) && *d >= -9.2e18 && *d <= 9.2e18) {
            return static_cast<std::int64_t>(*d);
        }
    }
    return fallback;
}

double Json::asDouble(double fallback) const noexcept {
    if (const auto* d = std::get_if<double>(&value_)) return *d;
    if (const auto* i = std::get_if<std::int64_t>(&value_)) return static_cast<double>(*i);
    return fallback;
}

const std::string& Json::asString() const noexcept {
    static const std::string kEmpty;
    const auto* s = std::get_if<std::string>(&value_);
    return s != nullptr ? *s : kEmpty;
}

const std::string* Json::stringIf() const noexcept { return std::get_if<std::string>(&value_); }
const Json::Array* Json::arrayIf() const noexcept { return std::get_if<Array>(&value_); }
Json::Array* Json::arrayIf() noexcept { return std::get_if<Array>(&value_); }
const Json::Object* Json::objectIf() const noexcept { return std::get_if<Object>(&value_); }
Json::Object* Json::objectIf() noexcept { return std::get_if<Object>(&value_); }

std::size_t Json::size() const noexcept {
    if (const auto* a = arrayIf()) return a->size();
    if (const auto* o = objectIf()) return o->size();
    return 0;
}

const Json* Json::find(std::string_view key) const noexcept {
    const auto* o = objectIf();
    if (o == nullptr) return nullptr;
    for (const auto& m : *o) {
        if (m.key == key) return &m.value;
    }
    return nullptr;
}

Json* Json::find(std::string_view key) noexcept {
    return const_cast<Json*>(static_cast<const Json*>(this)->find(key));
}

const Json* Json::at(std::size_t index) const noexcept {
    const auto* a = arrayIf();
    if (a == nullptr || index >= a->size()) return nullptr;
    return &(*a)[index];
}

const Json* Json::path(std::string_view dotted_path) const noexcept {
    const Json* current = this;
    std::size_t pos = 0;
    while (pos < dotted_path.size() && current != nullptr) {
        if (dotted_path[pos] == '.') {
            ++pos;
            continue;
        }
        if (dotted_path[pos] == '[') {
            const auto close = dotted_path.find(']', pos);
            if (close == std::string_view::npos) return nullptr;
            std::size_t index = 0;
            const auto digits = dotted_path.substr(pos + 1, close - pos - 1);
            const auto [end, ec] =
                std::from_chars(digits.data(), digits.data() + digits.size(), index);
            if (ec != std::errc{} || end != digits.data() + digits.size() || digits.empty()) {
                return nullptr;
            }
            current = current->at(index);
            pos = close + 1;
            continue;
        }
        const auto stop = dotted_path.find_first_of(".[", pos);
        const auto name = dotted_path.substr(
            pos, stop == std::string_view::npos ? std::string_view::npos : stop - pos);
        current = current->find(name);
        pos = stop == std::string_view::npos ? dotted_path.size() : stop;
    }
    return current;
}

Json& Json::operator[](std::string_view key) {
    if (isNull()) value_ = Object{};
    auto* o = objectIf();
    if (o == nullptr) throw std::logic_error("Json::operator[] on a value that is not an object");
    for (auto& m : *o) {
        if (m.key == key) return m.value;
    }
    o->push_back(Member{std::string(key), Json()});
    return o->back().value;
}

void Json::set(std::string_view key, Json value) { (*this)[key] = std::move(value); }

bool Json::erase(std::string_view key) noexcept {
    auto* o = objectIf();
    if (o == nullptr) return false;
    const auto it =
        std::find_if(o->begin(), o->end(), [&](const Member& m) { return m.key == key; });
    if (it == o->end()) return false;
    o->erase(it);
    return true;
}

void Json::push(Json value) {
    if (isNull()) value_ = Array{};
    auto* a = arrayIf();
    if (a == nullptr) throw std::logic_error("Json::push on a value that is not an array");
    a->push_back(std::move(value));
}

bool operator==(const Json& a, const Json& b) noexcept {
    if (a.isNumber() && b.isNumber()) {
        if (a.isInt() && b.isInt()) return a.asInt() == b.asInt();
        return a.asDouble() == b.asDouble();
    }
    if (a.type() != b.type()) return false;
    switch (a.type()) {
        case Json::Type::Null:
            return true;
        case Json::Type::Bool:
            return a.asBool() == b.asBool();
        case Json::Type::String:
            return a.asString() == b.asString();
        case Json::Type::Array:
            return *a.arrayIf() == *b.arrayIf();
        case Json::Type::Object: {
            const auto& oa = *a.objectIf();
            const auto& ob = *b.objectIf();
            if (oa.size() != ob.size()) return false;
            for (const auto& m : oa) {
                const Json* other = b.find(m.key);
                if (other == nullptr || !(m.value == *other)) return false;
            }
            return true;
        }
        default:
            return false;
    }
}

}  // namespace relais::sdk
