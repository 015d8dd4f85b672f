// SPDX-License-Identifier: AGPL-3.0-or-later
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "relais/sdk/connector.h"

#include "return_files.h"

/// @file
/// The file-drop connector, for business software that imports files from a directory.
///
/// Each delivery writes `<name>.<ext>` (the mapped payload), the attachments under
/// `<name>.files/`, then `<name>.manifest.json`; every file is written to a temporary name,
/// fsynced and renamed, the manifest last, so an importer that waits for manifests never
/// sees a partial drop. The name is derived from the dossier and the route, so a retried
/// delivery overwrites nothing and is recognised (same idempotency key in the manifest).
///
/// With acknowledgements on, the software drops `<name>.ack` into the ack directory when it
/// has imported a dossier (content: its own id as plain text, or JSON
/// `{"business_id": "…", "status": "…", "message": "…"}`); `poll` turns each into a
/// `delivered` event, then moves it to `ack/processed/` once relais has stored it.
///
/// With a return directory, the software drops status files there (JSON or XML, see
/// `return_files.h`); `poll` turns each into `status_changed` events addressed by business
/// id, moves it to `processed/` once relais has stored them (the same two-phase cursor as
/// acknowledgements), or at once to `rejected/` with a `<name>.reason` file when it cannot
/// be read.
///
/// All directories are shared with the business software, so nothing there is trusted:
/// file names are built from safe characters only (`expandFileName`; attachment names the
/// same way), files are written through fresh temporary files opened with O_EXCL and
/// O_NOFOLLOW, an attachment directory that is a symbolic link is refused, and manifests and
/// acknowledgements are read only when they are regular files, never through a link.

namespace relais::plugins::filedrop {

/// `template` with placeholders replaced, made safe as one file name: only
/// `[A-Za-z0-9._-]` kept (others become `_`), no leading dot, at most 200 bytes.
std::string expandFileName(const std::string& name_template, const sdk::Delivery& delivery);

class FileDrop : public sdk::Connector {
public:
    explicit FileDrop(sdk::Host& host);

    sdk::Result<void> configure(const sdk::Settings& settings) override;
    sdk::Result<sdk::HealthReport> health() override;
    sdk::Result<sdk::DeliveryReceipt> deliver(const sdk::Delivery& delivery) override;
    sdk::Result<sdk::PollBatch> poll(const std::string& cursor) override;

private:
    std::string directory_;
    std::string name_template_;
    std::string extension_;
    bool manifest_ = true;
    bool acknowledgements_ = false;
    std::string ack_directory_;
    std::shared_ptr<const ReturnConfig> returns_;  // set by configure, then read-only

    /// Moves the previous batch's ack files to `ack/processed/`, then reads the ack
    /// directory into `batch` (`delivered` events) and `done`.
    sdk::Result<void> pollAcknowledgements(const std::vector<std::string>& previous,
                                           sdk::PollBatch& batch, std::vector<std::string>& done);
    /// Moves the previous batch's files (named by the cursor) to `processed/`, then reads
    /// the return directory into `batch` and `done` (the files whose events it holds).
    sdk::Result<void> pollReturns(const std::vector<std::string>& previous, sdk::PollBatch& batch,
                                  std::vector<std::string>& done);
    /// Moves `file` of the return directory to `rejected/`, with `<file>.reason`.
    void rejectReturn(const std::string& file, const std::string& reason);
};

}  // namespace relais::plugins::filedrop
