// SPDX-License-Identifier: AGPL-3.0-or-later
//
// ThreadSanitizer suppressions for this test binary (read only in `thread` sanitizer
// builds; an ordinary build just carries an unused function).
//
// Poco's accept thread (`TCPServer::run`) keeps a copy of each accepted socket until it
// has queued it; when the connection is served quickly, that copy's destructor is the last
// reference and frees the socket. The reference count is an atomic inside libPocoNet,
// which is not instrumented, so TSan sees the connection thread's earlier use of the socket
// and the accept thread's free without the synchronisation between them.

// The sanitizer runtime looks this name up: it cannot follow the house naming.
// NOLINTBEGIN(bugprone-reserved-identifier, readability-identifier-naming)
extern "C" const char* __tsan_default_suppressions();

extern "C" const char* __tsan_default_suppressions() { return "race:Poco::Net::TCPServer::run\n"; }
// NOLINTEND(bugprone-reserved-identifier, readability-identifier-naming)
