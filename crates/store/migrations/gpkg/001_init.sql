-- landplan store, GeoPackage backend, migration 001: GeoPackage core tables and the store schema.
-- GeoPackage 1.4 (OGC 12-128r19): gpkg_spatial_ref_sys, gpkg_contents, gpkg_geometry_columns.
CREATE TABLE IF NOT EXISTS gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL,
  srs_id INTEGER PRIMARY KEY,
  organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL,
  definition TEXT NOT NULL,
  description TEXT
);
CREATE TABLE IF NOT EXISTS gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY,
  data_type TEXT NOT NULL,
  identifier TEXT UNIQUE,
  description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE,
  srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id)
);
CREATE TABLE IF NOT EXISTS gpkg_geometry_columns (
  table_name TEXT NOT NULL,
  column_name TEXT NOT NULL,
  geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL,
  z TINYINT NOT NULL,
  m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id)
);

CREATE TABLE landplan_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE region (
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  level TEXT NOT NULL,
  parent TEXT
);

CREATE TABLE ledger_import (
  id INTEGER PRIMARY KEY,
  region TEXT NOT NULL REFERENCES region(code),
  year INTEGER NOT NULL,
  kind TEXT NOT NULL,
  files TEXT NOT NULL,
  base_import INTEGER,
  parcel_count INTEGER NOT NULL,
  geometry_count INTEGER NOT NULL,
  rejected_rows INTEGER NOT NULL,
  total_ha TEXT NOT NULL,
  user_name TEXT NOT NULL,
  at TEXT NOT NULL
);

-- The parcel layer (a GeoPackage feature table; its SRS is registered by `landplan init`).
CREATE TABLE parcel (
  fid INTEGER PRIMARY KEY AUTOINCREMENT,
  geom MULTIPOLYGON,
  import_id INTEGER NOT NULL REFERENCES ledger_import(id),
  region TEXT NOT NULL,
  year INTEGER NOT NULL,
  parcel_id TEXT NOT NULL,
  location TEXT,
  township TEXT,
  class_text TEXT,
  class_code TEXT,
  area_ha TEXT NOT NULL,
  source TEXT,
  method TEXT,
  data TEXT NOT NULL
);
CREATE INDEX parcel_import ON parcel(import_id, parcel_id);

CREATE TABLE plan (
  id INTEGER PRIMARY KEY,
  region TEXT NOT NULL REFERENCES region(code),
  year INTEGER NOT NULL,
  kind TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (region, year, kind)
);

CREATE TABLE plan_version (
  id INTEGER PRIMARY KEY,
  plan_id INTEGER NOT NULL REFERENCES plan(id),
  version INTEGER NOT NULL,
  status TEXT NOT NULL,
  import_id INTEGER NOT NULL REFERENCES ledger_import(id),
  reason TEXT,
  compiled TEXT NOT NULL,
  total_ha TEXT NOT NULL,
  parcel_count INTEGER NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (plan_id, version)
);

CREATE TABLE plan_event (
  id INTEGER PRIMARY KEY,
  version_id INTEGER NOT NULL REFERENCES plan_version(id),
  action TEXT NOT NULL,
  from_status TEXT,
  to_status TEXT NOT NULL,
  user_name TEXT NOT NULL,
  at TEXT NOT NULL,
  reason TEXT
);

CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  user_name TEXT NOT NULL,
  action TEXT NOT NULL,
  entity TEXT NOT NULL,
  before TEXT,
  after TEXT,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, '审计日志只能追加，不能修改'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, '审计日志只能追加，不能删除'); END;
