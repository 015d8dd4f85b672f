// SPDX-License-Identifier: AGPL-3.0-or-later
#include "ds_state_machine.h"

#include <array>
#include <utility>

namespace relais::ds_mock {
namespace {

// config/locales/models/dossier/fr.yml, `dossier/state`.
constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kDisplay = {{
    {"en_construction", "En construction"},
    {"en_instruction", "En instruction"},
    {"accepte", "Accepté"},
    {"refuse", "Refusé"},
    {"sans_suite", "Classé sans suite"},
}};

bool terminal(std::string_view state) {
    return state == "accepte" || state == "refuse" || state == "sans_suite";
}

// Only the first letter is ever upper case in these labels, and it is ASCII.
std::string lowerFirst(std::string_view text) {
    std::string out(text);
    if (!out.empty() && out[0] >= 'A' && out[0] <= 'Z') out[0] = static_cast<char>(out[0] + 32);
    return out;
}

}  // namespace

std::optional<Decision> decisionOfMutation(std::string_view mutation) {
    if (mutation == "dossierPasserEnInstruction") return Decision::PasserEnInstruction;
    if (mutation == "dossierAccepter") return Decision::Accepter;
    if (mutation == "dossierRefuser") return Decision::Refuser;
    if (mutation == "dossierClasserSansSuite") return Decision::ClasserSansSuite;
    if (mutation == "dossierRepasserEnInstruction") return Decision::RepasserEnInstruction;
    if (mutation == "dossierRepasserEnConstruction") return Decision::RepasserEnConstruction;
    return std::nullopt;
}

std::string targetState(Decision decision) {
    switch (decision) {
        case Decision::PasserEnInstruction:
        case Decision::RepasserEnInstruction:
            return "en_instruction";
        case Decision::Accepter:
            return "accepte";
        case Decision::Refuser:
            return "refuse";
        case Decision::ClasserSansSuite:
            return "sans_suite";
        case Decision::RepasserEnConstruction:
            return "en_construction";
    }
    return {};
}

std::string traitementEvent(Decision decision) {
    switch (decision) {
        case Decision::PasserEnInstruction:
            return "passe_en_instruction";
        case Decision::RepasserEnInstruction:
            return "repasse_en_instruction";
        case Decision::Accepter:
            return "accepte";
        case Decision::Refuser:
            return "refuse";
        case Decision::ClasserSansSuite:
            return "classe_sans_suite";
        case Decision::RepasserEnConstruction:
            return "repasse_en_construction";
    }
    return {};
}

std::string refusal(Decision decision, std::string_view state, bool pending_correction) {
    bool allowed = false;
    switch (decision) {
        case Decision::PasserEnInstruction:
            if (state == "en_construction" && pending_correction) {
                return "Le dossier est en attente de correction";
            }
            allowed = state == "en_construction";
            break;
        case Decision::Accepter:
        case Decision::Refuser:
        case Decision::ClasserSansSuite:
        case Decision::RepasserEnConstruction:
            allowed = state == "en_instruction";
            break;
        case Decision::RepasserEnInstruction:
            allowed = terminal(state);
            break;
    }
    if (allowed) return {};
    return "Le dossier est déjà " + displayState(state, true);
}

std::string displayState(std::string_view state, bool lower) {
    for (const auto& [key, label] : kDisplay) {
        if (key == state) return lower ? lowerFirst(label) : std::string(label);
    }
    return std::string(state);
}

bool knownState(std::string_view state) {
    for (const auto& entry : kDisplay) {
        if (entry.first == state) return true;
    }
    return false;
}

}  // namespace relais::ds_mock
