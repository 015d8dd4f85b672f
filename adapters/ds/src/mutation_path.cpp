// SPDX-License-Identifier: AGPL-3.0-or-later
#include "mutation_path.h"

#include <array>
#include <utility>

#include "relais/sdk/text.h"

namespace relais::adapters::ds {
namespace {

using sdk::ErrorCode;
using sdk::Status;

struct StateName {
    DsState state;
    std::string_view name;     // the schema's enum value
    std::string_view display;  // DS's `dossier_display_state(lower: true)`
};

constexpr std::array<StateName, 5> kStates{{
    {DsState::EnConstruction, "en_construction", "en construction"},
    {DsState::EnInstruction, "en_instruction", "en instruction"},
    {DsState::Accepte, "accepte", "accepté"},
    {DsState::Refuse, "refuse", "refusé"},
    {DsState::SansSuite, "sans_suite", "classé sans suite"},
}};

constexpr std::string_view kAlreadyPrefix = "Le dossier est déjà ";

bool isDecided(DsState state) noexcept {
    return state == DsState::Accepte || state == DsState::Refuse || state == DsState::SansSuite;
}

// The decision that ends in a canonical final status, if it is one DS has.
std::optional<std::pair<Mutation, DsState>> decisionFor(Status target) noexcept {
    switch (target) {
        case Status::Accepted:
            return std::pair{Mutation::Accepter, DsState::Accepte};
        case Status::Refused:
            return std::pair{Mutation::Refuser, DsState::Refuse};
        case Status::ClosedNoAction:
            return std::pair{Mutation::ClasserSansSuite, DsState::SansSuite};
        default:
            return std::nullopt;
    }
}

MutationPath nothing(DsState current, std::string note) {
    return MutationPath{{}, current, std::move(note)};
}

MutationPath already(DsState current) {
    return nothing(current, "already " + std::string(toString(current)));
}

// The steps that bring `current` to en_instruction (none when it is there).
std::vector<Mutation> toInstruction(DsState current) {
    if (current == DsState::EnConstruction) return {Mutation::PasserEnInstruction};
    if (isDecided(current)) return {Mutation::RepasserEnInstruction};
    return {};
}

sdk::Error noDsState(Status target, DsState current, std::string_view why) {
    return sdk::fail(ErrorCode::Permanent, "DS cannot show '" + std::string(sdk::toString(target)) +
                                               "' on a dossier " + std::string(toString(current)) +
                                               ": " + std::string(why));
}

}  // namespace

std::string_view toString(DsState state) noexcept {
    for (const auto& entry : kStates) {
        if (entry.state == state) return entry.name;
    }
    return {};
}

std::optional<DsState> parseDsState(std::string_view name) noexcept {
    for (const auto& entry : kStates) {
        if (entry.name == name) return entry.state;
    }
    return std::nullopt;
}

std::optional<DsState> alreadyInState(std::string_view message) noexcept {
    if (message.substr(0, kAlreadyPrefix.size()) != kAlreadyPrefix) return std::nullopt;
    const std::string_view rest = message.substr(kAlreadyPrefix.size());
    for (const auto& entry : kStates) {
        if (entry.display == rest) return entry.state;
    }
    return std::nullopt;
}

std::string_view mutationField(Mutation mutation) noexcept {
    switch (mutation) {
        case Mutation::PasserEnInstruction:
            return "dossierPasserEnInstruction";
        case Mutation::RepasserEnInstruction:
            return "dossierRepasserEnInstruction";
        case Mutation::Accepter:
            return "dossierAccepter";
        case Mutation::Refuser:
            return "dossierRefuser";
        case Mutation::ClasserSansSuite:
            return "dossierClasserSansSuite";
        case Mutation::DemanderCorrection:
            return "dossierEnvoyerMessage";
    }
    return {};
}

DsState stateAfter(Mutation mutation) noexcept {
    switch (mutation) {
        case Mutation::PasserEnInstruction:
        case Mutation::RepasserEnInstruction:
            return DsState::EnInstruction;
        case Mutation::Accepter:
            return DsState::Accepte;
        case Mutation::Refuser:
            return DsState::Refuse;
        case Mutation::ClasserSansSuite:
            return DsState::SansSuite;
        case Mutation::DemanderCorrection:
            return DsState::EnConstruction;
    }
    return DsState::EnConstruction;
}

std::optional<std::string> nothingToSend(Status target) {
    if (target != Status::Acknowledged && target != Status::AwaitingPayment) return std::nullopt;
    return "not sent: DS has no state for '" + std::string(sdk::toString(target)) + "'";
}

sdk::Result<void> checkMotivation(Status target, std::string_view motivation) {
    if ((target == Status::Refused || target == Status::ClosedNoAction) &&
        sdk::text::trim(motivation).empty()) {
        return sdk::fail(ErrorCode::InvalidArgument,
                         "message: DS requires a motivation to make a dossier '" +
                             std::string(sdk::toString(target)) +
                             "'; the event's payload.message is missing or blank",
                         "message");
    }
    return sdk::ok();
}

sdk::Result<MutationPath> mutationPath(DsState current, Status target,
                                       std::string_view motivation) {
    if (auto checked = checkMotivation(target, motivation); !checked) {
        return std::move(checked).error();
    }
    if (const auto decision = decisionFor(target)) {
        const auto [mutation, state] = *decision;
        if (current == state) return already(current);
        std::vector<Mutation> steps = toInstruction(current);
        steps.push_back(mutation);
        return MutationPath{std::move(steps), state, {}};
    }
    switch (target) {
        case Status::InReview:
            if (current == DsState::EnInstruction) return already(current);
            return MutationPath{toInstruction(current), DsState::EnInstruction, {}};
        case Status::AwaitingApplicant: {
            std::vector<Mutation> steps;
            if (isDecided(current)) steps.push_back(Mutation::RepasserEnInstruction);
            steps.push_back(Mutation::DemanderCorrection);
            return MutationPath{std::move(steps), DsState::EnConstruction, {}};
        }
        case Status::Acknowledged:
        case Status::AwaitingPayment:
            return nothing(current, *nothingToSend(target));
        case Status::Submitted:
            if (current == DsState::EnConstruction) return already(current);
            return noDsState(target, current,
                             "relais does not send a dossier back to the applicant without a "
                             "message (push 'awaiting_applicant' with one)");
        case Status::Withdrawn:
            if (current == DsState::SansSuite) return already(current);
            return noDsState(target, current,
                             "on DS only the applicant withdraws a dossier; an instructeur "
                             "records it as 'closed_no_action' with a motivation");
        case Status::RejectedTechnical:
            return noDsState(target, current, "DS has no state for a technical rejection");
        default:
            break;
    }
    return sdk::fail(ErrorCode::Internal,
                     "no DS path for status '" + std::string(sdk::toString(target)) + "'");
}

}  // namespace relais::adapters::ds
