// A thin RAII layer over the SQLite C API: one open database, prepared statements with typed
// binds and columns, and a transaction guard that rolls back unless committed. Every SQLite
// failure becomes a kiln::Error naming the database file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

struct sqlite3;
struct sqlite3_stmt;

namespace kiln::project {

class SqliteDb;

class SqliteStatement {
 public:
  SqliteStatement(SqliteDb& db, const std::string& sql);
  ~SqliteStatement();
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  // Parameters are numbered from 1, as in SQL.
  SqliteStatement& bind(int index, const std::string& value);
  SqliteStatement& bind(int index, int64_t value);
  SqliteStatement& bind(int index, double value);

  // Returns true while a row is available; false when the statement is done.
  bool step();
  void reset();

  // Columns are numbered from 0.
  std::string text(int column) const;
  int64_t integer(int column) const;
  double real(int column) const;

 private:
  SqliteDb& db_;
  sqlite3_stmt* statement_ = nullptr;
};

class SqliteDb {
 public:
  // Opens (creating it if `create`) the database file.
  SqliteDb(const std::filesystem::path& path, bool create);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  void exec(const std::string& sql);
  [[noreturn]] void fail(const std::string& what) const;
  sqlite3* handle() const { return db_; }

 private:
  std::filesystem::path path_;
  sqlite3* db_ = nullptr;
};

// BEGIN IMMEDIATE on construction; ROLLBACK on destruction unless commit() ran.
class SqliteTransaction {
 public:
  explicit SqliteTransaction(SqliteDb& db);
  ~SqliteTransaction();
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;
  void commit();

 private:
  SqliteDb& db_;
  bool open_ = true;
};

}  // namespace kiln::project
