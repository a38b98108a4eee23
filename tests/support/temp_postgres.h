#pragma once
// A PostgreSQL database for one test. The server is the one ctest's fixture started
// (tests/pg_test_server, URL in $PONTE_TEST_PG_DIR/url); a test binary run by hand starts its
// own. Each call to NewPostgresDatabase() gives a fresh, empty schema on it.

#include <string>

#include "core/error.h"

namespace ponte::testing {

// postgres://ponte@127.0.0.1:PORT/postgres?options=-csearch_path%3Dponte_test_N: a new
// schema each call, so every test starts empty.
Result<std::string> NewPostgresDatabase();

// A path for a fresh SQLite file in a temporary directory.
std::string NewSqlitePath();

}  // namespace ponte::testing
