-- landplan store, GeoPackage backend, migration 015: boundaries of reserve parcels (储备地块;
-- docs/reserve.md "Boundaries"). Each reserve parcel may have a boundary (`geom`, MultiPolygon
-- in the store's CRS, converted on import like control lines: crates/store/src/reserve_boundary.rs),
-- its areas measured in the CRS it was given in (`planar_ha`, `ellipsoidal_ha`, `source_srid`)
-- and the file it came from (`boundary_file`). They are part of the parcel's row and of its
-- seal (crates/store/src/state.rs: hashed only when set, so rows sealed before keep their
-- seals). The table becomes the feature layer 储备地块 (gpkg_contents, gpkg_geometry_columns
-- and the Chinese titles in gpkg_data_columns are written by the store, which knows the CRS:
-- crates/store/src/layers.rs), with the R-tree spatial index below (its rows and triggers are
-- written by the backend when the transaction commits: crates/store/src/gpkg.rs).
-- landplan:add-column reserve_parcel geom MULTIPOLYGON
-- landplan:add-column reserve_parcel planar_ha REAL
-- landplan:add-column reserve_parcel ellipsoidal_ha REAL
-- landplan:add-column reserve_parcel source_srid INTEGER
-- landplan:add-column reserve_parcel boundary_file TEXT
CREATE VIRTUAL TABLE IF NOT EXISTS rtree_reserve_parcel_geom USING rtree(id, minx, maxx, miny, maxy);
INSERT OR IGNORE INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope)
  VALUES ('reserve_parcel', 'geom', 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only');
-- A store that has its CRS already: the attribute table becomes the feature layer now (a store
-- being created gets it when its CRS is set).
-- (Run again on a store whose migration record was lost, it registers the layer afresh.)
DELETE FROM gpkg_geometry_columns WHERE table_name = 'reserve_parcel'
  AND EXISTS (SELECT 1 FROM landplan_meta WHERE key = 'srid');
DELETE FROM gpkg_contents WHERE table_name = 'reserve_parcel'
  AND EXISTS (SELECT 1 FROM landplan_meta WHERE key = 'srid');
INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id)
  SELECT 'reserve_parcel', 'features', '储备地块', '按县（行政区）保存的储备地块：编号、项目名称、乡镇、状态、面积与边界', CAST(value AS INTEGER)
  FROM landplan_meta WHERE key = 'srid';
INSERT OR IGNORE INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, m)
  SELECT 'reserve_parcel', 'geom', 'MULTIPOLYGON', CAST(value AS INTEGER), 0, 0
  FROM landplan_meta WHERE key = 'srid';
