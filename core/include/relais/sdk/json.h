// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "relais/sdk/result.h"
#include "relais/sdk/visibility.h"

/// @file
/// `Json`: the JSON value that crosses the plugin boundary. Its code lives in the SDK shared
/// library only, so a value made by a plugin stays valid in the core and the other way round
/// (unlike `Poco::Dynamic::Var`, whose vtable would live in whichever library made it).

namespace relais::sdk {

/// Limits applied while parsing text from outside the process.
struct JsonParseOptions {
    /// Deepest nesting of arrays and objects accepted. Deeper documents are refused, so a
    /// hostile body cannot exhaust the stack.
    int max_depth = 64;
    /// Refuse an object that names the same key twice (RFC 8259 leaves the meaning open;
    /// two parsers that disagree on it are a classic smuggling vector).
    bool reject_duplicate_keys = true;
};

/// A JSON value: null, boolean, integer, double, string, array or object. Objects keep their
/// members in document order and look keys up linearly, which is the fast choice for the
/// small objects that dossiers are made of.
///
/// Thread-safety: like a standard container; concurrent reads are safe, writes need
/// external synchronisation. Strings are expected to be valid UTF-8 (the parser checks).
class RELAIS_SDK_API Json {
public:
    enum class Type : std::uint8_t { Null, Bool, Int, Double, String, Array, Object };

    struct Member;
    using Array = std::vector<Json>;
    using Object = std::vector<Member>;

    /// Null.
    Json() noexcept;
    Json(std::nullptr_t) noexcept;  // NOLINT(google-explicit-constructor)
    Json(bool value) noexcept;      // NOLINT(google-explicit-constructor)
    template <typename I,
              std::enable_if_t<std::is_integral_v<I> && !std::is_same_v<I, bool>, int> = 0>
    Json(I value) noexcept : Json(static_cast<std::int64_t>(value), IntTag{}) {}  // NOLINT
    Json(double value) noexcept;       // NOLINT(google-explicit-constructor)
    Json(std::string value) noexcept;  // NOLINT(google-explicit-constructor)
    Json(std::string_view value);      // NOLINT(google-explicit-constructor)
    Json(const char* value);           // NOLINT(google-explicit-constructor)
    Json(Array value) noexcept;        // NOLINT(google-explicit-constructor)
    Json(Object value) noexcept;       // NOLINT(google-explicit-constructor)

    Json(const Json& other);
    Json(Json&& other) noexcept;
    Json& operator=(const Json& other);
    Json& operator=(Json&& other) noexcept;
    ~Json();

    /// An empty array / object (a default `Json` is null).
    static Json array();
    static Json object();

    /// Parses `text` strictly (RFC 8259: no comments, no trailing commas, UTF-8 checked).
    /// Errors are `InvalidArgument` with the line and column in the message.
    static Result<Json> parse(std::string_view text, const JsonParseOptions& options = {});

    Type type() const noexcept;
    bool isNull() const noexcept { return type() == Type::Null; }
    bool isBool() const noexcept { return type() == Type::Bool; }
    bool isInt() const noexcept { return type() == Type::Int; }
    bool isDouble() const noexcept { return type() == Type::Double; }
    bool isNumber() const noexcept { return isInt() || isDouble(); }
    bool isString() const noexcept { return type() == Type::String; }
    bool isArray() const noexcept { return type() == Type::Array; }
    bool isObject() const noexcept { return type() == Type::Object; }

    /// Typed reads that never throw: a value of another type gives the fallback.
    bool asBool(bool fallback = false) const noexcept;
    std::int64_t asInt(std::int64_t fallback = 0) const noexcept;  ///< doubles are truncated
    double asDouble(double fallback = 0.0) const noexcept;         ///< integers are widened
    /// The string, or an empty string for any other type.
    const std::string& asString() const noexcept;

    /// Pointers to the held container or string, or null when the type differs.
    const std::string* stringIf() const noexcept;
    const Array* arrayIf() const noexcept;
    Array* arrayIf() noexcept;
    const Object* objectIf() const noexcept;
    Object* objectIf() noexcept;

    /// Number of elements of an array or members of an object; 0 otherwise.
    std::size_t size() const noexcept;

    /// Member `key` of an object, or null when absent or not an object.
    const Json* find(std::string_view key) const noexcept;
    Json* find(std::string_view key) noexcept;

    /// Element `index` of an array, or null when out of range or not an array.
    const Json* at(std::size_t index) const noexcept;

    /// Follows a path such as `demandeur.adresse.ligne1` or `enfants[1].prenom` (dots between
    /// member names, `[n]` for array elements). Null when any step is missing.
    const Json* path(std::string_view dotted_path) const noexcept;

    /// Member `key`, created as null when missing. A null value first becomes an empty
    /// object. Throws `std::logic_error` when this is neither null nor an object.
    Json& operator[](std::string_view key);

    /// Sets member `key` (replacing an existing one, otherwise appending). Same conversion
    /// and error rule as `operator[]`.
    void set(std::string_view key, Json value);

    /// Removes member `key`; returns whether it was there.
    bool erase(std::string_view key) noexcept;

    /// Appends to an array; a null value first becomes an empty array. Throws
    /// `std::logic_error` when this is neither null nor an array.
    void push(Json value);

    /// Compact serialisation (no spaces), or indented with `indent` spaces per level.
    std::string dump(int indent = 0) const;
    /// Appends the compact serialisation to `out` (no intermediate string).
    void dumpTo(std::string& out) const;

    /// Deep equality with JSON semantics: object member order does not matter, array order
    /// does, `1` equals `1.0`.
    friend RELAIS_SDK_API bool operator==(const Json& a, const Json& b) noexcept;

private:
    struct IntTag {};
    Json(std::int64_t value, IntTag) noexcept;

    std::variant<std::monostate, bool, std::int64_t, double, std::string, Array, Object> value_;
};

/// One member of a JSON object.
struct Json::Member {
    std::string key;
    Json value;
};

/// Appends `text` to `out` as a JSON string literal (quotes included), escaping what RFC 8259
/// requires. Used by the serialiser and by code that writes JSON by hand on hot paths.
RELAIS_SDK_API void appendJsonString(std::string& out, std::string_view text);

}  // namespace relais::sdk
