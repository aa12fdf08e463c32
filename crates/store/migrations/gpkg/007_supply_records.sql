-- landplan store, GeoPackage backend, migration 007: supply records (供地记录) and approval
-- batches (批次) for monitoring a plan's execution (`landplan import --as records|batches`,
-- `landplan monitor --db`). Each import is a row of `monitor_import`; the rows it stored carry
-- their county (`region`), their identity within the county (`record_key`: 电子监管号 or
-- 宗地编号, with the 批准文号; a batch's 批准文号 or 批次名称), a few columns to query by, and the
-- whole record as read (`data`, JSON of landplan_core::records::{SupplyRecord, ApprovalBatch}).
-- A later import's row with the same key replaces the earlier one. Every row is sealed by the
-- audit entry of the import that wrote (or deleted) it.
CREATE TABLE IF NOT EXISTS monitor_import (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  region TEXT NOT NULL,
  kind TEXT NOT NULL,
  file TEXT NOT NULL,
  file_sha256 TEXT NOT NULL,
  row_count INTEGER NOT NULL,
  added INTEGER NOT NULL,
  replaced INTEGER NOT NULL,
  unchanged INTEGER NOT NULL,
  rejected_rows INTEGER NOT NULL,
  total_ha TEXT NOT NULL,
  user_name TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS supply_record (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  import_id INTEGER NOT NULL REFERENCES monitor_import(id),
  region TEXT NOT NULL,
  record_key TEXT NOT NULL,
  row_no INTEGER NOT NULL,
  supervision_no TEXT,
  parcel_id TEXT,
  supplied_on TEXT,
  area_ha TEXT NOT NULL,
  approval_no TEXT,
  data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS supply_record_region ON supply_record(region, record_key);
CREATE TABLE IF NOT EXISTS approval_batch (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  import_id INTEGER NOT NULL REFERENCES monitor_import(id),
  region TEXT NOT NULL,
  record_key TEXT NOT NULL,
  row_no INTEGER NOT NULL,
  approval_no TEXT,
  name TEXT NOT NULL,
  approved_on TEXT,
  area_ha TEXT NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS approval_batch_region ON approval_batch(region, record_key);
INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description) VALUES
  ('monitor_import', 'attributes', '供地记录与批次导入', '供地记录、批次清单的导入记录'),
  ('supply_record', 'attributes', '供地记录', '按县（行政区）保存的供地记录，用于计划执行监测'),
  ('approval_batch', 'attributes', '批次', '按县（行政区）保存的建设用地批次，用于批而未供与供地率');
