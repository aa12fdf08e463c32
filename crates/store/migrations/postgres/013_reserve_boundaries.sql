-- landplan store, PostgreSQL backend, migration 013: boundaries of reserve parcels (储备地块;
-- docs/reserve.md "Boundaries"). Each reserve parcel may have a boundary (`geom`, MultiPolygon
-- in the store's CRS, converted on import like control lines: crates/store/src/reserve_boundary.rs),
-- its areas measured in the CRS it was given in (`planar_ha`, `ellipsoidal_ha`, `source_srid`)
-- and the file it came from (`boundary_file`). They are part of the parcel's row and of its
-- seal (hashed only when set, so rows sealed before keep their seals). The geometry column gets
-- the store's SRID, a GiST index and the table and its columns their Chinese comments from the
-- store (crates/store/src/layers.rs), which knows the SRID; PostGIS then lists the table in
-- geometry_columns and QGIS shows it as a layer.
ALTER TABLE reserve_parcel ADD COLUMN IF NOT EXISTS geom geometry(MultiPolygon);
ALTER TABLE reserve_parcel ADD COLUMN IF NOT EXISTS planar_ha DOUBLE PRECISION;
ALTER TABLE reserve_parcel ADD COLUMN IF NOT EXISTS ellipsoidal_ha DOUBLE PRECISION;
ALTER TABLE reserve_parcel ADD COLUMN IF NOT EXISTS source_srid BIGINT;
ALTER TABLE reserve_parcel ADD COLUMN IF NOT EXISTS boundary_file TEXT;
