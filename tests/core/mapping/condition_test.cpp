// SPDX-License-Identifier: AGPL-3.0-or-later
// The condition language shared by mappings (`when`, `filter`) and route conditions.

#include "relais/mapping/condition.h"

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mapping_test_support.h"

namespace relais::mapping::test {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

const char* const kFields = R"({
    "nil": null, "blank": "", "list": [], "object": {}, "text": "x",
    "zero": 0, "no": false, "yes": true, "qf": 742, "qf_text": "742.5", "insee": 35238,
    "code": "SANS_PORC", "mail": "anne.martin@example.fr", "date": "2026-11-14",
    "enfants": [{"prenom": "Lucas"}, {"prenom": "Jeanne"}]})";

bool holds(const std::string& text, const sdk::Dossier& dossier) {
    auto condition = Condition::parse(text);
    if (!condition) {
        ADD_FAILURE() << text << ": " << condition.error().message;
        return false;
    }
    EXPECT_EQ(condition->text(), text);
    return condition->evaluate(dossier);
}

bool holds(const std::string& text) { return holds(text, dossierWith(kFields)); }

std::string parseError(const std::string& text) {
    auto condition = Condition::parse(text);
    if (condition) {
        ADD_FAILURE() << "parsed: " << text;
        return {};
    }
    EXPECT_EQ(condition.error().code, sdk::ErrorCode::InvalidArgument);
    return condition.error().message;
}

TEST(Condition, PresentAndEmptyAreComplementsOverEveryKindOfValue) {
    struct Case {
        const char* path;
        bool empty;
    };
    for (const Case& c : {Case{"missing", true}, Case{"nil", true}, Case{"blank", true},
                          Case{"list", true}, Case{"object", true}, Case{"text", false},
                          Case{"zero", false}, Case{"no", false}, Case{"enfants", false},
                          Case{"enfants[1].prenom", false}, Case{"enfants[2].prenom", true}}) {
        EXPECT_EQ(holds(std::string(c.path) + " empty"), c.empty) << c.path;
        EXPECT_EQ(holds(std::string(c.path) + " present"), !c.empty) << c.path;
    }
}

TEST(Condition, ComparesNumbersStringsBooleansAndNull) {
    // Numbers, also held as decimal strings; strings also held as numbers.
    EXPECT_TRUE(holds("qf = 742"));
    EXPECT_TRUE(holds("qf == 742.0"));
    EXPECT_TRUE(holds("qf_text = 742.5"));
    EXPECT_TRUE(holds("insee = '35238'"));
    EXPECT_FALSE(holds("qf = '742.0'"));
    EXPECT_TRUE(holds("qf < 1000"));
    EXPECT_TRUE(holds("qf <= 742"));
    EXPECT_FALSE(holds("qf > 742"));
    EXPECT_TRUE(holds("qf >= -5"));
    EXPECT_TRUE(holds("qf_text gt 742"));
    EXPECT_TRUE(holds("qf lt 742.01 and qf ge 742 and qf le 742 and qf ne 741"));
    EXPECT_FALSE(holds("text < 1000"));  // not a number: no ordering
    EXPECT_FALSE(holds("missing < 1000"));
    // Strings, exactly and in byte order.
    EXPECT_TRUE(holds("code = 'SANS_PORC'"));
    EXPECT_FALSE(holds("code = 'sans_porc'"));
    EXPECT_TRUE(holds(R"(code != "STANDARD")"));
    EXPECT_TRUE(holds("date >= '2026-01-01' and date < '2027-01-01'"));
    // Booleans and null.
    EXPECT_TRUE(holds("yes = true"));
    EXPECT_TRUE(holds("no = false"));
    EXPECT_FALSE(holds("zero = false"));
    EXPECT_TRUE(holds("nil = null"));
    EXPECT_TRUE(holds("missing = null"));
    EXPECT_FALSE(holds("blank = null"));
    EXPECT_TRUE(holds("missing != 'x'"));
    EXPECT_FALSE(holds("missing = 'x'"));
}

TEST(Condition, InListsAndRegularExpressions) {
    EXPECT_TRUE(holds("code in ('STANDARD', 'SANS_PORC')"));
    EXPECT_FALSE(holds("code in ('STANDARD')"));
    EXPECT_TRUE(holds("qf in (1, 742, 'x')"));
    EXPECT_FALSE(holds("missing in ('x')"));
    EXPECT_TRUE(holds("missing in (null, 'x')"));
    EXPECT_TRUE(holds(R"(mail matches '@example\.fr$')"));
    EXPECT_FALSE(holds(R"(mail matches '^@example')"));
    EXPECT_TRUE(holds("insee matches '^35'"));
    EXPECT_TRUE(holds("code matches '(?i)^sans_'"));
    EXPECT_FALSE(holds("missing matches '.*'"));
    EXPECT_FALSE(holds("object matches '.*'"));
    EXPECT_TRUE(holds(R"(text matches 'x' and text matches "^x$")"));
}

TEST(Condition, BooleanOperatorsHaveTheUsualPrecedence) {
    // Truth table of and/or/not over two tests, t (true) and f (false).
    const std::string t = "text present";
    const std::string f = "text empty";
    EXPECT_TRUE(holds(t + " and " + t));
    EXPECT_FALSE(holds(t + " and " + f));
    EXPECT_FALSE(holds(f + " and " + t));
    EXPECT_FALSE(holds(f + " and " + f));
    EXPECT_TRUE(holds(t + " or " + f));
    EXPECT_TRUE(holds(f + " or " + t));
    EXPECT_FALSE(holds(f + " or " + f));
    EXPECT_FALSE(holds("not " + t));
    EXPECT_TRUE(holds("not " + f));
    EXPECT_TRUE(holds("not not " + t));
    // `and` binds tighter than `or`; `not` tighter than both.
    EXPECT_TRUE(holds(t + " or " + f + " and " + f));
    EXPECT_FALSE(holds("(" + t + " or " + f + ") and " + f));
    EXPECT_FALSE(holds("not " + t + " or " + f));
    EXPECT_TRUE(holds("not (" + f + " and " + t + ")"));
    EXPECT_TRUE(holds("((((" + t + "))))"));
}

TEST(Condition, ReadsCanonicalMetadata) {
    sdk::Dossier dossier = dossierWith(R"({"foyer": {"quotient_familial": 742},
                                           "demandeur": {"courriel": "a@b.fr"}})");
    EXPECT_TRUE(holds("$dossier.procedure = 'restauration-scolaire'", dossier));
    EXPECT_TRUE(holds("foyer.quotient_familial < 1000 and demandeur.courriel present", dossier));
    EXPECT_FALSE(holds("$subject.france_connect_sub present", dossier));
    sdk::Subject subject;
    subject.france_connect_sub = "abcv1";
    dossier.subject = subject;
    EXPECT_TRUE(holds("$subject.france_connect_sub matches 'v1$'", dossier));
    EXPECT_TRUE(holds("$attachments empty", dossier));
    dossier.attachments.push_back(sdk::Attachment{"a.pdf", "application/pdf", 1, "", "", "", ""});
    EXPECT_TRUE(holds("$attachments[0].content_type = 'application/pdf'", dossier));
}

TEST(Condition, ParseErrorsGiveTheColumnAndWhatWasExpected) {
    struct Case {
        const char* text;
        const char* message;
    };
    for (const Case& c : {
             Case{"", "column 1: the condition is empty"},
             Case{"   ", "column 4: the condition is empty"},
             Case{"a present and", "column 14: expected a field path, 'not' or '('"},
             Case{"a", "column 2: expected 'present', 'empty', a comparison"},
             Case{"a ~ 1", "column 3: expected 'present', 'empty', a comparison"},
             Case{"a = ", "column 5: expected a value"},
             Case{"a = b", "column 5: expected a value"},
             Case{"a < true", "column 5: an ordering comparison needs a number or a string"},
             Case{"a = 'open", "column 5: unterminated string"},
             Case{"(a present", "column 11: expected ')'"},
             Case{"a present)", "column 10: unexpected ')'"},
             Case{"a present b present", "column 11: unexpected 'b'"},
             Case{"a in 'x'", "column 6: expected '(' after 'in'"},
             Case{"a in ('x' 'y')", "column 11: expected ',' or ')'"},
             Case{"a matches x", "column 11: expected a quoted regular expression"},
             Case{"a matches '('", "column 11: bad regular expression '('"},
             Case{"a ! b", "column 3: '!' must be followed by '='"},
             Case{"$foo present", "column 1: bad path '$foo': unknown '$' prefix"},
             Case{"$dossier.nope present", "column 1: bad path '$dossier.nope': unknown metadata"},
             Case{"a..b present", "column 1: bad path 'a..b': empty member name"},
             Case{"and present", "column 1: expected a field path"},
             Case{"12 = 12", "column 1: expected a field path"},
             Case{"é = 1 or", "column 9: expected a field path"},
         }) {
        EXPECT_THAT(parseError(c.text), StartsWith(c.message)) << "'" << c.text << "'";
    }
}

TEST(Condition, RefusesDeepNesting) {
    std::string deep;
    for (int i = 0; i < 40; ++i) deep += "not ";
    deep += "a present";
    EXPECT_THAT(parseError(deep), HasSubstr("nested too deeply"));
    EXPECT_THAT(parseError(std::string(100, '(') + "a present" + std::string(100, ')')),
                HasSubstr("nested too deeply"));
    std::string ok;
    for (int i = 0; i < 30; ++i) ok += "not ";
    EXPECT_TRUE(holds(ok + "text present"));
}

TEST(Condition, NeverCrashesOnArbitraryInput) {
    // Deterministic fuzzing: random mixes of the language's pieces and random bytes.
    const std::vector<std::string> pieces = {
        "a",   "b.c",  "d[0]", "$dossier.id", "$index", " ",   "(",       ")",    ",",    "=",
        "!=",  "<",    "<=",   ">",           ">=",     "'x'", "\"y",     "\\",   "1",    "-2.5",
        "and", "or",   "not",  "present",     "empty",  "in",  "matches", "true", "null", "'['",
        "é",   "\x01", "\xff", "[",           "]",      ".",   "$",       "eq"};
    std::mt19937 random(20261122);
    const sdk::Dossier dossier = dossierWith(kFields);
    int parsed = 0;
    for (int round = 0; round < 5000; ++round) {
        std::string text;
        const int count = static_cast<int>(random() % 12);
        for (int i = 0; i < count; ++i) {
            if (random() % 10 == 0) {
                text += static_cast<char>(random() % 256);
            } else {
                text += pieces[random() % pieces.size()];
                if (random() % 2 == 0) text += ' ';
            }
        }
        auto condition = Condition::parse(text);
        if (condition) {
            ++parsed;
            (void)condition->evaluate(dossier);
        } else {
            EXPECT_THAT(condition.error().message, StartsWith("column ")) << text;
        }
    }
    EXPECT_GT(parsed, 0);
}

TEST(Condition, IsCheapToCopyAndSharesItsTree) {
    auto parsed = Condition::parse("text present");
    ASSERT_TRUE(parsed.ok());
    const Condition copy = *parsed;
    EXPECT_TRUE(copy.evaluate(dossierWith(kFields)));
    EXPECT_EQ(copy.text(), "text present");
}

}  // namespace
}  // namespace relais::mapping::test
