// SPDX-License-Identifier: AGPL-3.0-or-later
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "relais/common/crypto.h"
#include "relais/common/errors.h"
#include "relais/config/config.h"

#include "support/daemon.h"
#include "support/temp_dir.h"

namespace relais::config {
namespace {

using test::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr const char* kPortalKey = "portal-demo-key-0123456789abcdef";
constexpr const char* kAdminKey = "admin-key-fedcba9876543210";

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

// 1-based line of the first occurrence of `needle` in `text`.
int lineOfText(const std::string& text, const std::string& needle) {
    const std::size_t at = text.find(needle);
    EXPECT_NE(at, std::string::npos) << "'" << needle << "' not in the test document";
    if (at == std::string::npos) return 0;
    return 1 +
           static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
}

class LoadConfigTest : public ::testing::Test {
protected:
    // `inner` inside <relais version="1">, after a minimal SQLite store.
    static std::string withStore(const std::string& inner) {
        return test::wrapConfig("<store path=\"var/relais.db\"/>\n" + inner);
    }

    std::string write(const std::string& xml) { return dir_.write("relais.xml", xml); }

    std::shared_ptr<const Config> load(const std::string& xml, const Overrides& overrides = {}) {
        return loadConfig(write(xml), overrides);
    }

    // The ConfigError message for `xml`; fails the test when it loads.
    std::string errorOf(const std::string& xml) {
        const std::string path = write(xml);
        try {
            loadConfig(path);
        } catch (const ConfigError& error) {
            return error.message();
        }
        ADD_FAILURE() << "loaded without error:\n" << xml;
        return {};
    }

    // Expects an error located at the line where `at` is written, and containing each of
    // `fragments`.
    void expectError(const std::string& xml, const std::string& at,
                     const std::vector<std::string>& fragments) {
        const std::string message = errorOf(xml);
        const std::string prefix =
            dir_.file("relais.xml") + ":" + std::to_string(lineOfText(xml, at)) + ": ";
        EXPECT_THAT(message, StartsWith(prefix)) << "document:\n" << xml;
        for (const std::string& fragment : fragments) {
            EXPECT_THAT(message, HasSubstr(fragment)) << "document:\n" << xml;
        }
    }

    TempDir dir_;
};

// ---------------------------------------------------------------------------- valid files

TEST_F(LoadConfigTest, LoadsTheExampleConfiguration) {
    // The demo file lives in config/ and points at ../var and ../build: lay the same
    // shape out in a temporary directory, with the key files `deploy/dev.sh run` creates.
    const std::string path =
        dir_.write("config/relais.xml", test::readSourceFile("config/relais.xml"));
    dir_.write("var/portal.key", std::string(kPortalKey) + "\n");
    dir_.write("var/admin.key", std::string(kAdminKey) + "\n");
    dir_.write("var/business.key", "demo-business-key-0123456789\n");
    dir_.write("var/wcs-publik.key", "demo-wcs-publik-key-0123456789\n");

    const auto config = loadConfig(path);
    const std::string root = dir_.path();
    EXPECT_EQ(config->path, root + "/config/relais.xml");
    EXPECT_EQ(config->base_dir, root + "/config");

    EXPECT_EQ(config->server.address, "127.0.0.1");
    EXPECT_EQ(config->server.port, 8080);
    EXPECT_FALSE(config->server.tls.enabled);
    EXPECT_EQ(config->server.limits.max_body_bytes, 10u * 1024 * 1024);
    EXPECT_EQ(config->server.limits.max_header_fields, 64);
    EXPECT_EQ(config->server.limits.request_timeout_ms, 30'000);
    EXPECT_EQ(config->server.limits.keep_alive_timeout_ms, 60'000);
    EXPECT_EQ(config->server.limits.max_threads, 32);
    EXPECT_EQ(config->server.limits.max_queued, 256);
    EXPECT_EQ(config->server.limits.max_json_depth, 64);

    EXPECT_EQ(config->store.engine, "sqlite");
    EXPECT_EQ(config->store.path, root + "/var/relais.db");
    EXPECT_EQ(config->store.blob_directory, root + "/var/blobs");
    EXPECT_EQ(config->plugin_directory, root + "/build/plugins");
    EXPECT_EQ(config->data_directory, root + "/var/data");
    EXPECT_EQ(config->log.level, "info");
    EXPECT_EQ(config->log.file, "");
    EXPECT_TRUE(config->log.access_log);

    // portail, demarches (the w.c.s. demo), cantine-fichiers, particulier
    ASSERT_EQ(config->instances.size(), 4u);
    const InstanceConfig* portail = config->findInstance("portail");
    ASSERT_NE(portail, nullptr);
    EXPECT_EQ(portail->kind, InstanceKind::Adapter);
    EXPECT_EQ(portail->plugin, "json");
    ASSERT_EQ(portail->params.size(), 4u);
    EXPECT_EQ(portail->params[0].name, "source-key");
    EXPECT_EQ(portail->params[0].value, "numero_dossier");
    EXPECT_EQ(portail->params[3].name, "required-fields");
    EXPECT_EQ(portail->params[3].value, "numero_dossier, demandeur, enfants");
    const InstanceConfig* fichiers = config->findInstance("cantine-fichiers");
    ASSERT_NE(fichiers, nullptr);
    EXPECT_EQ(fichiers->kind, InstanceKind::Connector);
    EXPECT_EQ(fichiers->plugin, "filedrop");
    ASSERT_EQ(fichiers->params.size(), 1u);
    EXPECT_EQ(fichiers->params[0].value, "../var/outbox");  // params stay as written
    EXPECT_EQ(config->findInstance("nope"), nullptr);

    ASSERT_EQ(config->clients.size(), 4u);  // the last one: wcs-demo
    EXPECT_EQ(config->clients[0].name, "portail-demo");
    EXPECT_EQ(config->clients[0].key_sha256, common::sha256Hex(kPortalKey));
    EXPECT_EQ(config->clients[0].rights,
              (std::vector<std::string>{"dossiers:submit", "dossiers:read", "events:write",
                                        "prefill:read", "subjects:access-log"}));
    EXPECT_EQ(config->clients[0].procedures, std::vector<std::string>{"restauration-scolaire"});
    EXPECT_EQ(config->clients[0].instances,
              (std::vector<std::string>{"portail", "cantine-fichiers"}));
    EXPECT_EQ(config->clients[1].name, "cantine-metier");
    EXPECT_EQ(config->clients[1].certify, std::vector<std::string>{"email"});
    EXPECT_EQ(config->clients[2].key_sha256, common::sha256Hex(kAdminKey));
    EXPECT_EQ(config->clients[2].rights, std::vector<std::string>{"admin"});
    EXPECT_EQ(config->clients[2].procedures, std::vector<std::string>{"*"});

    // Tell us once: the quotient familial from API Particulier, under one contract.
    EXPECT_TRUE(config->attributes.enabled);
    EXPECT_EQ(config->attributes.keys.at(0).file, root + "/var/attributes-demo-1.key");
    const ContractConfig* contract = config->findContract("restauration-scolaire", "portail-demo");
    ASSERT_NE(contract, nullptr);
    ASSERT_NE(contract->findAttribute("quotient_familial"), nullptr);
    EXPECT_EQ(contract->findAttribute("quotient_familial")->provider, "particulier");
    EXPECT_EQ(contract->findAttribute("quotient_familial")->min_level, 600);

    ASSERT_EQ(config->routes.size(), 2u);  // cantine, cantine-wcs
    EXPECT_EQ(config->routes[0].name, "cantine");
    EXPECT_EQ(config->routes[0].procedure, "restauration-scolaire");
    EXPECT_EQ(config->routes[0].connector, "cantine-fichiers");
    EXPECT_EQ(config->routes[0].mapping, dir_.file("mappings/examples/cantine-backoffice.xml"));
    EXPECT_EQ(config->routes[0].mode, "async");
}

TEST_F(LoadConfigTest, ExampleNeedsItsKeyFiles) {
    const std::string path =
        dir_.write("config/relais.xml", test::readSourceFile("config/relais.xml"));
    try {
        loadConfig(path);
        FAIL() << "loaded without the key files";
    } catch (const ConfigError& error) {
        EXPECT_THAT(error.message(), StartsWith(path + ":"));
        EXPECT_THAT(error.message(), HasSubstr("client 'portail-demo', attribute 'key'"));
        EXPECT_THAT(error.message(), HasSubstr("file:../var/portal.key"));
    }
}

TEST_F(LoadConfigTest, AcceptsTheConfigsTheTestSupportWrites) {
    const std::string xml = test::wrapConfig(
        test::baseConfigElements(dir_) +
        "<adapters><adapter name=\"portal\" plugin=\"json\"/></adapters>\n"
        "<connectors><connector name=\"drop\" plugin=\"filedrop\">"
        "<param name=\"directory\">" +
        dir_.file("out") +
        "</param></connector></connectors>\n"
        "<clients>\n" +
        test::clientElement("portal", "portal-key-0123456789", "dossiers:submit") +
        test::clientElement("ops", "ops-key-0123456789", "admin jobs:admin", "a,b",
                            "portal, drop") +
        "</clients>\n<routes><route procedure=\"*\" connector=\"drop\"/></routes>\n");
    const auto config = load(xml);
    EXPECT_EQ(config->server.port, 0);
    EXPECT_EQ(config->store.path, dir_.file("relais.db"));
    EXPECT_EQ(config->store.blob_directory, dir_.file("blobs"));
    EXPECT_EQ(config->data_directory, dir_.file("data"));
    EXPECT_EQ(config->log.level, "debug");
    EXPECT_EQ(config->log.file, dir_.file("relais.log"));
    ASSERT_EQ(config->clients.size(), 2u);
    EXPECT_EQ(config->clients[0].key_sha256, common::sha256Hex("portal-key-0123456789"));
    EXPECT_EQ(config->clients[0].instances, std::vector<std::string>{"*"});
    EXPECT_EQ(config->clients[1].rights, (std::vector<std::string>{"admin", "jobs:admin"}));
    EXPECT_EQ(config->clients[1].procedures, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(config->clients[1].instances, (std::vector<std::string>{"portal", "drop"}));
    ASSERT_EQ(config->routes.size(), 1u);
    EXPECT_EQ(config->routes[0].name, "*->drop");
}

TEST_F(LoadConfigTest, AppliesDefaults) {
    const auto config = load(test::wrapConfig("<store path=\"db/relais.db\"/>\n"));
    const std::string root = dir_.path();
    EXPECT_EQ(config->server.address, "127.0.0.1");
    EXPECT_EQ(config->server.port, 8080);
    EXPECT_FALSE(config->server.tls.enabled);
    EXPECT_EQ(config->server.limits.max_body_bytes, 10u * 1024 * 1024);
    EXPECT_EQ(config->server.limits.request_timeout_ms, 30'000);
    EXPECT_EQ(config->store.engine, "sqlite");
    EXPECT_EQ(config->store.read_connections, 4);
    EXPECT_EQ(config->store.max_batch, 512);
    EXPECT_EQ(config->store.blob_directory, root + "/db/blobs");
    EXPECT_EQ(config->data_directory, root + "/db/data");
    EXPECT_EQ(config->plugin_directory, "");
    EXPECT_EQ(config->log.level, "info");
    EXPECT_EQ(config->log.file, "");
    EXPECT_TRUE(config->log.access_log);
    EXPECT_TRUE(config->instances.empty());
    EXPECT_TRUE(config->clients.empty());
    EXPECT_TRUE(config->routes.empty());
}

TEST_F(LoadConfigTest, ReadsEverySetting) {
    ScopedEnv key("RELAIS_TEST_CLIENT_KEY", "0123456789abcdef-from-env");
    const std::string xml = test::wrapConfig(R"(
<routes>
  <route name="r1" procedure="p1" connector="c1" mapping="mappings/p1.xml" mode="sync"
         condition="fields.type == 'x'"/>
</routes>
<server address="::1" port="+0443">
  <limits max-body="512KiB" max-header-fields="10" request-timeout="1500ms"
          keep-alive-timeout="2m" max-threads="4" max-queued="0" max-json-depth="8"/>
  <tls certificate="tls/cert.pem" key="tls/key.pem" client-ca="/etc/ca.pem"
       require-client-certificate="1"/>
</server>
<store engine="postgresql" dsn="file:secrets/../secrets/dsn" blobs="/srv/shared/blobs/"
       read-connections="2" max-batch="64"/>
<data directory="./work//data/"/>
<plugins directory="/usr/lib/relais/plugins"/>
<log level="warn" file="logs/relais.log" access-log="false"/>
<connectors>
  <connector name="c1" plugin="rest" log-level="trace">
    <param name="url">https://example.invalid/api</param>
    <param name="empty"/>
    <param name="spaced">  two words  </param>
  </connector>
</connectors>
<clients>
  <client name="app" key="env:RELAIS_TEST_CLIENT_KEY">
    <instances>c1</instances>
    <rights>
      inbox:read,
      events:write
    </rights>
  </client>
</clients>
)");
    const auto config = load(xml);
    const std::string root = dir_.path();
    EXPECT_EQ(config->server.address, "::1");
    EXPECT_EQ(config->server.port, 443);
    const LimitsConfig& limits = config->server.limits;
    EXPECT_EQ(limits.max_body_bytes, 512u * 1024);
    EXPECT_EQ(limits.max_header_fields, 10);
    EXPECT_EQ(limits.request_timeout_ms, 1500);
    EXPECT_EQ(limits.keep_alive_timeout_ms, 120'000);
    EXPECT_EQ(limits.max_threads, 4);
    EXPECT_EQ(limits.max_queued, 0);
    EXPECT_EQ(limits.max_json_depth, 8);
    const TlsConfig& tls = config->server.tls;
    EXPECT_TRUE(tls.enabled);
    EXPECT_EQ(tls.certificate_file, root + "/tls/cert.pem");
    EXPECT_EQ(tls.key_file, root + "/tls/key.pem");
    EXPECT_EQ(tls.ca_file, "/etc/ca.pem");
    EXPECT_TRUE(tls.require_client_certificate);
    EXPECT_EQ(tls.where.line, lineOfText(xml, "<tls"));

    EXPECT_EQ(config->store.engine, "postgresql");
    EXPECT_EQ(config->store.dsn, "file:" + root + "/secrets/dsn");
    EXPECT_EQ(config->store.path, "");
    EXPECT_EQ(config->store.blob_directory, "/srv/shared/blobs");
    EXPECT_EQ(config->store.read_connections, 2);
    EXPECT_EQ(config->store.max_batch, 64);
    EXPECT_EQ(config->data_directory, root + "/work/data");
    EXPECT_EQ(config->plugin_directory, "/usr/lib/relais/plugins");
    EXPECT_EQ(config->log.level, "warn");
    EXPECT_EQ(config->log.file, root + "/logs/relais.log");
    EXPECT_FALSE(config->log.access_log);

    ASSERT_EQ(config->instances.size(), 1u);
    const InstanceConfig& c1 = config->instances[0];
    EXPECT_EQ(c1.log_level, "trace");
    ASSERT_EQ(c1.params.size(), 3u);
    EXPECT_EQ(c1.params[0].value, "https://example.invalid/api");
    EXPECT_EQ(c1.params[1].value, "");
    EXPECT_EQ(c1.params[2].value, "  two words  ");

    ASSERT_EQ(config->clients.size(), 1u);
    EXPECT_EQ(config->clients[0].key_sha256, common::sha256Hex("0123456789abcdef-from-env"));
    EXPECT_EQ(config->clients[0].rights, (std::vector<std::string>{"inbox:read", "events:write"}));
    EXPECT_TRUE(config->clients[0].procedures.empty());  // least privilege
    EXPECT_EQ(config->clients[0].instances, std::vector<std::string>{"c1"});

    ASSERT_EQ(config->routes.size(), 1u);
    EXPECT_EQ(config->routes[0].mapping, root + "/mappings/p1.xml");
    EXPECT_EQ(config->routes[0].mode, "sync");
    EXPECT_EQ(config->routes[0].condition, "fields.type == 'x'");
}

TEST_F(LoadConfigTest, RemembersWhereEachThingIsWritten) {
    const std::string xml = withStore(R"(<plugins directory="p"/>
<adapters>
  <adapter name="a1" plugin="json">
    <param name="k1">v</param>
  </adapter>
</adapters>
<clients>
  <client name="cl" key-sha256="0000000000000000000000000000000000000000000000000000000000000000"/>
</clients>
<connectors>
  <connector name="c1" plugin="rest"/>
</connectors>
<routes>
  <route procedure="p" connector="c1"/>
</routes>
<log/>
)");
    const auto config = load(xml);
    const std::string file = dir_.file("relais.xml");
    ASSERT_EQ(config->instances.size(), 2u);
    EXPECT_EQ(config->instances[0].where.toString(),
              file + ":" + std::to_string(lineOfText(xml, "<adapter ")));
    EXPECT_EQ(config->instances[0].params[0].where.line, lineOfText(xml, "<param"));
    EXPECT_EQ(config->instances[1].name, "c1");  // file order
    EXPECT_EQ(config->instances[1].where.line, lineOfText(xml, "<connector "));
    EXPECT_EQ(config->clients[0].where.line, lineOfText(xml, "<client "));
    EXPECT_EQ(config->routes[0].where.line, lineOfText(xml, "<route "));
    EXPECT_EQ(config->routes[0].name, "p->c1");
    EXPECT_EQ(config->store.where.line, lineOfText(xml, "<store"));
    EXPECT_EQ(config->log.where.line, lineOfText(xml, "<log"));
}

TEST(SourceLocation, PrintsFileAndLine) {
    EXPECT_EQ((SourceLocation{"/etc/relais.xml", 12}).toString(), "/etc/relais.xml:12");
    EXPECT_EQ((SourceLocation{"/etc/relais.xml", 0}).toString(), "/etc/relais.xml");
}

TEST_F(LoadConfigTest, ParseConfigReadsFromMemory) {
    const auto config = parseConfig(withStore(""), dir_.file("sub/virtual.xml"));
    EXPECT_EQ(config->path, dir_.file("sub/virtual.xml"));
    EXPECT_EQ(config->store.path, dir_.file("sub/var/relais.db"));
}

// ---------------------------------------------------------------------------- file errors

TEST_F(LoadConfigTest, MissingFileIsNamed) {
    const std::string path = dir_.file("absent.xml");
    try {
        loadConfig(path);
        FAIL() << "loaded";
    } catch (const ConfigError& error) {
        EXPECT_EQ(error.message(), path + ": cannot read: No such file or directory");
    }
}

TEST_F(LoadConfigTest, DirectoryIsNotAFile) {
    try {
        loadConfig(dir_.path());
        FAIL() << "loaded";
    } catch (const ConfigError& error) {
        EXPECT_EQ(error.message(), dir_.path() + ": cannot read: it is a directory");
    }
}

TEST_F(LoadConfigTest, EmptyFileIsRefused) {
    EXPECT_EQ(errorOf(""), dir_.file("relais.xml") + ":1: the document is empty");
    EXPECT_EQ(errorOf("\n\n  \n"), dir_.file("relais.xml") + ":1: the document is empty");
}

TEST_F(LoadConfigTest, NotWellFormedXmlGivesTheLine) {
    const std::string xml = withStore("<log level=\"info\">\n</logs>\n");
    expectError(xml, "</logs>", {"mismatch"});
}

TEST_F(LoadConfigTest, ExternalEntityDocumentIsRefused) {
    const std::string xml =
        "<?xml version=\"1.0\"?>\n"
        "<!DOCTYPE relais [\n"
        "  <!ENTITY xxe SYSTEM \"file:///etc/passwd\">\n"
        "]>\n"
        "<relais version=\"1\"><store path=\"x.db\"/>\n"
        "<connectors><connector name=\"c\" plugin=\"p\"><param name=\"k\">&xxe;</param>"
        "</connector></connectors></relais>\n";
    const std::string message = errorOf(xml);
    EXPECT_THAT(message, StartsWith(dir_.file("relais.xml") + ":2: a document type declaration"));
    EXPECT_THAT(message, Not(HasSubstr("root:")));
}

TEST_F(LoadConfigTest, BillionLaughsDocumentIsRefused) {
    std::string xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE relais [\n <!ENTITY l0 \"ha\">\n";
    for (int i = 1; i <= 12; ++i) {
        std::string value;
        for (int j = 0; j < 10; ++j) value += "&l" + std::to_string(i - 1) + ";";
        xml += " <!ENTITY l" + std::to_string(i) + " \"" + value + "\">\n";
    }
    xml += "]>\n<relais version=\"1\"><store path=\"&l12;\"/></relais>\n";
    EXPECT_THAT(errorOf(xml),
                StartsWith(dir_.file("relais.xml") + ":2: a document type declaration"));
}

// ---------------------------------------------------------------------------- schema errors

TEST_F(LoadConfigTest, UnknownElementIsRefused) {
    const std::string xml = withStore("<log/>\n<metrics enabled=\"true\"/>\n");
    expectError(xml, "<metrics", {"element 'metrics'", "not expected"});
}

TEST_F(LoadConfigTest, UnknownNestedElementIsRefused) {
    const std::string xml = withStore(
        "<connectors>\n<connector name=\"c\" plugin=\"p\">\n<option name=\"k\">v</option>\n"
        "</connector>\n</connectors>\n");
    expectError(xml, "<option", {"element 'option'", "not expected", "param"});
}

TEST_F(LoadConfigTest, UnknownAttributeIsRefused) {
    const std::string xml = withStore("<server address=\"127.0.0.1\"\n  prot=\"80\"/>\n");
    expectError(xml, "<server", {"element 'server', attribute 'prot'", "not allowed"});
}

TEST_F(LoadConfigTest, BadEnumerationValueIsRefused) {
    const std::string xml = test::wrapConfig("<log/>\n<store engine=\"mysql\" path=\"x.db\"/>\n");
    expectError(xml, "<store",
                {"element 'store', attribute 'engine'", "'mysql'", "'sqlite'", "'postgresql'"});
    expectError(withStore("<log level=\"verbose\"/>\n"), "<log",
                {"attribute 'level'", "'verbose'", "'debug'"});
    expectError(withStore("<connectors><connector name=\"c\" plugin=\"p\"/></connectors>\n"
                          "<plugins directory=\"p\"/>\n"
                          "<routes><route procedure=\"p\" connector=\"c\" mode=\"later\"/>"
                          "</routes>\n"),
                "<routes", {"attribute 'mode'", "'later'", "'async'"});
}

TEST_F(LoadConfigTest, BadDurationIsRefused) {
    const std::string xml =
        withStore("<server>\n  <limits request-timeout=\"30 seconds\"/>\n</server>\n");
    expectError(
        xml, "<limits",
        {"element 'limits', attribute 'request-timeout'", "'30 seconds'", "is not a duration"});
}

TEST_F(LoadConfigTest, BadSizeIsRefused) {
    const std::string xml = withStore("<server>\n  <limits max-body=\"10Mo\"/>\n</server>\n");
    expectError(xml, "<limits",
                {"element 'limits', attribute 'max-body'", "'10Mo'", "is not a size", "MiB"});
}

TEST_F(LoadConfigTest, OutOfRangeValuesAreRefused) {
    expectError(withStore("<server port=\"70000\"/>\n"), "<server",
                {"attribute 'port'", "70000", "65535"});
    expectError(withStore("<server port=\"-1\"/>\n"), "<server", {"attribute 'port'"});
    expectError(withStore("<server><limits max-threads=\"0\"/></server>\n"), "<limits",
                {"attribute 'max-threads'"});
    expectError(withStore("<server><limits max-body=\"0\"/></server>\n"), "<limits",
                {"attribute 'max-body'", "must not be 0"});
    expectError(withStore("<server><limits request-timeout=\"0s\"/></server>\n"), "<limits",
                {"attribute 'request-timeout'", "at least 1ms"});
    expectError(withStore("<server><limits keep-alive-timeout=\"30d\"/></server>\n"), "<limits",
                {"attribute 'keep-alive-timeout'", "too long"});
}

TEST_F(LoadConfigTest, BadNamesAreRefused) {
    expectError(withStore("<adapters>\n<adapter name=\"Portail\" plugin=\"json\"/></adapters>\n"),
                "<adapter ", {"attribute 'name'", "'Portail'", "lowercase letters"});
    expectError(withStore("<clients>\n<client name=\"a b\" key=\"env:X\"/></clients>\n"),
                "<client ", {"attribute 'name'", "'a b'"});
    expectError(withStore("<routes>\n<route name=\"-r\" procedure=\"p\" connector=\"c\"/>"
                          "</routes>\n"),
                "<route ", {"attribute 'name'", "'-r'"});
}

TEST_F(LoadConfigTest, SeveralSchemaProblemsAreAllListed) {
    const std::string xml = withStore("<server port=\"x\" bogus=\"1\"/>\n");
    const std::string message = errorOf(xml);
    const std::string line =
        dir_.file("relais.xml") + ":" + std::to_string(lineOfText(xml, "<server")) + ": ";
    EXPECT_THAT(message, StartsWith(line));
    EXPECT_THAT(message, HasSubstr("\n" + line));
    EXPECT_THAT(message, HasSubstr("'port'"));
    EXPECT_THAT(message, HasSubstr("'bogus'"));
}

TEST_F(LoadConfigTest, MissingStoreIsRefused) {
    expectError(test::wrapConfig("<log/>\n"), "<relais", {"element 'relais'", "store"});
}

TEST_F(LoadConfigTest, WrongRootOrVersionIsRefused) {
    expectError("<?xml version=\"1.0\"?>\n<config version=\"1\"/>\n", "<config",
                {"element 'config'"});
    expectError("<?xml version=\"1.0\"?>\n<relais version=\"2\"><store path=\"x\"/></relais>\n",
                "<relais", {"version 2 is not supported", "version 1"});
    expectError("<?xml version=\"1.0\"?>\n<relais><store path=\"x\"/></relais>\n", "<relais",
                {"attribute 'version'", "required"});
}

TEST_F(LoadConfigTest, MissingRequiredAttributeIsRefused) {
    expectError(withStore("<server>\n<tls certificate=\"c.pem\"/>\n</server>\n"), "<tls",
                {"element 'tls'", "attribute 'key'", "required"});
    expectError(withStore("<routes>\n<route procedure=\"p\"/></routes>\n"), "<route ",
                {"attribute 'connector'", "required"});
}

// ---------------------------------------------------------------------------- checks after the
// schema

TEST_F(LoadConfigTest, DuplicateInstanceNamesAreRefusedAcrossKinds) {
    const std::string xml = withStore(
        "<plugins directory=\"p\"/>\n<adapters>\n  <adapter name=\"dup\" plugin=\"json\"/>\n"
        "</adapters>\n<connectors>\n  <connector name=\"dup\" plugin=\"rest\"/>\n"
        "</connectors>\n");
    expectError(xml, "<connector ",
                {"connector 'dup'", "already used by the adapter at line " +
                                        std::to_string(lineOfText(xml, "<adapter "))});
    const std::string same_kind = withStore(
        "<plugins directory=\"p\"/>\n<connectors>\n  <connector name=\"c\" plugin=\"rest\"/>\n"
        "  <connector name=\"c\" plugin=\"soap\"/>\n</connectors>\n");
    expectError(same_kind, "<connector name=\"c\" plugin=\"soap\"",
                {"connector 'c'", "already used by the connector"});
}

TEST_F(LoadConfigTest, DuplicateParamIsRefused) {
    const std::string xml = withStore(
        "<plugins directory=\"p\"/>\n<connectors>\n  <connector name=\"c\" plugin=\"rest\">\n"
        "    <param name=\"url\">a</param>\n    <param name=\"url\">b</param>\n"
        "  </connector>\n</connectors>\n");
    expectError(xml, "<param name=\"url\">b",
                {"connector 'c', param 'url'",
                 "given twice (first at line " + std::to_string(lineOfText(xml, "<param")) + ")"});
}

TEST_F(LoadConfigTest, InstancesNeedAPluginDirectory) {
    expectError(withStore("<connectors>\n<connector name=\"c\" plugin=\"rest\"/>\n</connectors>\n"),
                "<connector ", {"connector 'c'", "<plugins directory="});
}

TEST_F(LoadConfigTest, RouteToUnknownConnectorIsRefused) {
    const std::string xml = withStore(
        "<plugins directory=\"p\"/>\n<connectors><connector name=\"c\" plugin=\"rest\"/>"
        "</connectors>\n<routes>\n  <route name=\"r\" procedure=\"p\" connector=\"missing\"/>\n"
        "</routes>\n");
    expectError(xml, "<route ",
                {"route 'r', attribute 'connector'", "no connector named 'missing'"});
}

TEST_F(LoadConfigTest, RouteToAnAdapterIsRefused) {
    const std::string xml = withStore(
        "<plugins directory=\"p\"/>\n<adapters>\n<adapter name=\"portal\" plugin=\"json\"/>\n"
        "</adapters>\n<routes>\n  <route procedure=\"p\" connector=\"portal\"/>\n</routes>\n");
    expectError(xml, "<route ",
                {"route 'p->portal'", "'portal' is an adapter (line " +
                                          std::to_string(lineOfText(xml, "<adapter ")) + ")"});
}

TEST_F(LoadConfigTest, DuplicateRouteNamesAreRefused) {
    const std::string base =
        "<plugins directory=\"p\"/>\n<connectors><connector name=\"c\" "
        "plugin=\"rest\"/></connectors>\n<routes>\n";
    expectError(
        withStore(base + "<route name=\"r\" procedure=\"a\" connector=\"c\"/>\n"
                         "<route name=\"r\" procedure=\"b\" connector=\"c\"/>\n</routes>\n"),
        "procedure=\"b\"", {"route 'r'", "already declared at line"});
    expectError(withStore(base + "<route procedure=\"a\" connector=\"c\"/>\n"
                                 "<route procedure=\"a\" connector=\"c\" condition=\"x\"/>\n"
                                 "</routes>\n"),
                "condition=", {"route 'a->c'", "give each one a name"});
}

TEST_F(LoadConfigTest, DuplicateClientNamesAreRefused) {
    const std::string xml =
        withStore("<clients>\n" + test::clientElement("c", "key-one-0123456789", "admin") +
                  test::clientElement("c", "key-two-0123456789", "admin") + "</clients>\n");
    expectError(
        xml, "<client name=\"c\" key-sha256=\"" + common::sha256Hex("key-two-0123456789"),
        {"client 'c'", "already declared at line " + std::to_string(lineOfText(xml, "<client "))});
}

TEST_F(LoadConfigTest, TwoClientsWithOneKeyAreRefused) {
    const std::string xml =
        withStore("<clients>\n" + test::clientElement("a", "shared-key-0123456789", "admin") +
                  test::clientElement("b", "shared-key-0123456789", "admin") + "</clients>\n");
    expectError(xml, "<client name=\"b\"", {"client 'b'", "same key as client 'a'"});
}

TEST_F(LoadConfigTest, UnknownRightIsRefused) {
    const std::string xml = withStore(
        "<clients>\n<client name=\"c\" key-sha256=\"" + common::sha256Hex("k") +
        "\">\n  <rights>dossiers:submit dossiers:delete</rights>\n</client>\n</clients>\n");
    expectError(
        xml, "<rights>",
        {"client 'c', element 'rights'", "unknown right 'dossiers:delete'", "dossiers:submit"});
}

TEST_F(LoadConfigTest, ClientInstanceMustExist) {
    const std::string xml = withStore(
        "<plugins directory=\"p\"/>\n<adapters><adapter name=\"a\" plugin=\"json\"/></adapters>\n"
        "<clients>\n<client name=\"c\" key-sha256=\"" +
        common::sha256Hex("k") +
        "\">\n  <instances>a, *, ghost</instances>\n</client>\n</clients>\n");
    expectError(xml, "<instances>",
                {"client 'c', element 'instances'", "no adapter or connector named 'ghost'"});
}

TEST_F(LoadConfigTest, ClientNeedsExactlyOneKey) {
    expectError(withStore("<clients>\n<client name=\"c\"/>\n</clients>\n"), "<client ",
                {"client 'c'", "needs a credential", "'key-sha256'", "'publik'"});
    expectError(withStore("<clients>\n<client name=\"c\" key=\"env:K\" key-sha256=\"" +
                          common::sha256Hex("k") + "\"/>\n</clients>\n"),
                "<client ", {"client 'c'", "not both"});
    expectError(withStore("<clients>\n<client name=\"c\" key-sha256=\"ABCDEF\"/>\n</clients>\n"),
                "<client ", {"attribute 'key-sha256'", "64 lowercase hexadecimal"});
}

TEST_F(LoadConfigTest, InlineClientKeyIsRefusedWithoutEchoingIt) {
    const std::string xml = withStore(
        "<clients>\n<client name=\"c\" key=\"Sup3rS3cretBearerKeyValue\"/>\n</clients>\n");
    expectError(xml, "<client ", {"client 'c', attribute 'key'", "must be a secret reference"});
    EXPECT_THAT(errorOf(xml), Not(HasSubstr("Sup3rS3cret")));
}

TEST_F(LoadConfigTest, MissingEnvironmentVariableForAKeyIsNamed) {
    ::unsetenv("RELAIS_TEST_ABSENT_KEY");
    const std::string xml = withStore(
        "<clients>\n<client name=\"c\" key=\"env:RELAIS_TEST_ABSENT_KEY\"/>\n</clients>\n");
    expectError(xml, "<client ",
                {"client 'c', attribute 'key'", "'env:RELAIS_TEST_ABSENT_KEY'", "not set"});
}

TEST_F(LoadConfigTest, MissingKeyFileIsNamedRelativeToTheConfig) {
    const std::string xml =
        withStore("<clients>\n<client name=\"c\" key=\"file:keys/c.key\"/>\n</clients>\n");
    expectError(xml, "<client ", {"client 'c', attribute 'key'", "'file:keys/c.key'"});
    dir_.write("keys/c.key", "a-long-enough-key-for-c\n");
    EXPECT_EQ(load(xml)->clients[0].key_sha256, common::sha256Hex("a-long-enough-key-for-c"));
}

TEST_F(LoadConfigTest, ShortClientKeyIsRefusedWithoutEchoingIt) {
    ScopedEnv key("RELAIS_TEST_SHORT_KEY", "tinykey");
    const std::string xml = withStore(
        "<clients>\n<client name=\"c\" key=\"env:RELAIS_TEST_SHORT_KEY\"/>\n</clients>\n");
    expectError(xml, "<client ", {"shorter than 16 bytes", "'env:RELAIS_TEST_SHORT_KEY'"});
    EXPECT_THAT(errorOf(xml), Not(HasSubstr("tinykey")));
}

TEST_F(LoadConfigTest, InlineDsnIsRefusedWithoutEchoingIt) {
    const std::string xml = test::wrapConfig(
        "<data directory=\"d\"/>\n"
        "<store engine=\"postgresql\" blobs=\"b\"\n"
        "       dsn=\"postgresql://relais:Hunter2Pass@db.example/relais\"/>\n");
    expectError(xml, "<store", {"element 'store', attribute 'dsn'", "must be a secret reference"});
    const std::string message = errorOf(xml);
    EXPECT_THAT(message, Not(HasSubstr("Hunter2Pass")));
    EXPECT_THAT(message, Not(HasSubstr("db.example")));
}

TEST_F(LoadConfigTest, EngineSettingsMustMatchTheEngine) {
    expectError(test::wrapConfig("<store engine=\"sqlite\" blobs=\"b\"/>\n"), "<store",
                {"engine 'sqlite' needs the attribute 'path'"});
    expectError(test::wrapConfig("<store path=\"x.db\" dsn=\"env:DSN\"/>\n"), "<store",
                {"attribute 'dsn'", "only for engine 'postgresql'"});
    expectError(test::wrapConfig("<store engine=\"postgresql\" blobs=\"b\"/>\n"), "<store",
                {"engine 'postgresql' needs the attribute 'dsn'"});
    expectError(test::wrapConfig(
                    "<store engine=\"postgresql\" dsn=\"env:DSN\" path=\"x.db\" blobs=\"b\"/>\n"),
                "<store", {"attribute 'path'", "only for engine 'sqlite'"});
    expectError(test::wrapConfig("<data directory=\"d\"/>\n"
                                 "<store engine=\"postgresql\" dsn=\"env:DSN\"/>\n"),
                "<store", {"needs the attribute 'blobs'"});
    expectError(test::wrapConfig("<store engine=\"postgresql\" dsn=\"env:DSN\" blobs=\"b\"/>\n"),
                "<store", {"needs a <data directory="});
    const auto config =
        load(test::wrapConfig("<data directory=\"d\"/>\n<store engine=\"postgresql\" "
                              "dsn=\"env:RELAIS_DSN\" blobs=\"b\"/>\n"));
    EXPECT_EQ(config->store.dsn, "env:RELAIS_DSN");  // only checked for form, not resolved
}

TEST_F(LoadConfigTest, ReadsSignatureCertificateAndRateCredentials) {
    ScopedEnv publik("RELAIS_TEST_PUBLIK_SECRET", "publik-shared-secret-0123");
    ScopedEnv hmac("RELAIS_TEST_HMAC_SECRET", "hmac-shared-secret-0123456789");
    const std::string fingerprint(64, 'a');
    const auto config = load(withStore(
        "<server>\n<tls certificate=\"c.pem\" key=\"k.pem\" client-ca=\"ca.pem\"/>\n"
        "<limits client-rate=\"600/min\" client-burst=\"20\"/>\n"
        "<signatures window=\"45s\"/>\n</server>\n"
        "<clients>\n"
        "<client name=\"wcs\"><rights>dossiers:submit</rights>\n"
        "  <publik orig=\"demarches.ville.fr\" secret=\"env:RELAIS_TEST_PUBLIK_SECRET\"/>\n"
        "  <rate-limit rate=\"5/s\" burst=\"10\"/></client>\n"
        "<client name=\"app\"><hmac secret=\"env:RELAIS_TEST_HMAC_SECRET\"/></client>\n"
        "<client name=\"ged\"><certificate sha256=\"" +
        fingerprint +
        "\"/></client>\n"
        "<client name=\"sig\"><certificate cn=\"sig.ville.fr\"/></client>\n"
        "</clients>\n"));
    EXPECT_EQ(config->server.signatures.window_ms, 45'000);
    EXPECT_DOUBLE_EQ(config->server.limits.client_rate, 10.0);
    EXPECT_EQ(config->server.limits.client_burst, 20);
    ASSERT_EQ(config->clients.size(), 4U);
    const auto& wcs = config->clients[0];
    EXPECT_TRUE(wcs.key_sha256.empty());
    EXPECT_EQ(wcs.publik_orig, "demarches.ville.fr");
    EXPECT_EQ(wcs.publik_secret, "publik-shared-secret-0123");
    EXPECT_DOUBLE_EQ(wcs.rate, 5.0);
    EXPECT_EQ(wcs.burst, 10);
    EXPECT_EQ(config->clients[1].hmac_secret, "hmac-shared-secret-0123456789");
    EXPECT_EQ(config->clients[2].certificate_sha256, fingerprint);
    EXPECT_EQ(config->clients[3].certificate_cn, "sig.ville.fr");
}

TEST_F(LoadConfigTest, BadCredentialsAreRefusedNamingTheClient) {
    ScopedEnv secret("RELAIS_TEST_PUBLIK_SECRET", "publik-shared-secret-0123");
    ScopedEnv tiny("RELAIS_TEST_TINY_SECRET", "tiny");
    // An inline secret is never echoed.
    const std::string inline_secret = withStore(
        "<clients>\n<client name=\"c\">\n<publik orig=\"o\" secret=\"InlinePublikSecret42\"/>"
        "\n</client>\n</clients>\n");
    const std::string message = errorOf(inline_secret);
    EXPECT_THAT(message, HasSubstr("client 'c', element 'publik', attribute 'secret'"));
    EXPECT_THAT(message, Not(HasSubstr("InlinePublikSecret42")));
    expectError(withStore("<clients>\n<client name=\"c\">\n"
                          "<hmac secret=\"env:RELAIS_TEST_TINY_SECRET\"/>\n</client>\n"
                          "</clients>\n"),
                "<hmac", {"client 'c', element 'hmac'", "shorter than 16 bytes"});
    expectError(
        withStore("<clients>\n<client name=\"a\">\n"
                  "<publik orig=\"o\" secret=\"env:RELAIS_TEST_PUBLIK_SECRET\"/>\n"
                  "</client>\n<client name=\"b\">\n"
                  "<publik orig=\"o\" secret=\"env:RELAIS_TEST_PUBLIK_SECRET\"/>\n"
                  "</client>\n</clients>\n"),
        "<publik orig=\"o\" secret=\"env:RELAIS_TEST_PUBLIK_SECRET\"/>\n</client>\n</clients>",
        {"client 'b', element 'publik'", "orig 'o' is already given"});
    // Certificates need the CAs they are checked against.
    expectError(withStore("<clients>\n<client name=\"c\">\n<certificate cn=\"x\"/>\n</client>\n"
                          "</clients>\n"),
                "<certificate", {"client 'c', element 'certificate'", "client-ca"});
    expectError(withStore("<server>\n<tls certificate=\"c.pem\" key=\"k.pem\" "
                          "client-ca=\"ca.pem\"/>\n</server>\n<clients>\n<client name=\"c\">\n"
                          "<certificate/>\n</client>\n</clients>\n"),
                "<certificate", {"either 'sha256'", "or 'cn'"});
    expectError(withStore("<server>\n<limits client-rate=\"0/s\"/>\n</server>\n"), "<limits",
                {"attribute 'client-rate'", "'0/s' is not a rate"});
    expectError(withStore("<server>\n<limits client-rate=\"10/day\"/>\n</server>\n"), "<limits",
                {"client-rate"});
}

TEST_F(LoadConfigTest, MutualTlsNeedsAClientCa) {
    expectError(withStore("<server>\n<tls certificate=\"c.pem\" key=\"k.pem\" "
                          "require-client-certificate=\"true\"/>\n</server>\n"),
                "<tls", {"element 'tls'", "client-ca"});
}

TEST_F(LoadConfigTest, BadListenAddressIsRefused) {
    expectError(withStore("<server address=\"300.1.1.1\"/>\n"), "<server",
                {"attribute 'address'", "'300.1.1.1'", "neither an IP address nor a host name"});
    expectError(withStore("<server address=\"bad_host!\"/>\n"), "<server", {"attribute 'address'"});
    EXPECT_EQ(load(withStore("<server address=\"relais.example.org\"/>\n"))->server.address,
              "relais.example.org");
    EXPECT_EQ(load(withStore("<server address=\"0.0.0.0\"/>\n"))->server.address, "0.0.0.0");
}

// ---------------------------------------------------------------------------- overrides

TEST_F(LoadConfigTest, OverridesReplaceAddressAndPort) {
    Overrides overrides;
    overrides.listen_address = "0.0.0.0";
    overrides.listen_port = 0;
    const auto config =
        load(withStore("<server address=\"127.0.0.1\" port=\"8080\"/>\n"), overrides);
    EXPECT_EQ(config->server.address, "0.0.0.0");
    EXPECT_EQ(config->server.port, 0);

    Overrides port_only;
    port_only.listen_port = 9443;
    const auto other = load(withStore("<server address=\"::1\" port=\"8080\"/>\n"), port_only);
    EXPECT_EQ(other->server.address, "::1");
    EXPECT_EQ(other->server.port, 9443);

    const auto untouched = load(withStore("<server port=\"1234\"/>\n"), Overrides{});
    EXPECT_EQ(untouched->server.port, 1234);
}

TEST_F(LoadConfigTest, BadOverridesAreRefused) {
    Config config;
    Overrides port;
    port.listen_port = 70000;
    try {
        applyOverrides(config, port);
        FAIL() << "accepted";
    } catch (const ConfigError& error) {
        EXPECT_EQ(error.message(), "command line: port 70000 is out of range (0 to 65535)");
    }
    Overrides negative;
    negative.listen_port = -2;
    EXPECT_THROW(applyOverrides(config, negative), ConfigError);
    Overrides address;
    address.listen_address = "not an address";
    EXPECT_THROW(applyOverrides(config, address), ConfigError);
    EXPECT_EQ(config.server.port, 8080);
    EXPECT_EQ(config.server.address, "127.0.0.1");
}

}  // namespace
}  // namespace relais::config
