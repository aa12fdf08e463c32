//! Staged uploads of the web console: a ledger upload read and judged but not stored yet, kept
//! in the store (`staged_upload`, `staged_upload_file`, `staged_upload_edit`, migration gpkg 014
//! / postgres 012) so that every server process on one database sees it and a restarted server
//! still has it, with the cell edits typed into it.
//!
//! Like the web sessions ([`crate::credential`]) they hold no plan data: they are not sealed,
//! not audited and not in backups. Each belongs to one account, and an account sees only its
//! own (another's id is not found, so ids cannot be probed). Bounds, enforced here: at most
//! [`MAX_PER_ACCOUNT`] per account (a new upload drops the account's oldest), [`MAX_TOTAL`] in
//! all (a new upload drops the oldest of all), each gone [`TTL`] after it was last looked at,
//! and each at most the server's upload limit in bytes. Storing it (as an import) deletes its
//! files and edits and keeps only what it became until it expires; disabling its account
//! deletes it.

use crate::access::Actor;
use crate::db::{Backend, Value};
use crate::error::StoreError;
use crate::session::Session;
use crate::Store;
use rust_decimal::Decimal;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Staged uploads kept per account.
pub const MAX_PER_ACCOUNT: usize = 5;
/// Staged uploads kept in all.
pub const MAX_TOTAL: usize = 100;
/// How long a staged upload is kept after it was last looked at.
pub const TTL: Duration = Duration::from_secs(2 * 60 * 60);
/// How long a claim to store a staged upload holds before another process may take it over
/// (a claim older than this was left by a process that died while storing).
pub const STORING_CLAIM_SECS: i64 = 10 * 60;

/// A file of a staged upload, as uploaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagedFile {
    /// What it is: `ledger`, `geometry`, `townships`, `control-1`, `control-2`.
    pub slot: String,
    /// The name it was sent with.
    pub name: String,
    /// A control-line file's layer name.
    pub layer_name: Option<String>,
    /// A control-line file's rule (`forbid`, `within`).
    pub rule: Option<String>,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// One cell typed in the browser: its row number and column in the ledger's grid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagedCell {
    /// Row number (as the ledger numbers it).
    pub row: usize,
    /// Column (0 is the first).
    pub col: usize,
    /// The text typed.
    pub text: String,
}

/// What a staged upload became in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagedOutcome {
    /// The import's id.
    pub import_id: i64,
    /// Parcels stored.
    pub parcel_count: i64,
    /// Parcels stored with a boundary.
    pub geometry_count: i64,
    /// 总量, 公顷.
    pub total_ha: Decimal,
    /// Township boundaries stored with it (their count), when the upload had them.
    pub townships: Option<usize>,
}

/// A new staged upload.
#[derive(Debug, Clone)]
pub struct NewStaged {
    /// Its random id.
    pub id: String,
    /// 行政区划代码.
    pub region: String,
    /// Plan year.
    pub year: i32,
    /// `supply` or `reserve`.
    pub kind: String,
    /// Its files; the one of slot `ledger` is required.
    pub files: Vec<StagedFile>,
    /// Errors its judgement found.
    pub errors: usize,
}

/// A staged upload as kept (without its files and edits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagedUpload {
    /// Its random id.
    pub id: String,
    /// The account it belongs to.
    pub account: String,
    /// 行政区划代码.
    pub region: String,
    /// Plan year.
    pub year: i32,
    /// `supply` or `reserve`.
    pub kind: String,
    /// The ledger's name as sent.
    pub ledger_name: String,
    /// The boundary file's name, when one came with it.
    pub geometry_name: Option<String>,
    /// The township boundary file's name, when one came with it.
    pub townships_name: Option<String>,
    /// Rounds of cell edits made so far.
    pub edit_rounds: u32,
    /// Errors its last judgement found.
    pub errors: usize,
    /// What it became, once stored.
    pub stored: Option<StagedOutcome>,
    /// When it was uploaded (Unix seconds).
    pub created_unix: i64,
    /// When it goes unless looked at again (Unix seconds).
    pub expires_unix: i64,
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn not_found(id: &str) -> StoreError {
    StoreError::NotFound(format!("没有编号为 {id} 的暂存上传"))
}

const COLUMNS: &str = "s.id, a.name, s.region, s.year, s.kind, s.ledger_name, s.geometry_name, s.townships_name, s.edit_rounds, s.errors, s.stored_import_id, s.stored_parcels, s.stored_geometries, s.stored_total_ha, s.stored_townships, s.created_unix, s.expires_unix";

fn from_row(r: &[Value]) -> Result<StagedUpload, StoreError> {
    let int = |i: usize| r[i].as_i64().unwrap_or(0);
    let stored = match r[10].as_i64() {
        None => None,
        Some(import_id) => Some(StagedOutcome {
            import_id,
            parcel_count: int(11),
            geometry_count: int(12),
            total_ha: r[13].text().parse().map_err(|_| {
                StoreError::Corrupt(format!("暂存上传的总量“{}”无法读取", r[13].text()))
            })?,
            townships: r[14].as_i64().map(|n| n as usize),
        }),
    };
    Ok(StagedUpload {
        id: r[0].text(),
        account: r[1].text(),
        region: r[2].text(),
        year: int(3) as i32,
        kind: r[4].text(),
        ledger_name: r[5].text(),
        geometry_name: r[6].opt_text(),
        townships_name: r[7].opt_text(),
        edit_rounds: int(8) as u32,
        errors: int(9) as usize,
        stored,
        created_unix: int(15),
        expires_unix: int(16),
    })
}

/// Delete staged uploads (their files and edits first) chosen by `filter` on `staged_upload`.
fn delete_where(db: &mut dyn Backend, filter: &str, params: &[Value]) -> Result<(), StoreError> {
    for child in ["staged_upload_file", "staged_upload_edit"] {
        db.exec(
            &format!("DELETE FROM {child} WHERE staged_id IN (SELECT id FROM staged_upload WHERE {filter})"),
            params,
        )?;
    }
    db.exec(&format!("DELETE FROM staged_upload WHERE {filter}"), params)?;
    Ok(())
}

/// Delete an account's staged uploads (its account is being disabled).
pub(crate) fn delete_of_account(db: &mut dyn Backend, account_id: i64) -> Result<(), StoreError> {
    if db.table_exists("staged_upload")? {
        delete_where(db, "account_id = ?", &[Value::Int(account_id)])?;
    }
    Ok(())
}

impl Session<'_> {
    /// The acting account's id (a staged upload always belongs to an account).
    fn staging_account(&mut self) -> Result<i64, StoreError> {
        if !self.actor.is_account() {
            return Err(StoreError::Forbidden {
                actor: self.actor.describe(),
                action: "暂存上传的台账".into(),
                reason: "暂存上传属于登录的账户".into(),
            });
        }
        let rows = self.db.query(
            "SELECT id FROM account WHERE name = ?",
            &[self.actor.name().into()],
        )?;
        rows.first()
            .and_then(|r| r[0].as_i64())
            .ok_or_else(|| StoreError::UnknownAccount(self.actor.name().into()))
    }

    /// The account's live staged upload `id`, or NotFound (an expired one is deleted then).
    fn own_staged(&mut self, account_id: i64, id: &str) -> Result<StagedUpload, StoreError> {
        let rows = self.db.query(
            &format!("SELECT {COLUMNS} FROM staged_upload s JOIN account a ON a.id = s.account_id WHERE s.id = ? AND s.account_id = ?"),
            &[id.into(), Value::Int(account_id)],
        )?;
        let Some(r) = rows.first() else {
            return Err(not_found(id));
        };
        let found = from_row(r)?;
        if found.expires_unix <= unix_now() {
            delete_where(&mut *self.db, "id = ?", &[id.into()])?;
            return Err(not_found(id));
        }
        Ok(found)
    }
}

impl Store {
    /// Keep a new staged upload of the acting account: refused beyond `max_bytes` in all (the
    /// server's upload limit); drops expired ones, the account's oldest beyond
    /// [`MAX_PER_ACCOUNT`] and the oldest of all beyond [`MAX_TOTAL`].
    pub fn stage_upload(
        &self,
        actor: &Actor,
        new: &NewStaged,
        max_bytes: u64,
    ) -> Result<(), StoreError> {
        let bytes: u64 = new.files.iter().map(|f| f.bytes.len() as u64).sum();
        if bytes > max_bytes {
            return Err(StoreError::Invalid(format!(
                "上传的文件合计 {} 字节，超过上限 {max_bytes} 字节",
                bytes
            )));
        }
        let Some(ledger) = new.files.iter().find(|f| f.slot == "ledger") else {
            return Err(StoreError::Invalid("暂存上传缺少台账文件".into()));
        };
        let name_of = |slot: &str| {
            new.files
                .iter()
                .find(|f| f.slot == slot)
                .map(|f| Value::Text(f.name.clone()))
                .unwrap_or(Value::Null)
        };
        let mut s = self.session(actor)?;
        s.write(|s| {
            let account_id = s.staging_account()?;
            let now = unix_now();
            delete_where(&mut *s.db, "expires_unix <= ?", &[Value::Int(now)])?;
            let mine: Vec<String> = s
                .db
                .query(
                    "SELECT id FROM staged_upload WHERE account_id = ? ORDER BY seq",
                    &[Value::Int(account_id)],
                )?
                .iter()
                .map(|r| r[0].text())
                .collect();
            for old in mine.iter().take((mine.len() + 1).saturating_sub(MAX_PER_ACCOUNT)) {
                delete_where(&mut *s.db, "id = ?", &[old.as_str().into()])?;
            }
            let all: Vec<String> = s
                .db
                .query("SELECT id FROM staged_upload ORDER BY seq", &[])?
                .iter()
                .map(|r| r[0].text())
                .collect();
            for old in all.iter().take((all.len() + 1).saturating_sub(MAX_TOTAL)) {
                delete_where(&mut *s.db, "id = ?", &[old.as_str().into()])?;
            }
            let seq = s.one_int("SELECT COALESCE(MAX(seq), 0) + 1 FROM staged_upload", &[])?;
            s.db.exec(
                "INSERT INTO staged_upload (id, seq, account_id, region, year, kind, ledger_name, geometry_name, townships_name, edit_rounds, errors, created_unix, last_seen_unix, expires_unix) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)",
                &[
                    new.id.as_str().into(),
                    Value::Int(seq),
                    Value::Int(account_id),
                    new.region.as_str().into(),
                    Value::Int(new.year.into()),
                    new.kind.as_str().into(),
                    ledger.name.as_str().into(),
                    name_of("geometry"),
                    name_of("townships"),
                    Value::Int(new.errors as i64),
                    Value::Int(now),
                    Value::Int(now),
                    Value::Int(now + TTL.as_secs() as i64),
                ],
            )?;
            for (i, f) in new.files.iter().enumerate() {
                s.db.exec(
                    "INSERT INTO staged_upload_file (staged_id, seq, slot, name, layer_name, rule, bytes) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    &[
                        new.id.as_str().into(),
                        Value::Int(i as i64),
                        f.slot.as_str().into(),
                        f.name.as_str().into(),
                        f.layer_name.clone().map_or(Value::Null, Value::Text),
                        f.rule.clone().map_or(Value::Null, Value::Text),
                        Value::Blob(f.bytes.clone()),
                    ],
                )?;
            }
            Ok(())
        })
    }

    /// The acting account's staged upload `id` (NotFound when there is none, it expired, or
    /// it is another account's); looking at it keeps it for another [`TTL`].
    pub fn staged_upload(&self, actor: &Actor, id: &str) -> Result<StagedUpload, StoreError> {
        let mut s = self.session(actor)?;
        let account_id = s.staging_account()?;
        let mut found = s.own_staged(account_id, id)?;
        let now = unix_now();
        // Kept to the second, like a web session: a request within the same second writes
        // nothing.
        let expires = now + TTL.as_secs() as i64;
        if expires > found.expires_unix {
            s.db.exec(
                "UPDATE staged_upload SET last_seen_unix = ?, expires_unix = ? WHERE id = ?",
                &[Value::Int(now), Value::Int(expires), id.into()],
            )?;
            found.expires_unix = expires;
        }
        Ok(found)
    }

    /// The files and the cell edits (round by round, oldest first) of the acting account's
    /// staged upload `id` (none of either once it is stored).
    #[allow(clippy::type_complexity)]
    pub fn staged_upload_content(
        &self,
        actor: &Actor,
        id: &str,
    ) -> Result<(Vec<StagedFile>, Vec<Vec<StagedCell>>), StoreError> {
        let mut s = self.session(actor)?;
        let account_id = s.staging_account()?;
        s.own_staged(account_id, id)?;
        let files = s
            .db
            .query(
                "SELECT slot, name, layer_name, rule, bytes FROM staged_upload_file WHERE staged_id = ? ORDER BY seq",
                &[id.into()],
            )?
            .into_iter()
            .map(|mut r| StagedFile {
                slot: r[0].text(),
                name: r[1].text(),
                layer_name: r[2].opt_text(),
                rule: r[3].opt_text(),
                bytes: std::mem::replace(&mut r[4], Value::Null)
                    .into_blob()
                    .unwrap_or_default(),
            })
            .collect();
        let mut rounds: Vec<Vec<StagedCell>> = Vec::new();
        let mut last = 0i64;
        for r in s.db.query(
            "SELECT round_no, row_no, col, text FROM staged_upload_edit WHERE staged_id = ? ORDER BY round_no, row_no, col",
            &[id.into()],
        )? {
            let round = r[0].as_i64().unwrap_or(0);
            if round != last || rounds.is_empty() {
                rounds.push(Vec::new());
                last = round;
            }
            if let Some(cells) = rounds.last_mut() {
                cells.push(StagedCell {
                    row: r[1].as_i64().unwrap_or(0) as usize,
                    col: r[2].as_i64().unwrap_or(0) as usize,
                    text: r[3].text(),
                });
            }
        }
        Ok((files, rounds))
    }

    /// Record round `round` of cell edits of the acting account's staged upload `id` (the
    /// round after the last one recorded: refused when another request recorded it first)
    /// and the errors its judgement found now. Refused once the upload is stored.
    pub fn record_staged_edit(
        &self,
        actor: &Actor,
        id: &str,
        round: u32,
        cells: &[StagedCell],
        errors: usize,
    ) -> Result<(), StoreError> {
        let mut s = self.session(actor)?;
        s.write(|s| {
            let account_id = s.staging_account()?;
            let found = s.own_staged(account_id, id)?;
            if found.stored.is_some() {
                return Err(StoreError::Invalid(
                    "这次上传已保存，不能再修改；请重新上传".into(),
                ));
            }
            if found.edit_rounds + 1 != round {
                return Err(StoreError::Invalid(
                    "这次上传刚刚在别处被修改过，请刷新页面后重新修改".into(),
                ));
            }
            for c in cells {
                s.db.exec(
                    "INSERT INTO staged_upload_edit (staged_id, round_no, row_no, col, text) VALUES (?, ?, ?, ?, ?)",
                    &[
                        id.into(),
                        Value::Int(round.into()),
                        Value::Int(c.row as i64),
                        Value::Int(c.col as i64),
                        c.text.as_str().into(),
                    ],
                )?;
            }
            s.db.exec(
                "UPDATE staged_upload SET edit_rounds = ?, errors = ? WHERE id = ?",
                &[Value::Int(round.into()), Value::Int(errors as i64), id.into()],
            )?;
            Ok(())
        })
    }

    /// Record what the acting account's staged upload `id` became in the store; its files and
    /// edits are deleted (the import holds them now), the rest is kept until it expires.
    pub fn mark_staged_stored(
        &self,
        actor: &Actor,
        id: &str,
        outcome: &StagedOutcome,
    ) -> Result<(), StoreError> {
        let mut s = self.session(actor)?;
        s.write(|s| {
            let account_id = s.staging_account()?;
            s.own_staged(account_id, id)?;
            for child in ["staged_upload_file", "staged_upload_edit"] {
                s.db.exec(
                    &format!("DELETE FROM {child} WHERE staged_id = ?"),
                    &[id.into()],
                )?;
            }
            s.db.exec(
                "UPDATE staged_upload SET errors = 0, storing_unix = NULL, stored_import_id = ?, stored_parcels = ?, stored_geometries = ?, stored_total_ha = ?, stored_townships = ? WHERE id = ?",
                &[
                    Value::Int(outcome.import_id),
                    Value::Int(outcome.parcel_count),
                    Value::Int(outcome.geometry_count),
                    outcome.total_ha.normalize().to_string().into(),
                    outcome
                        .townships
                        .map_or(Value::Null, |n| Value::Int(n as i64)),
                    id.into(),
                ],
            )?;
            Ok(())
        })
    }

    /// Claim the acting account's staged upload `id` for storing, so that of two server
    /// processes asked to store it at the same moment only one imports it. `Ok(Some(outcome))`
    /// when it was stored already (nothing to do); `Ok(None)` when the claim is taken — the
    /// caller imports, then calls [`Store::mark_staged_stored`] (which ends the claim) or, when
    /// the import fails, [`Store::release_staged_claim`]. Refused as busy while another
    /// process's claim is younger than [`STORING_CLAIM_SECS`].
    pub fn claim_staged_for_storing(
        &self,
        actor: &Actor,
        id: &str,
    ) -> Result<Option<StagedOutcome>, StoreError> {
        let mut s = self.session(actor)?;
        s.write(|s| {
            let account_id = s.staging_account()?;
            let found = s.own_staged(account_id, id)?;
            if found.stored.is_some() {
                return Ok(found.stored);
            }
            let now = unix_now();
            let taken = s.db.exec(
                "UPDATE staged_upload SET storing_unix = ? WHERE id = ? AND stored_import_id IS NULL AND (storing_unix IS NULL OR storing_unix <= ?)",
                &[Value::Int(now), id.into(), Value::Int(now - STORING_CLAIM_SECS)],
            )?;
            if taken == 0 {
                return Err(StoreError::Busy(
                    "这份上传正由另一处保存，请稍后刷新页面查看结果".into(),
                ));
            }
            Ok(None)
        })
    }

    /// End a claim taken by [`Store::claim_staged_for_storing`] whose import failed, so the
    /// upload can be stored again.
    pub fn release_staged_claim(&self, actor: &Actor, id: &str) -> Result<(), StoreError> {
        let mut s = self.session(actor)?;
        s.write(|s| {
            let account_id = s.staging_account()?;
            s.own_staged(account_id, id)?;
            s.db.exec(
                "UPDATE staged_upload SET storing_unix = NULL WHERE id = ?",
                &[id.into()],
            )?;
            Ok(())
        })
    }

    /// The acting account's live staged uploads, newest first.
    pub fn staged_uploads(&self, actor: &Actor) -> Result<Vec<StagedUpload>, StoreError> {
        let mut s = self.session(actor)?;
        let account_id = s.staging_account()?;
        s.db.query(
            &format!("SELECT {COLUMNS} FROM staged_upload s JOIN account a ON a.id = s.account_id WHERE s.account_id = ? AND s.expires_unix > ? ORDER BY s.seq DESC"),
            &[Value::Int(account_id), Value::Int(unix_now())],
        )?
        .iter()
        .map(|r| from_row(r))
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Grant, InitOptions, Role};

    fn store(dir: &std::path::Path) -> (Store, Actor, Actor, Actor) {
        let op = Actor::local_operator("张三");
        let s = Store::init(
            dir.join("staged.gpkg").to_str().unwrap(),
            &InitOptions { srid: 4527 },
            &op,
        )
        .unwrap();
        s.add_account(&op, "管理员", "", &[Grant::new(Role::Admin, "330000")])
            .unwrap();
        let admin = s.actor("管理员").unwrap();
        for name in ["甲", "乙"] {
            s.add_account(&admin, name, "", &[Grant::new(Role::Editor, "330102")])
                .unwrap();
        }
        let (a, b) = (s.actor("甲").unwrap(), s.actor("乙").unwrap());
        (s, admin, a, b)
    }

    fn new(id: &str) -> NewStaged {
        NewStaged {
            id: id.into(),
            region: "330102".into(),
            year: 2026,
            kind: "supply".into(),
            files: vec![
                StagedFile {
                    slot: "ledger".into(),
                    name: "台账.csv".into(),
                    layer_name: None,
                    rule: None,
                    bytes: b"a,b\r\n1,2\r\n".to_vec(),
                },
                StagedFile {
                    slot: "control-1".into(),
                    name: "农田.geojson".into(),
                    layer_name: Some("永久基本农田".into()),
                    rule: Some("forbid".into()),
                    bytes: vec![0, 1, 2],
                },
            ],
            errors: 2,
        }
    }

    #[test]
    fn an_account_keeps_its_newest_uploads_with_their_edits_and_sees_no_one_elses() {
        let dir = tempfile::tempdir().unwrap();
        let (s, admin, a, b) = store(dir.path());
        for i in 0..=MAX_PER_ACCOUNT {
            s.stage_upload(&a, &new(&format!("a{i}")), 1024).unwrap();
        }
        s.stage_upload(&b, &new("b0"), 1024).unwrap();
        // The oldest of the six is gone; the others are listed newest first.
        assert!(matches!(
            s.staged_upload(&a, "a0"),
            Err(StoreError::NotFound(_))
        ));
        let listed: Vec<String> = s
            .staged_uploads(&a)
            .unwrap()
            .into_iter()
            .map(|u| u.id)
            .collect();
        assert_eq!(listed, ["a5", "a4", "a3", "a2", "a1"]);
        // Another account's upload is not found by its id.
        assert!(matches!(
            s.staged_upload(&a, "b0"),
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            s.staged_upload_content(&a, "b0"),
            Err(StoreError::NotFound(_))
        ));
        // Beyond the upload limit nothing is kept.
        let e = s.stage_upload(&a, &new("big"), 8).unwrap_err();
        assert!(e.to_string().contains("超过上限"), "{e}");

        // The files come back as sent; edits round by round; a round recorded twice is refused.
        let found = s.staged_upload(&a, "a1").unwrap();
        assert_eq!((found.errors, found.edit_rounds), (2, 0));
        assert_eq!(found.ledger_name, "台账.csv");
        let cell = |row, col, text: &str| StagedCell {
            row,
            col,
            text: text.into(),
        };
        s.record_staged_edit(&a, "a1", 1, &[cell(3, 2, "0.8"), cell(4, 1, "x")], 1)
            .unwrap();
        s.record_staged_edit(&a, "a1", 2, &[cell(3, 2, "0.9")], 0)
            .unwrap();
        let e = s
            .record_staged_edit(&a, "a1", 2, &[cell(3, 2, "1")], 0)
            .unwrap_err();
        assert!(e.to_string().contains("别处被修改"), "{e}");
        let (files, rounds) = s.staged_upload_content(&a, "a1").unwrap();
        assert_eq!(files, new("a1").files);
        assert_eq!(
            rounds,
            vec![
                vec![cell(3, 2, "0.8"), cell(4, 1, "x")],
                vec![cell(3, 2, "0.9")]
            ]
        );
        let found = s.staged_upload(&a, "a1").unwrap();
        assert_eq!((found.errors, found.edit_rounds), (0, 2));

        // Stored: what it became is kept, its files and edits are not.
        let outcome = StagedOutcome {
            import_id: 7,
            parcel_count: 4,
            geometry_count: 0,
            total_ha: "5.50".parse().unwrap(),
            townships: None,
        };
        s.mark_staged_stored(&a, "a1", &outcome).unwrap();
        let found = s.staged_upload(&a, "a1").unwrap();
        assert_eq!(found.stored.unwrap().total_ha, "5.5".parse().unwrap());
        assert_eq!(
            s.staged_upload_content(&a, "a1").unwrap(),
            (Vec::new(), Vec::new())
        );
        assert!(s.record_staged_edit(&a, "a1", 3, &[], 0).is_err());

        // Expired: gone.
        s.backend()
            .unwrap()
            .exec(
                "UPDATE staged_upload SET expires_unix = 1 WHERE id = 'a2'",
                &[],
            )
            .unwrap();
        assert!(matches!(
            s.staged_upload(&a, "a2"),
            Err(StoreError::NotFound(_))
        ));
        assert_eq!(s.staged_uploads(&a).unwrap().len(), 4);

        // The account disabled: its uploads are deleted, files and all.
        s.disable_account(&admin, "甲").unwrap();
        let mut db = s.backend().unwrap();
        for table in ["staged_upload", "staged_upload_file"] {
            let left = db
                .query(
                    &format!(
                        "SELECT COUNT(*) FROM {table} WHERE {}",
                        if table == "staged_upload" {
                            "id LIKE 'a%'"
                        } else {
                            "staged_id LIKE 'a%'"
                        }
                    ),
                    &[],
                )
                .unwrap();
            assert_eq!(left[0][0].as_i64(), Some(0), "{table}");
        }
        drop(db);
        assert!(s.staged_upload(&b, "b0").is_ok());
    }

    #[test]
    fn of_two_processes_storing_one_upload_only_one_imports_it() {
        let dir = tempfile::tempdir().unwrap();
        let (s, _admin, a, b) = store(dir.path());
        s.stage_upload(&a, &new("x"), 1024).unwrap();
        // A second handle on the same file stands for a second server process.
        let other = Store::open(dir.path().join("staged.gpkg").to_str().unwrap()).unwrap();
        assert_eq!(s.claim_staged_for_storing(&a, "x").unwrap(), None);
        assert!(matches!(
            other.claim_staged_for_storing(&a, "x"),
            Err(StoreError::Busy(m)) if m.contains("另一处保存")
        ));
        // Another account cannot even learn that it exists.
        assert!(matches!(
            other.claim_staged_for_storing(&b, "x"),
            Err(StoreError::NotFound(_))
        ));
        // A failed import releases the claim; the other process may then take it.
        s.release_staged_claim(&a, "x").unwrap();
        assert_eq!(other.claim_staged_for_storing(&a, "x").unwrap(), None);
        let outcome = StagedOutcome {
            import_id: 7,
            parcel_count: 3,
            geometry_count: 0,
            total_ha: Decimal::new(12345, 4),
            townships: None,
        };
        other.mark_staged_stored(&a, "x", &outcome).unwrap();
        // The first process, asked again, learns what the upload became and imports nothing.
        assert_eq!(s.claim_staged_for_storing(&a, "x").unwrap(), Some(outcome));
    }
}
