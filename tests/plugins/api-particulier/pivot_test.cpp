// SPDX-License-Identifier: AGPL-3.0-or-later
// The identity pivot as API Particulier's /identite endpoints take it.

#include "pivot.h"

#include <string>

#include <gtest/gtest.h>

namespace relais::plugins::api_particulier {
namespace {

using sdk::ErrorCode;

std::string queryOf(const sdk::IdentityPivot& pivot) {
    apistration::Query query;
    auto added = addPivot(pivot, query);
    if (!added) return "error " + added.error().field + ": " + added.error().message;
    return query.text();
}

std::string fieldOf(const sdk::IdentityPivot& pivot) {
    apistration::Query query;
    auto added = addPivot(pivot, query);
    if (added) return "(accepted)";
    EXPECT_EQ(added.error().code, ErrorCode::InvalidArgument);
    return added.error().field;
}

TEST(Pivot, SendsEveryPartInTheApisTerms) {
    EXPECT_EQ(queryOf({"LEFEBVRE", {"ALEXIS"}, "1982-12-07", "female", "08480", "99100"}),
              "?nomNaissance=LEFEBVRE&prenoms%5B%5D=ALEXIS&anneeDateNaissance=1982"
              "&moisDateNaissance=12&jourDateNaissance=7&sexeEtatCivil=F"
              "&codeCogInseePaysNaissance=99100&codeCogInseeCommuneNaissance=08480");
}

TEST(Pivot, SplitsAndCapsGivenNames) {
    EXPECT_EQ(queryOf({"X", {" Jean  Pierre ", "Paul", "Marc"}, "1990", "male", "", "99134"}),
              "?nomNaissance=X&prenoms%5B%5D=Jean&prenoms%5B%5D=Pierre&prenoms%5B%5D=Paul"
              "&anneeDateNaissance=1990&sexeEtatCivil=M&codeCogInseePaysNaissance=99134");
}

TEST(Pivot, LeavesUnknownMonthAndDayOut) {
    EXPECT_NE(
        queryOf({"X", {"A"}, "1990-00-00", "M", "", "99134"}).find("anneeDateNaissance=1990&sexe"),
        std::string::npos);
    EXPECT_NE(queryOf({"X", {"A"}, "1990-04", "F", "", "99134"})
                  .find("anneeDateNaissance=1990&moisDateNaissance=4&sexe"),
              std::string::npos);
}

TEST(Pivot, LeavesTheCommuneOutForPeopleBornAbroad) {
    const std::string query = queryOf({"X", {"A"}, "1990-01-02", "female", "75056", "99131"});
    EXPECT_EQ(query.find("codeCogInseeCommuneNaissance"), std::string::npos) << query;
}

TEST(Pivot, AcceptsCorsicanCommunes) {
    EXPECT_NE(queryOf({"X", {"A"}, "1990-01-02", "male", "2A004", "99100"})
                  .find("codeCogInseeCommuneNaissance=2A004"),
              std::string::npos);
}

TEST(Pivot, NamesTheMissingOrMalformedPart) {
    const sdk::IdentityPivot good{"X", {"A"}, "1990-01-02", "male", "08480", "99100"};
    auto p = good;
    p.family_name = "  ";
    EXPECT_EQ(fieldOf(p), "subject.pivot.family_name");
    p = good;
    p.given_names = {" ", ""};
    EXPECT_EQ(fieldOf(p), "subject.pivot.given_names");
    for (const char* date : {"", "0000", "1990-13-01", "1990-02-30", "1990-00-12", "90-01-02",
                             "1990/01/02", "1990-01-02T00:00:00Z"}) {
        p = good;
        p.birth_date = date;
        EXPECT_EQ(fieldOf(p), "subject.pivot.birth_date") << date;
    }
    p = good;
    p.gender = "other";
    EXPECT_EQ(fieldOf(p), "subject.pivot.gender");
    p = good;
    p.birth_country = "FR";
    EXPECT_EQ(fieldOf(p), "subject.pivot.birth_country");
    p = good;
    p.birth_place = "";
    EXPECT_EQ(fieldOf(p), "subject.pivot.birth_place");
    p = good;
    p.birth_place = "Paris";
    EXPECT_EQ(fieldOf(p), "subject.pivot.birth_place");
    p = good;
    p.family_name = "X\nY";
    EXPECT_EQ(fieldOf(p), "subject.pivot.family_name");
}

TEST(Pivot, TheMessageNamesTheApiParameterToo) {
    apistration::Query query;
    auto added = addPivot({"X", {"A"}, "1990-01-02", "", "08480", "99100"}, query);
    ASSERT_FALSE(added);
    EXPECT_NE(added.error().message.find("subject.pivot.gender"), std::string::npos);
    EXPECT_NE(added.error().message.find("sexeEtatCivil"), std::string::npos);
}

}  // namespace
}  // namespace relais::plugins::api_particulier
