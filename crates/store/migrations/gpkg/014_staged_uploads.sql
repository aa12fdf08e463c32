-- landplan store, GeoPackage backend, migration 014: staged uploads of the web console
-- (docs/console.md "Staged uploads"), kept in the store so that every server process on one
-- database sees them and a restarted server still has them. `staged_upload`: one ledger upload
-- read and judged but not stored yet, under its random id, of one account (`account_id`), for
-- a region, year and kind (`supply`, `reserve`); the names of its ledger and boundary files;
-- the rounds of cell edits made so far (`edit_rounds`), the errors its last judgement found,
-- and, once stored, what it became (`stored_*`: the import's id, parcels, parcels with a
-- boundary, 总量 in 公顷 as exact decimal text, township boundaries stored with it); created,
-- last seen and expires (Unix seconds; it expires two hours after it was last looked at);
-- `seq` orders the uploads (oldest first: the one a new upload replaces); `storing_unix`: when
-- a process claimed it for storing (one store at a time across processes; a claim older than
-- ten minutes is a crashed process's and may be taken over).
-- `staged_upload_file`: its files as uploaded (`slot`: ledger, geometry, townships,
-- control-1, control-2; a control-line file with its layer name and rule).
-- `staged_upload_edit`: its cell edits, round by round (row number and column in the ledger's
-- grid, the text typed). Staged uploads hold no plan data: they are not sealed, not audited and
-- not in backups; the files and edits are deleted when the upload is stored, the row when it
-- expires, is replaced by the account's newer uploads, or its account is disabled.
-- Written to run again (IF NOT EXISTS).
CREATE TABLE IF NOT EXISTS staged_upload (
  id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  account_id INTEGER NOT NULL REFERENCES account(id),
  region TEXT NOT NULL,
  year INTEGER NOT NULL,
  kind TEXT NOT NULL,
  ledger_name TEXT NOT NULL,
  geometry_name TEXT,
  townships_name TEXT,
  edit_rounds INTEGER NOT NULL DEFAULT 0,
  errors INTEGER NOT NULL DEFAULT 0,
  stored_import_id INTEGER,
  stored_parcels INTEGER,
  stored_geometries INTEGER,
  stored_total_ha TEXT,
  stored_townships INTEGER,
  created_unix INTEGER NOT NULL,
  last_seen_unix INTEGER NOT NULL,
  expires_unix INTEGER NOT NULL,
  storing_unix INTEGER
);
CREATE INDEX IF NOT EXISTS staged_upload_account ON staged_upload(account_id, seq);
CREATE TABLE IF NOT EXISTS staged_upload_file (
  staged_id TEXT NOT NULL REFERENCES staged_upload(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  slot TEXT NOT NULL,
  name TEXT NOT NULL,
  layer_name TEXT,
  rule TEXT,
  bytes BLOB NOT NULL,
  PRIMARY KEY (staged_id, seq)
);
CREATE TABLE IF NOT EXISTS staged_upload_edit (
  staged_id TEXT NOT NULL REFERENCES staged_upload(id) ON DELETE CASCADE,
  round_no INTEGER NOT NULL,
  row_no INTEGER NOT NULL,
  col INTEGER NOT NULL,
  text TEXT NOT NULL,
  PRIMARY KEY (staged_id, round_no, row_no, col)
);
