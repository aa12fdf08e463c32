//! The stored state under the audit chain: every row a change writes is *sealed* by the
//! change's audit entry, so that `audit verify` finds and names any edit made outside
//! landplan (which table, which row, what).
//!
//! A row's hash is `SHA-256` of the compact JSON array `[table, column values…]` over the
//! columns of `SPECS` (integers as numbers, text as strings, NULL as null), the same on both
//! backends. A **seal** `[table, key, hash]` records the hash a change left a row with (`hash`
//! null: the change deleted it); the seals of a change travel in its audit entry (the `seals`
//! column, covered by the entry's hash). Parcels are many and never change after their import:
//! each carries its own hash (`parcel.row_hash`, over its content and its geometry as WKB) and
//! the import seals them as one group, `["parcel", "import:ID", digest]`, the digest being
//! `SHA-256` over `fid:row_hash` lines in `fid` order.
//!
//! Verification replays the seals in chain order (a later seal of a row replaces an earlier
//! one) and compares them with every row of every table (`check`). Stores written before
//! seals existed are sealed once, whole, when a landplan with seals first opens them for
//! writing (an audit entry `store.seal`); edits made before that cannot be told apart.

use crate::audit::sha256_hex;
use crate::db::{Backend, Value};
use crate::error::StoreError;
use crate::geom::Geometry;
use serde_json::Value as Json;
use std::collections::{BTreeMap, HashMap};

/// A sealed table: its name, the column that identifies a row, the columns its hash covers.
pub(crate) struct Spec {
    /// The table.
    pub table: &'static str,
    /// The identifying column (`code` for regions, `key` for the metadata, else `id`).
    pub key: &'static str,
    /// The columns the row hash covers, in order.
    pub columns: &'static str,
    /// Which rows are sealed (an SQL condition), when not all of them.
    pub only: Option<&'static str>,
    /// Whether the row's geometry (`geom`, as WKB) is hashed after its columns.
    pub geom: bool,
    /// Columns added by a later migration: hashed after `columns` when any of them is set, so
    /// that rows written before they existed keep their hashes. With `geom` the geometry was
    /// added with them: it is hashed last, counts as one of them, and is not read at all
    /// from a store that does not have them yet.
    pub extra: Option<&'static str>,
}

/// Every sealed table but the parcels, in the order verification reads them.
pub(crate) const SPECS: &[Spec] = &[
    Spec {
        table: "landplan_meta",
        key: "key",
        columns: "key, value",
        only: Some("key = 'srid'"),
        geom: false,
        extra: None,
    },
    Spec {
        table: "region",
        key: "code",
        columns: "code, name, level, parent",
        only: None,
        geom: false,
        extra: None,
    },
    Spec {
        table: "ledger_import",
        key: "id",
        columns: "id, region, year, kind, files, base_import, parcel_count, geometry_count, rejected_rows, total_ha, user_name, at",
        only: None,
        geom: false,
        extra: None,
    },
    Spec {
        table: "plan",
        key: "id",
        columns: "id, region, year, kind, created_by, created_at",
        only: None,
        geom: false,
        extra: None,
    },
    Spec {
        table: "plan_version",
        key: "id",
        columns: "id, plan_id, version, status, import_id, reason, compiled, total_ha, parcel_count, created_by, created_at",
        only: None,
        geom: false,
        extra: Some("doc_number, issuing_body"),
    },
    Spec {
        table: "plan_event",
        key: "id",
        columns: "id, version_id, action, from_status, to_status, user_name, at, reason",
        only: None,
        geom: false,
        extra: None,
    },
    Spec {
        table: "account",
        key: "id",
        columns: "id, name, display_name, disabled, created_at, password_hash",
        only: None,
        geom: false,
        extra: None,
    },
    Spec {
        table: "account_grant",
        key: "id",
        columns: "id, account_id, role, region",
        only: None,
        geom: false,
        extra: None,
    },
    Spec {
        table: "api_token",
        key: "id",
        columns: "id, account_id, token_sha256, label, created_at, revoked_at",
        only: None,
        geom: false,
        extra: None,
    },
    Spec {
        table: "township",
        key: "fid",
        columns: "fid, county, name, code, planar_ha, ellipsoidal_ha, source_srid, file, user_name, at",
        only: None,
        geom: true,
        extra: None,
    },
    Spec {
        table: "control_line",
        key: "fid",
        columns: "fid, region, layer, rule, label, planar_ha, ellipsoidal_ha, source_srid, file, user_name, at",
        only: None,
        geom: true,
        extra: None,
    },
    Spec {
        table: "monitor_import",
        key: "id",
        columns: "id, region, kind, file, file_sha256, row_count, added, replaced, unchanged, rejected_rows, total_ha, user_name, at",
        only: None,
        geom: false,
        extra: None,
    },
    Spec {
        table: "supply_record",
        key: "id",
        columns: "id, import_id, region, record_key, row_no, supervision_no, parcel_id, supplied_on, area_ha, approval_no, data",
        only: None,
        geom: false,
        extra: None,
    },
    Spec {
        table: "approval_batch",
        key: "id",
        columns: "id, import_id, region, record_key, row_no, approval_no, name, approved_on, area_ha, data",
        only: None,
        geom: false,
        extra: None,
    },
    Spec {
        table: "reserve_parcel",
        key: "id",
        columns: "id, region, parcel_id, project, township, state, state_label, area_ha, area_ha_num, updated_by, updated_at, data",
        only: None,
        // The boundary (migration gpkg 015 / postgres 013) with its measures: hashed only when
        // set, so that rows sealed before it existed keep their seals.
        geom: true,
        extra: Some("planar_ha, ellipsoidal_ha, source_srid, boundary_file"),
    },
    Spec {
        table: "reserve_bond",
        key: "id",
        columns: "id, region, bond_id, updated_by, updated_at, data",
        only: None,
        geom: false,
        extra: None,
    },
];

/// The parcel columns a parcel's hash covers (with its geometry after them).
pub(crate) const PARCEL_HASHED: &str = "import_id, region, year, parcel_id, location, township, class_text, class_code, area_ha, source, method, data";

/// How many columns [`PARCEL_HASHED`] has.
pub(crate) const PARCEL_HASHED_COUNT: usize = 12;

/// The parcel columns measured from the boundary as it was given (its CRS, its areas there);
/// hashed after the geometry when any of them is set (parcels stored before they existed
/// keep their hashes).
pub(crate) const PARCEL_MEASURED: &str = "source_srid, planar_ha, ellipsoidal_ha";

/// The parcel columns a parcel's hash covers in this store: [`PARCEL_HASHED`], and
/// [`PARCEL_MEASURED`] when the store has them (a store written by an older landplan, read
/// without migrating it, has not).
pub(crate) fn parcel_hashed_columns(db: &mut dyn Backend) -> Result<String, StoreError> {
    Ok(if crate::layers::has_gis_columns(db)? {
        format!("{PARCEL_HASHED}, {PARCEL_MEASURED}")
    } else {
        PARCEL_HASHED.to_string()
    })
}

/// The spec of a table.
pub(crate) fn spec(table: &str) -> Option<&'static Spec> {
    SPECS.iter().find(|s| s.table == table)
}

/// The key of a sealed row: an id, a code, or a group (`import:3`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Key {
    /// An integer id.
    Int(i64),
    /// A code, a metadata key, or a parcel group.
    Text(String),
}

impl Key {
    fn from_value(v: &Value) -> Key {
        match v {
            Value::Int(i) => Key::Int(*i),
            other => Key::Text(other.text()),
        }
    }

    fn json(&self) -> Json {
        match self {
            Key::Int(i) => Json::from(*i),
            Key::Text(t) => Json::from(t.as_str()),
        }
    }

    fn from_json(v: &Json) -> Option<Key> {
        match v {
            Json::Number(n) => n.as_i64().map(Key::Int),
            Json::String(s) => Some(Key::Text(s.clone())),
            _ => None,
        }
    }

    /// The value to bind when selecting the row.
    pub fn value(&self) -> Value {
        match self {
            Key::Int(i) => Value::Int(*i),
            Key::Text(t) => Value::Text(t.clone()),
        }
    }

    /// The import of a parcel group key.
    fn import(&self) -> Option<i64> {
        match self {
            Key::Text(t) => t.strip_prefix("import:").and_then(|n| n.parse().ok()),
            Key::Int(_) => None,
        }
    }
}

impl From<i64> for Key {
    fn from(v: i64) -> Key {
        Key::Int(v)
    }
}

impl From<&str> for Key {
    fn from(v: &str) -> Key {
        Key::Text(v.to_string())
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Key::Int(i) => write!(f, "{i}"),
            Key::Text(t) => f.write_str(t),
        }
    }
}

/// The hash a change left a row (or a parcel group) with; `None`: the change deleted it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Seal {
    pub table: String,
    pub key: Key,
    pub hash: Option<String>,
}

/// The seals of an audit entry as stored (compact JSON), or None when there are none.
pub(crate) fn seals_json(seals: &[Seal]) -> Option<String> {
    if seals.is_empty() {
        return None;
    }
    let arr: Vec<Json> = seals
        .iter()
        .map(|s| {
            Json::Array(vec![
                Json::from(s.table.as_str()),
                s.key.json(),
                s.hash.clone().into(),
            ])
        })
        .collect();
    Some(Json::Array(arr).to_string())
}

/// The seals of a stored entry (None: they do not parse).
pub(crate) fn parse_seals(text: &str) -> Option<Vec<Seal>> {
    let v: Json = serde_json::from_str(text).ok()?;
    v.as_array()?
        .iter()
        .map(|s| {
            let a = s.as_array()?;
            Some(Seal {
                table: a.first()?.as_str()?.to_string(),
                key: Key::from_json(a.get(1)?)?,
                hash: match a.get(2)? {
                    Json::Null => None,
                    Json::String(h) => Some(h.clone()),
                    _ => return None,
                },
            })
        })
        .collect()
}

fn json_value(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Int(i) => Json::from(*i),
        // The shortest text that reads back as the same number (the same on both backends).
        Value::Real(f) => Json::from(*f),
        Value::Text(t) => Json::from(t.as_str()),
        Value::Blob(b) => Json::from(crate::audit::hex(b)),
    }
}

/// The hash of a row of `table` with these column values.
pub(crate) fn row_hash(table: &str, values: &[Value]) -> String {
    let mut arr = Vec::with_capacity(values.len() + 1);
    arr.push(Json::from(table));
    arr.extend(values.iter().map(json_value));
    sha256_hex(Json::Array(arr).to_string().as_bytes())
}

/// The hash of a parcel: its [`PARCEL_HASHED`] values, its geometry (as WKB; an empty
/// geometry, which older landplans stored for unusable boundaries, counts as none), then its
/// [`PARCEL_MEASURED`] values (following the hashed ones in `values`) when any is set.
pub(crate) fn parcel_hash(values: &[Value], geometry: Option<&Geometry>) -> String {
    let (hashed, measured) = values.split_at(values.len().min(PARCEL_HASHED_COUNT));
    let mut all = hashed.to_vec();
    all.push(match geometry {
        Some(g) if !g.0.is_empty() => Value::Blob(crate::geom::to_wkb(g)),
        _ => Value::Null,
    });
    if measured.iter().any(|v| *v != Value::Null) {
        all.extend_from_slice(measured);
    }
    row_hash("parcel", &all)
}

/// Whether the store has a sealed table's [`Spec::extra`] columns (a store written by an older
/// landplan and read without migrating it has not).
fn has_extra(db: &mut dyn Backend, s: &Spec) -> Result<bool, StoreError> {
    match s.extra.and_then(|e| e.split(',').next()) {
        Some(first) => db.column_exists(s.table, first.trim()),
        None => Ok(false),
    }
}

/// The columns to select for a sealed table's row hash: its columns, the [`Spec::extra`] ones
/// when `extra`, and its geometry last (for [`Spec::geom`]).
fn select_columns(db: &dyn Backend, s: &Spec, extra: bool) -> String {
    let mut cols = s.columns.to_string();
    if let Some(e) = s.extra.filter(|_| extra) {
        cols.push_str(", ");
        cols.push_str(e);
    }
    if has_geom(s, extra) {
        cols.push_str(", ");
        cols.push_str(db.geom_select());
    }
    cols
}

/// Whether a sealed table's selected rows end with its geometry: it has one, and (when the
/// geometry came with the [`Spec::extra`] columns) the store has them.
fn has_geom(s: &Spec, extra: bool) -> bool {
    s.geom && (s.extra.is_none() || extra)
}

/// The hash of a selected (and [`hashable`]) row: the [`Spec::extra`] columns count only when
/// one of them is set.
fn spec_hash(s: &Spec, row: &[Value]) -> String {
    let base = s.columns.split(',').count();
    if s.extra.is_some() && row.len() > base && row[base..].iter().all(|v| *v == Value::Null) {
        return row_hash(s.table, &row[..base]);
    }
    row_hash(s.table, row)
}

/// A selected row as it is hashed: the geometry (last, for [`Spec::geom`]) as WKB or NULL.
fn hashable(db: &dyn Backend, s: &Spec, extra: bool, mut row: Vec<Value>) -> Vec<Value> {
    if has_geom(s, extra) {
        let g = row.pop().unwrap_or(Value::Null);
        row.push(match db.geom_decode(g) {
            Some(g) if !g.0.is_empty() => Value::Blob(crate::geom::to_wkb(&g)),
            _ => Value::Null,
        });
    }
    row
}

/// The digest of a parcel group: `SHA-256` over `fid:row_hash` lines in `fid` order.
#[derive(Default)]
pub(crate) struct GroupDigest {
    hasher: sha2::Sha256,
    /// Parcels in the group.
    pub count: i64,
}

impl GroupDigest {
    pub fn add(&mut self, fid: i64, hash: &str) {
        use sha2::Digest;
        self.hasher.update(format!("{fid}:{hash}\n").as_bytes());
        self.count += 1;
    }

    pub fn finish(&self) -> String {
        use sha2::Digest;
        crate::audit::hex(&self.hasher.clone().finalize())
    }
}

/// The seal of one row as it is now (`None` hash when it does not exist).
pub(crate) fn seal_row(db: &mut dyn Backend, table: &str, key: Key) -> Result<Seal, StoreError> {
    let s = spec(table).ok_or_else(|| StoreError::Corrupt(format!("表 {table} 不在封存之列")))?;
    let extra = has_extra(db, s)?;
    let rows = db.query(
        &format!(
            "SELECT {} FROM {} WHERE {} = ?",
            select_columns(db, s, extra),
            s.table,
            s.key
        ),
        &[key.value()],
    )?;
    Ok(Seal {
        table: table.to_string(),
        hash: rows
            .into_iter()
            .next()
            .map(|r| spec_hash(s, &hashable(db, s, extra, r))),
        key,
    })
}

/// The seal of the parcels of an import, from their stored row hashes.
pub(crate) fn seal_parcels(db: &mut dyn Backend, import_id: i64) -> Result<Seal, StoreError> {
    let mut d = GroupDigest::default();
    db.query_each(
        "SELECT fid, row_hash FROM parcel WHERE import_id = ? ORDER BY fid",
        &[Value::Int(import_id)],
        &mut |r| {
            d.add(r[0].as_i64().unwrap_or(0), &r[1].text());
            Ok(())
        },
    )?;
    Ok(Seal {
        table: "parcel".into(),
        key: Key::Text(format!("import:{import_id}")),
        hash: Some(d.finish()),
    })
}

/// Seals of the whole state as it is: every row of every sealed table, and every import's
/// parcels. Parcels without their own hash (written before seals existed) get it first.
pub(crate) fn seal_everything(db: &mut dyn Backend) -> Result<Vec<Seal>, StoreError> {
    let mut seals = Vec::new();
    for s in SPECS {
        if !db.table_exists(s.table)? {
            continue;
        }
        let filter = s.only.map(|c| format!(" WHERE {c}")).unwrap_or_default();
        let key_index = s
            .columns
            .split(',')
            .position(|c| c.trim() == s.key)
            .unwrap_or(0);
        let extra = has_extra(db, s)?;
        let mut rows = Vec::new();
        db.query_each(
            &format!(
                "SELECT {} FROM {}{filter} ORDER BY {}",
                select_columns(db, s, extra),
                s.table,
                s.key
            ),
            &[],
            &mut |r| {
                rows.push(r);
                Ok(())
            },
        )?;
        for r in rows {
            let r = hashable(db, s, extra, r);
            seals.push(Seal {
                table: s.table.to_string(),
                key: Key::from_value(&r[key_index]),
                hash: Some(spec_hash(s, &r)),
            });
        }
    }
    hash_unhashed_parcels(db)?;
    let imports: Vec<i64> = db
        .query(
            "SELECT DISTINCT import_id FROM parcel ORDER BY import_id",
            &[],
        )?
        .into_iter()
        .filter_map(|r| r[0].as_i64())
        .collect();
    for id in imports {
        seals.push(seal_parcels(db, id)?);
    }
    Ok(seals)
}

/// Give every parcel without a row hash its hash (parcels written before seals existed), a
/// slice at a time.
fn hash_unhashed_parcels(db: &mut dyn Backend) -> Result<(), StoreError> {
    let geom = db.geom_select();
    let hashed = parcel_hashed_columns(db)?;
    let mut last_fid = i64::MIN;
    loop {
        let mut rows: Vec<(i64, Vec<Value>, Value)> = Vec::new();
        db.query_each(
            &format!("SELECT fid, {geom}, {hashed} FROM parcel WHERE row_hash IS NULL AND fid > ? ORDER BY fid LIMIT 2000"),
            &[Value::Int(last_fid)],
            &mut |mut r| {
                let fid = r.remove(0).as_i64().unwrap_or(0);
                let g = r.remove(0);
                rows.push((fid, r, g));
                Ok(())
            },
        )?;
        if rows.is_empty() {
            return Ok(());
        }
        for (fid, values, g) in rows {
            last_fid = fid;
            let geometry = db.geom_decode(g);
            let h = parcel_hash(&values, geometry.as_ref());
            db.exec(
                "UPDATE parcel SET row_hash = ? WHERE fid = ?",
                &[h.into(), Value::Int(fid)],
            )?;
        }
    }
}

/// What the log says a row should be: the entry that last sealed it and the hash.
pub(crate) type Expected = HashMap<(String, Key), Sealed>;

/// The entry that last sealed a row, and the hash it sealed (None: deleted).
pub(crate) type Sealed = (i64, Option<String>);

/// A row of the stored state that is not what the audit log sealed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StateProblem {
    /// The table (`plan_version`, `parcel` …).
    pub table: String,
    /// The row, as a person names it (`330102 2025 年国有建设用地供应计划 第 1 版`).
    pub row: String,
    /// What is wrong with it.
    pub what: String,
    /// The audit entry that last sealed the row (None: no entry ever wrote it).
    pub seq: Option<i64>,
}

impl StateProblem {
    /// One line: `表 plan_version：330102 … 第 1 版——状态为“已公布”，审计日志记录为“草稿”`.
    pub fn line(&self) -> String {
        format!("表 {}：{}——{}", self.table, self.row, self.what)
    }
}

/// How many problems are listed at most (the count says how many there were).
pub const MAX_PROBLEMS: usize = 100;

struct Problems {
    list: Vec<StateProblem>,
    total: usize,
}

impl Problems {
    fn push(&mut self, p: StateProblem) {
        self.total += 1;
        if self.list.len() < MAX_PROBLEMS {
            self.list.push(p);
        }
    }
}

/// Compare every row of the stored state with what the log sealed; the problems found (at
/// most [`MAX_PROBLEMS`]) and how many there were.
pub(crate) fn check(
    db: &mut dyn Backend,
    expected: &Expected,
) -> Result<(Vec<StateProblem>, usize), StoreError> {
    let mut problems = Problems {
        list: Vec::new(),
        total: 0,
    };
    let mut names = Names::default();
    for s in SPECS {
        if !db.table_exists(s.table)? {
            continue;
        }
        let filter = s.only.map(|c| format!(" WHERE {c}")).unwrap_or_default();
        let extra = has_extra(db, s)?;
        let mut cols: Vec<&str> = s.columns.split(',').map(str::trim).collect();
        if let Some(e) = s.extra.filter(|_| extra) {
            cols.extend(e.split(',').map(str::trim));
        }
        let key_index = cols.iter().position(|c| *c == s.key).unwrap_or(0);
        // Stream the rows; keep only those that disagree with the log.
        let mut odd: Vec<(Vec<Value>, Option<&Sealed>)> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        // Rows with a geometry are hashed after the query (decoding needs the backend).
        let mut with_geometry: Vec<Vec<Value>> = Vec::new();
        db.query_each(
            &format!(
                "SELECT {} FROM {}{filter} ORDER BY {}",
                select_columns(db, s, extra),
                s.table,
                s.key
            ),
            &[],
            &mut |r| {
                if has_geom(s, extra) {
                    with_geometry.push(r);
                    return Ok(());
                }
                let key = Key::from_value(&r[key_index]);
                let sealed = expected.get(&(s.table.to_string(), key.clone()));
                seen.insert(key);
                match sealed {
                    Some((_, Some(h))) if *h == spec_hash(s, &r) => {}
                    _ => odd.push((r, sealed)),
                }
                Ok(())
            },
        )?;
        for r in with_geometry {
            let r = hashable(db, s, extra, r);
            let key = Key::from_value(&r[key_index]);
            let sealed = expected.get(&(s.table.to_string(), key.clone()));
            seen.insert(key);
            match sealed {
                Some((_, Some(h))) if *h == spec_hash(s, &r) => {}
                _ => odd.push((r, sealed)),
            }
        }
        for (r, sealed) in odd {
            let what = match sealed {
                Some((seq, Some(_))) => changed(db, s.table, &cols, &r, *seq)?,
                Some((seq, None)) => format!(
                    "审计日志第 {seq} 条记录它已被删除，数据库中却仍有（在 landplan 之外添加）"
                ),
                None => "不在审计日志中（在 landplan 之外添加）".to_string(),
            };
            let row = names.row(db, s.table, &cols, &r)?;
            problems.push(StateProblem {
                table: s.table.to_string(),
                row,
                what,
                seq: sealed.map(|x| x.0),
            });
        }
        let mut missing: Vec<(&Key, i64)> = expected
            .iter()
            .filter(|((t, k), (_, h))| t == s.table && h.is_some() && !seen.contains(k))
            .map(|((_, k), (seq, _))| (k, *seq))
            .collect();
        missing.sort();
        for (key, seq) in missing {
            let row = Names::missing(s.table, key);
            problems.push(StateProblem {
                table: s.table.to_string(),
                row,
                what: format!("已被删除（审计日志第 {seq} 条记录了它）"),
                seq: Some(seq),
            });
        }
    }
    check_parcels(db, expected, &mut problems)?;
    Ok((problems.list, problems.total))
}

/// Parcels: each row against its own hash, each import's group against its seal.
fn check_parcels(
    db: &mut dyn Backend,
    expected: &Expected,
    problems: &mut Problems,
) -> Result<(), StoreError> {
    let geom = db.geom_select();
    let gis = crate::layers::has_gis_columns(db)?;
    let hashed = parcel_hashed_columns(db)?;
    // The derived columns (after the row hash) are checked against what they derive from.
    let derived = if gis {
        format!(", {}", crate::layers::PARCEL_DERIVED)
    } else {
        String::new()
    };
    let mut groups: BTreeMap<i64, (GroupDigest, bool)> = BTreeMap::new();
    let mut bad_rows: Vec<(i64, Vec<Value>, Option<String>)> = Vec::new();
    let mut rows: Vec<ParcelRow> = Vec::new();
    // Read and hash in slices, so that memory stays bounded on large stores.
    let mut last_fid = i64::MIN;
    loop {
        rows.clear();
        db.query_each(
            &format!("SELECT fid, {geom}, row_hash, {hashed}{derived} FROM parcel WHERE fid > ? ORDER BY fid LIMIT 2000"),
            &[Value::Int(last_fid)],
            &mut |mut r| {
                let fid = r.remove(0).as_i64().unwrap_or(0);
                let g = r.remove(0);
                let stored = r.remove(0).opt_text();
                let derived = if gis {
                    r.split_off(r.len() - crate::layers::DERIVED_COUNT)
                } else {
                    Vec::new()
                };
                rows.push(ParcelRow {
                    fid,
                    values: r,
                    geom: g,
                    stored,
                    derived,
                });
                Ok(())
            },
        )?;
        if rows.is_empty() {
            break;
        }
        for row in rows.drain(..) {
            let ParcelRow {
                fid,
                values,
                geom,
                stored,
                derived,
            } = row;
            last_fid = fid;
            let geometry = db.geom_decode(geom);
            let hash = parcel_hash(&values, geometry.as_ref());
            let import = values[0].as_i64().unwrap_or(0);
            let group = groups.entry(import).or_default();
            group.0.add(fid, stored.as_deref().unwrap_or(""));
            if stored.as_deref() != Some(hash.as_str()) {
                group.1 = true;
                let what = if stored.is_none() {
                    "没有写入时的哈希（在 landplan 之外添加）".to_string()
                } else {
                    parcel_change(&values)
                };
                bad_rows.push((fid, values, Some(what)));
            } else if gis {
                if let Some(what) = derived_change(&values, &derived) {
                    bad_rows.push((fid, values, Some(what)));
                }
            }
        }
    }
    for (fid, values, what) in bad_rows {
        let import = values[0].as_i64().unwrap_or(0);
        let sealed = expected.get(&("parcel".to_string(), Key::Text(format!("import:{import}"))));
        problems.push(StateProblem {
            table: "parcel".into(),
            row: Names::parcel(fid, &values),
            what: what.unwrap_or_default(),
            seq: sealed.map(|x| x.0),
        });
    }
    for (import, (digest, had_bad_rows)) in &groups {
        let key = ("parcel".to_string(), Key::Text(format!("import:{import}")));
        match expected.get(&key) {
            Some((_, Some(h))) if *h == digest.finish() => {}
            _ if *had_bad_rows => {}
            Some((seq, Some(_))) => {
                let recorded = recorded_count(db, *import)?;
                let what = match recorded {
                    Some(n) if n != digest.count => format!(
                        "审计日志第 {seq} 条记录导入了 {n} 个地块，数据库中现有 {} 个（有地块被删除或添加）",
                        digest.count
                    ),
                    _ => format!("地块与审计日志第 {seq} 条记录的不符（有地块被替换、删除或添加）"),
                };
                problems.push(StateProblem {
                    table: "parcel".into(),
                    row: format!("导入批次 {import} 的地块"),
                    what,
                    seq: Some(*seq),
                });
            }
            _ => problems.push(StateProblem {
                table: "parcel".into(),
                row: format!("导入批次 {import} 的 {} 个地块", digest.count),
                what: "不在审计日志中（在 landplan 之外添加）".into(),
                seq: None,
            }),
        }
    }
    let mut gone: Vec<(i64, i64)> = expected
        .iter()
        .filter(|((t, _), (_, h))| t == "parcel" && h.is_some())
        .filter_map(|((_, k), (seq, _))| k.import().map(|i| (i, *seq)))
        .filter(|(i, _)| !groups.contains_key(i))
        .collect();
    gone.sort();
    for (import, seq) in gone {
        let recorded = recorded_count(db, import)?;
        if recorded == Some(0) {
            continue;
        }
        problems.push(StateProblem {
            table: "parcel".into(),
            row: format!("导入批次 {import} 的地块"),
            what: format!("已全部被删除（审计日志第 {seq} 条记录了它们）"),
            seq: Some(seq),
        });
    }
    Ok(())
}

/// A parcel row as verification reads it.
struct ParcelRow {
    fid: i64,
    /// [`PARCEL_HASHED`] (and [`PARCEL_MEASURED`]) values.
    values: Vec<Value>,
    geom: Value,
    stored: Option<String>,
    /// The derived columns ([`crate::layers::PARCEL_DERIVED`]), when the store has them.
    derived: Vec<Value>,
}

/// What is wrong with a parcel's derived columns (the numeric area, the funds, the ledger
/// fields copied out of `data`), or None when they agree with what they derive from.
fn derived_change(values: &[Value], derived: &[Value]) -> Option<String> {
    let expected = crate::layers::derived_values(&values[8].text(), &values[11].text())?;
    let labels = [
        "数值面积（area_ha_num）",
        "资金需求（funds_wan）",
        "数值资金需求（funds_wan_num）",
        "计划供应时间（timing）",
        "供应季度（quarter）",
        "住宅类型（housing）",
        "储备状态（reserve_status）",
        "前期开发（pre_development）",
    ];
    let shown = |v: &Value| match v {
        Value::Null => "空".to_string(),
        v => v.text(),
    };
    expected
        .iter()
        .zip(derived)
        .zip(labels)
        .find(|((want, got), _)| want != got)
        .map(|((want, got), label)| {
            format!(
                "{label}为“{}”，与地块记录应有的“{}”不符（在 landplan 之外被修改）",
                shown(got),
                shown(want)
            )
        })
}

/// The parcel count an import's row records.
fn recorded_count(db: &mut dyn Backend, import: i64) -> Result<Option<i64>, StoreError> {
    Ok(db
        .query(
            "SELECT parcel_count FROM ledger_import WHERE id = ?",
            &[Value::Int(import)],
        )?
        .first()
        .and_then(|r| r[0].as_i64()))
}

/// What changed in a parcel: a column that no longer agrees with the parcel's own record
/// (`data`), else its content as a whole.
fn parcel_change(values: &[Value]) -> String {
    // values: import_id, region, year, parcel_id, location, township, class_text, class_code,
    // area_ha, source, method, data
    let data: Option<Json> = serde_json::from_str(&values[11].text()).ok();
    let parcel: Option<landplan_core::Parcel> = data.and_then(|d| serde_json::from_value(d).ok());
    if let Some(p) = parcel {
        let area = p.area().ha().normalize().to_string();
        if values[8].text() != area {
            return format!(
                "面积为 {} 公顷，与导入时的 {area} 公顷不符（在 landplan 之外被修改）",
                values[8].text()
            );
        }
        if values[3].text() != p.id {
            return format!("地块编号被改为“{}”（导入时为“{}”）", values[3].text(), p.id);
        }
        if values[6].opt_text() != Some(p.class_text.clone()) {
            return format!(
                "用途被改为“{}”（导入时为“{}”）",
                values[6].text(),
                p.class_text
            );
        }
    }
    "内容（面积、用途、坐落、几何等）与导入时不符（在 landplan 之外被修改）".into()
}

/// What changed in a row the log sealed: the first column that disagrees with the values the
/// sealing entry recorded, else the row as a whole.
fn changed(
    db: &mut dyn Backend,
    table: &str,
    cols: &[&str],
    row: &[Value],
    seq: i64,
) -> Result<String, StoreError> {
    let rows = db.query(
        "SELECT user_name, action, after FROM audit_log WHERE seq = ?",
        &[Value::Int(seq)],
    )?;
    let fallback = format!("内容与审计日志第 {seq} 条记录的不符（在 landplan 之外被修改）");
    let Some(entry) = rows.first() else {
        return Ok(fallback);
    };
    let user = entry[0].text();
    let action = entry[1].text();
    let after: Json = entry[2]
        .opt_text()
        .and_then(|a| serde_json::from_str(&a).ok())
        .unwrap_or(Json::Null);
    let col = |name: &str| cols.iter().position(|c| *c == name).map(|i| &row[i]);
    let logged = |key: &str| {
        after.get(key).map(|v| match v {
            Json::String(s) => s.clone(),
            other => other.to_string(),
        })
    };
    let mut diffs: Vec<(&str, String, String)> = Vec::new();
    let mut compare = |label: &'static str, now: Option<String>, then: Option<String>| {
        if let (Some(now), Some(then)) = (now, then) {
            if now != then {
                diffs.push((label, now, then));
            }
        }
    };
    let status = |s: String| {
        crate::PlanStatus::parse(&s)
            .map(|p| p.label().to_string())
            .unwrap_or(s)
    };
    let number = |s: String| {
        s.parse::<rust_decimal::Decimal>()
            .map(|d| d.normalize().to_string())
            .unwrap_or(s)
    };
    match table {
        "plan_version" if action.starts_with("plan.") => {
            compare(
                "状态",
                col("status").map(|v| status(v.text())),
                logged("status").map(status),
            );
            compare(
                "总量（公顷）",
                col("total_ha").map(|v| number(v.text())),
                logged("total_ha").map(number),
            );
            compare(
                "地块数",
                col("parcel_count").map(Value::text),
                logged("parcel_count"),
            );
            compare(
                "导入批次",
                col("import_id").map(Value::text),
                logged("import_id"),
            );
            compare(
                "文号",
                col("doc_number").map(Value::text),
                logged("doc_number"),
            );
            compare(
                "发文机关",
                col("issuing_body").map(Value::text),
                logged("issuing_body"),
            );
            if diffs.is_empty() {
                return Ok(format!(
                    "编制结果或其他内容与审计日志第 {seq} 条记录的不符（在 landplan 之外被修改）"
                ));
            }
        }
        "plan_event" if action.starts_with("plan.") => {
            compare("经办人", col("user_name").map(Value::text), Some(user));
            compare(
                "动作",
                col("action").map(Value::text),
                action.strip_prefix("plan.").map(str::to_string),
            );
            compare(
                "流转后状态",
                col("to_status").map(|v| status(v.text())),
                logged("status").map(status),
            );
        }
        "ledger_import" if action == "import" => {
            compare(
                "地块数",
                col("parcel_count").map(Value::text),
                logged("parcel_count"),
            );
            compare(
                "带几何的地块数",
                col("geometry_count").map(Value::text),
                logged("geometry_count"),
            );
            compare(
                "无法读取的行数",
                col("rejected_rows").map(Value::text),
                logged("rejected_rows"),
            );
            compare(
                "合计面积（公顷）",
                col("total_ha").map(|v| number(v.text())),
                logged("total_ha").map(number),
            );
            compare("经办人", col("user_name").map(Value::text), Some(user));
        }
        "region" if action.starts_with("region.") => {
            compare("名称", col("name").map(Value::text), logged("name"));
        }
        "account" if action.starts_with("account.") => {
            compare(
                "显示名",
                col("display_name").map(Value::text),
                logged("display_name"),
            );
            compare(
                "停用",
                col("disabled").map(|v| (v.as_i64() == Some(1)).to_string()),
                logged("disabled"),
            );
        }
        "landplan_meta" => {
            compare("坐标系", col("value").map(Value::text), logged("srid"));
        }
        _ => {}
    }
    Ok(match diffs.first() {
        Some((label, now, then)) => {
            format!("{label}为“{now}”，审计日志第 {seq} 条记录为“{then}”（在 landplan 之外被修改）")
        }
        None => fallback,
    })
}

/// How rows are named in problems (plan keys and region names looked up once).
#[derive(Default)]
struct Names {
    plans: HashMap<i64, String>,
    versions: HashMap<i64, String>,
}

pub(crate) fn kind_label(kind: &str) -> &'static str {
    match kind {
        "reserve" => "土地储备计划",
        _ => "国有建设用地供应计划",
    }
}

impl Names {
    fn plan(&mut self, db: &mut dyn Backend, id: i64) -> Result<String, StoreError> {
        if let Some(n) = self.plans.get(&id) {
            return Ok(n.clone());
        }
        let rows = db.query(
            "SELECT region, year, kind FROM plan WHERE id = ?",
            &[Value::Int(id)],
        )?;
        let n = match rows.first() {
            Some(r) => format!(
                "{} {} 年{}",
                r[0].text(),
                r[1].text(),
                kind_label(&r[2].text())
            ),
            None => format!("编号为 {id} 的计划"),
        };
        self.plans.insert(id, n.clone());
        Ok(n)
    }

    fn version(&mut self, db: &mut dyn Backend, id: i64) -> Result<String, StoreError> {
        if let Some(n) = self.versions.get(&id) {
            return Ok(n.clone());
        }
        let rows = db.query(
            "SELECT plan_id, version FROM plan_version WHERE id = ?",
            &[Value::Int(id)],
        )?;
        let n = match rows.first() {
            Some(r) => {
                let plan = self.plan(db, r[0].as_i64().unwrap_or(0))?;
                format!("{plan} 第 {} 版", r[1].text())
            }
            None => format!("编号为 {id} 的计划版本"),
        };
        self.versions.insert(id, n.clone());
        Ok(n)
    }

    fn row(
        &mut self,
        db: &mut dyn Backend,
        table: &str,
        cols: &[&str],
        r: &[Value],
    ) -> Result<String, StoreError> {
        let col = |name: &str| {
            cols.iter()
                .position(|c| *c == name)
                .map(|i| r[i].clone())
                .unwrap_or(Value::Null)
        };
        let id = col("id").as_i64().unwrap_or(0);
        Ok(match table {
            "landplan_meta" => "数据库的坐标系记录".to_string(),
            "region" => format!("行政区 {}（{}）", col("code").text(), col("name").text()),
            "ledger_import" => format!(
                "导入批次 {id}（{} {} 年）",
                col("region").text(),
                col("year").text()
            ),
            "plan" => format!("计划 {}", self.plan(db, id)?),
            "plan_version" => self.version(db, id)?,
            "plan_event" => {
                let v = self.version(db, col("version_id").as_i64().unwrap_or(0))?;
                format!(
                    "{v} 的流转记录（{}，经办人 {}，编号 {id}）",
                    action_label(&col("action").text()),
                    col("user_name").text()
                )
            }
            "account" => format!("账户“{}”", col("name").text()),
            "account_grant" => format!(
                "账户编号 {} 的授权（{} {}）",
                col("account_id").text(),
                col("role").text(),
                col("region").text()
            ),
            "township" => format!(
                "乡镇界 {} {}（fid {}）",
                col("county").text(),
                col("name").text(),
                col("fid").text()
            ),
            "control_line" => format!(
                "管控线 {} {}（fid {}）",
                col("region").text(),
                col("layer").text(),
                col("fid").text()
            ),
            "monitor_import" => format!(
                "供地记录与批次导入 {id}（{} {}）",
                col("region").text(),
                col("file").text()
            ),
            "supply_record" => format!(
                "供地记录 {} {}（编号 {id}）",
                col("region").text(),
                col("record_key").text().trim_end_matches('|')
            ),
            "approval_batch" => format!(
                "批次 {} {}（编号 {id}）",
                col("region").text(),
                col("record_key").text()
            ),
            "reserve_parcel" => format!(
                "储备地块 {} {}（编号 {id}）",
                col("region").text(),
                col("parcel_id").text()
            ),
            "reserve_bond" => format!(
                "专项债券项目 {} {}（编号 {id}）",
                col("region").text(),
                col("bond_id").text()
            ),
            _ => format!("编号 {id}"),
        })
    }

    fn missing(table: &str, key: &Key) -> String {
        match (table, key) {
            ("landplan_meta", _) => "数据库的坐标系记录".to_string(),
            ("region", k) => format!("行政区 {k}"),
            ("ledger_import", k) => format!("导入批次 {k}"),
            ("plan", Key::Int(id)) => format!("计划（编号 {id}）"),
            ("plan_version", Key::Int(id)) => format!("计划版本（编号 {id}）"),
            ("plan_event", Key::Int(id)) => format!("计划流转记录（编号 {id}）"),
            ("account", Key::Int(id)) => format!("账户（编号 {id}）"),
            ("account_grant", Key::Int(id)) => format!("账户授权（编号 {id}）"),
            ("township", k) => format!("乡镇界（fid {k}）"),
            ("control_line", k) => format!("管控线（fid {k}）"),
            ("monitor_import", k) => format!("供地记录与批次导入（编号 {k}）"),
            ("supply_record", k) => format!("供地记录（编号 {k}）"),
            ("approval_batch", k) => format!("批次（编号 {k}）"),
            ("reserve_parcel", k) => format!("储备地块（编号 {k}）"),
            ("reserve_bond", k) => format!("专项债券项目（编号 {k}）"),
            (_, k) => format!("编号 {k}"),
        }
    }

    fn parcel(fid: i64, values: &[Value]) -> String {
        format!(
            "导入批次 {} 的地块 {}（fid {fid}）",
            values[0].text(),
            values[3].text()
        )
    }
}

/// The Chinese name of a lifecycle action id.
fn action_label(a: &str) -> String {
    match a {
        "create" => "编制".into(),
        "submit" => "提交".into(),
        "approve" => "批准".into(),
        "publish" => "公布".into(),
        "return" => "退回".into(),
        "adjust" => "调整".into(),
        "revise" => "重新编制".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_round_trip_through_their_json() {
        let seals = vec![
            Seal {
                table: "region".into(),
                key: Key::Text("330102".into()),
                hash: Some("ab".into()),
            },
            Seal {
                table: "account_grant".into(),
                key: Key::Int(5),
                hash: None,
            },
        ];
        let text = seals_json(&seals).unwrap();
        assert_eq!(
            text,
            r#"[["region","330102","ab"],["account_grant",5,null]]"#
        );
        assert_eq!(parse_seals(&text).unwrap(), seals);
        assert_eq!(seals_json(&[]), None);
    }

    #[test]
    fn a_row_hash_depends_on_table_order_and_type() {
        let a = row_hash("region", &["330102".into(), "甲县".into()]);
        assert_eq!(a, row_hash("region", &["330102".into(), "甲县".into()]));
        assert_ne!(a, row_hash("region", &["甲县".into(), "330102".into()]));
        assert_ne!(a, row_hash("plan", &["330102".into(), "甲县".into()]));
        assert_ne!(
            row_hash("plan", &[Value::Int(1)]),
            row_hash("plan", &["1".into()])
        );
        assert_ne!(
            row_hash("plan", &[Value::Null]),
            row_hash("plan", &["".into()])
        );
    }
}
