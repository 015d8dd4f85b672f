// SPDX-License-Identifier: AGPL-3.0-or-later
// AttachmentFetcher with a recording HTTP client: what reaches the network, what is refused
// before it (the attachment-hosts allow-list), and what is stored.
#include "relais/pipeline/attachment_fetcher.h"

#include <mutex>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "relais/common/crypto.h"
#include "relais/common/errors.h"

#include "support/temp_dir.h"

namespace relais::pipeline {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kBytes = "%PDF-1.7 justificatif";  // NOLINT(cert-err58-cpp)

/// Answers 200 with `kBytes` and remembers every URL it was asked for.
class RecordingHttpClient final : public sdk::HttpClient {
public:
    sdk::Result<sdk::HttpResponse> send(const sdk::HttpRequest& request) override {
        const std::lock_guard lock(mutex_);
        urls_.push_back(request.url);
        sdk::HttpResponse response;
        response.status = 200;
        response.body = kBytes;
        return response;
    }
    std::vector<std::string> urls() const {
        const std::lock_guard lock(mutex_);
        return urls_;
    }

private:
    mutable std::mutex mutex_;  // guards urls_
    std::vector<std::string> urls_;
};

class AttachmentFetcherTest : public ::testing::Test {
protected:
    sdk::Result<void> fetch(const std::vector<std::string>& allowed_hosts,
                            const std::vector<std::string>& urls) {
        const AttachmentFetcher fetcher(http_, blobs_, 1024 * 1024, 5'000, allowed_hosts);
        dossier_.attachments.clear();
        for (const auto& url : urls) {
            sdk::Attachment attachment;
            attachment.name = "piece.pdf";
            attachment.source_url = url;
            dossier_.attachments.push_back(attachment);
        }
        return fetcher.fetchAll(dossier_, nullptr);
    }

    test::TempDir dir_;
    BlobStore blobs_{dir_.file("blobs")};
    RecordingHttpClient http_;
    sdk::Dossier dossier_;
};

TEST_F(AttachmentFetcherTest, DownloadsFromAListedHost) {
    const auto fetched = fetch({"portal.example.fr"}, {"https://portal.example.fr/files/1"});
    ASSERT_TRUE(fetched) << fetched.error().message;
    EXPECT_EQ(http_.urls(), std::vector<std::string>{"https://portal.example.fr/files/1"});
    EXPECT_EQ(dossier_.attachments[0].sha256, common::sha256Hex(kBytes));
    EXPECT_EQ(dossier_.attachments[0].storage_ref, "sha256:" + common::sha256Hex(kBytes));
}

TEST_F(AttachmentFetcherTest, RefusesAnUnlistedHostBeforeAnyConnection) {
    const auto fetched = fetch(
        {"portal.example.fr", "*.ged.example.fr"},
        {"https://portal.example.fr/files/1", "http://127.0.0.1:8080/admin?token=SECRET-TOKEN"});
    ASSERT_FALSE(fetched);
    EXPECT_EQ(fetched.error().code, sdk::ErrorCode::InvalidArgument);
    EXPECT_EQ(fetched.error().field, "attachments[1]");
    EXPECT_THAT(fetched.error().message,
                HasSubstr("attachments[1]: the host 127.0.0.1:8080 is not in "
                          "<delivery attachment-hosts>"));
    EXPECT_THAT(fetched.error().message, Not(HasSubstr("SECRET-TOKEN")));
    // The first attachment was fetched; the refused one never reached the client.
    EXPECT_EQ(http_.urls(), std::vector<std::string>{"https://portal.example.fr/files/1"});
}

TEST_F(AttachmentFetcherTest, RefusesUserInfoThatNamesAnotherHost) {
    const auto fetched = fetch({"allowed.fr"}, {"http://allowed.fr@evil/x"});
    ASSERT_FALSE(fetched);
    EXPECT_EQ(fetched.error().field, "attachments[0]");
    EXPECT_THAT(fetched.error().message, HasSubstr("user info"));
    EXPECT_TRUE(http_.urls().empty());
}

TEST_F(AttachmentFetcherTest, WithoutAListAnyHostButLinkLocal) {
    const auto fetched = fetch({}, {"http://127.0.0.1:8080/x", "https://portal.example.fr/y"});
    ASSERT_TRUE(fetched) << fetched.error().message;
    EXPECT_EQ(http_.urls().size(), 2U);

    const auto metadata = fetch({}, {"http://169.254.169.254/latest/meta-data/iam/"});
    ASSERT_FALSE(metadata);
    EXPECT_EQ(metadata.error().code, sdk::ErrorCode::InvalidArgument);
    EXPECT_EQ(metadata.error().field, "attachments[0]");
    EXPECT_THAT(metadata.error().message, HasSubstr("link-local"));
    EXPECT_EQ(http_.urls().size(), 2U);
}

TEST_F(AttachmentFetcherTest, ALinkLocalHostListedExplicitlyIsFetched) {
    const auto fetched = fetch({"169.254.10.20"}, {"http://169.254.10.20/x"});
    ASSERT_TRUE(fetched) << fetched.error().message;
    EXPECT_EQ(http_.urls().size(), 1U);
}

TEST_F(AttachmentFetcherTest, OtherSchemesAreStillRefusedFirst) {
    const auto fetched = fetch({"portal.example.fr"}, {"file:///etc/passwd"});
    ASSERT_FALSE(fetched);
    EXPECT_THAT(fetched.error().message, HasSubstr("only http and https"));
    EXPECT_TRUE(http_.urls().empty());
}

TEST_F(AttachmentFetcherTest, BadPatternFailsConstruction) {
    EXPECT_THROW(AttachmentFetcher(http_, blobs_, 1024, 5'000, {"portal.*.fr"}), ConfigError);
}

}  // namespace
}  // namespace relais::pipeline
