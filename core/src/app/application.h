// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <string>
#include <vector>

#include <Poco/Util/ServerApplication.h>

/// @file
/// The `relais` executable: option parsing, help, and dispatch to the commands.

namespace relais::app {

class Application final : public Poco::Util::ServerApplication {
protected:
    void defineOptions(Poco::Util::OptionSet& options) override;
    void handleOption(const std::string& name, const std::string& value) override;
    int main(const std::vector<std::string>& args) override;

private:
    void printHelp() const;
    std::string configPath(const std::vector<std::string>& args, std::size_t position) const;

    int serve(const std::vector<std::string>& args);
    int checkConfig(const std::vector<std::string>& args);
    int listPlugins(const std::vector<std::string>& args);
    int hashKey(const std::vector<std::string>& args);
    int mapCommand(const std::vector<std::string>& args);
    int auditCommand(const std::vector<std::string>& args);
    int keygenCommand(const std::vector<std::string>& args);
    int subjectsCommand(const std::vector<std::string>& args);

    bool help_ = false;
    std::string config_path_;
    std::string listen_;
    std::string ready_file_;
    std::string plugin_directory_;
    std::string mapping_path_;
    std::string input_path_;
    std::string procedure_;
    std::string source_key_;
    std::string import_source_;
    int import_level_ = 0;
};

}  // namespace relais::app
