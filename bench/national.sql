-- The national-size store (bench/national.sh): copy the template county's rows — written by
-- landplan itself — to every other county. psql variable: counties (the counties.tsv of
-- bench/national.py: index, code, name; index 0 is the template).
--
-- Each copy gets the county's code and name (in the region columns, the township codes, and
-- the texts that name the county: parcel location and data, the compiled plan, audit entries),
-- new ids (the template's id + a per-county offset, so that every reference is mapped), and
-- its geometry moved on a grid of 60 km (columns of 50) so that counties do not overlap.
-- Copied rows keep the template's seals and hashes: `landplan audit verify` reports them.
\set ON_ERROR_STOP on
BEGIN;
CREATE TEMP TABLE county (idx INT PRIMARY KEY, code TEXT NOT NULL, name TEXT NOT NULL);
\set copy_counties '\\copy county FROM ' :'counties'
:copy_counties
SELECT code AS tcode, name AS tname FROM county WHERE idx = 0 \gset
CREATE TEMP TABLE copy AS
  SELECT idx, code, name, (idx % 50) * 60000.0 AS dx, (idx / 50) * 60000.0 AS dy
  FROM county WHERE idx > 0;
SELECT count(*) AS ncopies FROM copy \gset

-- new id = max id of the table + (copy - 1) × (template rows) + rank of the template row
CREATE FUNCTION pg_temp.id_map(tbl TEXT, key TEXT, cond TEXT) RETURNS TABLE (idx INT, old BIGINT, new BIGINT)
LANGUAGE plpgsql AS $$
DECLARE top BIGINT; n BIGINT;
BEGIN
  EXECUTE format('SELECT coalesce(max(%I), 0) FROM %I', key, tbl) INTO top;
  EXECUTE format('SELECT count(*) FROM %I WHERE %s', tbl, cond) INTO n;
  RETURN QUERY EXECUTE format(
    'SELECT c.idx, t.%1$I, $1 + (c.idx - 1) * $2 + t.r FROM copy c CROSS JOIN '
    '(SELECT %1$I, row_number() OVER (ORDER BY %1$I) AS r FROM %2$I WHERE %3$s) t', key, tbl, cond)
    USING top, n;
END $$;

-- Ledger imports and their parcels.
CREATE TEMP TABLE m_import AS SELECT * FROM pg_temp.id_map('ledger_import', 'id', format('region = %L', :'tcode'));
CREATE UNIQUE INDEX ON m_import (old, idx);
INSERT INTO ledger_import (id, region, year, kind, files, base_import, parcel_count, geometry_count, rejected_rows, total_ha, user_name, at)
SELECT m.new, c.code, li.year, li.kind, li.files, b.new, li.parcel_count, li.geometry_count, li.rejected_rows, li.total_ha, li.user_name, li.at
FROM ledger_import li JOIN m_import m ON m.old = li.id JOIN copy c ON c.idx = m.idx
LEFT JOIN m_import b ON b.old = li.base_import AND b.idx = m.idx;

-- Parcels: every column of the table (the migrations add some), fid from its sequence.
SELECT format('INSERT INTO parcel (%s) SELECT %s FROM parcel p JOIN m_import m ON m.old = p.import_id JOIN copy c ON c.idx = m.idx',
  string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position),
  string_agg(CASE column_name
    WHEN 'geom' THEN 'ST_Translate(p.geom, c.dx, c.dy)'
    WHEN 'import_id' THEN 'm.new'
    WHEN 'region' THEN 'c.code'
    WHEN 'location' THEN format('replace(p.location, %L, c.name)', :'tname')
    WHEN 'data' THEN format('replace(p.data, %L, c.name)', :'tname')
    ELSE 'p.' || quote_ident(column_name) END, ', ' ORDER BY ordinal_position))
FROM information_schema.columns
WHERE table_schema = current_schema() AND table_name = 'parcel' AND column_name <> 'fid' \gexec

-- Township boundaries.
SELECT format('INSERT INTO township (%s) SELECT %s FROM township t CROSS JOIN copy c WHERE t.county = %L',
  string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position),
  string_agg(CASE column_name
    WHEN 'geom' THEN 'ST_Translate(t.geom, c.dx, c.dy)'
    WHEN 'county' THEN 'c.code'
    WHEN 'code' THEN format('CASE WHEN t.code LIKE %L THEN overlay(t.code placing c.code from 1 for 6) ELSE t.code END', :'tcode' || '%')
    WHEN 'file' THEN format('replace(t.file, %L, c.name)', :'tname')
    ELSE 't.' || quote_ident(column_name) END, ', ' ORDER BY ordinal_position),
  :'tcode')
FROM information_schema.columns
WHERE table_schema = current_schema() AND table_name = 'township' AND column_name <> 'fid' \gexec

-- Plans, their versions (compiled plan renamed) and their steps.
CREATE TEMP TABLE m_plan AS SELECT * FROM pg_temp.id_map('plan', 'id', format('region = %L', :'tcode'));
CREATE UNIQUE INDEX ON m_plan (old, idx);
INSERT INTO plan (id, region, year, kind, created_by, created_at)
SELECT m.new, c.code, p.year, p.kind, p.created_by, p.created_at
FROM plan p JOIN m_plan m ON m.old = p.id JOIN copy c ON c.idx = m.idx;

CREATE TEMP TABLE m_version AS SELECT * FROM pg_temp.id_map('plan_version', 'id',
  format('plan_id IN (SELECT id FROM plan WHERE region = %L)', :'tcode'));
CREATE UNIQUE INDEX ON m_version (old, idx);
INSERT INTO plan_version (id, plan_id, version, status, import_id, reason, compiled, total_ha, parcel_count, created_by, created_at)
SELECT mv.new, mp.new, v.version, v.status, mi.new, v.reason,
  replace(replace(v.compiled, :'tname', c.name), :'tcode', c.code),
  v.total_ha, v.parcel_count, v.created_by, v.created_at
FROM plan_version v JOIN m_version mv ON mv.old = v.id JOIN copy c ON c.idx = mv.idx
JOIN m_plan mp ON mp.old = v.plan_id AND mp.idx = mv.idx
JOIN m_import mi ON mi.old = v.import_id AND mi.idx = mv.idx;

INSERT INTO plan_event (version_id, action, from_status, to_status, user_name, at, reason)
SELECT mv.new, e.action, e.from_status, e.to_status, e.user_name, e.at, e.reason
FROM plan_event e JOIN m_version mv ON mv.old = e.version_id
ORDER BY mv.idx, e.id;

-- Supply records and approval batches.
CREATE TEMP TABLE m_monitor AS SELECT * FROM pg_temp.id_map('monitor_import', 'id', format('region = %L', :'tcode'));
CREATE UNIQUE INDEX ON m_monitor (old, idx);
INSERT INTO monitor_import (id, region, kind, file, file_sha256, row_count, added, replaced, unchanged, rejected_rows, total_ha, user_name, at)
SELECT m.new, c.code, mi.kind, mi.file, mi.file_sha256, mi.row_count, mi.added, mi.replaced, mi.unchanged, mi.rejected_rows, mi.total_ha, mi.user_name, mi.at
FROM monitor_import mi JOIN m_monitor m ON m.old = mi.id JOIN copy c ON c.idx = m.idx;
INSERT INTO supply_record (import_id, region, record_key, row_no, supervision_no, parcel_id, supplied_on, area_ha, approval_no, data)
SELECT m.new, c.code, replace(s.record_key, :'tcode', c.code), s.row_no, replace(s.supervision_no, :'tcode', c.code),
  s.parcel_id, s.supplied_on, s.area_ha, s.approval_no, replace(replace(s.data, :'tname', c.name), :'tcode', c.code)
FROM supply_record s JOIN m_monitor m ON m.old = s.import_id JOIN copy c ON c.idx = m.idx;
INSERT INTO approval_batch (import_id, region, record_key, row_no, approval_no, name, approved_on, area_ha, data)
SELECT m.new, c.code, a.record_key, a.row_no, a.approval_no, replace(a.name, :'tname', c.name), a.approved_on, a.area_ha,
  replace(replace(a.data, :'tname', c.name), :'tcode', c.code)
FROM approval_batch a JOIN m_monitor m ON m.old = a.import_id JOIN copy c ON c.idx = m.idx;

-- The template's audit entries about itself, once per copy, after the chain (sequence numbers
-- follow on; the chain anchor names the last entry).
SELECT max(seq) AS amax FROM audit_log \gset
CREATE TEMP TABLE t_audit AS
  SELECT seq, row_number() OVER (ORDER BY seq) AS r FROM audit_log
  WHERE action NOT LIKE 'region.%'
    AND (entity LIKE '%' || :'tcode' || '%' OR entity LIKE '%' || :'tname' || '%'
         OR entity IN (SELECT 'import:' || old FROM m_import));
SELECT count(*) AS na FROM t_audit \gset
INSERT INTO audit_log (seq, at, user_name, action, entity, before, after, seals, prev_hash, hash)
SELECT :amax + (c.idx - 1) * :na + t.r, a.at, a.user_name, a.action,
  CASE WHEN a.entity LIKE 'import:%' THEN 'import:' || mi.new
    ELSE replace(replace(a.entity, :'tcode', c.code), :'tname', c.name) END,
  replace(replace(a.before, :'tcode', c.code), :'tname', c.name),
  replace(replace(a.after, :'tcode', c.code), :'tname', c.name),
  a.seals, a.prev_hash, a.hash
FROM audit_log a JOIN t_audit t ON t.seq = a.seq CROSS JOIN copy c
LEFT JOIN m_import mi ON a.entity = 'import:' || mi.old AND mi.idx = c.idx
ORDER BY 1;
UPDATE landplan_meta SET value = (SELECT seq || ' ' || hash FROM audit_log ORDER BY seq DESC LIMIT 1)
WHERE key = 'audit_head';

-- The identity sequences past the explicit ids.
SELECT setval(pg_get_serial_sequence('ledger_import', 'id'), (SELECT max(id) FROM ledger_import)),
  setval(pg_get_serial_sequence('plan', 'id'), (SELECT max(id) FROM plan)),
  setval(pg_get_serial_sequence('plan_version', 'id'), (SELECT max(id) FROM plan_version)),
  setval(pg_get_serial_sequence('monitor_import', 'id'), (SELECT max(id) FROM monitor_import)) \g /dev/null
COMMIT;
