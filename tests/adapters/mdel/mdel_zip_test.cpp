// SPDX-License-Identifier: AGPL-3.0-or-later
// Reading delivery zips defensively: entry names, declared sizes, lying headers.

#include <string>

#include <gtest/gtest.h>

#include "delivery_zips.h"
#include "support/temp_dir.h"
#include "zip_reader.h"

namespace relais::adapters::mdel::test {
namespace {

using sdk::ErrorCode;

TEST(MdelZipEntryNames, OnlyRelativeNamesInsideTheZipAreSafe) {
    for (const char* safe : {"message.xml", "attachment/DIA_DDI.xml", "a..b.pdf",
                             "Liste des pieces jointes-1-2.pdf", "dossier/./x.pdf"}) {
        EXPECT_EQ(unsafeEntryName(safe), "") << safe;
    }
    for (const char* unsafe : {"../x.pdf", "a/../../x.pdf", "a/..", "/etc/passwd", "C:evil.pdf",
                               "a\\..\\x.pdf", "bad\nname.pdf", ""}) {
        EXPECT_NE(unsafeEntryName(unsafe), "") << unsafe;
    }
}

TEST(MdelZipReader, ReadsEntriesByNameAndStopsAtTheCap) {
    const relais::test::TempDir dir;
    const std::string path =
        dir.write("d.zip", zipOf({{"message.xml", "<m/>"}, {"big.pdf", std::string(5000, 'x')}}));
    auto zip = ZipReader::open(path, 1'000'000);
    ASSERT_TRUE(zip) << zip.error().message;
    ASSERT_EQ(zip->entries().size(), 2U);
    ASSERT_NE(zip->find("big.pdf"), nullptr);
    EXPECT_EQ(zip->find("big.pdf")->size, 5000U);
    auto small = zip->read("message.xml", 100);
    ASSERT_TRUE(small) << small.error().message;
    EXPECT_EQ(*small, "<m/>");
    auto capped = zip->read("big.pdf", 4999);
    ASSERT_FALSE(capped);
    EXPECT_EQ(capped.error().code, ErrorCode::TooLarge);
    auto absent = zip->read("other.pdf", 100);
    ASSERT_FALSE(absent);
    EXPECT_EQ(absent.error().code, ErrorCode::NotFound);
}

TEST(MdelZipReader, ACorruptedEntryFailsItsCheck) {
    const relais::test::TempDir dir;
    std::string bytes = rawZipOf({{"message.xml", "<m>hello</m>"}});
    auto intact = ZipReader::open(dir.write("intact.zip", bytes), 1'000'000);
    ASSERT_TRUE(intact) << intact.error().message;
    auto read_intact = intact->read("message.xml", 100);
    ASSERT_TRUE(read_intact) << read_intact.error().message;
    EXPECT_EQ(*read_intact, "<m>hello</m>");

    bytes[30 + 11 + 3] = 'X';  // inside the stored data, after the 30-byte header and the name
    const std::string path = dir.write("corrupt.zip", bytes);
    auto zip = ZipReader::open(path, 1'000'000);
    ASSERT_TRUE(zip) << zip.error().message;
    auto read = zip->read("message.xml", 100);
    ASSERT_FALSE(read);
    EXPECT_EQ(read.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(read.error().message.find("CRC"), std::string::npos) << read.error().message;
}

}  // namespace
}  // namespace relais::adapters::mdel::test
