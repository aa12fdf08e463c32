-- landplan store, GeoPackage backend, migration 006: a store QGIS reads as a plan.
-- Parcels get numeric columns beside the exact text ones (area_ha_num from area_ha; the funds
-- of a reserve parcel as exact text funds_wan and as funds_wan_num, 万元), so GIS software can
-- sort and symbolise them; the ledger fields kept so far only in `data` as columns of their
-- own (timing 计划供应时间 and its quarter, housing 住宅类型, reserve_status 储备状态,
-- pre_development 前期开发); and the areas computed from the boundary in the CRS it was given in
-- (source_srid; planar_ha in the plane of that Gauss–Krüger zone, ellipsoidal_ha on the
-- CGCS2000 ellipsoid), kept when the boundary is reprojected into the store's CRS.
-- The derived columns of existing parcels are filled by the store after this migration
-- (crates/store/src/layers.rs), which also writes the Chinese titles of every column into
-- gpkg_data_columns and creates a layer (view) per published plan version and per draft.
-- Township boundaries (乡镇界) have their own feature table, registered as a layer when the
-- first boundaries are imported.
-- landplan:add-column parcel area_ha_num REAL
-- landplan:add-column parcel funds_wan TEXT
-- landplan:add-column parcel funds_wan_num REAL
-- landplan:add-column parcel timing TEXT
-- landplan:add-column parcel quarter INTEGER
-- landplan:add-column parcel housing TEXT
-- landplan:add-column parcel reserve_status TEXT
-- landplan:add-column parcel pre_development TEXT
-- landplan:add-column parcel source_srid INTEGER
-- landplan:add-column parcel planar_ha REAL
-- landplan:add-column parcel ellipsoidal_ha REAL
CREATE TABLE IF NOT EXISTS township (
  fid INTEGER PRIMARY KEY AUTOINCREMENT,
  geom MULTIPOLYGON,
  county TEXT NOT NULL,
  name TEXT NOT NULL,
  code TEXT,
  planar_ha REAL,
  ellipsoidal_ha REAL,
  source_srid INTEGER,
  file TEXT NOT NULL,
  user_name TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS township_county ON township(county, name);
-- The Schema extension (GeoPackage 1.2.1 §F.9, gpkg_schema): titles and descriptions of
-- columns, which GDAL ≥ 3.7 and QGIS show as field aliases.
CREATE TABLE IF NOT EXISTS gpkg_data_columns (
  table_name TEXT NOT NULL,
  column_name TEXT NOT NULL,
  name TEXT,
  title TEXT,
  description TEXT,
  mime_type TEXT,
  constraint_name TEXT,
  CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name),
  CONSTRAINT gdc_tn UNIQUE (table_name, name)
);
CREATE TABLE IF NOT EXISTS gpkg_data_column_constraints (
  constraint_name TEXT NOT NULL,
  constraint_type TEXT NOT NULL,
  value TEXT,
  min NUMERIC,
  min_is_inclusive BOOLEAN,
  max NUMERIC,
  max_is_inclusive BOOLEAN,
  description TEXT,
  CONSTRAINT gdcc_ntv UNIQUE (constraint_name, constraint_type, value)
);
INSERT OR IGNORE INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope)
  VALUES ('gpkg_data_columns', NULL, 'gpkg_schema', 'http://www.geopackage.org/spec121/#extension_schema', 'read-write');
INSERT OR IGNORE INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope)
  VALUES ('gpkg_data_column_constraints', NULL, 'gpkg_schema', 'http://www.geopackage.org/spec121/#extension_schema', 'read-write');
