-- landplan store, GeoPackage backend, migration 012: control lines (管控线) — a region's
-- control layers (永久基本农田, 生态保护红线, 城镇开发边界 or any name), each feature a row with
-- its layer's name and rule (forbid 禁止占用 / within 应在其内 / assign 归属), in the store's
-- CRS (converted on import like township boundaries: crates/store/src/control.rs), its areas
-- measured where it was given, the file it came from and who imported it when. A layer of
-- the same name for the same region is replaced whole in one transaction, sealed by its
-- audit entry (control.import / control.remove). The table is registered as a feature layer
-- (管控线) with Chinese column titles when it first has features (crates/store/src/layers.rs).
CREATE TABLE IF NOT EXISTS control_line (
  fid INTEGER PRIMARY KEY AUTOINCREMENT,
  geom MULTIPOLYGON,
  region TEXT NOT NULL,
  layer TEXT NOT NULL,
  rule TEXT NOT NULL,
  label TEXT,
  planar_ha REAL,
  ellipsoidal_ha REAL,
  source_srid INTEGER,
  file TEXT NOT NULL,
  user_name TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS control_line_region ON control_line(region, layer);
