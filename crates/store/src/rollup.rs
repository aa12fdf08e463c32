//! Roll-up: county plans summed to a prefecture or province, exactly.
//!
//! For each county-level plan inside the target region the version taken is the latest one that
//! is 已批准 or 已公布 (or, with `include_drafts`, the current version whatever its status).
//! Every figure of [`crate::diff::figures`] is summed as an exact decimal; the counties' latest
//! ledger imports are summed beside them.
//! Only versions the acting account may see count (an anonymous visitor: published ones).

use crate::db::Value;
use crate::diff::{figures, show_figure};
use crate::error::StoreError;
use crate::plan::{PlanKey, PlanStatus};
use crate::region::{classify, is_within, RegionLevel};
use crate::session::Session;
use landplan_core::compile::PlanKind;
use landplan_core::units::fmt_dp;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::HashMap;
use std::fmt::Write as _;

/// One county's contribution.
#[derive(Debug, Clone, Serialize)]
pub struct RollupMember {
    /// County code.
    pub region: String,
    /// Display name.
    pub label: String,
    /// The version summed.
    pub version: i64,
    /// Its status.
    pub status: String,
    /// Its total, 公顷.
    pub total_ha: Decimal,
    /// Its parcels.
    pub parcel_count: i64,
    /// The county's latest ledger import total, 公顷.
    pub ledger_total_ha: Option<Decimal>,
}

/// A rolled-up plan.
#[derive(Debug, Clone, Serialize)]
pub struct Rollup {
    /// Target region code.
    pub region: String,
    /// Display name.
    pub label: String,
    /// Year.
    pub year: i32,
    /// Kind.
    pub kind: PlanKind,
    /// Counties summed.
    pub members: Vec<RollupMember>,
    /// County plans left out (not yet approved), as "label（status）".
    pub excluded: Vec<String>,
    /// Summed figures, in report order.
    pub figures: Vec<(String, Decimal)>,
    /// Sum of the members' parcels.
    pub parcel_count: i64,
    /// Subtotals by prefecture (province roll-ups).
    pub by_prefecture: Vec<(String, Decimal)>,
    /// Decimals areas are shown with (the plans' display precision).
    #[serde(skip)]
    pub dp: u32,
}

impl Rollup {
    /// A report in Chinese.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{} {} 年{}汇总：{} 个县级计划，{} 个地块",
            self.label,
            self.year,
            self.kind.label(),
            self.members.len(),
            self.parcel_count
        );
        for m in &self.members {
            let _ = writeln!(
                s,
                "  {}　第 {} 版（{}）　{} 公顷{}",
                m.label,
                m.version,
                m.status,
                fmt_dp(m.total_ha, self.dp),
                m.ledger_total_ha
                    .map(|t| format!("　台账 {} 公顷", fmt_dp(t, self.dp)))
                    .unwrap_or_default()
            );
        }
        if !self.excluded.is_empty() {
            let _ = writeln!(s, "未计入（尚未批准）：{}", self.excluded.join("、"));
        }
        if !self.by_prefecture.is_empty() {
            let _ = writeln!(s, "\n按地级行政区：");
            for (p, t) in &self.by_prefecture {
                let _ = writeln!(s, "  {p}　{} 公顷", fmt_dp(*t, self.dp));
            }
        }
        let _ = writeln!(s, "\n汇总指标（公顷）：");
        for (k, v) in &self.figures {
            let _ = writeln!(s, "  {k}：{}", show_figure(k, *v, self.dp));
        }
        s
    }
}

impl Session<'_> {
    /// Sum the county plans inside `region` for a year and kind.
    pub fn rollup(
        &mut self,
        region: &str,
        year: i32,
        kind: PlanKind,
        include_drafts: bool,
    ) -> Result<Rollup, StoreError> {
        let (level, _) = classify(region).map_err(StoreError::Invalid)?;
        if level >= RegionLevel::County {
            return Err(StoreError::Invalid(format!(
                "汇总的对象应为地级或省级行政区，“{region}”是{}",
                level.label()
            )));
        }
        let label = self.region_label(region)?;
        let rows = self.db.query(
            "SELECT p.region, v.id, v.version, v.status, v.total_ha, v.parcel_count FROM plan p JOIN plan_version v ON v.plan_id = p.id WHERE p.year = ? AND p.kind = ? ORDER BY p.region, v.version DESC",
            &[Value::Int(year as i64), kind.id().into()],
        )?;
        // region → chosen (version_id, version, status, total, count)
        let mut chosen: Vec<(String, i64, i64, PlanStatus, Decimal, i64)> = Vec::new();
        let mut seen: HashMap<String, bool> = HashMap::new();
        let mut excluded = Vec::new();
        for r in rows {
            let code = r[0].text();
            if !is_within(&code, region) || classify(&code).map(|c| c.0) != Ok(RegionLevel::County)
            {
                continue;
            }
            if seen.get(&code).copied() == Some(true) {
                continue;
            }
            let status = PlanStatus::parse(&r[3].text()).unwrap_or(PlanStatus::Draft);
            // Versions the actor may not see do not exist for it (nor are they listed as left out).
            if !self.may_see(status, &code)? {
                continue;
            }
            let ok =
                include_drafts || matches!(status, PlanStatus::Approved | PlanStatus::Published);
            if ok {
                seen.insert(code.clone(), true);
                chosen.push((
                    code,
                    r[1].as_i64().unwrap_or(0),
                    r[2].as_i64().unwrap_or(0),
                    status,
                    r[4].text().parse().unwrap_or_default(),
                    r[5].as_i64().unwrap_or(0),
                ));
            } else {
                seen.entry(code).or_insert(false);
            }
        }
        for (code, done) in &seen {
            if !done {
                let cur = self.current_version(&PlanKey {
                    region: code.clone(),
                    year,
                    kind,
                })?;
                excluded.push(format!(
                    "{}（{}）",
                    self.region_label(code)?,
                    cur.status.label()
                ));
            }
        }
        excluded.sort();
        let mut order: Vec<String> = Vec::new();
        let mut sums: HashMap<String, Decimal> = HashMap::new();
        let mut members = Vec::new();
        let mut parcel_count = 0;
        let mut by_pref: Vec<(String, Decimal)> = Vec::new();
        let mut dp = 0;
        for (code, vid, version, status, total, count) in chosen {
            let plan = self.compiled(vid)?;
            dp = dp.max(plan.display_dp);
            for (k, v) in figures(&plan) {
                // Township names repeat across counties: the layout is not summed.
                if k.starts_with("布局：") {
                    continue;
                }
                if !sums.contains_key(&k) {
                    order.push(k.clone());
                }
                *sums.entry(k).or_default() += v;
            }
            parcel_count += count;
            let ledger = self.db.query(
                "SELECT total_ha FROM ledger_import WHERE region = ? AND year = ? AND kind = ? ORDER BY id DESC LIMIT 1",
                &[code.clone().into(), Value::Int(year as i64), kind.id().into()],
            )?;
            if level == RegionLevel::Province {
                let pref = format!("{}00", &code[0..4]);
                let pl = self.region_label(&pref)?;
                match by_pref.iter_mut().find(|(p, _)| *p == pl) {
                    Some((_, t)) => *t += total,
                    None => by_pref.push((pl, total)),
                }
            }
            members.push(RollupMember {
                label: self.region_label(&code)?,
                region: code,
                version,
                status: status.label().to_string(),
                total_ha: total,
                parcel_count: count,
                ledger_total_ha: ledger.first().and_then(|r| r[0].text().parse().ok()),
            });
        }
        let figures = order
            .into_iter()
            .map(|k| {
                let v = sums[&k];
                (k, v)
            })
            .collect();
        Ok(Rollup {
            region: region.to_string(),
            label,
            year,
            kind,
            members,
            excluded,
            figures,
            parcel_count,
            by_prefecture: by_pref,
            dp: if dp == 0 { 4 } else { dp },
        })
    }
}
