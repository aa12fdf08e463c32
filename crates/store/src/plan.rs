//! Plans and their life: 草稿 → 已提交 → 已批准 → 已公布 → 调整中 → 已提交 → … .
//!
//! A plan is one region's supply or reserve plan for one year. It has numbered versions; each
//! version is compiled from one ledger import and carries its own status. Every step records
//! who, when and why (a [`PlanEvent`]) and appends an audit entry, in one transaction.
//! Who may take a step is the acting account's role for the plan's region (or a region above
//! it): 编制 creates and submits, 审核 approves and returns, 发布 publishes and adjusts; who may
//! see a version is decided by [`crate::access`] (published versions are public, the others
//! only visible to accounts with some role for the region).
//! An adjustment (调整) creates a new version and needs a reason; it is allowed only for a
//! published plan, and the new version goes through submission, approval and publication again.

use crate::access::{region_chain, Role};
use crate::db::Value;
use crate::error::StoreError;
use crate::session::Session;
use landplan_core::compile::{CompileOptions, CompiledPlan, Compiler, PlanKind};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::HashMap;

/// A version's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PlanStatus {
    /// 草稿.
    Draft,
    /// 已提交.
    Submitted,
    /// 已批准.
    Approved,
    /// 已公布.
    Published,
    /// 调整中 (a new version being prepared after publication).
    Adjusting,
}

impl PlanStatus {
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            PlanStatus::Draft => "草稿",
            PlanStatus::Submitted => "已提交",
            PlanStatus::Approved => "已批准",
            PlanStatus::Published => "已公布",
            PlanStatus::Adjusting => "调整中",
        }
    }

    /// Stable id.
    pub fn id(self) -> &'static str {
        match self {
            PlanStatus::Draft => "draft",
            PlanStatus::Submitted => "submitted",
            PlanStatus::Approved => "approved",
            PlanStatus::Published => "published",
            PlanStatus::Adjusting => "adjusting",
        }
    }

    /// Parse a stored id.
    pub fn parse(s: &str) -> Option<PlanStatus> {
        Some(match s {
            "draft" => PlanStatus::Draft,
            "submitted" => PlanStatus::Submitted,
            "approved" => PlanStatus::Approved,
            "published" => PlanStatus::Published,
            "adjusting" => PlanStatus::Adjusting,
            _ => return None,
        })
    }
}

/// A step of the lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PlanAction {
    /// 提交 (报批).
    Submit,
    /// 批准.
    Approve,
    /// 公布.
    Publish,
    /// 退回 (a submitted version back to its author).
    Return,
}

impl PlanAction {
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            PlanAction::Submit => "提交",
            PlanAction::Approve => "批准",
            PlanAction::Publish => "公布",
            PlanAction::Return => "退回",
        }
    }

    fn id(self) -> &'static str {
        match self {
            PlanAction::Submit => "submit",
            PlanAction::Approve => "approve",
            PlanAction::Publish => "publish",
            PlanAction::Return => "return",
        }
    }

    /// The status after this step from `from`, or None when the step is not allowed.
    pub fn next(self, from: PlanStatus, version: i64) -> Option<PlanStatus> {
        use PlanStatus::*;
        match (self, from) {
            (PlanAction::Submit, Draft | Adjusting) => Some(Submitted),
            (PlanAction::Approve, Submitted) => Some(Approved),
            (PlanAction::Publish, Approved) => Some(Published),
            (PlanAction::Return, Submitted) => Some(if version > 1 { Adjusting } else { Draft }),
            _ => None,
        }
    }

    /// The role this step needs for the plan's region: 编制 submits, 审核 approves and
    /// returns, 发布 publishes.
    pub fn role(self) -> Role {
        match self {
            PlanAction::Submit => Role::Editor,
            PlanAction::Approve | PlanAction::Return => Role::Reviewer,
            PlanAction::Publish => Role::Publisher,
        }
    }

    /// The statuses this step may start from, for messages.
    fn allowed_from(self) -> &'static str {
        match self {
            PlanAction::Submit => "草稿或调整中",
            PlanAction::Approve | PlanAction::Return => "已提交",
            PlanAction::Publish => "已批准",
        }
    }
}

/// Which plan: region, year, kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanKey {
    /// 行政区划代码.
    pub region: String,
    /// Year.
    pub year: i32,
    /// Supply or reserve.
    pub kind: PlanKind,
}

impl PlanKey {
    /// `330102/2025/supply`.
    pub fn entity(&self) -> String {
        format!("plan:{}/{}/{}", self.region, self.year, self.kind.id())
    }
}

impl std::fmt::Display for PlanKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} 年{}", self.region, self.year, self.kind.label())
    }
}

/// One version of a plan.
#[derive(Debug, Clone, Serialize)]
pub struct PlanVersion {
    /// The plan.
    pub plan: PlanKey,
    /// The plan's id.
    pub plan_id: i64,
    /// The version's id.
    pub version_id: i64,
    /// Version number, from 1.
    pub version: i64,
    /// Status.
    pub status: PlanStatus,
    /// The ledger import it was compiled from.
    pub import_id: i64,
    /// Why this version exists (adjustments).
    pub reason: Option<String>,
    /// 总量, 公顷 (exact).
    pub total_ha: Decimal,
    /// Parcels.
    pub parcel_count: i64,
    /// Who created it.
    pub created_by: String,
    /// When.
    pub created_at: String,
    /// The document number (文号) of the publication, when the publisher gave one.
    pub doc_number: Option<String>,
    /// The issuing body (发文机关) of the publication, when the publisher gave one.
    pub issuing_body: Option<String>,
}

/// What a publication states besides its date: the document number (文号, e.g.
/// `X政发〔2025〕12号`) and the issuing body (发文机关), each optional. Given only with
/// 公布 ([`PlanAction::Publish`]); kept on the version and recorded in the publication's audit
/// entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Publication {
    /// 文号.
    pub doc_number: Option<String>,
    /// 发文机关.
    pub issuing_body: Option<String>,
}

impl Publication {
    /// Whether nothing is stated.
    pub fn is_empty(&self) -> bool {
        self.doc_number.is_none() && self.issuing_body.is_none()
    }

    /// The publication with each field checked ([`publication_text`]) and trimmed.
    pub fn checked(&self) -> Result<Publication, StoreError> {
        Ok(Publication {
            doc_number: self
                .doc_number
                .as_deref()
                .map(|t| publication_text("文号", t))
                .transpose()?,
            issuing_body: self
                .issuing_body
                .as_deref()
                .map(|t| publication_text("发文机关", t))
                .transpose()?,
        })
    }
}

/// The most characters a 文号 or an issuing body may have.
pub const PUBLICATION_TEXT_MAX: usize = 100;

/// A 文号 or issuing body as stored: trimmed, not empty, at most [`PUBLICATION_TEXT_MAX`]
/// characters, no control characters (no line breaks either: it is one line of the page).
pub fn publication_text(label: &str, text: &str) -> Result<String, StoreError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(StoreError::Invalid(format!("{label}不能为空")));
    }
    let n = t.chars().count();
    if n > PUBLICATION_TEXT_MAX {
        return Err(StoreError::Invalid(format!(
            "{label}过长：{n} 个字符，最多 {PUBLICATION_TEXT_MAX} 个"
        )));
    }
    if t.chars().any(char::is_control) {
        return Err(StoreError::Invalid(format!(
            "{label}不能含控制字符（换行、制表符等）"
        )));
    }
    Ok(t.to_string())
}

/// The most characters a step's reason or remark may have.
pub const STEP_REASON_MAX: usize = 2000;

/// A step's reason or remark (理由或意见): at most [`STEP_REASON_MAX`] characters, no control
/// characters but line breaks and tabs. Checked after the role, like everything typed.
fn step_reason(reason: Option<&str>) -> Result<(), StoreError> {
    let Some(r) = reason else { return Ok(()) };
    if r.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(StoreError::Invalid("理由或意见不能含控制字符".into()));
    }
    if r.chars().count() > STEP_REASON_MAX {
        return Err(StoreError::Invalid(format!(
            "理由或意见过长（最多 {STEP_REASON_MAX} 个字）"
        )));
    }
    Ok(())
}

/// One step in a plan's life.
#[derive(Debug, Clone, Serialize)]
pub struct PlanEvent {
    /// Version number.
    pub version: i64,
    /// `create`, `submit`, `approve`, `publish`, `return`, `adjust`.
    pub action: String,
    /// Status before.
    pub from: Option<PlanStatus>,
    /// Status after.
    pub to: PlanStatus,
    /// Who.
    pub user: String,
    /// When.
    pub at: String,
    /// Why.
    pub reason: Option<String>,
}

/// A version about to be stored: which plan, its number and status, the import it is
/// compiled from, and the step that makes it (`create` or `adjust`, from which status, why).
struct NewVersion<'a> {
    plan_id: i64,
    version: i64,
    status: PlanStatus,
    import_id: i64,
    reason: Option<&'a str>,
    action: &'a str,
    from: Option<PlanStatus>,
}

/// The select of versions (`FROM plan_version v JOIN plan p`), with the publication's 文号 and
/// issuing body when the store has them (`publication`; else NULL: a store written by an older
/// landplan and read without migrating it).
pub(crate) fn version_select(publication: bool) -> String {
    format!(
        "SELECT p.region, p.year, p.kind, p.id, v.id, v.version, v.status, v.import_id, v.reason, v.total_ha, v.parcel_count, v.created_by, v.created_at, {} FROM plan_version v JOIN plan p ON p.id = v.plan_id",
        if publication {
            "v.doc_number, v.issuing_body"
        } else {
            "NULL, NULL"
        }
    )
}

pub(crate) fn kind_from(s: &str) -> Result<PlanKind, StoreError> {
    match s {
        "supply" => Ok(PlanKind::Supply),
        "reserve" => Ok(PlanKind::Reserve),
        other => Err(StoreError::Corrupt(format!("未知的计划类型“{other}”"))),
    }
}

pub(crate) fn version_row(r: Vec<Value>) -> Result<PlanVersion, StoreError> {
    Ok(PlanVersion {
        plan: PlanKey {
            region: r[0].text(),
            year: r[1].as_i64().unwrap_or(0) as i32,
            kind: kind_from(&r[2].text())?,
        },
        plan_id: r[3].as_i64().unwrap_or(0),
        version_id: r[4].as_i64().unwrap_or(0),
        version: r[5].as_i64().unwrap_or(0),
        status: PlanStatus::parse(&r[6].text())
            .ok_or_else(|| StoreError::Corrupt(format!("未知的计划状态“{}”", r[6].text())))?,
        import_id: r[7].as_i64().unwrap_or(0),
        reason: r[8].opt_text(),
        total_ha: r[9].text().parse().unwrap_or_default(),
        parcel_count: r[10].as_i64().unwrap_or(0),
        created_by: r[11].text(),
        created_at: r[12].text(),
        doc_number: r[13].opt_text(),
        issuing_body: r[14].opt_text(),
    })
}

fn version_json(v: &PlanVersion) -> serde_json::Value {
    serde_json::json!({
        "version": v.version,
        "status": v.status.id(),
        "import_id": v.import_id,
        "total_ha": v.total_ha.normalize().to_string(),
        "parcel_count": v.parcel_count,
        "reason": v.reason,
    })
}

impl Session<'_> {
    /// Compile an import's parcels into a plan: the typed plan the store keeps as the
    /// version's `compiled` JSON (without the parcel list, which stays in the import).
    pub fn compile_import(
        &mut self,
        import_id: i64,
        key: &PlanKey,
    ) -> Result<CompiledPlan, StoreError> {
        let label = self.region_label(&key.region)?;
        let mut c = Compiler::new(CompileOptions {
            kind: key.kind,
            region: label,
            year: Some(key.year),
            keep_parcels: false,
            rules: landplan_core::RuleContext::builtin()
                .with_region(Some(&key.region))
                .for_year(Some(key.year)),
            ..CompileOptions::default()
        });
        let mut err = None;
        self.db.query_each(
            "SELECT data FROM parcel WHERE import_id = ? ORDER BY fid",
            &[Value::Int(import_id)],
            &mut |r| {
                match serde_json::from_str(&r[0].text()) {
                    Ok(p) => c.add(p),
                    Err(e) => err = Some(StoreError::from(e)),
                }
                Ok(())
            },
        )?;
        if let Some(e) = err {
            return Err(e);
        }
        Ok(c.finish())
    }

    fn plan_id(&mut self, key: &PlanKey) -> Result<Option<i64>, StoreError> {
        let rows = self.db.query(
            "SELECT id FROM plan WHERE region = ? AND year = ? AND kind = ?",
            &[
                key.region.clone().into(),
                Value::Int(key.year as i64),
                key.kind.id().into(),
            ],
        )?;
        Ok(rows.first().and_then(|r| r[0].as_i64()))
    }

    /// The plan does not exist, or the actor may not see it: the same answer.
    fn no_plan(key: &PlanKey) -> StoreError {
        StoreError::NotFound(format!("没有找到 {key}"))
    }

    fn choose_import(&mut self, key: &PlanKey, import_id: Option<i64>) -> Result<i64, StoreError> {
        match import_id {
            Some(id) => {
                let rows = self.db.query(
                    "SELECT region, year, kind FROM ledger_import WHERE id = ?",
                    &[Value::Int(id)],
                )?;
                let r = match rows.into_iter().next() {
                    // Another region's imports do not exist for an actor without a role there.
                    Some(r) if self.has_role_for(&r[0].text())? => r,
                    _ => return Err(StoreError::NotFound(format!("没有编号为 {id} 的导入批次"))),
                };
                if r[0].text() != key.region
                    || r[1].as_i64() != Some(key.year as i64)
                    || r[2].text() != key.kind.id()
                {
                    return Err(StoreError::Invalid(format!(
                        "导入批次 {id} 属于 {} {} 年（{}），不是 {key}",
                        r[0].text(),
                        r[1].text(),
                        r[2].text()
                    )));
                }
                Ok(id)
            }
            None => self
                .latest_import(&key.region, key.year, key.kind)?
                .ok_or_else(|| StoreError::NotFound(format!("{key} 还没有导入台账"))),
        }
    }

    fn insert_version(
        &mut self,
        key: &PlanKey,
        new: NewVersion<'_>,
    ) -> Result<PlanVersion, StoreError> {
        let NewVersion {
            plan_id,
            version,
            status,
            import_id,
            reason,
            action,
            from,
        } = new;
        let plan = self.compile_import(import_id, key)?;
        let (total, count) = (plan.total.ha(), plan.parcel_count as i64);
        let compiled = serde_json::to_value(&plan)?;
        let now = crate::now_utc();
        let version_id = self.one_int(
            "INSERT INTO plan_version (plan_id, version, status, import_id, reason, compiled, total_ha, parcel_count, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            &[
                Value::Int(plan_id),
                Value::Int(version),
                status.id().into(),
                Value::Int(import_id),
                reason.into(),
                compiled.to_string().into(),
                total.normalize().to_string().into(),
                Value::Int(count),
                self.user.clone().into(),
                now.clone().into(),
            ],
        )?;
        self.seal("plan_version", version_id)?;
        self.insert_event(version_id, action, from, status, reason)?;
        Ok(PlanVersion {
            plan: key.clone(),
            plan_id,
            version_id,
            version,
            status,
            import_id,
            reason: reason.map(str::to_string),
            total_ha: total,
            parcel_count: count,
            created_by: self.user.clone(),
            created_at: now,
            doc_number: None,
            issuing_body: None,
        })
    }

    /// Record a lifecycle step (sealed for the step's audit entry).
    fn insert_event(
        &mut self,
        version_id: i64,
        action: &str,
        from: Option<PlanStatus>,
        to: PlanStatus,
        reason: Option<&str>,
    ) -> Result<(), StoreError> {
        let id = self.one_int(
            "INSERT INTO plan_event (version_id, action, from_status, to_status, user_name, at, reason) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            &[
                Value::Int(version_id),
                action.into(),
                from.map(PlanStatus::id).into(),
                to.id().into(),
                self.user.clone().into(),
                crate::now_utc().into(),
                reason.into(),
            ],
        )?;
        self.seal("plan_event", id)
    }

    /// Create a plan (version 1, 草稿) compiled from an import (default: the latest one for the
    /// region, year and kind). Needs 编制 for the region.
    pub fn create_plan(
        &mut self,
        key: &PlanKey,
        import_id: Option<i64>,
        note: Option<&str>,
    ) -> Result<PlanVersion, StoreError> {
        self.write(|s| {
            s.require(Role::Editor, &key.region, &format!("编制 {key}"))?;
            step_reason(note)?;
            if s.plan_id(key)?.is_some() {
                return Err(StoreError::Invalid(format!(
                    "{key} 已存在；已公布的计划只能调整（生成新版本），不能重新编制"
                )));
            }
            let import_id = s.choose_import(key, import_id)?;
            let plan_id = s.one_int(
                "INSERT INTO plan (region, year, kind, created_by, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                &[
                    key.region.clone().into(),
                    Value::Int(key.year as i64),
                    key.kind.id().into(),
                    s.user.clone().into(),
                    crate::now_utc().into(),
                ],
            )?;
            s.seal("plan", plan_id)?;
            let v = s.insert_version(
                key,
                NewVersion {
                    plan_id,
                    version: 1,
                    status: PlanStatus::Draft,
                    import_id,
                    reason: note,
                    action: "create",
                    from: None,
                },
            )?;
            crate::layers::refresh_plan(&mut *s.db, plan_id, s.srid)?;
            s.append_audit("plan.create", &key.entity(), None, Some(version_json(&v)))?;
            Ok(v)
        })
    }

    /// The current version: the latest one the actor may see.
    pub fn current_version(&mut self, key: &PlanKey) -> Result<PlanVersion, StoreError> {
        self.versions(key)?.pop().ok_or_else(|| Self::no_plan(key))
    }

    /// The versions the actor may see, oldest first; NotFound when there are none (no plan, or
    /// only versions the actor may not see).
    pub fn versions(&mut self, key: &PlanKey) -> Result<Vec<PlanVersion>, StoreError> {
        let rows = self.db.query(
            &format!(
                "{} WHERE p.region = ? AND p.year = ? AND p.kind = ? ORDER BY v.version",
                version_select(self.publication_columns)
            ),
            &[
                key.region.clone().into(),
                Value::Int(key.year as i64),
                key.kind.id().into(),
            ],
        )?;
        if rows.is_empty() {
            return Err(Self::no_plan(key));
        }
        let all: Vec<PlanVersion> = rows
            .into_iter()
            .map(version_row)
            .collect::<Result<_, _>>()?;
        let chain = self.chain(&key.region)?;
        let seen: Vec<PlanVersion> = all
            .into_iter()
            .filter(|v| self.actor.may_see(v.status, &chain))
            .collect();
        if seen.is_empty() {
            return Err(Self::no_plan(key));
        }
        Ok(seen)
    }

    /// One version by number.
    pub fn version(&mut self, key: &PlanKey, version: i64) -> Result<PlanVersion, StoreError> {
        let all = self.versions(key)?;
        let n = all.len();
        all.into_iter()
            .find(|v| v.version == version)
            .ok_or_else(|| StoreError::NotFound(format!("{key} 没有第 {version} 版（共 {n} 版）")))
    }

    /// The current version of every plan the actor may see (optionally of one year): the
    /// latest version it may see.
    pub fn plans(&mut self, year: Option<i32>) -> Result<Vec<PlanVersion>, StoreError> {
        let rows = self.db.query(
            &format!(
                "{} ORDER BY p.region, p.year, p.kind, v.version",
                version_select(self.publication_columns)
            ),
            &[],
        )?;
        // The region table's parent links, read once: with thousands of regions (a national
        // store), reading each plan's chain link by link was one query per level and region.
        let parents: HashMap<String, Option<String>> = self
            .db
            .query("SELECT code, parent FROM region", &[])?
            .into_iter()
            .map(|r| (r[0].text(), r[1].opt_text()))
            .collect();
        let mut chains: HashMap<String, Vec<String>> = HashMap::new();
        let mut out: Vec<PlanVersion> = Vec::new();
        for r in rows {
            let v = version_row(r)?;
            if year.is_some_and(|y| v.plan.year != y) {
                continue;
            }
            let chain = match chains.get(&v.plan.region) {
                Some(c) => c,
                None => {
                    let c = region_chain::<StoreError>(&v.plan.region, |c| {
                        Ok(parents.get(c).cloned())
                    })?;
                    chains.entry(v.plan.region.clone()).or_insert(c)
                }
            };
            if !self.actor.may_see(v.status, chain) {
                continue;
            }
            match out.last_mut() {
                Some(last) if last.plan_id == v.plan_id => *last = v,
                _ => out.push(v),
            }
        }
        Ok(out)
    }

    /// The compiled plan of a version, read back as the typed plan the compiler made (also
    /// from stores written before supply and reserve plans were one type).
    pub fn compiled(&mut self, version_id: i64) -> Result<CompiledPlan, StoreError> {
        let rows = self.db.query(
            "SELECT compiled FROM plan_version WHERE id = ?",
            &[Value::Int(version_id)],
        )?;
        let text = rows
            .first()
            .map(|r| r[0].text())
            .ok_or_else(|| StoreError::NotFound(format!("没有编号为 {version_id} 的计划版本")))?;
        serde_json::from_str(&text).map_err(|e| {
            StoreError::Corrupt(format!(
                "编号为 {version_id} 的计划版本的编制结果无法解析：{e}"
            ))
        })
    }

    /// Take one step (提交/批准/公布/退回) on the current version; the step's role
    /// ([`PlanAction::role`]) for the region is needed.
    pub fn transition(
        &mut self,
        key: &PlanKey,
        action: PlanAction,
        reason: Option<&str>,
        publication: &Publication,
    ) -> Result<PlanVersion, StoreError> {
        self.transition_step(key, action, reason, publication, None)
    }

    /// [`Session::transition`], refused with [`StoreError::Moved`] (inside the transaction)
    /// when the current version is not `expected` (see [`crate::step`]).
    pub(crate) fn transition_step(
        &mut self,
        key: &PlanKey,
        action: PlanAction,
        reason: Option<&str>,
        publication: &Publication,
        expected: Option<crate::step::Expected>,
    ) -> Result<PlanVersion, StoreError> {
        let publication_columns = self.publication_columns;
        self.write(|s| {
            let cur = s.current_version(key)?;
            // Who may take the step is said first, whatever was typed with it.
            s.require(
                action.role(),
                &key.region,
                &format!("{} {key}", action.label()),
            )?;
            step_reason(reason)?;
            let publication = publication.checked()?;
            if !publication.is_empty() && action != PlanAction::Publish {
                return Err(StoreError::Invalid(format!(
                    "文号和发文机关只能在公布时填写，不能用于{}",
                    action.label()
                )));
            }
            if !publication.is_empty() && !publication_columns {
                return Err(StoreError::Invalid(
                    "数据库尚未升级，不能记录文号和发文机关；请先以可写方式打开数据库（升级）"
                        .into(),
                ));
            }
            if let Some(e) = expected {
                s.check_expected(key, &cur, e)?;
            }
            let next = action.next(cur.status, cur.version).ok_or_else(|| {
                StoreError::Invalid(format!(
                    "{key} 第 {} 版当前状态为“{}”，不能{}：只有“{}”状态的计划可以{}",
                    cur.version,
                    cur.status.label(),
                    action.label(),
                    action.allowed_from(),
                    action.label()
                ))
            })?;
            if action == PlanAction::Return && reason.is_none_or(|r| r.trim().is_empty()) {
                return Err(StoreError::ReasonRequired(action.label().into()));
            }
            s.db.exec(
                "UPDATE plan_version SET status = ? WHERE id = ?",
                &[next.id().into(), Value::Int(cur.version_id)],
            )?;
            if !publication.is_empty() {
                s.db.exec(
                    "UPDATE plan_version SET doc_number = ?, issuing_body = ? WHERE id = ?",
                    &[
                        publication.doc_number.clone().into(),
                        publication.issuing_body.clone().into(),
                        Value::Int(cur.version_id),
                    ],
                )?;
            }
            s.seal("plan_version", cur.version_id)?;
            s.insert_event(cur.version_id, action.id(), Some(cur.status), next, reason)?;
            let after = PlanVersion {
                status: next,
                doc_number: publication.doc_number.clone().or(cur.doc_number.clone()),
                issuing_body: publication
                    .issuing_body
                    .clone()
                    .or(cur.issuing_body.clone()),
                ..cur.clone()
            };
            crate::layers::refresh_plan(&mut *s.db, cur.plan_id, s.srid)?;
            let mut a = version_json(&after);
            a["step_reason"] = serde_json::json!(reason);
            // The publication's 文号 and issuing body, when given, are part of its record.
            if let Some(d) = &publication.doc_number {
                a["doc_number"] = serde_json::json!(d);
            }
            if let Some(b) = &publication.issuing_body {
                a["issuing_body"] = serde_json::json!(b);
            }
            s.append_audit(
                &format!("plan.{}", action.id()),
                &key.entity(),
                Some(version_json(&cur)),
                Some(a),
            )?;
            Ok(after)
        })
    }

    /// Adjust a published plan: a new version (调整中) from an import (default: the latest),
    /// with a required reason. Needs 发布 for the region.
    pub fn adjust(
        &mut self,
        key: &PlanKey,
        reason: &str,
        import_id: Option<i64>,
    ) -> Result<PlanVersion, StoreError> {
        self.adjust_step(key, reason, import_id, None)
    }

    /// [`Session::adjust`], refused with [`StoreError::Moved`] (inside the transaction) when
    /// the current version is not `expected` (see [`crate::step`]).
    pub(crate) fn adjust_step(
        &mut self,
        key: &PlanKey,
        reason: &str,
        import_id: Option<i64>,
        expected: Option<crate::step::Expected>,
    ) -> Result<PlanVersion, StoreError> {
        self.write(|s| {
            let cur = s.current_version(key)?;
            s.require(Role::Publisher, &key.region, &format!("调整 {key}"))?;
            if reason.trim().is_empty() {
                return Err(StoreError::ReasonRequired("调整".into()));
            }
            step_reason(Some(reason))?;
            if let Some(e) = expected {
                s.check_expected(key, &cur, e)?;
            }
            if cur.status != PlanStatus::Published {
                return Err(StoreError::Invalid(format!(
                    "{key} 第 {} 版当前状态为“{}”，不能调整：只有“已公布”的计划可以调整（未公布的版本可直接修改后提交）",
                    cur.version,
                    cur.status.label()
                )));
            }
            let import_id = s.choose_import(key, import_id)?;
            let v = s.insert_version(
                key,
                NewVersion {
                    plan_id: cur.plan_id,
                    version: cur.version + 1,
                    status: PlanStatus::Adjusting,
                    import_id,
                    reason: Some(reason.trim()),
                    action: "adjust",
                    from: Some(cur.status),
                },
            )?;
            crate::layers::refresh_plan(&mut *s.db, cur.plan_id, s.srid)?;
            s.append_audit(
                "plan.adjust",
                &key.entity(),
                Some(version_json(&cur)),
                Some(version_json(&v)),
            )?;
            Ok(v)
        })
    }

    /// Compile the current version of a plan again from another import (default: the latest
    /// one for the region, year and kind), in place: allowed while the version is being
    /// prepared (草稿, also after a return, or 调整中), so its number, status and reason stay;
    /// a `revise` step records the old and new import, with an optional note. Needs 编制 for
    /// the region. A submitted, approved or published version is refused (a published plan is
    /// adjusted instead).
    pub fn revise_plan(
        &mut self,
        key: &PlanKey,
        import_id: Option<i64>,
        note: Option<&str>,
    ) -> Result<PlanVersion, StoreError> {
        self.write(|s| {
            let cur = s.current_version(key)?;
            s.require(Role::Editor, &key.region, &format!("重新编制 {key}"))?;
            step_reason(note)?;
            if !matches!(cur.status, PlanStatus::Draft | PlanStatus::Adjusting) {
                return Err(StoreError::Invalid(format!(
                    "{key} 第 {} 版当前状态为“{}”，不能用新台账重新编制：只有“草稿”或“调整中”的版本可以（已公布的计划请先调整）",
                    cur.version,
                    cur.status.label()
                )));
            }
            let import_id = s.choose_import(key, import_id)?;
            let plan = s.compile_import(import_id, key)?;
            let (total, count) = (plan.total.ha(), plan.parcel_count as i64);
            let compiled = serde_json::to_value(&plan)?;
            s.db.exec(
                "UPDATE plan_version SET import_id = ?, compiled = ?, total_ha = ?, parcel_count = ? WHERE id = ?",
                &[
                    Value::Int(import_id),
                    compiled.to_string().into(),
                    total.normalize().to_string().into(),
                    Value::Int(count),
                    Value::Int(cur.version_id),
                ],
            )?;
            s.seal("plan_version", cur.version_id)?;
            s.insert_event(cur.version_id, "revise", Some(cur.status), cur.status, note)?;
            let after = PlanVersion {
                import_id,
                total_ha: total,
                parcel_count: count,
                ..cur.clone()
            };
            crate::layers::refresh_plan(&mut *s.db, cur.plan_id, s.srid)?;
            let mut a = version_json(&after);
            a["step_reason"] = serde_json::json!(note);
            s.append_audit(
                "plan.revise",
                &key.entity(),
                Some(version_json(&cur)),
                Some(a),
            )?;
            Ok(after)
        })
    }

    /// Every step of a plan's life, in order (of the versions the actor may see).
    pub fn events(&mut self, key: &PlanKey) -> Result<Vec<PlanEvent>, StoreError> {
        let visible: Vec<i64> = self.versions(key)?.iter().map(|v| v.version).collect();
        let id = self.plan_id(key)?.ok_or_else(|| Self::no_plan(key))?;
        let rows = self.db.query(
            "SELECT v.version, e.action, e.from_status, e.to_status, e.user_name, e.at, e.reason FROM plan_event e JOIN plan_version v ON v.id = e.version_id WHERE v.plan_id = ? ORDER BY e.id",
            &[Value::Int(id)],
        )?;
        Ok(rows
            .into_iter()
            .map(|r| PlanEvent {
                version: r[0].as_i64().unwrap_or(0),
                action: r[1].text(),
                from: r[2].opt_text().and_then(|s| PlanStatus::parse(&s)),
                to: PlanStatus::parse(&r[3].text()).unwrap_or(PlanStatus::Draft),
                user: r[4].text(),
                at: r[5].text(),
                reason: r[6].opt_text(),
            })
            .filter(|e| visible.contains(&e.version))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_transitions() {
        use PlanStatus::*;
        assert_eq!(PlanAction::Submit.next(Draft, 1), Some(Submitted));
        assert_eq!(PlanAction::Submit.next(Adjusting, 2), Some(Submitted));
        assert_eq!(PlanAction::Approve.next(Submitted, 1), Some(Approved));
        assert_eq!(PlanAction::Publish.next(Approved, 1), Some(Published));
        assert_eq!(PlanAction::Publish.next(Draft, 1), None);
        assert_eq!(PlanAction::Approve.next(Draft, 1), None);
        assert_eq!(PlanAction::Submit.next(Published, 1), None);
        assert_eq!(PlanAction::Return.next(Submitted, 1), Some(Draft));
        assert_eq!(PlanAction::Return.next(Submitted, 3), Some(Adjusting));
    }

    #[test]
    fn publication_texts_are_checked() {
        assert_eq!(
            publication_text("文号", "  X政发〔2025〕12号 ").unwrap(),
            "X政发〔2025〕12号"
        );
        let e = publication_text("文号", " \u{3000} ")
            .unwrap_err()
            .to_string();
        assert!(e.contains("文号不能为空"), "{e}");
        let long = "字".repeat(PUBLICATION_TEXT_MAX + 1);
        let e = publication_text("文号", &long).unwrap_err().to_string();
        assert!(e.contains("过长") && e.contains("101"), "{e}");
        assert!(publication_text("文号", &"字".repeat(PUBLICATION_TEXT_MAX)).is_ok());
        let e = publication_text("发文机关", "某县\n人民政府")
            .unwrap_err()
            .to_string();
        assert!(e.contains("发文机关不能含控制字符"), "{e}");
        let p = Publication {
            doc_number: Some(" 1号 ".into()),
            issuing_body: None,
        }
        .checked()
        .unwrap();
        assert_eq!(p.doc_number.as_deref(), Some("1号"));
        assert!(!p.is_empty() && Publication::default().is_empty());
    }

    #[test]
    fn each_step_needs_its_role() {
        assert_eq!(PlanAction::Submit.role(), Role::Editor);
        assert_eq!(PlanAction::Approve.role(), Role::Reviewer);
        assert_eq!(PlanAction::Return.role(), Role::Reviewer);
        assert_eq!(PlanAction::Publish.role(), Role::Publisher);
    }
}
