//! Steps taken from a page that showed one state of a plan, and what a workspace reads about
//! the plans an account may see.
//!
//! Two people may act on one plan at once (two reviewers with the same submitted version open):
//! the first step goes through, the second was asked for on a state that is gone. A caller that
//! shows a plan and then takes a step on it passes the version and status it showed
//! ([`Expected`]); the store compares them with the plan's current version inside the step's
//! write transaction (serialised across threads and processes), so of two such steps exactly one
//! is taken and the other is refused with [`StoreError::Moved`], which says who did what and when.
//! [`crate::Store::transition`] and [`crate::Store::adjust`] are unchanged (no expectation).

use crate::access::{region_chain, Role};
use crate::db::Value;
use crate::error::StoreError;
use crate::plan::{PlanAction, PlanEvent, PlanKey, PlanStatus, PlanVersion, Publication};
use crate::session::Session;
use crate::{Actor, Store};
use serde::Serialize;
use std::collections::HashMap;

/// The version and status a page showed when a step was asked for on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Expected {
    /// The version number shown.
    pub version: i64,
    /// Its status as shown.
    pub status: PlanStatus,
}

/// A plan as a workspace lists it: the current version the actor may see, the latest step on
/// that version, and the roles the actor holds for the plan's region.
#[derive(Debug, Clone, Serialize)]
pub struct PlanActivity {
    /// The current version (the latest the actor may see).
    pub current: PlanVersion,
    /// The latest step on it (its creation when nothing happened since).
    pub last: Option<PlanEvent>,
    /// The roles the actor holds for the plan's region (or a region above it).
    pub roles: Vec<Role>,
    /// Whether the last step that moved the current version was 退回 (a `revise` — compiling
    /// the draft again — moves nothing, so a returned draft revised stays returned).
    pub returned: bool,
}

impl PlanActivity {
    /// Whether the current version was returned (退回) and not submitted again since.
    pub fn returned(&self) -> bool {
        self.returned
    }

    /// The status as people read it: 已退回 for a returned version, else the status's label.
    pub fn status_label(&self) -> &'static str {
        if self.returned() {
            RETURNED
        } else {
            self.current.status.label()
        }
    }

    /// Whether the actor holds `role` for the plan's region.
    pub fn holds(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// The step the actor's roles let it take next on this version, if any: 编制 for a draft,
    /// a returned version or an adjustment (提交), 审核 for a submitted one, 发布 for an
    /// approved one.
    pub fn waiting_for(&self) -> Option<PlanAction> {
        match self.current.status {
            PlanStatus::Draft | PlanStatus::Adjusting if self.holds(Role::Editor) => {
                Some(PlanAction::Submit)
            }
            PlanStatus::Submitted if self.holds(Role::Reviewer) => Some(PlanAction::Approve),
            PlanStatus::Approved if self.holds(Role::Publisher) => Some(PlanAction::Publish),
            _ => None,
        }
    }
}

/// What a returned version is called: 已退回.
pub const RETURNED: &str = "已退回";

/// A step's Chinese name from its stored id (`create` → 编制 …).
pub fn action_label(id: &str) -> &str {
    match id {
        "create" => "编制",
        "submit" => "提交",
        "approve" => "批准",
        "publish" => "公布",
        "return" => "退回",
        "adjust" => "调整",
        "revise" => "重新编制",
        other => other,
    }
}

/// A store time (RFC 3339, UTC) in 北京时间 to the second, as it is shown.
pub fn beijing_time(at: &str) -> String {
    landplan_core::Timestamp::parse_rfc3339(at)
        .map(|t| t.beijing())
        .unwrap_or_else(|| at.to_string())
}

fn event_row(version: i64, r: &[Value]) -> PlanEvent {
    PlanEvent {
        version,
        action: r[0].text(),
        from: r[1].opt_text().and_then(|s| PlanStatus::parse(&s)),
        to: PlanStatus::parse(&r[2].text()).unwrap_or(PlanStatus::Draft),
        user: r[3].text(),
        at: r[4].text(),
        reason: r[5].opt_text(),
    }
}

impl Session<'_> {
    /// The latest step on a version.
    fn last_event(&mut self, version: &PlanVersion) -> Result<Option<PlanEvent>, StoreError> {
        let rows = self.db.query(
            "SELECT action, from_status, to_status, user_name, at, reason FROM plan_event WHERE version_id = ? ORDER BY id DESC LIMIT 1",
            &[Value::Int(version.version_id)],
        )?;
        Ok(rows.first().map(|r| event_row(version.version, r)))
    }

    /// Whether the last step that moved a version (not a `revise`) was 退回.
    fn last_move_was_return(&mut self, version: &PlanVersion) -> Result<bool, StoreError> {
        let rows = self.db.query(
            "SELECT action FROM plan_event WHERE version_id = ? AND action <> 'revise' ORDER BY id DESC LIMIT 1",
            &[Value::Int(version.version_id)],
        )?;
        Ok(rows.first().is_some_and(|r| r[0].text() == "return"))
    }

    /// Refuse with [`StoreError::Moved`] unless `cur` (read in the step's transaction) is the
    /// version and status the caller showed.
    pub(crate) fn check_expected(
        &mut self,
        key: &PlanKey,
        cur: &PlanVersion,
        expected: Expected,
    ) -> Result<(), StoreError> {
        if cur.version == expected.version && cur.status == expected.status {
            return Ok(());
        }
        let now = match self.last_event(cur)? {
            Some(e) => {
                let status = if self.last_move_was_return(cur)? {
                    RETURNED
                } else {
                    cur.status.label()
                };
                format!(
                    "该计划已由 {} 于 {}（北京时间）{}，处理为第 {} 版“{}”",
                    e.user,
                    beijing_time(&e.at),
                    action_label(&e.action),
                    cur.version,
                    status
                )
            }
            None => format!("该计划现为第 {} 版“{}”", cur.version, cur.status.label()),
        };
        Err(StoreError::Moved(format!(
            "{now}；您看到的是第 {} 版“{}”，本次操作没有执行，请刷新后再看（{key}）",
            expected.version,
            expected.status.label()
        )))
    }

    /// The roles the actor holds for `region` (or a region above it).
    pub(crate) fn roles_for(&mut self, region: &str) -> Result<Vec<Role>, StoreError> {
        let chain = self.chain(region)?;
        Ok(Role::ALL
            .into_iter()
            .filter(|r| self.actor.holds(*r, &chain))
            .collect())
    }

    /// Every plan the actor may see (optionally of one year) with the latest step on its
    /// current version and the actor's roles for its region: three queries, whatever the
    /// number of plans.
    pub(crate) fn activity(&mut self, year: Option<i32>) -> Result<Vec<PlanActivity>, StoreError> {
        let plans = self.plans(year)?;
        if plans.is_empty() {
            return Ok(Vec::new());
        }
        let mut last: HashMap<i64, Vec<Value>> = HashMap::new();
        for r in self.db.query(
            "SELECT e.version_id, e.action, e.from_status, e.to_status, e.user_name, e.at, e.reason FROM plan_event e WHERE e.id IN (SELECT MAX(id) FROM plan_event GROUP BY version_id)",
            &[],
        )? {
            if let Some(id) = r[0].as_i64() {
                last.insert(id, r[1..].to_vec());
            }
        }
        // The last step that moved each version (a `revise` does not).
        let mut returned: HashMap<i64, bool> = HashMap::new();
        for r in self.db.query(
            "SELECT e.version_id, e.action FROM plan_event e WHERE e.id IN (SELECT MAX(id) FROM plan_event WHERE action <> 'revise' GROUP BY version_id)",
            &[],
        )? {
            if let Some(id) = r[0].as_i64() {
                returned.insert(id, r[1].text() == "return");
            }
        }
        let parents: HashMap<String, Option<String>> = self
            .db
            .query("SELECT code, parent FROM region", &[])?
            .into_iter()
            .map(|r| (r[0].text(), r[1].opt_text()))
            .collect();
        let mut roles: HashMap<String, Vec<Role>> = HashMap::new();
        let mut out = Vec::with_capacity(plans.len());
        for v in plans {
            if !roles.contains_key(&v.plan.region) {
                let chain =
                    region_chain::<StoreError>(&v.plan.region, |c| Ok(parents.get(c).cloned()))?;
                let held = Role::ALL
                    .into_iter()
                    .filter(|r| self.actor.holds(*r, &chain))
                    .collect();
                roles.insert(v.plan.region.clone(), held);
            }
            out.push(PlanActivity {
                last: last.get(&v.version_id).map(|r| event_row(v.version, r)),
                returned: returned.get(&v.version_id).copied().unwrap_or(false),
                roles: roles[&v.plan.region].clone(),
                current: v,
            });
        }
        Ok(out)
    }
}

/// Steps with an expectation, and the workspace's reads.
impl Store {
    /// [`Store::transition`] on the version a page showed: refused with
    /// [`StoreError::Moved`] (nothing changed) when the plan's current version is no longer
    /// `expected_version` with `expected_status`, checked inside the step's transaction.
    pub fn transition_expecting(
        &self,
        actor: &Actor,
        key: &PlanKey,
        action: PlanAction,
        reason: Option<&str>,
        expected_version: i64,
        expected_status: PlanStatus,
    ) -> Result<PlanVersion, StoreError> {
        let expected = Expected {
            version: expected_version,
            status: expected_status,
        };
        self.session(actor)?.transition_step(
            key,
            action,
            reason,
            &Publication::default(),
            Some(expected),
        )
    }

    /// [`Store::publish`] on the version a page showed (see [`Store::transition_expecting`]):
    /// the publication's 文号 and issuing body where given.
    pub fn publish_expecting(
        &self,
        actor: &Actor,
        key: &PlanKey,
        reason: Option<&str>,
        publication: &Publication,
        expected_version: i64,
        expected_status: PlanStatus,
    ) -> Result<PlanVersion, StoreError> {
        let expected = Expected {
            version: expected_version,
            status: expected_status,
        };
        self.session(actor)?.transition_step(
            key,
            PlanAction::Publish,
            reason,
            publication,
            Some(expected),
        )
    }

    /// [`Store::adjust`] on the version a page showed (see [`Store::transition_expecting`]).
    pub fn adjust_expecting(
        &self,
        actor: &Actor,
        key: &PlanKey,
        reason: &str,
        import_id: Option<i64>,
        expected_version: i64,
        expected_status: PlanStatus,
    ) -> Result<PlanVersion, StoreError> {
        let expected = Expected {
            version: expected_version,
            status: expected_status,
        };
        self.session(actor)?
            .adjust_step(key, reason, import_id, Some(expected))
    }

    /// Every plan the actor may see (optionally of one year), each with the latest step on
    /// its current version and the actor's roles for its region.
    pub fn plan_activity(
        &self,
        actor: &Actor,
        year: Option<i32>,
    ) -> Result<Vec<PlanActivity>, StoreError> {
        self.session(actor)?.activity(year)
    }

    /// The roles the actor holds for `region` or a region above it (every role for the local
    /// operator of a store without accounts; none for an anonymous visitor).
    pub fn roles_for(&self, actor: &Actor, region: &str) -> Result<Vec<Role>, StoreError> {
        self.session(actor)?.roles_for(region)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn activity(status: PlanStatus, last: &str, roles: &[Role]) -> PlanActivity {
        let key = PlanKey {
            region: "330102".into(),
            year: 2025,
            kind: landplan_core::compile::PlanKind::Supply,
        };
        PlanActivity {
            current: PlanVersion {
                plan: key,
                plan_id: 1,
                version_id: 1,
                version: 1,
                status,
                import_id: 1,
                reason: None,
                total_ha: Default::default(),
                parcel_count: 0,
                created_by: "a".into(),
                created_at: String::new(),
                doc_number: None,
                issuing_body: None,
            },
            last: Some(PlanEvent {
                version: 1,
                action: last.into(),
                from: None,
                to: status,
                user: "b".into(),
                at: "2025-01-08T02:00:00Z".into(),
                reason: None,
            }),
            roles: roles.to_vec(),
            returned: last == "return",
        }
    }

    #[test]
    fn a_returned_draft_is_called_returned_and_waits_for_its_editor() {
        let a = activity(PlanStatus::Draft, "return", &[Role::Editor]);
        assert_eq!(a.status_label(), "已退回");
        assert_eq!(a.waiting_for(), Some(PlanAction::Submit));
        let a = activity(PlanStatus::Draft, "create", &[Role::Reviewer]);
        assert_eq!(a.status_label(), "草稿");
        assert_eq!(a.waiting_for(), None);
    }

    #[test]
    fn each_role_waits_for_its_own_step() {
        let s = activity(PlanStatus::Submitted, "submit", &[Role::Reviewer]);
        assert_eq!(s.waiting_for(), Some(PlanAction::Approve));
        let s = activity(PlanStatus::Submitted, "submit", &[Role::Editor]);
        assert_eq!(s.waiting_for(), None);
        let s = activity(PlanStatus::Approved, "approve", &[Role::Publisher]);
        assert_eq!(s.waiting_for(), Some(PlanAction::Publish));
        let s = activity(PlanStatus::Published, "publish", &Role::ALL);
        assert_eq!(s.waiting_for(), None);
    }

    #[test]
    fn times_are_shown_in_beijing_time() {
        assert_eq!(beijing_time("2025-01-08T02:00:00Z"), "2025-01-08 10:00:00");
        assert_eq!(beijing_time("not a time"), "not a time");
        assert_eq!(action_label("return"), "退回");
    }
}
