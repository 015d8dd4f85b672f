// SPDX-License-Identifier: AGPL-3.0-or-later
#include "relais/config/secrets.h"

#include <cstdlib>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace relais::config {
namespace {

using test::TempDir;

// Sets an environment variable for the duration of a test.
class ScopedEnv {
public:
    ScopedEnv(std::string name, const std::string& value) : name_(std::move(name)) {
        ::setenv(name_.c_str(), value.c_str(), 1);
    }
    ~ScopedEnv() { ::unsetenv(name_.c_str()); }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    std::string name_;
};

TEST(IsSecretReference, RecognisesEnvAndFileForms) {
    EXPECT_TRUE(isSecretReference("env:RELAIS_KEY"));
    EXPECT_TRUE(isSecretReference("env:_x1"));
    EXPECT_TRUE(isSecretReference("file:/etc/relais/key"));
    EXPECT_TRUE(isSecretReference("file:relative/key"));
    EXPECT_FALSE(isSecretReference("env:"));
    EXPECT_FALSE(isSecretReference("env:1ABC"));
    EXPECT_FALSE(isSecretReference("env:A-B"));
    EXPECT_FALSE(isSecretReference("file:"));
    EXPECT_FALSE(isSecretReference("s3cr3t-value"));
    EXPECT_FALSE(isSecretReference("postgresql://u:p@h/db"));
    EXPECT_FALSE(isSecretReference("ENV:X"));
}

TEST(SecretResolver, ReadsAnEnvironmentVariable) {
    ScopedEnv env("RELAIS_TEST_SECRET_A", "value-from-env");
    const SecretResolver resolver;
    auto value = resolver.resolve("env:RELAIS_TEST_SECRET_A");
    ASSERT_TRUE(value.ok()) << value.error().message;
    EXPECT_EQ(*value, "value-from-env");
}

TEST(SecretResolver, ReadsAFileDroppingOneTrailingNewline) {
    TempDir dir;
    const std::string lf = dir.write("lf.key", "line-one\n");
    const std::string crlf = dir.write("crlf.key", "windows\r\n");
    const std::string two = dir.write("two.key", "kept\n\n");
    const std::string none = dir.write("none.key", "exact");
    const SecretResolver resolver;
    EXPECT_EQ(resolver.resolve("file:" + lf).value(), "line-one");
    EXPECT_EQ(resolver.resolve("file:" + crlf).value(), "windows");
    EXPECT_EQ(resolver.resolve("file:" + two).value(), "kept\n");
    EXPECT_EQ(resolver.resolve("file:" + none).value(), "exact");
}

TEST(SecretResolver, ResolvesRelativeFilesAgainstItsBaseDirectory) {
    TempDir dir;
    dir.write("secrets/api.key", "relative-secret\n");
    const SecretResolver resolver(dir.path());
    auto value = resolver.resolve("file:secrets/api.key");
    ASSERT_TRUE(value.ok()) << value.error().message;
    EXPECT_EQ(*value, "relative-secret");
}

TEST(SecretResolver, MissingVariableIsNotFoundAndNamesOnlyTheReference) {
    ::unsetenv("RELAIS_TEST_SECRET_MISSING");
    const SecretResolver resolver;
    auto value = resolver.resolve("env:RELAIS_TEST_SECRET_MISSING");
    ASSERT_FALSE(value.ok());
    EXPECT_EQ(value.error().code, sdk::ErrorCode::NotFound);
    EXPECT_NE(value.error().message.find("env:RELAIS_TEST_SECRET_MISSING"), std::string::npos);
}

TEST(SecretResolver, MissingFileIsNotFound) {
    TempDir dir;
    const SecretResolver resolver(dir.path());
    auto value = resolver.resolve("file:absent.key");
    ASSERT_FALSE(value.ok());
    EXPECT_EQ(value.error().code, sdk::ErrorCode::NotFound);
    EXPECT_NE(value.error().message.find("file:absent.key"), std::string::npos);
}

TEST(SecretResolver, MalformedReferenceIsNotEchoed) {
    const SecretResolver resolver;
    auto value = resolver.resolve("hunter2-pasted-password");
    ASSERT_FALSE(value.ok());
    EXPECT_EQ(value.error().code, sdk::ErrorCode::InvalidArgument);
    EXPECT_EQ(value.error().message.find("hunter2"), std::string::npos) << value.error().message;
}

TEST(SecretResolver, EmptySecretIsAnErrorWithoutValue) {
    TempDir dir;
    const std::string empty = dir.write("empty.key", "\n");
    ScopedEnv env("RELAIS_TEST_SECRET_EMPTY", "");
    const SecretResolver resolver;
    EXPECT_FALSE(resolver.resolve("file:" + empty).ok());
    EXPECT_FALSE(resolver.resolve("env:RELAIS_TEST_SECRET_EMPTY").ok());
}

TEST(SecretResolver, PassesEveryResolvedValueToTheMasker) {
    TempDir dir;
    dir.write("b.key", "second-secret\n");
    ScopedEnv env("RELAIS_TEST_SECRET_B", "first-secret");
    std::vector<std::string> seen;
    const SecretResolver resolver(dir.path(),
                                  [&seen](std::string_view value) { seen.emplace_back(value); });
    ASSERT_TRUE(resolver.resolve("env:RELAIS_TEST_SECRET_B").ok());
    ASSERT_TRUE(resolver.resolve("file:b.key").ok());
    EXPECT_FALSE(resolver.resolve("env:RELAIS_TEST_SECRET_NOT_SET_EITHER").ok());
    EXPECT_EQ(seen, (std::vector<std::string>{"first-secret", "second-secret"}));
}

}  // namespace
}  // namespace relais::config
