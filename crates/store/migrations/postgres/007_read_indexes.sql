-- landplan store, PostgreSQL backend, migration 007: indexes for reading one plan in a large
-- store (the public plan page of `landplan serve`, `landplan plan show`, `landplan monitor`).
-- Measured on a national-size store (bench/national.sh: 2,800 counties × 3 years; 64,000
-- audit entries, 45,000 plan steps, 815,000 supply records), each of these reads was a
-- sequential scan of its whole table on every plan page:
-- - the audit entries of one plan (its publication's hash: by entity and action);
-- - the steps of one plan's versions (by version);
-- - the supply records and approval batches of a region and the regions below it (`region
--   LIKE '330102%'`: the existing (region, record_key) index serves `=` but, under a database
--   collation other than C, not a prefix; text_pattern_ops does).
-- None of them changes what any query returns.
CREATE INDEX IF NOT EXISTS audit_log_entity ON audit_log(entity, seq);
CREATE INDEX IF NOT EXISTS plan_event_version ON plan_event(version_id, id);
CREATE INDEX IF NOT EXISTS supply_record_region_prefix ON supply_record(region text_pattern_ops);
CREATE INDEX IF NOT EXISTS approval_batch_region_prefix ON approval_batch(region text_pattern_ops);
