// SPDX-License-Identifier: AGPL-3.0-or-later
#include "store_fixture.h"

#include <chrono>

#include <gtest/gtest.h>

#include "store/sqlite_migrations.h"

namespace relais::store::test {

Probe::Probe(const std::string& path) {
    const int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr);
    if (rc != SQLITE_OK) {
        ADD_FAILURE() << "cannot open " << path << ": " << sqlite3_errstr(rc);
    }
    sqlite3_busy_timeout(db_, 5000);
}

Probe::~Probe() { sqlite3_close(db_); }

std::string Probe::text(const std::string& sql) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
        ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
        return {};
    }
    std::string value;
    const int rc = sqlite3_step(statement);
    if (rc == SQLITE_ROW) {
        const unsigned char* column = sqlite3_column_text(statement, 0);
        if (column != nullptr) value = reinterpret_cast<const char*>(column);
    } else if (rc != SQLITE_DONE) {
        ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
    }
    sqlite3_finalize(statement);
    return value;
}

std::int64_t Probe::integer(const std::string& sql) {
    const std::string value = text(sql);
    return value.empty() ? 0 : std::stoll(value);
}

void tamper(const std::string& path, const std::string& sql) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
        ADD_FAILURE() << "cannot open " << path << " for writing: " << sqlite3_errmsg(db);
        sqlite3_close(db);
        return;
    }
    sqlite3_busy_timeout(db, 5000);
    char* message = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
        ADD_FAILURE() << sql << ": " << (message != nullptr ? message : "error");
    }
    sqlite3_free(message);
    sqlite3_close(db);
}

config::StoreConfig storeConfig(const relais::test::TempDir& dir) {
    config::StoreConfig config;
    config.engine = "sqlite";
    config.path = dir.file("var/db/relais.db");
    config.read_connections = 4;
    config.max_batch = 512;
    return config;
}

IngestRequest sampleRequest(const std::string& source_key, int jobs) {
    IngestRequest request;
    sdk::Dossier& dossier = request.dossier;
    dossier.source = "portal-json";
    dossier.source_key = source_key;
    dossier.procedure = "cantine-inscription";
    dossier.submitted_at = sdk::Timestamp::parse("2026-11-14T10:30:00.250+01:00").value();
    dossier.fields =
        sdk::Json::parse(
            R"({"famille":{"nom":"Martin"},"enfants":[{"prenom":"Léa","classe":"CE1"}],)"
            R"("quotient":612.5,"regime":null,"allergies":true})")
            .value();
    dossier.portal_status = "new";
    sdk::Subject subject;
    subject.france_connect_sub = "fc-" + source_key;
    subject.pivot.family_name = "MARTIN";
    subject.pivot.given_names = {"Camille", "Marie"};
    subject.pivot.birth_date = "1988-02-29";
    subject.pivot.gender = "female";
    subject.pivot.birth_place = "75056";
    subject.pivot.birth_country = "99100";
    dossier.subject = subject;
    sdk::Attachment attachment;
    attachment.name = "justificatif.pdf";
    attachment.content_type = "application/pdf";
    attachment.size = 1234;
    attachment.sha256 = std::string(64, 'a');
    attachment.storage_ref = "sha256:" + std::string(64, 'a');
    attachment.source_url = "https://portal.example/files/1";
    attachment.kind = "justificatif_domicile";
    dossier.attachments.push_back(attachment);
    request.raw_body = R"({"id":")" + source_key + R"(","nom":"Martin"})";
    request.raw_content_type = "application/json";
    for (int i = 0; i < jobs; ++i) {
        NewJob job;
        job.route = "cantine->filedrop-" + std::to_string(i);
        job.target = "filedrop-" + std::to_string(i);
        request.jobs.push_back(job);
    }
    return request;
}

std::int64_t nowMicros() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

int latestVersion() { return sqliteMigrations().back().version; }

}  // namespace relais::store::test
