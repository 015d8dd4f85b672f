// SPDX-License-Identifier: AGPL-3.0-or-later
#include "mutation_path.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace relais::adapters::ds {
namespace {

using sdk::ErrorCode;
using sdk::Status;

constexpr DsState kC = DsState::EnConstruction;
constexpr DsState kI = DsState::EnInstruction;
constexpr DsState kA = DsState::Accepte;
constexpr DsState kR = DsState::Refuse;
constexpr DsState kS = DsState::SansSuite;

constexpr Mutation kPasser = Mutation::PasserEnInstruction;
constexpr Mutation kRepasser = Mutation::RepasserEnInstruction;
constexpr Mutation kAccepter = Mutation::Accepter;
constexpr Mutation kRefuser = Mutation::Refuser;
constexpr Mutation kClasser = Mutation::ClasserSansSuite;
constexpr Mutation kCorriger = Mutation::DemanderCorrection;

// One row of the table: from a DS state to a canonical status, the mutations expected and
// the DS state at the end, or the error code when DS cannot show that status.
struct Row {
    DsState from;
    Status target;
    std::vector<Mutation> mutations;
    DsState end;
    std::optional<ErrorCode> error;
};

std::string describe(const Row& row) {
    return std::string(toString(row.from)) + " -> " + std::string(sdk::toString(row.target));
}

// Every DS state crossed with every canonical status.
std::vector<Row> table() {
    const auto permanent = std::optional<ErrorCode>(ErrorCode::Permanent);
    std::vector<Row> rows;
    for (const DsState from : {kC, kI, kA, kR, kS}) {
        const bool decided = from == kA || from == kR || from == kS;
        const std::vector<Mutation> to_instruction = from == kC ? std::vector{kPasser}
                                                     : decided  ? std::vector{kRepasser}
                                                                : std::vector<Mutation>{};
        const auto decide = [&](DsState state, Mutation mutation) {
            if (from == state) return std::vector<Mutation>{};
            auto steps = to_instruction;
            steps.push_back(mutation);
            return steps;
        };
        rows.push_back({from, Status::Submitted, {}, from, from == kC ? std::nullopt : permanent});
        rows.push_back({from, Status::Acknowledged, {}, from, std::nullopt});
        rows.push_back({from, Status::InReview, to_instruction, kI, std::nullopt});
        rows.push_back({from, Status::AwaitingApplicant,
                        decided ? std::vector{kRepasser, kCorriger} : std::vector{kCorriger}, kC,
                        std::nullopt});
        rows.push_back({from, Status::AwaitingPayment, {}, from, std::nullopt});
        rows.push_back({from, Status::Accepted, decide(kA, kAccepter), kA, std::nullopt});
        rows.push_back({from, Status::Refused, decide(kR, kRefuser), kR, std::nullopt});
        rows.push_back({from, Status::ClosedNoAction, decide(kS, kClasser), kS, std::nullopt});
        rows.push_back({from, Status::Withdrawn, {}, from, from == kS ? std::nullopt : permanent});
        rows.push_back({from, Status::RejectedTechnical, {}, from, permanent});
    }
    return rows;
}

TEST(DsMutationPathTest, EveryStateAndStatusPairGivesItsPath) {
    const auto rows = table();
    ASSERT_EQ(rows.size(), 5U * sdk::allStatuses().size());
    for (const Row& row : rows) {
        auto path = mutationPath(row.from, row.target, "Motivation de la décision");
        if (row.error) {
            ASSERT_FALSE(path.ok()) << describe(row);
            EXPECT_EQ(path.error().code, *row.error) << describe(row);
            continue;
        }
        ASSERT_TRUE(path.ok()) << describe(row) << ": " << path.error().message;
        EXPECT_EQ(path->mutations, row.mutations) << describe(row);
        EXPECT_EQ(path->end_state, row.end) << describe(row);
        EXPECT_EQ(path->mutations.empty(), !path->note.empty()) << describe(row);
    }
}

TEST(DsMutationPathTest, SpelledOutDecisionPaths) {
    auto accept = mutationPath(kC, Status::Accepted, "");
    ASSERT_TRUE(accept.ok());
    EXPECT_EQ(accept->mutations, (std::vector{kPasser, kAccepter}));
    auto change = mutationPath(kR, Status::Accepted, "");
    ASSERT_TRUE(change.ok());
    EXPECT_EQ(change->mutations, (std::vector{kRepasser, kAccepter}));
    auto reopen = mutationPath(kS, Status::InReview, "");
    ASSERT_TRUE(reopen.ok());
    EXPECT_EQ(reopen->mutations, (std::vector{kRepasser}));
    auto there = mutationPath(kA, Status::Accepted, "");
    ASSERT_TRUE(there.ok());
    EXPECT_TRUE(there->mutations.empty());
    EXPECT_EQ(there->note, "already accepte");
}

TEST(DsMutationPathTest, RefusalAndClosingWithoutMotivationNameTheMessageField) {
    for (const Status target : {Status::Refused, Status::ClosedNoAction}) {
        for (const char* motivation : {"", "  \n\t "}) {
            for (const DsState from : {kC, kI, kA, kR, kS}) {
                auto path = mutationPath(from, target, motivation);
                ASSERT_FALSE(path.ok());
                EXPECT_EQ(path.error().code, ErrorCode::InvalidArgument);
                EXPECT_EQ(path.error().field, "message");
            }
            EXPECT_FALSE(checkMotivation(target, motivation).ok());
        }
    }
}

TEST(DsMutationPathTest, AcceptanceNeedsNoMotivation) {
    EXPECT_TRUE(checkMotivation(Status::Accepted, "").ok());
    auto path = mutationPath(kI, Status::Accepted, "");
    ASSERT_TRUE(path.ok());
    EXPECT_EQ(path->mutations, (std::vector{kAccepter}));
}

TEST(DsMutationPathTest, ReadsDsAlreadyAnswersExactly) {
    EXPECT_EQ(alreadyInState("Le dossier est déjà en construction"), kC);
    EXPECT_EQ(alreadyInState("Le dossier est déjà en instruction"), kI);
    EXPECT_EQ(alreadyInState("Le dossier est déjà accepté"), kA);
    EXPECT_EQ(alreadyInState("Le dossier est déjà refusé"), kR);
    EXPECT_EQ(alreadyInState("Le dossier est déjà classé sans suite"), kS);
    EXPECT_EQ(alreadyInState("Le dossier est en attente de correction"), std::nullopt);
    EXPECT_EQ(alreadyInState("Le dossier est déjà archivé"), std::nullopt);
    EXPECT_EQ(alreadyInState("Le dossier est déjà accepté."), std::nullopt);
    EXPECT_EQ(alreadyInState("Le jeton utilisé est configuré seulement en lecture"), std::nullopt);
}

TEST(DsMutationPathTest, StateNamesRoundTripAndMutationsNameTheirFields) {
    for (const DsState state : {kC, kI, kA, kR, kS}) {
        EXPECT_EQ(parseDsState(toString(state)), state);
    }
    EXPECT_EQ(parseDsState("brouillon"), std::nullopt);
    EXPECT_EQ(mutationField(kPasser), "dossierPasserEnInstruction");
    EXPECT_EQ(mutationField(kRepasser), "dossierRepasserEnInstruction");
    EXPECT_EQ(mutationField(kAccepter), "dossierAccepter");
    EXPECT_EQ(mutationField(kRefuser), "dossierRefuser");
    EXPECT_EQ(mutationField(kClasser), "dossierClasserSansSuite");
    EXPECT_EQ(mutationField(kCorriger), "dossierEnvoyerMessage");
    EXPECT_EQ(stateAfter(kCorriger), kC);
    EXPECT_EQ(stateAfter(kRepasser), kI);
}

}  // namespace
}  // namespace relais::adapters::ds
