//! The audit log: append-only, one entry per change, each chained to the previous by hash.
//!
//! `hash = SHA-256(previous hash (hex) || canonical entry)`, where the canonical entry is the
//! compact JSON array `[seq, at, user, action, entity, before, after]` (before/after as the
//! stored JSON text or null). The first entry's previous hash is 64 zeros. Appends happen
//! inside the change's own write transaction; every entry names the acting account (an empty
//! name is refused). [`crate::Store::verify_audit`] recomputes the chain and
//! reports the first entry that does not match.

use crate::db::Value;
use crate::error::StoreError;
use crate::session::Session;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The previous hash of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

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
}

impl Canonical<'_> {
    /// `SHA-256(prev || [seq, at, user, action, entity, before, after])`.
    fn hash(&self, prev: &str) -> String {
        let canonical = serde_json::json!([
            self.seq,
            self.at,
            self.user,
            self.action,
            self.entity,
            self.before,
            self.after
        ])
        .to_string();
        let mut h = Sha256::new();
        h.update(prev.as_bytes());
        h.update(canonical.as_bytes());
        hex(&h.finalize())
    }
}

fn hex(bytes: &[u8]) -> String {
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
    /// The first broken entry and why, when the chain is broken.
    pub broken: Option<(i64, String)>,
}

impl AuditReport {
    /// Whether the chain is intact.
    pub fn ok(&self) -> bool {
        self.broken.is_none()
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
    }
}

impl Session<'_> {
    /// Append an entry (call inside a write transaction), in the acting account's name.
    pub(crate) fn append_audit(
        &mut self,
        action: &str,
        entity: &str,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) -> Result<AuditEntry, StoreError> {
        if self.user.trim().is_empty() {
            return Err(StoreError::Invalid("审计记录必须写明经办人".into()));
        }
        let last = self.db.query(
            "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1",
            &[],
        )?;
        let (seq, prev) = match last.into_iter().next() {
            Some(r) => (r[0].as_i64().unwrap_or(0) + 1, r[1].text()),
            None => (1, GENESIS.to_string()),
        };
        let at = crate::now_utc();
        let before = before.map(|v| v.to_string());
        let after = after.map(|v| v.to_string());
        let hash = Canonical {
            seq,
            at: &at,
            user: &self.user,
            action,
            entity,
            before: before.as_deref(),
            after: after.as_deref(),
        }
        .hash(&prev);
        self.db.exec(
            "INSERT INTO audit_log (seq, at, user_name, action, entity, before, after, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            &[
                Value::Int(seq),
                at.clone().into(),
                self.user.clone().into(),
                action.into(),
                entity.into(),
                before.clone().into(),
                after.clone().into(),
                prev.clone().into(),
                hash.clone().into(),
            ],
        )?;
        Ok(AuditEntry {
            seq,
            at,
            user: self.user.clone(),
            action: action.to_string(),
            entity: entity.to_string(),
            before,
            after,
            prev_hash: prev,
            hash,
        })
    }

    /// The audit entries, oldest first (`limit`: only the last n).
    pub fn audit_entries(&mut self, limit: Option<usize>) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = match limit {
            Some(n) => {
                let mut v = self.db.query(
                    &format!("{SELECT} ORDER BY seq DESC LIMIT ?"),
                    &[Value::Int(n as i64)],
                )?;
                v.reverse();
                v
            }
            None => self.db.query(&format!("{SELECT} ORDER BY seq"), &[])?,
        };
        Ok(rows.into_iter().map(entry).collect())
    }

    /// Recompute the chain; report the first entry whose sequence, link or hash is wrong, and
    /// check that every recorded import still has the parcel count the log says.
    pub fn verify_audit(&mut self) -> Result<AuditReport, StoreError> {
        let mut prev = GENESIS.to_string();
        let mut expected_seq = 1;
        let mut count = 0;
        let mut broken: Option<(i64, String)> = None;
        let mut imports: Vec<(i64, i64, i64)> = Vec::new();
        self.db
            .query_each(&format!("{SELECT} ORDER BY seq"), &[], &mut |r| {
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
                } else if e.action == "import" {
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
                prev = e.hash.clone();
                expected_seq += 1;
                Ok(())
            })?;
        if broken.is_none() {
            for (seq, id, n) in imports {
                let have = self.one_int(
                    "SELECT COUNT(*) FROM parcel WHERE import_id = ?",
                    &[Value::Int(id)],
                )?;
                if have != n {
                    broken = Some((
                        seq,
                        format!("导入批次 {id} 记录有 {n} 个地块，数据库中现有 {have} 个（地块数据被改动）"),
                    ));
                    break;
                }
            }
        }
        Ok(AuditReport {
            entries: count,
            head: (count > 0).then_some(prev),
            broken,
        })
    }
}
