// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/sdk/status.h"

#include <array>

namespace relais::sdk {
namespace {

using enum Status;

constexpr std::array kAll = {Submitted,       Acknowledged,     InReview, AwaitingApplicant,
                             AwaitingPayment, Accepted,         Refused,  ClosedNoAction,
                             Withdrawn,       RejectedTechnical};

constexpr std::array<std::string_view, kAll.size()> kNames = {
    "submitted", "acknowledged", "in_review",        "awaiting_applicant", "awaiting_payment",
    "accepted",  "refused",      "closed_no_action", "withdrawn",          "rejected_technical"};

}  // namespace

std::string_view toString(Status status) noexcept {
    return kNames[static_cast<std::size_t>(status)];
}

std::optional<Status> parseStatus(std::string_view name) noexcept {
    for (std::size_t i = 0; i < kNames.size(); ++i) {
        if (kNames[i] == name) return kAll[i];
    }
    return std::nullopt;
}

std::span<const Status> allStatuses() noexcept { return kAll; }

bool isFinal(Status status) noexcept {
    switch (status) {
        case Accepted:
        case Refused:
        case ClosedNoAction:
        case Withdrawn:
        case RejectedTechnical:
            return true;
        default:
            return false;
    }
}

// The graph, written out edge by edge so that it reads like the documentation:
//   submitted → acknowledged → in_review ⇄ awaiting_applicant → accepted | refused |
//   closed_no_action; awaiting_payment on the way to a decision; the citizen may withdraw
//   while the dossier is open; a dossier the portal or relais could not process is
//   rejected_technical; every final state can be reopened to in_review.
bool canTransition(Status from, Status to) noexcept {
    if (from == to) return false;
    if (isFinal(from)) return to == InReview;
    switch (from) {
        case Submitted:
            return to == Acknowledged || to == InReview || to == AwaitingPayment ||
                   to == Withdrawn || to == RejectedTechnical || to == Refused;
        case Acknowledged:
            return to == InReview || to == AwaitingApplicant || to == AwaitingPayment ||
                   to == Withdrawn || to == RejectedTechnical || to == Refused;
        case InReview:
            return to == AwaitingApplicant || to == AwaitingPayment || to == Accepted ||
                   to == Refused || to == ClosedNoAction || to == Withdrawn;
        case AwaitingApplicant:
            return to == InReview || to == ClosedNoAction || to == Withdrawn || to == Refused;
        case AwaitingPayment:
            return to == InReview || to == Accepted || to == ClosedNoAction || to == Withdrawn;
        default:
            return false;
    }
}

}  // namespace relais::sdk
