#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/result.h"

namespace infinity_sync {

// A bound SQL parameter.
using SqlParam = std::variant<std::int64_t, std::string>;
// One result row; nullopt is SQL NULL. Numbers come back as their text.
using SqlRow = std::vector<std::optional<std::string>>;

// The few things the history store needs from a SQL database. SQL is written
// with `?` placeholders; a connection translates them for its dialect. Not
// thread-safe: the store serializes calls.
class SqlConnection {
 public:
  virtual ~SqlConnection() = default;
  // Connects (again, after a failure). Idempotent when already connected.
  // Creates a database that is not there yet (SQLite: the file and its
  // missing folders, each with a .gitignore holding `*`).
  virtual Status Open() = 0;
  // Whether the database is there already. Reads of one that is not are
  // empty answers and create nothing (SQLite: the file does not exist yet).
  virtual bool Exists() const { return true; }
  // Whether Open() can create the database without making a folder.
  virtual bool CreatableInPlace() const { return true; }
  // Runs one statement; result rows go to `rows` when given.
  virtual Status Exec(const std::string& sql, const std::vector<SqlParam>& params = {},
                      std::vector<SqlRow>* rows = nullptr) = 0;
  // Starts a write transaction that excludes other writers of this database
  // (SQLite BEGIN IMMEDIATE; PostgreSQL BEGIN + an advisory lock).
  virtual Status BeginWrite() = 0;
  // A statement that tells listeners a run was recorded (one text parameter),
  // delivered at commit: PostgreSQL's pg_notify on the fleet channel; "" when
  // the database has no notifications (SQLite).
  virtual std::string NotifySql() const { return ""; }
  // Column type of an auto-numbered primary key.
  virtual std::string IdColumn() const = 0;
  // What the store is, for errors: no password.
  virtual std::string Describe() const = 0;
};

}  // namespace infinity_sync
