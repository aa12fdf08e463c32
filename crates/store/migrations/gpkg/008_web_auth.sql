-- landplan store, GeoPackage backend, migration 008: what signs accounts in (issue 16).
-- `account.password_hash` (migration 004) now holds an argon2id PHC string (its parameters and
-- salt inside it). `api_token`: bearer tokens for scripts (`landplan user token NAME`); only the
-- SHA-256 of a token is kept, the token itself is shown once. A token is revoked, never deleted,
-- and sealed by the audit entry that created or revoked it. `web_session`: the sessions of the
-- web server, kept in the store so that several server processes on one database share them;
-- only the SHA-256 of the session id is kept, with its CSRF token, the account, when it was
-- created and last used and when it ends whatever happens (Unix seconds). Sessions hold no plan
-- data and are not sealed; a session is deleted at logout, when it expires, and when its
-- account is disabled or its password changes. Written to run again (IF NOT EXISTS, OR IGNORE).
CREATE TABLE IF NOT EXISTS api_token (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id INTEGER NOT NULL REFERENCES account(id),
  token_sha256 TEXT NOT NULL UNIQUE,
  label TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS web_session (
  id_sha256 TEXT PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES account(id),
  csrf_token TEXT NOT NULL,
  created_unix INTEGER NOT NULL,
  last_seen_unix INTEGER NOT NULL,
  expires_unix INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS web_session_account ON web_session(account_id);
INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description)
  VALUES ('api_token', 'attributes', '接口令牌', '脚本调用网站接口用的令牌（只存其 SHA-256）');
