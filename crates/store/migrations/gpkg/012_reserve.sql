-- landplan store, GeoPackage backend, migration 012: the land reserve (土地储备, issue 18;
-- docs/reserve.md "Store"). A reserve parcel (储备地块) is one row per county (`region`) and
-- 储备地块编号 (`parcel_id`), kept from 拟收储 to 供应: its whole life as JSON (`data`:
-- landplan_core::reserve::ReserveParcel — steps, planned steps, costs, 净地 checklist,
-- obstacles), with its state (`state`: id, `state_label`: 入库 …) and area (`area_ha`, exact
-- decimal text; `area_ha_num`, a derived copy for GIS filters) as columns so that a QGIS
-- layer or plain SQL can filter by them. A special-bond project (专项债券项目) is one row per
-- county and bond id, its body as JSON. Rows are updated in place; every write is sealed by
-- its audit entry (reserve.import, reserve.step, reserve.readiness, reserve.obstacle,
-- reserve.cost, reserve.bond).
CREATE TABLE IF NOT EXISTS reserve_parcel (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  region TEXT NOT NULL,
  parcel_id TEXT NOT NULL,
  project TEXT,
  township TEXT,
  state TEXT NOT NULL,
  state_label TEXT NOT NULL,
  area_ha TEXT NOT NULL,
  area_ha_num REAL NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  data TEXT NOT NULL,
  UNIQUE (region, parcel_id)
);
CREATE INDEX IF NOT EXISTS reserve_parcel_state ON reserve_parcel(region, state);
CREATE TABLE IF NOT EXISTS reserve_bond (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  region TEXT NOT NULL,
  bond_id TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  data TEXT NOT NULL,
  UNIQUE (region, bond_id)
);
INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description) VALUES
  ('reserve_parcel', 'attributes', '储备地块', '按县（行政区）保存的储备地块：编号、状态、面积与全生命周期记录'),
  ('reserve_bond', 'attributes', '土地储备专项债券', '按县（行政区）保存的土地储备专项债券项目');
