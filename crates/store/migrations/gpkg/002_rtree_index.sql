-- landplan store, GeoPackage backend, migration 002: the RTree Spatial Index Extension
-- (OGC 12-128r18 §F.3, `gpkg_rtree_index`) on parcel.geom.
-- gpkg_extensions as GeoPackage 1.2 §F.1 defines it (absent from stores made by migration 001).
CREATE TABLE IF NOT EXISTS gpkg_extensions (
  table_name TEXT,
  column_name TEXT,
  extension_name TEXT NOT NULL,
  definition TEXT NOT NULL,
  scope TEXT NOT NULL,
  CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name)
);
CREATE VIRTUAL TABLE rtree_parcel_geom USING rtree(id, minx, maxx, miny, maxy);
INSERT OR IGNORE INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope)
  VALUES ('parcel', 'geom', 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only');
-- The index rows (existing parcels included) and the extension's six triggers are written by
-- the backend when this migration's transaction commits (crates/store/src/gpkg.rs: the
-- triggers call ST_* functions that landplan's connections do not have).
