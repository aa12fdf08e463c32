-- landplan store, PostgreSQL backend, migration 009: what a published version offers the
-- public, made once and kept (docs/web.md, "Downloads and fingerprints"): its download files
-- (Word plan, Excel 附表, parcels as GeoJSON and CSV) with their SHA-256, and the checker's
-- report on its Word plan. Written when the version is published (server API, `landplan plan
-- publish`, the demo) or, for a version published without them, on its first visit to the
-- public site. A cache of what landplan writes from the version, not a change of the plan:
-- no audit entry, not sealed, not in backups (a restored store makes them again). Rows are
-- only added, never replaced, so a version's fingerprints stay what they were first made.
CREATE TABLE IF NOT EXISTS published_file (
  version_id BIGINT NOT NULL,
  name TEXT NOT NULL,
  position BIGINT NOT NULL,
  filename TEXT NOT NULL,
  media_type TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  size BIGINT NOT NULL,
  bytes BYTEA NOT NULL,
  PRIMARY KEY (version_id, name)
);
CREATE TABLE IF NOT EXISTS published_check (
  version_id BIGINT PRIMARY KEY,
  report TEXT NOT NULL,
  origin TEXT NOT NULL,
  made_by TEXT NOT NULL,
  made_at TEXT NOT NULL
);
