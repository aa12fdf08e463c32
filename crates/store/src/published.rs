//! What the public sees of published versions, read and kept cheaply:
//!
//! - a published version's **download files and checker's report**, made once by the caller
//!   (the web server's `publication` module writes them) and kept in `published_file` /
//!   `published_check` (migration gpkg 011, postgres 009), so that their SHA-256 fingerprints
//!   are a property of the publication: they never change, even if a later landplan writes
//!   documents differently. Keeping them is a cache write, not a change of the plan: no audit
//!   entry, no seal, and an anonymous visitor's first visit may make it (only for a version
//!   that is published). Rows are only added: the first record kept for a version stays.
//! - **Backups keep them.** `landplan export` (the whole store, or a region: that region's
//!   versions) copies both tables verbatim (`copy_kept`), and `restore` copies them back, so
//!   a restored site serves the bytes and fingerprints the public was shown, not files made
//!   again by today's landplan. Each file's bytes are checked against its stored SHA-256 and
//!   size while copied, and a file that differs refuses the export or restore, naming the
//!   version and file: a changed download is never republished. The export's audit entry
//!   records a digest of every kept file's name and fingerprint (`published_files_sha256`); a
//!   restore compares the backup's kept files with it, so a file deleted from the backup, or
//!   one replaced together with its `sha256`, is refused too (records kept in the backup file
//!   after those its export copied are additions, and restore). A backup made before kept files
//!   travelled (no such tables, or none kept) restores as before: its versions' files are made
//!   again on their first visit.
//! - the **list of published plans** filtered in SQL (by region and year, a page at a time),
//!   and counts by province and year, so that no page of the public site reads every plan of
//!   a national store.

use crate::access::Actor;
use crate::audit::sha256_hex;
use crate::db::{Backend, Value};
use crate::error::StoreError;
use crate::plan::{version_row, version_select, PlanStatus, PlanVersion};
use crate::Store;

/// A file kept for a published version (without its bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedFile {
    /// The name in the site's address (`plan.docx` …).
    pub name: String,
    /// The (Chinese) file name a browser saves it under.
    pub filename: String,
    /// Its media type.
    pub media_type: String,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    /// Its size in bytes.
    pub size: i64,
}

/// A file to keep: its description and its bytes (the SHA-256 and size are taken here).
#[derive(Debug, Clone)]
pub struct NewPublishedFile {
    /// The name in the site's address.
    pub name: String,
    /// The file name a browser saves it under.
    pub filename: String,
    /// Its media type.
    pub media_type: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// Where a kept record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PublishedOrigin {
    /// Made when the version was published.
    Publication,
    /// Made on the version's first visit (a version published without them).
    FirstVisit,
}

impl PublishedOrigin {
    /// The stored id: `publish` or `first-visit`.
    pub fn id(self) -> &'static str {
        match self {
            PublishedOrigin::Publication => "publish",
            PublishedOrigin::FirstVisit => "first-visit",
        }
    }
}

/// What is kept for a published version: its files and the checker's report (JSON, as the
/// caller wrote it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedRecord {
    /// The files, in the order they were kept.
    pub files: Vec<PublishedFile>,
    /// The checker's report on the version's documents (the caller's JSON).
    pub check: String,
    /// `publish` or `first-visit` ([`PublishedOrigin::id`]).
    pub origin: String,
    /// Who made it (the publisher's name, or the visitor's: 匿名访问者).
    pub made_by: String,
    /// When (RFC 3339 UTC).
    pub made_at: String,
}

/// A page of published plans: the plans and how many match in all.
#[derive(Debug, Clone)]
pub struct PublishedPage {
    /// The plans of the page (each plan's latest published version), by region, year, kind.
    pub plans: Vec<PlanVersion>,
    /// How many plans match the filter in all.
    pub total: i64,
}

/// How many plans a province has published, by year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvinceCount {
    /// The province's code (`110000`).
    pub province: String,
    /// The plan year.
    pub year: i32,
    /// Plans with a published version.
    pub plans: i64,
}

/// The code prefix that selects a region and every region below it (GB/T 2260: a province
/// `110000` → `11`, a prefecture `110100` → `1101`, a county or township: its code).
pub fn region_prefix(code: &str) -> &str {
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        if code.ends_with("0000") {
            return &code[..2];
        }
        if code.ends_with("00") {
            return &code[..4];
        }
    }
    code
}

impl Store {
    /// What is kept for version `version_id`, None when nothing is yet. NotFound when the
    /// actor may not see the version.
    pub fn published_record(
        &self,
        actor: &Actor,
        version_id: i64,
    ) -> Result<Option<PublishedRecord>, StoreError> {
        let mut s = self.session(actor)?;
        s.require_version_visible(version_id)?;
        read_record(&mut *s.db, version_id)
    }

    /// A kept file's description and bytes, None when the version has no such file kept.
    /// NotFound when the actor may not see the version.
    pub fn published_file(
        &self,
        actor: &Actor,
        version_id: i64,
        name: &str,
    ) -> Result<Option<(PublishedFile, Vec<u8>)>, StoreError> {
        let mut s = self.session(actor)?;
        s.require_version_visible(version_id)?;
        let rows = s.db.query(
            "SELECT name, filename, media_type, sha256, size, bytes FROM published_file WHERE version_id = ? AND name = ?",
            &[Value::Int(version_id), name.into()],
        )?;
        Ok(rows.into_iter().next().map(|mut r| {
            let bytes = std::mem::replace(&mut r[5], Value::Null)
                .into_blob()
                .unwrap_or_default();
            (file_row(&r), bytes)
        }))
    }

    /// Keep the files and the checker's report of a published version, unless a record is
    /// kept already (then that one stays and is returned: whoever comes second, by any
    /// process, serves the first one's fingerprints). Refused (Invalid) for a version that is
    /// not published; NotFound when the actor may not see it. Not audited (see the module).
    pub fn keep_published(
        &self,
        actor: &Actor,
        version_id: i64,
        files: &[NewPublishedFile],
        check: &str,
        origin: PublishedOrigin,
    ) -> Result<PublishedRecord, StoreError> {
        let mut s = self.session(actor)?;
        s.require_version_visible(version_id)?;
        let made_by = if actor.is_anonymous() {
            "匿名访问者".to_string()
        } else {
            actor.name().to_string()
        };
        s.db.begin_write()?;
        let r = keep_tx(&mut *s.db, version_id, files, check, origin, &made_by);
        s.finish(r)
    }

    /// The published plans (each plan's latest published version) of `region` and the regions
    /// below it (by code: [`region_prefix`]), of `year`, by region, year and kind; `limit`
    /// plans from `offset` (all when `limit` is None). Filtered in SQL: a page costs what it
    /// shows, not what the store holds. Public (no actor needed: only published versions).
    pub fn published_plans(
        &self,
        region: Option<&str>,
        year: Option<i32>,
        limit: Option<i64>,
        offset: i64,
    ) -> Result<PublishedPage, StoreError> {
        let anonymous = Actor::anonymous();
        let mut s = self.raw_session(&anonymous)?;
        let mut filter = String::from(
            " WHERE v.status = 'published' AND v.version = (SELECT MAX(w.version) FROM plan_version w WHERE w.plan_id = v.plan_id AND w.status = 'published')",
        );
        let mut params: Vec<Value> = Vec::new();
        if let Some(r) = region {
            filter.push_str(" AND p.region LIKE ?");
            params.push(format!("{}%", region_prefix(r)).into());
        }
        if let Some(y) = year {
            filter.push_str(" AND p.year = ?");
            params.push(Value::Int(i64::from(y)));
        }
        let total = s.one_int(
            &format!("SELECT COUNT(*) FROM plan_version v JOIN plan p ON p.id = v.plan_id{filter}"),
            &params,
        )?;
        let mut sql = format!(
            "{}{filter} ORDER BY p.region, p.year, p.kind",
            version_select(s.publication_columns)
        );
        if let Some(l) = limit {
            sql.push_str(" LIMIT ? OFFSET ?");
            params.push(Value::Int(l.max(0)));
            params.push(Value::Int(offset.max(0)));
        } else if offset > 0 {
            // SQLite knows OFFSET only after a LIMIT; -1 and NULL both mean none.
            sql.push_str(" LIMIT ? OFFSET ?");
            params.push(Value::Int(i64::MAX));
            params.push(Value::Int(offset));
        }
        let plans =
            s.db.query(&sql, &params)?
                .into_iter()
                .map(version_row)
                .collect::<Result<Vec<_>, _>>()?;
        Ok(PublishedPage { plans, total })
    }

    /// How many plans have a published version, by province (the first two digits of the
    /// region code, as `110000`) and year, ordered by both. Public.
    pub fn published_counts(&self) -> Result<Vec<ProvinceCount>, StoreError> {
        let anonymous = Actor::anonymous();
        let mut s = self.raw_session(&anonymous)?;
        let rows = s.db.query(
            "SELECT substr(p.region, 1, 2), p.year, COUNT(*) FROM plan p WHERE EXISTS (SELECT 1 FROM plan_version v WHERE v.plan_id = p.id AND v.status = 'published') GROUP BY substr(p.region, 1, 2), p.year ORDER BY substr(p.region, 1, 2), p.year",
            &[],
        )?;
        Ok(rows
            .into_iter()
            .map(|r| ProvinceCount {
                province: format!("{}0000", r[0].text()),
                year: r[1].as_i64().unwrap_or(0) as i32,
                plans: r[2].as_i64().unwrap_or(0),
            })
            .collect())
    }
}

fn file_row(r: &[Value]) -> PublishedFile {
    PublishedFile {
        name: r[0].text(),
        filename: r[1].text(),
        media_type: r[2].text(),
        sha256: r[3].text(),
        size: r[4].as_i64().unwrap_or(0),
    }
}

fn read_record(
    db: &mut dyn crate::Backend,
    version_id: i64,
) -> Result<Option<PublishedRecord>, StoreError> {
    let head = db.query(
        "SELECT report, origin, made_by, made_at FROM published_check WHERE version_id = ?",
        &[Value::Int(version_id)],
    )?;
    let Some(head) = head.into_iter().next() else {
        return Ok(None);
    };
    let files = db
        .query(
            "SELECT name, filename, media_type, sha256, size FROM published_file WHERE version_id = ? ORDER BY position",
            &[Value::Int(version_id)],
        )?
        .iter()
        .map(|r| file_row(r))
        .collect();
    Ok(Some(PublishedRecord {
        files,
        check: head[0].text(),
        origin: head[1].text(),
        made_by: head[2].text(),
        made_at: head[3].text(),
    }))
}

fn keep_tx(
    db: &mut dyn crate::Backend,
    version_id: i64,
    files: &[NewPublishedFile],
    check: &str,
    origin: PublishedOrigin,
    made_by: &str,
) -> Result<PublishedRecord, StoreError> {
    let status = db
        .query(
            "SELECT status FROM plan_version WHERE id = ?",
            &[Value::Int(version_id)],
        )?
        .first()
        .map(|r| r[0].text());
    if status.as_deref() != Some(PlanStatus::Published.id()) {
        return Err(StoreError::Invalid(format!(
            "编号为 {version_id} 的计划版本尚未公布，不能保存其公开文件"
        )));
    }
    if let Some(kept) = read_record(db, version_id)? {
        return Ok(kept);
    }
    for (i, f) in files.iter().enumerate() {
        db.exec(
            "INSERT INTO published_file (version_id, name, position, filename, media_type, sha256, size, bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            &[
                Value::Int(version_id),
                f.name.clone().into(),
                Value::Int(i as i64),
                f.filename.clone().into(),
                f.media_type.clone().into(),
                crate::audit::sha256_hex(&f.bytes).into(),
                Value::Int(f.bytes.len() as i64),
                Value::Blob(f.bytes.clone()),
            ],
        )?;
    }
    db.exec(
        "INSERT INTO published_check (version_id, report, origin, made_by, made_at) VALUES (?, ?, ?, ?, ?)",
        &[
            Value::Int(version_id),
            check.into(),
            origin.id().into(),
            made_by.into(),
            crate::now_utc().into(),
        ],
    )?;
    read_record(db, version_id)?
        .ok_or_else(|| StoreError::Corrupt(format!("编号为 {version_id} 的版本的公开文件未能保存")))
}

/// What [`copy_kept`] copied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct KeptCopy {
    /// Files copied.
    pub files: i64,
    /// Checker's reports (one per version) copied.
    pub checks: i64,
    /// SHA-256 (hex) of the lines `version_id TAB name TAB sha256 LF` of the files copied
    /// (those whose version's record was made by the `kept_until` given), sorted: what a later
    /// restore compares the backup's kept files with.
    pub digest: String,
    /// The newest `made_at` of the records copied (None when none): the records a digest
    /// covers, recorded with it (server clocks, not the export's, decide what was there).
    pub until: Option<String>,
}

/// How a version is named in a refusal: `330102 2025 年国有建设用地供应计划第 1 版（版本编号 7）`.
fn describe_version(db: &mut dyn Backend, version_id: i64) -> Result<String, StoreError> {
    let rows = db.query(
        "SELECT p.region, p.year, p.kind, v.version FROM plan_version v JOIN plan p ON p.id = v.plan_id WHERE v.id = ?",
        &[Value::Int(version_id)],
    )?;
    Ok(match rows.first() {
        Some(r) => format!(
            "{} {} 年{}第 {} 版（版本编号 {version_id}）",
            r[0].text(),
            r[1].text(),
            crate::state::kind_label(&r[2].text()),
            r[3].text()
        ),
        None => format!("编号为 {version_id} 的计划版本"),
    })
}

/// The digest of kept files' (version id, name, SHA-256), in a fixed order ([`KeptCopy::digest`]).
fn kept_digest(mut rows: Vec<(i64, String, String)>) -> String {
    rows.sort();
    let mut text = String::new();
    for (v, name, sha) in rows {
        text.push_str(&format!("{v}\t{name}\t{sha}\n"));
    }
    sha256_hex(text.as_bytes())
}

/// Copy the kept files and checker's reports from `src` into `dst` verbatim: all of them, or
/// (`prefix`: a region's code prefix, [`region_prefix`]) those of the versions of plans whose
/// region starts with it. Version ids travel unchanged (`plan_version` rows are copied with
/// their ids), so `version_id` needs no mapping. Every file's bytes are checked against its
/// stored SHA-256 and size; a file that differs, or files without their version's report,
/// refuse the copy (Invalid, in Chinese: `of` names where they were read, `verb` what is
/// refused). A source without the tables (a backup made before they existed) copies nothing.
/// The digest covers the files of versions whose record was made at or before `kept_until`
/// (RFC 3339 UTC, as `made_at`; None: all).
pub(crate) fn copy_kept(
    src: &mut dyn Backend,
    dst: &mut dyn Backend,
    prefix: Option<&str>,
    kept_until: Option<&str>,
    of: &str,
    verb: &str,
) -> Result<KeptCopy, StoreError> {
    let mut copied = KeptCopy {
        digest: kept_digest(Vec::new()),
        ..KeptCopy::default()
    };
    if !src.table_exists("published_file")? || !src.table_exists("published_check")? {
        return Ok(copied);
    }
    let (filter, params) = match prefix {
        Some(p) => (
            " WHERE version_id IN (SELECT v.id FROM plan_version v JOIN plan p ON p.id = v.plan_id WHERE p.region LIKE ?)",
            vec![Value::Text(format!("{p}%"))],
        ),
        None => ("", Vec::new()),
    };
    // Files whose version has no report would be hidden (a version's record is read through
    // its report) and then collide with the files made again on its first visit.
    let orphans = src.query(
        &format!(
            "SELECT DISTINCT version_id FROM published_file{filter}{} NOT EXISTS (SELECT 1 FROM published_check c WHERE c.version_id = published_file.version_id) ORDER BY version_id",
            if filter.is_empty() { " WHERE" } else { " AND" }
        ),
        &params,
    )?;
    if let Some(r) = orphans.first() {
        let version = describe_version(src, r[0].as_i64().unwrap_or(0))?;
        return Err(StoreError::Invalid(format!(
            "{of}中{version}保存的公开文件缺少与之同时保存的检查报告记录：公布时保存的内容不完整，拒绝{verb}"
        )));
    }
    let made_at: std::collections::HashMap<i64, String> = src
        .query(
            &format!("SELECT version_id, made_at FROM published_check{filter}"),
            &params,
        )?
        .into_iter()
        .map(|r| (r[0].as_i64().unwrap_or(0), r[1].text()))
        .collect();
    let in_digest = |version_id: i64| match kept_until {
        None => true,
        Some(until) => made_at
            .get(&version_id)
            .is_some_and(|at| at.as_str() <= until),
    };
    copied.until = made_at.values().max().cloned();
    let mut files = 0i64;
    let mut hashes = Vec::new();
    let mut bad: Option<(i64, String, String, String, String, i64, i64)> = None;
    src.query_each(
        &format!(
            "SELECT version_id, name, position, filename, media_type, sha256, size, bytes FROM published_file{filter} ORDER BY version_id, position"
        ),
        &params,
        &mut |r| {
            let version_id = r[0].as_i64().unwrap_or(0);
            let sha = r[5].text();
            let size = r[6].as_i64().unwrap_or(-1);
            let (actual, len) = match &r[7] {
                Value::Blob(b) => (sha256_hex(b), b.len() as i64),
                _ => (sha256_hex(&[]), 0),
            };
            if actual != sha || len != size {
                // Stop at the first: its version is described after the scan.
                bad = Some((version_id, r[1].text(), r[3].text(), sha, actual, size, len));
                return Err(StoreError::Invalid(String::new()));
            }
            files += 1;
            if in_digest(version_id) {
                hashes.push((version_id, r[1].text(), sha));
            }
            dst.exec(
                "INSERT INTO published_file (version_id, name, position, filename, media_type, sha256, size, bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                &r,
            )?;
            Ok(())
        },
    )
    .or_else(|e| if bad.is_some() { Ok(()) } else { Err(e) })?;
    if let Some((version_id, name, filename, sha, actual, size, len)) = bad {
        let version = describe_version(src, version_id)?;
        let size_note = if size == len {
            String::new()
        } else {
            format!("，大小为 {len} 字节而记录为 {size} 字节")
        };
        return Err(StoreError::Invalid(format!(
            "{of}中{version}的公开文件“{filename}”（{name}）已被改动：内容的 SHA-256 为 {actual}{size_note}，与公布时保存的指纹 {sha} 不符；公众下载过的文件不能被替换，拒绝{verb}"
        )));
    }
    copied.files = files;
    copied.digest = kept_digest(hashes);
    src.query_each(
        &format!(
            "SELECT version_id, report, origin, made_by, made_at FROM published_check{filter} ORDER BY version_id"
        ),
        &params,
        &mut |r| {
            copied.checks += 1;
            dst.exec(
                "INSERT INTO published_check (version_id, report, origin, made_by, made_at) VALUES (?, ?, ?, ?, ?)",
                &r,
            )?;
            Ok(())
        },
    )?;
    Ok(copied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_region_selects_itself_and_what_lies_below_it() {
        assert_eq!(region_prefix("110000"), "11");
        assert_eq!(region_prefix("110100"), "1101");
        assert_eq!(region_prefix("110121"), "110121");
        assert_eq!(region_prefix("110121001"), "110121001");
    }
}
