// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/sdk/status_report.h"

#include <gtest/gtest.h>

namespace relais::sdk {
namespace {

const Timestamp kNow = Timestamp::fromUnixSeconds(1'794'614'400);

std::vector<StatusCode> table() {
    auto parsed = parseStatusTable({"ACC:accepted:Accordé", " REF : refused ", "", "INS:in_review"},
                                   "status-table");
    EXPECT_TRUE(parsed) << parsed.error().message;
    return parsed ? *parsed : std::vector<StatusCode>{};
}

TEST(StatusTable, ReadsCodesStatusesAndLabels) {
    const auto codes = table();
    ASSERT_EQ(codes.size(), 3U);
    EXPECT_EQ(codes[0].code, "ACC");
    EXPECT_EQ(codes[0].status, Status::Accepted);
    EXPECT_EQ(codes[0].label, "Accordé");
    EXPECT_EQ(codes[1].code, "REF");
    EXPECT_EQ(codes[1].status, Status::Refused);
    EXPECT_EQ(codes[1].label, "");
}

TEST(StatusTable, RefusesMalformedEntriesNamingThem) {
    const std::vector<std::vector<std::string>> bad_tables = {
        {"ACC"}, {":accepted"}, {"ACC:acceptee"}, {"A:accepted", "A:refused"}};
    for (const auto& entries : bad_tables) {
        auto parsed = parseStatusTable(entries, "status-table");
        ASSERT_FALSE(parsed) << entries.front();
        EXPECT_EQ(parsed.error().field, "status-table");
        EXPECT_EQ(parsed.error().code, ErrorCode::InvalidArgument);
    }
}

TEST(StatusReportEvent, MapsTheApplicationsCodeToACanonicalPublicStatusChange) {
    StatusReport report;
    report.business_id = "BO-42";
    report.code = "ACC";
    report.message = "Votre inscription est acceptée.";
    report.occurred_at = "2026-12-01T09:00:00+01:00";
    report.version = "3";
    auto event = statusReportEvent(report, table(), kNow, "appli");
    ASSERT_TRUE(event) << event.error().message;
    EXPECT_EQ(event->business_id, "BO-42");
    EXPECT_TRUE(event->dossier_id.empty());
    EXPECT_EQ(event->event.type, "status_changed");
    EXPECT_EQ(event->event.side, EventSide::Backoffice);
    EXPECT_TRUE(event->event.is_public);
    EXPECT_EQ(event->event.actor, "appli");
    EXPECT_EQ(event->event.source_version, "3");
    EXPECT_EQ(event->event.occurred_at.toString(), "2026-12-01T09:00:00+01:00");
    EXPECT_EQ(event->event.payload.find("status")->asString(), "accepted");
    EXPECT_EQ(event->event.payload.path("sub_status.code")->asString(), "ACC");
    EXPECT_EQ(event->event.payload.path("sub_status.label")->asString(), "Accordé");
    EXPECT_EQ(event->event.payload.find("message")->asString(), "Votre inscription est acceptée.");
}

TEST(StatusReportEvent, DerivesAStableEventKeyThatChangesWithTheReport) {
    StatusReport report;
    report.business_id = "BO-42";
    report.code = "INS";
    report.version = "1";
    const auto first = statusReportEvent(report, table(), kNow, "a");
    const auto again = statusReportEvent(report, table(), kNow, "a");
    ASSERT_TRUE(first && again);
    EXPECT_EQ(first->event.source_event_key, again->event.source_event_key);
    EXPECT_EQ(first->event.source_event_key.rfind("status:", 0), 0U);
    report.version = "2";
    const auto next = statusReportEvent(report, table(), kNow, "a");
    ASSERT_TRUE(next);
    EXPECT_NE(next->event.source_event_key, first->event.source_event_key);
    report.event_key = "decision-7";
    EXPECT_EQ(statusReportEvent(report, table(), kNow, "a")->event.source_event_key, "decision-7");
}

TEST(StatusReportEvent, WithoutATableTakesCanonicalNamesAndTheTimeOfReading) {
    StatusReport report;
    report.business_id = "7";
    report.code = "refused";
    report.sub_label = "Refusé";
    auto event = statusReportEvent(report, {}, kNow, "a");
    ASSERT_TRUE(event) << event.error().message;
    EXPECT_EQ(event->event.payload.find("status")->asString(), "refused");
    EXPECT_EQ(event->event.payload.path("sub_status.label")->asString(), "Refusé");
    EXPECT_EQ(event->event.occurred_at, kNow);
    EXPECT_EQ(event->event.payload.find("message"), nullptr);
}

TEST(StatusReportEvent, RefusesAnUnknownCodeClearly) {
    StatusReport report;
    report.business_id = "BO-42";
    report.code = "XYZ";
    auto event = statusReportEvent(report, table(), kNow, "a");
    ASSERT_FALSE(event);
    EXPECT_EQ(event.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(event.error().message.find("status code 'XYZ' is not in the status table"),
              std::string::npos)
        << event.error().message;
    EXPECT_NE(event.error().message.find("BO-42"), std::string::npos);
    report.code = "XYZ";
    EXPECT_FALSE(statusReportEvent(report, {}, kNow, "a"));
}

TEST(StatusReportEvent, RefusesAMissingBusinessIdOrABadTime) {
    StatusReport report;
    report.code = "ACC";
    EXPECT_FALSE(statusReportEvent(report, table(), kNow, "a"));
    report.business_id = "BO\n42";
    EXPECT_FALSE(statusReportEvent(report, table(), kNow, "a"));
    report.business_id = "BO-42";
    report.occurred_at = "hier";
    auto event = statusReportEvent(report, table(), kNow, "a");
    ASSERT_FALSE(event);
    EXPECT_EQ(event.error().field, "occurred_at");
}

TEST(ReadStatusReport, TakesStringsAndIntegersAtTheirPaths) {
    auto item = Json::parse(R"({"dossier": {"ref": 42}, "etat": "ACC", "rev": 3,)"
                            R"( "motif": null, "tags": ["a"], "date": "2026-12-01T09:00:00Z"})");
    ASSERT_TRUE(item);
    StatusReportPaths paths;
    paths.business_id = "dossier.ref";
    paths.code = "etat";
    paths.version = "rev";
    paths.message = "motif";
    paths.sub_label = "tags";
    paths.occurred_at = "date";
    const StatusReport report = readStatusReport(*item, paths);
    EXPECT_EQ(report.business_id, "42");
    EXPECT_EQ(report.code, "ACC");
    EXPECT_EQ(report.version, "3");
    EXPECT_EQ(report.message, "");
    EXPECT_EQ(report.sub_label, "");
    EXPECT_EQ(report.occurred_at, "2026-12-01T09:00:00Z");
    EXPECT_EQ(report.event_key, "");
}

}  // namespace
}  // namespace relais::sdk
