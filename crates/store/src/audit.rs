//! The audit log: append-only, one entry per change, each chained to the previous by hash, and
//! covering the stored state.
//!
//! `hash = SHA-256(previous hash (hex) || canonical entry)`, where the canonical entry is the
//! compact JSON array `[seq, at, user, action, entity, before, after, seals]` (before/after as
//! the stored JSON text or null; `seals` the change's row seals, see [`crate::state`]; entries
//! without seals, such as every entry written before seals existed, hash the seven fields
//! without it). The first entry's previous hash is 64 zeros. Appends happen inside the change's
//! own write transaction; every entry names the acting account (an empty name is refused), and
//! the chain head is written to `landplan_meta` (`audit_head`) in the same transaction, so that
//! entries deleted from the end, or the whole log emptied, are found.
//!
//! [`crate::Store::verify_audit`] recomputes the chain inside one read snapshot, checks the
//! head against the anchor, and compares every row of the stored state with what the chain
//! sealed: it names the first broken entry, and every row changed, added or deleted outside
//! landplan.

use crate::db::{Backend, Value};
use crate::error::StoreError;
use crate::session::Session;
use crate::state::{self, Seal, StateProblem};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The previous hash of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The `landplan_meta` key of the chain head (`SEQ HASH`).
pub(crate) const HEAD_KEY: &str = "audit_head";

/// One audit entry as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When (RFC 3339 UTC).
    pub at: String,
    /// Who.
    pub user: String,
    /// What was done (`import`, `plan.submit` …).
    pub action: String,
    /// What it was done to (`plan:330102/2025/supply` …).
    pub entity: String,
    /// The state before, as JSON text.
    pub before: Option<String>,
    /// The state after, as JSON text.
    pub after: Option<String>,
    /// The seals of the rows the change wrote, as JSON text (see [`crate::state`]); covered
    /// by the hash, checked by `audit verify`, not listed by `audit log`.
    #[serde(skip)]
    pub seals: Option<String>,
    /// The previous entry's hash.
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
}

impl AuditEntry {
    /// The hash this entry should have after `prev`.
    pub fn expected_hash(&self, prev: &str) -> String {
        Canonical {
            seq: self.seq,
            at: &self.at,
            user: &self.user,
            action: &self.action,
            entity: &self.entity,
            before: self.before.as_deref(),
            after: self.after.as_deref(),
            seals: self.seals.as_deref(),
        }
        .hash(prev)
    }
}

/// The fields of an entry that its hash covers, in their canonical order.
struct Canonical<'a> {
    seq: i64,
    at: &'a str,
    user: &'a str,
    action: &'a str,
    entity: &'a str,
    before: Option<&'a str>,
    after: Option<&'a str>,
    seals: Option<&'a str>,
}

impl Canonical<'_> {
    /// `SHA-256(prev || [seq, at, user, action, entity, before, after(, seals)])`.
    fn hash(&self, prev: &str) -> String {
        let mut fields = vec![
            serde_json::json!(self.seq),
            serde_json::json!(self.at),
            serde_json::json!(self.user),
            serde_json::json!(self.action),
            serde_json::json!(self.entity),
            serde_json::json!(self.before),
            serde_json::json!(self.after),
        ];
        if let Some(s) = self.seals {
            fields.push(serde_json::json!(s));
        }
        let canonical = serde_json::Value::Array(fields).to_string();
        let mut h = Sha256::new();
        h.update(prev.as_bytes());
        h.update(canonical.as_bytes());
        hex(&h.finalize())
    }
}

/// Bytes as lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// SHA-256 of bytes, as hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The result of [`crate::Store::verify_audit`].
#[derive(Debug, Clone, Serialize)]
pub struct AuditReport {
    /// Entries checked.
    pub entries: usize,
    /// The last hash (the chain head), when there are entries.
    pub head: Option<String>,
    /// The first broken entry and why (the chain itself, or the first row of the stored state
    /// that differs from what the chain sealed).
    pub broken: Option<(i64, String)>,
    /// Rows of the stored state changed, added or deleted outside landplan (at most
    /// [`state::MAX_PROBLEMS`]).
    pub problems: Vec<StateProblem>,
    /// How many such rows there were in all.
    pub problem_count: usize,
    /// Whether the stored state was compared with the chain (false for a store written before
    /// seals existed and not yet opened for writing by a landplan that seals).
    pub state_checked: bool,
}

impl AuditReport {
    /// Whether the chain is intact and the stored state is what it sealed.
    pub fn ok(&self) -> bool {
        self.broken.is_none() && self.problems.is_empty()
    }
}

const SELECT: &str =
    "SELECT seq, at, user_name, action, entity, before, after, prev_hash, hash FROM audit_log";

fn entry(r: Vec<Value>) -> AuditEntry {
    AuditEntry {
        seq: r[0].as_i64().unwrap_or(0),
        at: r[1].text(),
        user: r[2].text(),
        action: r[3].text(),
        entity: r[4].text(),
        before: r[5].opt_text(),
        after: r[6].opt_text(),
        prev_hash: r[7].text(),
        hash: r[8].text(),
        seals: r.get(9).and_then(Value::opt_text),
    }
}

/// The audit columns to select: with `seals` where the store has them (stores written before
/// seals existed, read without migrating them, do not).
fn select(db: &mut dyn Backend) -> Result<String, StoreError> {
    Ok(if db.column_exists("audit_log", "seals")? {
        format!(
            "{}, seals FROM audit_log",
            SELECT.trim_end_matches(" FROM audit_log")
        )
    } else {
        SELECT.to_string()
    })
}

/// The chain head recorded in the metadata, if any: (seq, hash).
fn anchor(db: &mut dyn Backend) -> Result<Option<(i64, String)>, StoreError> {
    Ok(crate::meta(db, HEAD_KEY)?.and_then(|v| {
        let (seq, hash) = v.split_once(' ')?;
        Some((seq.parse().ok()?, hash.to_string()))
    }))
}

/// Append an entry (inside the change's write transaction) in `user`'s name, with the seals of
/// the rows the change wrote, and move the chain head in the metadata. Refused when the log's
/// last entry is not the head the metadata records (entries were deleted outside landplan):
/// a new entry would hide that.
pub(crate) fn append(
    db: &mut dyn Backend,
    user: &str,
    action: &str,
    entity: &str,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
    seals: &[Seal],
) -> Result<AuditEntry, StoreError> {
    if user.trim().is_empty() {
        return Err(StoreError::Invalid("审计记录必须写明经办人".into()));
    }
    let last = db.query(
        "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
        &[],
    )?;
    let last = last
        .into_iter()
        .next()
        .map(|r| (r[0].as_i64().unwrap_or(0), r[1].text()));
    if let Some((aseq, ahash)) = anchor(db)? {
        if last.as_ref() != Some(&(aseq, ahash)) {
            return Err(StoreError::Corrupt(format!(
                "审计日志的最后一条与数据库元数据记录的链尾（第 {aseq} 条）不符，审计记录可能在 landplan 之外被删除；为免掩盖，拒绝写入，请先核验审计日志查明原因"
            )));
        }
    }
    let (seq, prev) = match last {
        Some((s, h)) => (s + 1, h),
        None => (1, GENESIS.to_string()),
    };
    let at = crate::now_utc();
    let before = before.map(|v| v.to_string());
    let after = after.map(|v| v.to_string());
    let seals = state::seals_json(seals);
    let hash = Canonical {
        seq,
        at: &at,
        user,
        action,
        entity,
        before: before.as_deref(),
        after: after.as_deref(),
        seals: seals.as_deref(),
    }
    .hash(&prev);
    db.exec(
        "INSERT INTO audit_log (seq, at, user_name, action, entity, before, after, prev_hash, hash, seals) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        &[
            Value::Int(seq),
            at.clone().into(),
            user.into(),
            action.into(),
            entity.into(),
            before.clone().into(),
            after.clone().into(),
            prev.clone().into(),
            hash.clone().into(),
            seals.clone().into(),
        ],
    )?;
    set_meta(db, HEAD_KEY, &format!("{seq} {hash}"))?;
    Ok(AuditEntry {
        seq,
        at,
        user: user.to_string(),
        action: action.to_string(),
        entity: entity.to_string(),
        before,
        after,
        seals,
        prev_hash: prev,
        hash,
    })
}

/// Write a value of `landplan_meta` (insert or replace).
pub(crate) fn set_meta(db: &mut dyn Backend, key: &str, value: &str) -> Result<(), StoreError> {
    db.exec(
        "INSERT INTO landplan_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        &[key.into(), value.into()],
    )?;
    Ok(())
}

/// Whether the log has any entry (stores written before seals existed are sealed once).
pub(crate) fn has_seals(db: &mut dyn Backend) -> Result<bool, StoreError> {
    if !db.column_exists("audit_log", "seals")? {
        return Ok(false);
    }
    Ok(!db
        .query(
            "SELECT seq FROM audit_log WHERE seals IS NOT NULL LIMIT 1",
            &[],
        )?
        .is_empty())
}

/// Seal a store written before seals existed, as it is: every row's hash in one entry
/// `store.seal` (in the caller's write transaction). Nothing happens to a store that is
/// sealed already (its chain has seals or a head in the metadata) or has no entries.
pub(crate) fn seal_legacy(db: &mut dyn Backend) -> Result<Option<AuditEntry>, StoreError> {
    if !db.table_exists("audit_log")? || anchor(db)?.is_some() || has_seals(db)? {
        return Ok(None);
    }
    let entries = db.query("SELECT COUNT(*) FROM audit_log", &[])?;
    if entries.first().and_then(|r| r[0].as_i64()).unwrap_or(0) == 0 {
        return Ok(None);
    }
    let seals = state::seal_everything(db)?;
    let rows = seals.len();
    append(
        db,
        LEGACY_SEALER,
        "store.seal",
        "store",
        None,
        Some(serde_json::json!({
            "reason": "此前版本写入的数据在升级时按现状封存；封存之前的改动无法核验",
            "sealed": rows,
        })),
        &seals,
    )
    .map(Some)
}

/// The name the upgrade seal is recorded under (no account acts: the program does).
pub const LEGACY_SEALER: &str = "landplan（升级封存）";

impl Session<'_> {
    /// Append an entry (call inside a write transaction), in the acting account's name, with
    /// the seals the change collected ([`Session::seal`]).
    pub(crate) fn append_audit(
        &mut self,
        action: &str,
        entity: &str,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) -> Result<AuditEntry, StoreError> {
        let seals = std::mem::take(&mut self.seals);
        append(
            &mut *self.db,
            &self.user,
            action,
            entity,
            before,
            after,
            &seals,
        )
    }

    /// Note the row's hash as it is now, for the next audit entry.
    pub(crate) fn seal(
        &mut self,
        table: &str,
        key: impl Into<state::Key>,
    ) -> Result<(), StoreError> {
        let s = state::seal_row(&mut *self.db, table, key.into())?;
        self.seals.push(s);
        Ok(())
    }

    /// Note the hash of an import's parcels, for the next audit entry.
    pub(crate) fn seal_parcels(&mut self, import_id: i64) -> Result<(), StoreError> {
        let s = state::seal_parcels(&mut *self.db, import_id)?;
        self.seals.push(s);
        Ok(())
    }

    /// The audit entries of `action` on `entity`, oldest first (for a plan's publication
    /// steps: `plan.publish` on `plan:…`).
    pub(crate) fn audit_entries_of(
        &mut self,
        action: &str,
        entity: &str,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let select = select(&mut *self.db)?;
        let rows = self.db.query(
            &format!("{select} WHERE action = ? AND entity = ? ORDER BY seq"),
            &[action.into(), entity.into()],
        )?;
        Ok(rows.into_iter().map(entry).collect())
    }

    /// The audit entries, oldest first (`limit`: only the last n).
    pub fn audit_entries(&mut self, limit: Option<usize>) -> Result<Vec<AuditEntry>, StoreError> {
        let select = select(&mut *self.db)?;
        let rows = match limit {
            Some(n) => {
                let mut v = self.db.query(
                    &format!("{select} ORDER BY seq DESC LIMIT ?"),
                    &[Value::Int(n as i64)],
                )?;
                v.reverse();
                v
            }
            None => self.db.query(&format!("{select} ORDER BY seq"), &[])?,
        };
        Ok(rows.into_iter().map(entry).collect())
    }

    /// Verify inside one read snapshot (writers go on meanwhile): see [`Session::verify_in_snapshot`].
    pub fn verify_audit(&mut self) -> Result<AuditReport, StoreError> {
        self.db.begin_read()?;
        let r = self.verify_in_snapshot();
        let _ = self.db.rollback();
        r
    }

    /// Recompute the chain; check its head against the metadata; compare the stored state with
    /// what the chain sealed; check that every recorded import still has the parcel count the
    /// log says. Call inside a read transaction (a snapshot).
    pub(crate) fn verify_in_snapshot(&mut self) -> Result<AuditReport, StoreError> {
        let db = &mut *self.db;
        let select = select(db)?;
        let mut prev = GENESIS.to_string();
        let mut expected_seq = 1;
        let mut count = 0;
        let mut last_seq = 0;
        let mut broken: Option<(i64, String)> = None;
        let mut imports: Vec<(i64, i64, i64)> = Vec::new();
        let mut expected = state::Expected::new();
        let mut sealed = false;
        db.query_each(&format!("{select} ORDER BY seq"), &[], &mut |r| {
            if broken.is_some() {
                return Ok(());
            }
            let e = entry(r);
            count += 1;
            if e.seq != expected_seq {
                broken = Some((
                    e.seq,
                    format!(
                        "序号不连续：应为 {expected_seq}，实为 {}（有记录被删除或插入）",
                        e.seq
                    ),
                ));
            } else if e.prev_hash != prev {
                broken = Some((
                    e.seq,
                    "前一条记录的哈希与链接不符（前面的记录被改动或删除）".into(),
                ));
            } else if e.expected_hash(&prev) != e.hash {
                broken = Some((e.seq, "记录内容与其哈希不符（该记录被改动）".into()));
            } else {
                if let Some(text) = &e.seals {
                    sealed = true;
                    match state::parse_seals(text) {
                        Some(seals) => {
                            for s in seals {
                                expected.insert((s.table, s.key), (e.seq, s.hash));
                            }
                        }
                        None => {
                            broken = Some((e.seq, "记录的数据封存无法解析（该记录被改动）".into()))
                        }
                    }
                }
                if e.action == "import" {
                    if let Some(after) = e
                        .after
                        .as_deref()
                        .and_then(|a| serde_json::from_str::<serde_json::Value>(a).ok())
                    {
                        if let (Some(id), Some(n)) = (
                            after.get("import_id").and_then(|v| v.as_i64()),
                            after.get("parcel_count").and_then(|v| v.as_i64()),
                        ) {
                            imports.push((e.seq, id, n));
                        }
                    }
                }
            }
            prev = e.hash.clone();
            last_seq = e.seq;
            expected_seq += 1;
            Ok(())
        })?;
        let anchor = anchor(db)?;
        if broken.is_none() {
            broken = head_problem(count, last_seq, &prev, anchor.as_ref(), sealed, db)?;
        }
        if broken.is_none() {
            for (seq, id, n) in imports {
                let rows = db.query(
                    "SELECT COUNT(*) FROM parcel WHERE import_id = ?",
                    &[Value::Int(id)],
                )?;
                let have = rows.first().and_then(|r| r[0].as_i64()).unwrap_or(0);
                if have != n {
                    broken = Some((
                        seq,
                        format!("导入批次 {id} 记录有 {n} 个地块，数据库中现有 {have} 个（地块数据被改动）"),
                    ));
                    break;
                }
            }
        }
        let state_checked = broken.is_none() && (sealed || anchor.is_some());
        let (problems, problem_count) = if state_checked {
            state::check(db, &expected)?
        } else {
            (Vec::new(), 0)
        };
        if broken.is_none() {
            if let Some(p) = problems.first() {
                broken = Some((
                    p.seq.unwrap_or(last_seq),
                    format!("数据库内容与审计日志不符：{}", p.line()),
                ));
            }
        }
        Ok(AuditReport {
            entries: count,
            head: (count > 0).then_some(prev),
            broken,
            problems,
            problem_count,
            state_checked,
        })
    }
}

/// What is wrong with the chain's end: entries deleted from it, the log emptied, the anchor
/// removed — or a store that never had an entry.
fn head_problem(
    count: usize,
    last_seq: i64,
    last_hash: &str,
    anchor: Option<&(i64, String)>,
    sealed: bool,
    db: &mut dyn Backend,
) -> Result<Option<(i64, String)>, StoreError> {
    Ok(match anchor {
        Some((aseq, _)) if count == 0 => Some((
            1,
            format!("审计日志被清空：数据库元数据记录链尾为第 {aseq} 条，日志中却一条也没有（记录被删除）"),
        )),
        Some((aseq, ahash)) => {
            if *aseq > last_seq {
                Some((
                    last_seq + 1,
                    format!(
                        "审计日志缺少最后 {} 条（第 {}–{aseq} 条被删除）：数据库元数据记录链尾为第 {aseq} 条",
                        aseq - last_seq,
                        last_seq + 1
                    ),
                ))
            } else if *aseq < last_seq {
                Some((
                    aseq + 1,
                    format!(
                        "审计日志末尾的第 {}–{last_seq} 条不是 landplan 写入的（数据库元数据记录链尾为第 {aseq} 条）",
                        aseq + 1
                    ),
                ))
            } else if ahash != last_hash {
                Some((
                    last_seq,
                    "审计日志最后一条与数据库元数据记录的链尾哈希不符（该记录被替换）".into(),
                ))
            } else {
                None
            }
        }
        None if sealed => Some((
            last_seq,
            "数据库元数据中的审计链尾记录缺失（被删除），无法确认日志末尾是否完整".into(),
        )),
        None if count == 0 => {
            let has_data = !db
                .query("SELECT code FROM region LIMIT 1", &[])?
                .is_empty();
            Some((
                0,
                if has_data {
                    "审计日志被清空：数据库中有数据，却没有任何审计记录（记录被删除）".into()
                } else {
                    "数据库没有任何审计记录，不是完整的 landplan 数据库（新建的数据库至少有一条“init”记录）：它可能是中断的初始化、导出或恢复留下的".into()
                },
            ))
        }
        None => None,
    })
}

/// What an audit entry's action means, in Chinese (the action id stays in the log and in JSON).
pub fn action_label(action: &str) -> String {
    let label = match action {
        "init" => "创建数据库",
        "import" => "导入台账",
        "records.import" => "导入供地记录",
        "batches.import" => "导入批次清单",
        "control.import" => "导入管控线",
        "control.remove" => "删除管控线",
        "reserve.boundary" => "导入储备地块边界",
        "export" => "导出备份",
        "restore" => "从备份恢复",
        "store.seal" => "封存数据内容",
        "region.create" => "登记行政区",
        "region.rename" => "更改行政区名称",
        "plan.create" => "编制计划",
        "plan.submit" => "提交",
        "plan.approve" => "批准",
        "plan.publish" => "公布",
        "plan.return" => "退回",
        "plan.adjust" => "调整",
        "plan.revise" => "重新编制",
        "account.create" => "添加账户",
        "account.disable" => "停用账户",
        "account.enable" => "启用账户",
        "account.grant" => "授予角色",
        "account.revoke" => "撤销角色",
        other => return format!("其他操作（{other}）"),
    };
    label.to_string()
}

/// What an audit entry's object is, in Chinese: `plan:330102/2025/supply` → 330102 2025 年国有
/// 建设用地供应计划, `import:3` → 导入批次 3, `region:330102` → 行政区 330102 …
pub fn entity_label(entity: &str) -> String {
    let Some((kind, rest)) = entity.split_once(':') else {
        return match entity {
            "store" => "数据库".to_string(),
            other => other.to_string(),
        };
    };
    match kind {
        "plan" => {
            let mut p = rest.split('/');
            let (region, year, k) = (p.next(), p.next(), p.next());
            let k = match k {
                Some("reserve") => "土地储备计划",
                _ => "国有建设用地供应计划",
            };
            format!(
                "{} {} 年{k}",
                region.unwrap_or_default(),
                year.unwrap_or_default()
            )
        }
        "import" => format!("导入批次 {rest}"),
        "region" => format!("行政区 {rest}"),
        "account" => format!("账户 {rest}"),
        "gpkg" => format!("备份文件 {rest}"),
        _ => rest.to_string(),
    }
}

/// A plan step's name (`create`, `submit` … as recorded in plan events), in Chinese.
pub fn step_label(step: &str) -> String {
    action_label(&format!("plan.{step}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical(seals: Option<&str>) -> Canonical<'_> {
        Canonical {
            seq: 1,
            at: "2025-01-01T00:00:00.000Z",
            user: "张三",
            action: "init",
            entity: "store",
            before: None,
            after: Some("{\"srid\":4490}"),
            seals,
        }
    }

    #[test]
    fn entries_without_seals_hash_as_before_seals_existed() {
        // The hash of an entry written by the landplan before seals (seven fields).
        let mut h = Sha256::new();
        h.update(GENESIS.as_bytes());
        h.update(
            r#"[1,"2025-01-01T00:00:00.000Z","张三","init","store",null,"{\"srid\":4490}"]"#
                .as_bytes(),
        );
        assert_eq!(canonical(None).hash(GENESIS), hex(&h.finalize()));
        assert_ne!(
            canonical(Some("[]")).hash(GENESIS),
            canonical(None).hash(GENESIS),
            "the seals are covered by the hash"
        );
    }
}
