// SPDX-License-Identifier: AGPL-3.0-or-later
// Attribute encryption at rest: key files, sealing, opening, rotation, known answers.
#include "relais/subjects/attribute_key_ring.h"

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "relais/common/crypto.h"
#include "relais/common/errors.h"

#include "support/temp_dir.h"

namespace relais::subjects {
namespace {

using common::base64Encode;
using common::fromHex;
using common::toHex;

using sdk::ErrorCode;
using test::TempDir;

constexpr std::string_view kKeyHex1 =
    "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20";
constexpr std::string_view kKeyBase64 = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";
constexpr std::string_view kKeyHex2 =
    "f0e1d2c3b4a5968778695a4b3c2d1e0f00112233445566778899aabbccddeeff";

// Writes a key file with `mode` (private by default) and returns its path.
std::string writeKey(const TempDir& dir, const std::string& name, std::string_view content,
                     mode_t mode = 0600) {
    std::string path = dir.write(name, content);
    if (::chmod(path.c_str(), mode) != 0) throw std::runtime_error("chmod failed for " + path);
    return path;
}

// The ConfigError message `KeyRing::load` throws, or "" when it loads.
std::string loadError(const std::vector<KeySpec>& keys, const std::string& current) {
    try {
        (void)KeyRing::load(keys, current);
    } catch (const ConfigError& error) {
        return error.message();
    }
    return {};
}

class SealerTest : public ::testing::Test {
protected:
    KeyRing ringWith(const std::string& current) const {
        return KeyRing::load({{"k1", writeKey(dir_, "k1.key", std::string(kKeyHex1) + "\n")},
                              {"k2", writeKey(dir_, "k2.key", kKeyHex2)}},
                             current);
    }

    TempDir dir_;
};

TEST_F(SealerTest, RoundTrips) {
    const KeyRing ring = ringWith("k1");
    const std::string aad = attributeAad("subject-1", "revenu_fiscal");
    for (const std::string& plaintext :
         {std::string("27 340"), std::string(), std::string(1000, 'x'), std::string("a\0b", 3)}) {
        const Sealed sealed = ring.seal(plaintext, aad);
        EXPECT_EQ(sealed.key_id, "k1");
        ASSERT_EQ(sealed.bytes.size(), plaintext.size() + 29);
        EXPECT_EQ(sealed.bytes[0], '\x01');
        const auto opened = ring.open(sealed.key_id, sealed.bytes, aad);
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        EXPECT_EQ(opened.value(), plaintext);
    }
}

TEST_F(SealerTest, RoundTripsWithAnEmptyAad) {
    const KeyRing ring = ringWith("k2");
    const Sealed sealed = ring.seal("value", "");
    const auto opened = ring.open("k2", sealed.bytes, "");
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    EXPECT_EQ(opened.value(), "value");
    EXPECT_FALSE(ring.open("k2", sealed.bytes, "x").ok());
}

TEST_F(SealerTest, UsesAFreshIvForEverySeal) {
    const KeyRing ring = ringWith("k1");
    const Sealed a = ring.seal("same", "aad");
    const Sealed b = ring.seal("same", "aad");
    EXPECT_NE(a.bytes.substr(1, 12), b.bytes.substr(1, 12));
    EXPECT_NE(a.bytes, b.bytes);
    EXPECT_EQ(a.bytes.find("same"), std::string::npos);
}

TEST_F(SealerTest, RefusesAnotherAad) {
    const KeyRing ring = ringWith("k1");
    const Sealed sealed = ring.seal("1 rue de la Paix", attributeAad("s1", "adresse"));
    for (const std::string& aad :
         {attributeAad("s2", "adresse"), attributeAad("s1", "adresse_postale"), std::string(),
          std::string("s1adresse")}) {
        const auto opened = ring.open("k1", sealed.bytes, aad);
        ASSERT_FALSE(opened.ok());
        EXPECT_EQ(opened.error().code, ErrorCode::Internal);
        EXPECT_NE(opened.error().message.find("integrity check failed"), std::string::npos);
    }
}

TEST_F(SealerTest, RefusesEveryFlippedByte) {
    const KeyRing ring = ringWith("k1");
    const Sealed sealed = ring.seal("secret value", "aad");
    for (std::size_t i = 0; i < sealed.bytes.size(); ++i) {
        std::string altered = sealed.bytes;
        altered[i] = static_cast<char>(altered[i] ^ 0x01);
        const auto opened = ring.open("k1", altered, "aad");
        ASSERT_FALSE(opened.ok()) << "byte " << i;
        // The version byte is checked first; everything else is covered by the tag.
        EXPECT_EQ(opened.error().code, i == 0 ? ErrorCode::InvalidArgument : ErrorCode::Internal)
            << "byte " << i;
    }
    // The contexts that saw those failures are reused: the intact value still opens.
    EXPECT_EQ(ring.open("k1", sealed.bytes, "aad").valueOr(""), "secret value");
}

TEST_F(SealerTest, RefusesTruncatedValues) {
    const KeyRing ring = ringWith("k1");
    const Sealed sealed = ring.seal("secret value", "aad");
    for (std::size_t size = 0; size < 29; ++size) {
        const auto opened = ring.open("k1", sealed.bytes.substr(0, size), "aad");
        ASSERT_FALSE(opened.ok());
        EXPECT_EQ(opened.error().code, ErrorCode::InvalidArgument) << size;
    }
    for (std::size_t size = 29; size < sealed.bytes.size(); ++size) {
        const auto opened = ring.open("k1", sealed.bytes.substr(0, size), "aad");
        ASSERT_FALSE(opened.ok());
        EXPECT_EQ(opened.error().code, ErrorCode::Internal) << size;
    }
    const auto extended = ring.open("k1", sealed.bytes + "x", "aad");
    EXPECT_FALSE(extended.ok());
}

TEST_F(SealerTest, RefusesAnUnknownVersion) {
    const KeyRing ring = ringWith("k1");
    std::string sealed = ring.seal("value", "aad").bytes;
    sealed[0] = '\x02';
    const auto opened = ring.open("k1", sealed, "aad");
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.error().code, ErrorCode::InvalidArgument);
    EXPECT_EQ(opened.error().message, "sealed value: unknown format version 2");
}

TEST_F(SealerTest, RefusesAnUnknownKeyId) {
    const KeyRing ring = ringWith("k1");
    const Sealed sealed = ring.seal("value", "aad");
    const auto opened = ring.open("k0", sealed.bytes, "aad");
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.error().code, ErrorCode::NotFound);
    EXPECT_EQ(opened.error().field, "key_id");
    EXPECT_EQ(opened.error().message, "sealed value: no key 'k0' in the key ring");
}

TEST_F(SealerTest, RefusesTheWrongKey) {
    const KeyRing ring = ringWith("k1");
    const Sealed sealed = ring.seal("value", "aad");
    const auto opened = ring.open("k2", sealed.bytes, "aad");
    ASSERT_FALSE(opened.ok());
    EXPECT_EQ(opened.error().code, ErrorCode::Internal);
}

TEST_F(SealerTest, OldValuesStillOpenAfterRotation) {
    const KeyRing before = ringWith("k1");
    const Sealed old_value = before.seal("old", "aad");
    EXPECT_EQ(old_value.key_id, "k1");

    const KeyRing after = ringWith("k2");
    EXPECT_EQ(after.currentId(), "k2");
    const Sealed new_value = after.seal("new", "aad");
    EXPECT_EQ(new_value.key_id, "k2");

    const auto old_opened = after.open(old_value.key_id, old_value.bytes, "aad");
    ASSERT_TRUE(old_opened.ok()) << old_opened.error().message;
    EXPECT_EQ(old_opened.value(), "old");
    const auto new_opened = after.open(new_value.key_id, new_value.bytes, "aad");
    ASSERT_TRUE(new_opened.ok()) << new_opened.error().message;
    EXPECT_EQ(new_opened.value(), "new");

    // Once k1 is retired, its values no longer open (and say why).
    const KeyRing retired = KeyRing::load({{"k2", writeKey(dir_, "k2-only.key", kKeyHex2)}}, "k2");
    EXPECT_EQ(retired.open("k1", old_value.bytes, "aad").error().code, ErrorCode::NotFound);
}

TEST_F(SealerTest, ReadsHexBase64AndRawKeyFiles) {
    const std::string raw = fromHex(kKeyHex1);
    ASSERT_EQ(raw.size(), 32U);
    const KeyRing ring =
        KeyRing::load({{"hex", writeKey(dir_, "hex.key", std::string(kKeyHex1) + "\n")},
                       {"HEX", writeKey(dir_, "upper.key",
                                        "0102030405060708090A0B0C0D0E0F10"
                                        "1112131415161718191A1B1C1D1E1F20\r\n")},
                       {"b64", writeKey(dir_, "b64.key", std::string(kKeyBase64) + "\n")},
                       {"raw", writeKey(dir_, "raw.key", raw)}},
                      "hex");
    EXPECT_TRUE(ring.hasKey("raw"));
    EXPECT_FALSE(ring.hasKey("other"));
    // The same key in four encodings: what one seals, the others open.
    const Sealed sealed = ring.seal("value", "aad");
    for (const std::string id : {"hex", "HEX", "b64", "raw"}) {
        const auto opened = ring.open(id, sealed.bytes, "aad");
        ASSERT_TRUE(opened.ok()) << id << ": " << opened.error().message;
        EXPECT_EQ(opened.value(), "value");
    }
}

TEST_F(SealerTest, RefusesKeyFilesOfTheWrongLength) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"short-hex", std::string(kKeyHex1.substr(0, 62)) + "\n"},
        {"long-hex", std::string(kKeyHex1) + "00\n"},
        {"128-bit-hex", std::string(kKeyHex1.substr(0, 32))},
        {"31-raw", std::string(31, '\x07')},
        {"33-raw", std::string(33, '\x07')},
        {"empty", ""},
        {"huge", std::string(4096, 'a')},
        {"not-hex", std::string(63, 'a') + "g"},
        {"not-base64", std::string(43, '*') + "="},
        {"base64-of-33", base64Encode(std::string(33, '\x07'))},
    };
    for (const auto& [name, content] : cases) {
        const std::string path = writeKey(dir_, name + ".key", content);
        const std::string error = loadError({{"k1", path}}, "k1");
        EXPECT_NE(error.find("key 'k1' (file '" + path + "')"), std::string::npos)
            << name << ": " << error;
    }
    const std::string path = writeKey(dir_, "short.key", kKeyHex1.substr(0, 62));
    EXPECT_EQ(loadError({{"k1", path}}, "k1"),
              "key 'k1' (file '" + path +
                  "'): has 62 bytes; expected 64 hex characters, 44 base64 characters or "
                  "exactly 32 raw bytes");
}

TEST_F(SealerTest, RefusesKeyFilesOthersCanRead) {
    for (const mode_t mode : {0644, 0640, 0604, 0602, 0660}) {
        const std::string path = writeKey(dir_, "open.key", kKeyHex1, mode);
        const std::string error = loadError({{"k1", path}}, "k1");
        EXPECT_NE(error.find("key 'k1' (file '" + path + "'): mode 0"), std::string::npos) << error;
        EXPECT_NE(error.find("must be private"), std::string::npos) << error;
        EXPECT_EQ(error.find(kKeyHex1), std::string::npos) << "key material in: " << error;
    }
    const std::string private_path = writeKey(dir_, "private.key", kKeyHex1, 0400);
    EXPECT_EQ(loadError({{"k1", private_path}}, "k1"), "");
}

TEST_F(SealerTest, RefusesMissingAndIrregularFiles) {
    const std::string missing = dir_.file("missing.key");
    EXPECT_EQ(loadError({{"k1", missing}}, "k1"),
              "key 'k1' (file '" + missing + "'): file does not exist");
    EXPECT_EQ(loadError({{"k1", dir_.path()}}, "k1"),
              "key 'k1' (file '" + dir_.path() + "'): not a regular file");
}

TEST_F(SealerTest, RefusesAnAllZeroKey) {
    const std::string path = writeKey(dir_, "zero.key", std::string(64, '0'));
    EXPECT_EQ(loadError({{"k1", path}}, "k1"),
              "key 'k1' (file '" + path + "'): the key is all zeros, a placeholder");
}

TEST_F(SealerTest, RefusesBadKeySets) {
    const std::string k1 = writeKey(dir_, "k1.key", kKeyHex1);
    const std::string k2 = writeKey(dir_, "k2.key", kKeyHex2);
    EXPECT_EQ(loadError({{"k1", k1}, {"k1", k2}}, "k1"),
              "key id 'k1' is listed twice (file '" + k2 + "')");
    EXPECT_EQ(loadError({{"k1", k1}}, "k2"),
              "key ring: the current key 'k2' is not one of the configured keys");
    EXPECT_EQ(loadError({{"k1", k1}}, ""),
              "key ring: the current key '' is not one of the configured keys");
    EXPECT_EQ(loadError({}, "k1"), "key ring: no key configured");
    for (const std::string& id :
         {std::string(), std::string("a b"), std::string("k\x1f"), std::string(65, 'k')}) {
        EXPECT_NE(loadError({{id, k1}}, id).find("expected 1 to 64 characters"), std::string::npos)
            << id;
    }
}

TEST_F(SealerTest, GeneratesLoadableRandomKeys) {
    const std::string a = KeyRing::generateKeyHex();
    const std::string b = KeyRing::generateKeyHex();
    EXPECT_EQ(a.size(), 64U);
    EXPECT_EQ(fromHex(a).size(), 32U);
    EXPECT_NE(a, b);
    const KeyRing ring = KeyRing::load({{"new", writeKey(dir_, "new.key", a + "\n")}}, "new");
    const Sealed sealed = ring.seal("value", "aad");
    EXPECT_EQ(ring.open("new", sealed.bytes, "aad").valueOr(""), "value");
}

TEST_F(SealerTest, MovedFromRingHoldsNoKey) {
    KeyRing ring = ringWith("k1");
    const Sealed sealed = ring.seal("value", "aad");
    KeyRing moved = std::move(ring);
    EXPECT_EQ(moved.currentId(), "k1");
    EXPECT_EQ(moved.open("k1", sealed.bytes, "aad").valueOr(""), "value");
    // NOLINTBEGIN(bugprone-use-after-move): the moved-from state is documented and tested.
    EXPECT_EQ(ring.currentId(), "");
    EXPECT_THROW((void)ring.seal("value", "aad"), std::logic_error);
    EXPECT_EQ(ring.open("k1", sealed.bytes, "aad").error().code, ErrorCode::NotFound);
    ring = std::move(moved);
    EXPECT_EQ(ring.open("k1", sealed.bytes, "aad").valueOr(""), "value");
    // NOLINTEND(bugprone-use-after-move)
}

TEST_F(SealerTest, SealsAndOpensConcurrently) {
    const auto ring = std::make_shared<const KeyRing>(ringWith("k1"));
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    threads.reserve(4);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&ring, &failures, t] {
            for (int i = 0; i < 500; ++i) {
                const std::string value = "value " + std::to_string(t) + "/" + std::to_string(i);
                const std::string aad = attributeAad("s" + std::to_string(t), "a");
                const Sealed sealed = ring->seal(value, aad);
                if (ring->open(sealed.key_id, sealed.bytes, aad).valueOr("") != value) ++failures;
            }
        });
    }
    for (std::thread& thread : threads) thread.join();
    EXPECT_EQ(failures.load(), 0);
}

// Known-answer tests: vectors computed independently of OpenSSL and of this code.
struct GcmVector {
    const char* name;
    std::string_view key;
    std::string_view iv;
    std::string_view plaintext;
    std::string_view aad;
    std::string_view ciphertext;
    std::string_view tag;
};

constexpr GcmVector kVectors[] = {
    // McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)", appendix B, test case
    // 16 (AES-256, 96-bit IV, 60-byte plaintext, 20-byte AAD).
    {"McGrew-Viega test case 16",
     "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
     "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
     "76fc6ece0f4e1768cddf8853bb2d551b"},
    // McGrew & Viega test case 14 (AES-256, zero key and IV, one zero block, no AAD).
    {"McGrew-Viega test case 14",
     "0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000",
     "00000000000000000000000000000000", "", "cea7403d4d606b6e074ec5d3baf39d18",
     "d0d1c8a799996bf0265b98b5d48ab919"},
    // NIST CAVP gcmEncryptExtIV256.rsp, [Keylen = 256] [IVlen = 96] [PTlen = 128]
    // [AADlen = 160] [Taglen = 128], Count = 0.
    {"NIST CAVP gcmEncryptExtIV256",
     "83688deb4af8007f9b713b47cfa6c73e35ea7a3aa4ecdb414dded03bf7a0fd3a", "0b459724904e010a46901cf3",
     "33d893a2114ce06fc15d55e454cf90c3", "794a14ccd178c8ebfd1379dc704c5e208f9d8424",
     "cc66bee423e3fcd4c0865715e9586696", "0fb291bd3dba94a1dfd8b286cfb97ac5"},
};

TEST_F(SealerTest, MatchesPublishedGcmVectors) {
    for (const GcmVector& v : kVectors) {
        SCOPED_TRACE(v.name);
        const std::string expected =
            "01" + std::string(v.iv) + std::string(v.ciphertext) + std::string(v.tag);
        EXPECT_EQ(toHex(detail::sealWithIv(fromHex(v.key), fromHex(v.iv), fromHex(v.plaintext),
                                           fromHex(v.aad))),
                  expected);

        // And `open` (the production path) decrypts the published ciphertext; the ring
        // refuses an all-zero key, so test case 14 stops here.
        if (fromHex(v.key) == std::string(32, '\0')) continue;
        const std::string file = writeKey(dir_, "vector.key", v.key);
        const KeyRing ring = KeyRing::load({{"v", file}}, "v");
        const auto opened = ring.open("v", fromHex(expected), fromHex(v.aad));
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        EXPECT_EQ(toHex(opened.value()), v.plaintext);
        std::string bad_tag = fromHex(expected);
        bad_tag.back() = static_cast<char>(bad_tag.back() ^ 0x80);
        EXPECT_FALSE(ring.open("v", bad_tag, fromHex(v.aad)).ok());
    }
}

TEST_F(SealerTest, SealsLikeTheReferenceEncryption) {
    // KeyRing reuses keyed contexts across seals and opens; what it produces must still be
    // plain AES-256-GCM, as checked against the published vectors above.
    const KeyRing ring = ringWith("k1");
    const std::string aad = attributeAad("subject-1", "quotient_familial");
    for (int i = 0; i < 3; ++i) {
        const Sealed sealed = ring.seal("1.5", aad);
        ASSERT_TRUE(ring.open("k1", sealed.bytes, aad).ok());
        EXPECT_FALSE(ring.open("k1", sealed.bytes, "other").ok());
        const std::string iv = sealed.bytes.substr(1, 12);
        EXPECT_EQ(toHex(sealed.bytes),
                  toHex(detail::sealWithIv(fromHex(kKeyHex1), iv, "1.5", aad)));
    }
}

TEST(SealWithIvTest, RefusesWrongKeyOrIvSizes) {
    EXPECT_THROW((void)detail::sealWithIv(std::string(31, 'k'), std::string(12, 'i'), "p", ""),
                 std::invalid_argument);
    EXPECT_THROW((void)detail::sealWithIv(std::string(32, 'k'), std::string(16, 'i'), "p", ""),
                 std::invalid_argument);
}

}  // namespace
}  // namespace relais::subjects
