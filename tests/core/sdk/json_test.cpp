// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/sdk/json.h"

#include <string>

#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace relais::sdk {
namespace {

Json parseOrFail(std::string_view text) {
    auto parsed = Json::parse(text);
    EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message);
    return parsed.ok() ? std::move(parsed).value() : Json();
}

TEST(Json, ParsesEveryType) {
    const Json v = parseOrFail(R"({"n":null,"t":true,"f":false,"i":-42,"d":1.5e3,"s":"x",
                                    "a":[1,2],"o":{"k":"v"}})");
    EXPECT_TRUE(v.find("n")->isNull());
    EXPECT_TRUE(v.find("t")->asBool());
    EXPECT_FALSE(v.find("f")->asBool(true));
    EXPECT_EQ(v.find("i")->asInt(), -42);
    EXPECT_TRUE(v.find("i")->isInt());
    EXPECT_DOUBLE_EQ(v.find("d")->asDouble(), 1500.0);
    EXPECT_TRUE(v.find("d")->isDouble());
    EXPECT_EQ(v.find("s")->asString(), "x");
    EXPECT_EQ(v.find("a")->size(), 2U);
    EXPECT_EQ(v.find("o")->find("k")->asString(), "v");
}

TEST(Json, KeepsMemberOrderAndRoundTrips) {
    const std::string text = R"({"z":1,"a":[true,null,"\u00e9\n"],"m":{"b":2.25,"a":-0.5}})";
    const Json v = parseOrFail(text);
    EXPECT_EQ(v.dump(), R"({"z":1,"a":[true,null,"é\n"],"m":{"b":2.25,"a":-0.5}})");
    EXPECT_EQ(parseOrFail(v.dump()), v);
}

TEST(Json, DecodesSurrogatePairs) {
    EXPECT_EQ(parseOrFail(R"("\ud83d\ude00")").asString(), "\xF0\x9F\x98\x80");
}

TEST(Json, EscapesControlCharactersOnOutput) {
    EXPECT_EQ(Json(std::string("a\x01\"\\b")).dump(), R"("a\u0001\"\\b")");
}

TEST(Json, BigIntegersBecomeDoubles) {
    const Json v = parseOrFail("123456789012345678901234567890");
    EXPECT_TRUE(v.isDouble());
    EXPECT_EQ(parseOrFail("9223372036854775807").asInt(), INT64_MAX);
}

TEST(Json, DoublesStayDoublesThroughSerialisation) {
    EXPECT_EQ(Json(2.0).dump(), "2.0");
    EXPECT_TRUE(parseOrFail(Json(2.0).dump()).isDouble());
}

struct BadJson {
    const char* text;
    const char* message;
};

class JsonRejects : public ::testing::TestWithParam<BadJson> {};

TEST_P(JsonRejects, WithAClearMessage) {
    auto parsed = Json::parse(GetParam().text);
    ASSERT_FALSE(parsed.ok()) << GetParam().text;
    EXPECT_EQ(parsed.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(parsed.error().message.find(GetParam().message), std::string::npos)
        << parsed.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, JsonRejects,
    ::testing::Values(
        BadJson{"", "unexpected end"}, BadJson{"{", "expected a string"},
        BadJson{R"({"a":1,})", "expected a string"}, BadJson{"[1,]", "expected a value"},
        BadJson{"[1 2]", "expected ','"}, BadJson{"01", "unexpected data"},
        BadJson{"1.", "digit after"}, BadJson{"-", "expected a value"},
        BadJson{"tru", "invalid literal"}, BadJson{"\"abc", "unterminated string"},
        BadJson{"\"a\x01\"", "control character"}, BadJson{R"("\x")", "invalid escape"},
        BadJson{R"("\ud800")", "unpaired surrogate"}, BadJson{"\"\xC3\x28\"", "invalid UTF-8"},
        BadJson{"\"\xE0\x80\xAF\"", "invalid UTF-8"},  // overlong
        BadJson{"\"\xED\xA0\x80\"", "invalid UTF-8"},  // surrogate in UTF-8
        BadJson{R"({"a":1,"a":2})", "duplicate key 'a'"}, BadJson{"[] []", "unexpected data"},
        BadJson{"1e999", "out of range"}, BadJson{"// comment\n{}", "expected a value"}));

TEST(Json, ErrorsGiveLineAndColumn) {
    auto parsed = Json::parse("{\n  \"a\": 1,\n  \"b\": ]\n}");
    ASSERT_FALSE(parsed.ok());
    EXPECT_NE(parsed.error().message.find("line 3, column 8"), std::string::npos)
        << parsed.error().message;
}

TEST(Json, RefusesNestingBeyondTheLimit) {
    std::string deep(100, '[');
    deep += std::string(100, ']');
    auto parsed = Json::parse(deep, JsonParseOptions{64, true});
    ASSERT_FALSE(parsed.ok());
    EXPECT_NE(parsed.error().message.find("nesting"), std::string::npos);
    EXPECT_TRUE(Json::parse(deep, JsonParseOptions{100, true}).ok());
}

TEST(Json, SurvivesAHostileDepthWithoutStackOverflow) {
    const std::string deep(1'000'000, '[');
    EXPECT_FALSE(Json::parse(deep).ok());
}

TEST(Json, DuplicateCheckScalesToLargeObjects) {
    std::string text = "{";
    for (int i = 0; i < 5000; ++i)
        text += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
    text += "\"k17\":0}";
    auto parsed = Json::parse(text);
    ASSERT_FALSE(parsed.ok());
    EXPECT_NE(parsed.error().message.find("duplicate key 'k17'"), std::string::npos);
}

TEST(Json, PathFollowsMembersAndIndexes) {
    const Json v = parseOrFail(R"({"a":{"b":[{"c":1},{"c":2}]}})");
    ASSERT_NE(v.path("a.b[1].c"), nullptr);
    EXPECT_EQ(v.path("a.b[1].c")->asInt(), 2);
    EXPECT_EQ(v.path("a.b[2].c"), nullptr);
    EXPECT_EQ(v.path("a.x"), nullptr);
    EXPECT_EQ(v.path("a.b[x]"), nullptr);
    EXPECT_EQ(v.path("a.b[1"), nullptr);
    EXPECT_EQ(v.path(""), &v);
}

TEST(Json, BuildsValues) {
    Json v;
    v["name"] = "relais";
    v["list"].push(1);
    v["list"].push(Json::object());
    v.set("name", "relais 2");
    EXPECT_EQ(v.dump(), R"({"name":"relais 2","list":[1,{}]})");
    EXPECT_TRUE(v.erase("list"));
    EXPECT_FALSE(v.erase("list"));
    Json scalar(1);
    EXPECT_THROW(scalar["x"], std::logic_error);
    EXPECT_THROW(scalar.push(1), std::logic_error);
}

TEST(Json, EqualityIgnoresMemberOrderButNotArrayOrder) {
    EXPECT_EQ(parseOrFail(R"({"a":1,"b":[1,2]})"), parseOrFail(R"({"b":[1,2],"a":1.0})"));
    EXPECT_FALSE(parseOrFail("[1,2]") == parseOrFail("[2,1]"));
    EXPECT_FALSE(parseOrFail(R"({"a":1})") == parseOrFail(R"({"a":1,"b":2})"));
}

TEST(Json, IndentedDumpIsValidJson) {
    const Json v = parseOrFail(test::readSourceFile("tests/fixtures/bench/dossier.json"));
    EXPECT_EQ(parseOrFail(v.dump(2)), v);
    EXPECT_NE(v.dump(2).find("\n  \"formulaire\": "), std::string::npos);
}

}  // namespace
}  // namespace relais::sdk
