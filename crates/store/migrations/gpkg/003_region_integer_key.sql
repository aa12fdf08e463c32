-- landplan store, GeoPackage backend, migration 003: the region attribute table gets an
-- integer primary key, as GeoPackage requires of every table in gpkg_contents
-- (OGC 12-128r18 Req 119: a column of type INTEGER PRIMARY KEY AUTOINCREMENT); the 行政区划代码
-- stays unique and is still what ledger_import.region and plan.region refer to.
-- The table is rebuilt in place: foreign keys are checked at commit, by which time every
-- referenced code is back.
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE region_copy AS SELECT code, name, level, parent FROM region ORDER BY rowid;
DROP TABLE region;
CREATE TABLE region (
  fid INTEGER PRIMARY KEY AUTOINCREMENT,
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  level TEXT NOT NULL,
  parent TEXT
);
INSERT INTO region (code, name, level, parent) SELECT code, name, level, parent FROM region_copy;
DROP TABLE region_copy;
