-- landplan store, GeoPackage backend, migration 004: accounts and their grants.
-- An account acts on the store (its name is what plan steps and audit entries record); a grant
-- gives it one role (editor 编制, reviewer 审核, publisher 发布, admin 管理) for one region and
-- everything below it. A store without accounts is worked by its local operator.
-- password_hash stays NULL until the web server signs accounts in. Written to run again on a
-- store whose migration record was lost (IF NOT EXISTS, OR IGNORE).
CREATE TABLE IF NOT EXISTS account (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  created_at TEXT NOT NULL,
  password_hash TEXT
);

CREATE TABLE IF NOT EXISTS account_grant (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id INTEGER NOT NULL REFERENCES account(id),
  role TEXT NOT NULL CHECK (role IN ('editor', 'reviewer', 'publisher', 'admin')),
  region TEXT NOT NULL,
  UNIQUE (account_id, role, region)
);

-- Attribute tables of the GeoPackage, like the store's other tables.
INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description)
  VALUES ('account', 'attributes', '账户', '经办账户（名称、显示名、是否停用）');
INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description)
  VALUES ('account_grant', 'attributes', '账户授权', '账户在各行政区的角色（编制、审核、发布、管理）');
