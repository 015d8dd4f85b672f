// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/pipeline/blob_store.h"

#include <gtest/gtest.h>

#include "relais/common/crypto.h"

#include "support/temp_dir.h"

namespace relais::pipeline {
namespace {

TEST(BlobStore, StoresContentUnderItsHashOnce) {
    test::TempDir dir;
    BlobStore blobs(dir.file("blobs"));
    auto first = blobs.put("%PDF-1.7 justificatif");
    ASSERT_TRUE(first) << first.error().message;
    EXPECT_EQ(first->sha256, common::sha256Hex("%PDF-1.7 justificatif"));
    EXPECT_EQ(first->ref, "sha256:" + first->sha256);
    EXPECT_EQ(first->size, 21);
    EXPECT_EQ(first->path, dir.file("blobs/" + first->sha256.substr(0, 2) + "/" + first->sha256));
    EXPECT_EQ(test::readFileOrFail(first->path), "%PDF-1.7 justificatif");
    auto again = blobs.put("%PDF-1.7 justificatif");
    ASSERT_TRUE(again);
    EXPECT_EQ(again->path, first->path);
    EXPECT_EQ(blobs.pathOf(first->ref), first->path);
}

TEST(BlobStore, ResolvesOnlyItsOwnReferences) {
    test::TempDir dir;
    BlobStore blobs(dir.file("blobs"));
    EXPECT_FALSE(blobs.pathOf("urn:ged:rennes:pj:1").has_value());
    EXPECT_FALSE(blobs.pathOf("sha256:../../etc/passwd").has_value());
    EXPECT_FALSE(blobs.pathOf("sha256:" + std::string(64, 'a')).has_value());  // not stored
    EXPECT_FALSE(blobs.pathOf("sha256:" + std::string(64, 'A')).has_value());  // not our form
}

}  // namespace
}  // namespace relais::pipeline
