//! Monitoring a region's plan execution from the store: the one place where the store's part
//! of `landplan monitor --db` lives, so that the command and the staff console's dashboard
//! (`/console/monitor`) show the same figures for the same store, region, year and date.
//!
//! - [`Store::approved_plan`]: the approved (or published) version of a county's supply plan
//!   for the year, with its parcel list;
//! - [`Store::stored_records`] / [`Store::stored_batches`]: the supply records and approval
//!   batches stored for a region (every county under a prefecture or province), each placed
//!   in its county for the roll-up;
//! - [`county_options`] and [`rollup`]: how one county is judged, and how several counties
//!   are judged one by one and rolled up to prefectures and provinces (`--by-region`);
//! - [`Store::monitoring`]: all of it from the store alone, as the dashboard asks for it,
//!   with the county's reserve obstacles overdue or nearly due among the warnings
//!   ([`Store::reserve_obstacle_warnings`]).
//!
//! The judgement itself is `landplan_core::monitor` (pure, no IO).

use crate::{Actor, PlanKey, PlanStatus, Store, StoreError};
use landplan_core::compile::{CompiledPlan, PlanKind};
use landplan_core::monitor::indicators::{self, IndicatorBook};
use landplan_core::monitor::{
    monitor, Basis, Checkpoint, HousingRow, IndicatorValue, MonitorInput, MonitorOptions,
    MonitorReport, RegionIndicators,
};
use landplan_core::records::{ApprovalBatch, SupplyRecord};
use landplan_core::region::{resolve_builtin, RegionGiven, RegionRef};
use landplan_core::{Date, RuleContext};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// Whether a region code stands for several counties (a prefecture's or province's code,
/// `…00`): those are judged county by county and rolled up.
pub fn is_rollup_region(code: &str) -> bool {
    let c = code.trim();
    c.len() == 6 && c.ends_with("00")
}

/// The six-digit county code a 行政区 cell names, if it names one.
fn county_of(cell: &Option<String>) -> Option<String> {
    cell.as_deref()
        .map(str::trim)
        .filter(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit()))
        .map(str::to_string)
}

/// The plan's own checkpoints: the cumulative share its 时序 plans by the end of the first
/// three quarters, as shown (the year's end, 100 %, the monitor adds itself). The public plan
/// page measures execution against the same checkpoints.
pub fn plan_checkpoints(plan: &CompiledPlan) -> Vec<Checkpoint> {
    let ends = [(3u8, 31u8), (6, 30), (9, 30)];
    let Some(supply) = plan.supply() else {
        return Vec::new();
    };
    supply
        .timing
        .iter()
        .filter(|q| (1..=3).contains(&q.quarter))
        .filter_map(|q| {
            let pct = q.cumulative_share.display.normalize();
            let (month, day) = ends[usize::from(q.quarter) - 1];
            (pct > Decimal::ZERO && pct < Decimal::ONE_HUNDRED).then_some(Checkpoint {
                month,
                day,
                pct,
            })
        })
        .collect()
}

/// What one county's judgement is asked for (the command's flags, the dashboard's query).
#[derive(Debug, Clone)]
pub struct MonitorQuery {
    /// The as-of date.
    pub as_of: Date,
    /// The plan year (None: the plan's, else the as-of year).
    pub year: Option<i32>,
    /// The checkpoints (100 % at year end is always added).
    pub checkpoints: Vec<Checkpoint>,
    /// Which records count toward completion.
    pub basis: Basis,
    /// The county's 土地等别, when known.
    pub land_grade: Option<u8>,
}

/// How a county (or a region given only by name) is judged: shown under its name (else its
/// code, else the plan's region), with the rules of its province.
pub fn county_options(
    q: &MonitorQuery,
    region: Option<&RegionRef>,
    plan: Option<&CompiledPlan>,
) -> MonitorOptions {
    let code = region.and_then(|r| r.code.as_deref());
    MonitorOptions {
        as_of: q.as_of,
        year: q.year,
        checkpoints: q.checkpoints.clone(),
        basis: q.basis,
        region: region
            .and_then(|r| r.name.clone().or_else(|| r.code.clone()))
            .or_else(|| plan.map(|p| p.region.clone()).filter(|r| !r.is_empty())),
        rules: RuleContext::builtin().with_region(code),
        land_grade: q.land_grade,
    }
}

/// One county judged: its plan (when there is one), records, batches and housing rows.
pub fn county_report(
    q: &MonitorQuery,
    region: Option<&RegionRef>,
    plan: Option<&CompiledPlan>,
    records: &[SupplyRecord],
    batches: &[ApprovalBatch],
    housing: &[HousingRow],
) -> MonitorReport {
    monitor(
        MonitorInput {
            plan,
            records,
            batches,
            housing,
        },
        &county_options(q, region, plan),
    )
}

/// Several counties judged one by one and rolled up (`landplan monitor --by-region`, or
/// `--db` with a prefecture's or province's code).
#[derive(Debug, Clone)]
pub struct RollupReport {
    /// The as-of date.
    pub as_of: Date,
    /// Every county, then its prefecture and province, with their indicators.
    pub regions: Vec<RegionIndicators>,
    /// Each county's own report (by code), what its row of `regions` was computed from.
    pub counties: BTreeMap<String, MonitorReport>,
    /// Rows without a six-digit county code in their 行政区 column (counted nowhere).
    pub unplaced_rows: usize,
}

/// Group records and batches by the county code of their 行政区 column, judge each county
/// without a plan (the follow-up, 批而未供 and 供地率 need none) and roll the indicators up.
/// None when no row names a county.
pub fn rollup(
    q: &MonitorQuery,
    records: Vec<SupplyRecord>,
    batches: Vec<ApprovalBatch>,
) -> Option<RollupReport> {
    let mut groups: BTreeMap<String, (Vec<SupplyRecord>, Vec<ApprovalBatch>)> = BTreeMap::new();
    let mut unplaced = 0usize;
    for r in records {
        match county_of(&r.region) {
            Some(c) => groups.entry(c).or_default().0.push(r),
            None => unplaced += 1,
        }
    }
    for b in batches {
        match county_of(&b.district) {
            Some(c) => groups.entry(c).or_default().1.push(b),
            None => unplaced += 1,
        }
    }
    if groups.is_empty() {
        return None;
    }
    let mut reports = BTreeMap::new();
    let counties: Vec<(String, String, Vec<IndicatorValue>)> = groups
        .into_iter()
        .map(|(code, (records, batches))| {
            let opts = MonitorOptions {
                as_of: q.as_of,
                year: q.year,
                checkpoints: q.checkpoints.clone(),
                basis: Basis::All,
                region: Some(code.clone()),
                rules: RuleContext::builtin().with_region(Some(&code)),
                land_grade: q.land_grade,
            };
            let r = monitor(
                MonitorInput {
                    plan: None,
                    records: &records,
                    batches: &batches,
                    housing: &[],
                },
                &opts,
            );
            let ind = r.indicators.clone();
            reports.insert(code.clone(), r);
            (code.clone(), code, ind)
        })
        .collect();
    let regions = indicators::rollup(&counties, &BTreeMap::new(), IndicatorBook::builtin());
    Some(RollupReport {
        as_of: q.as_of,
        regions,
        counties: reports,
        unplaced_rows: unplaced,
    })
}

/// What the store gives for a region: one county's report, or the roll-up of the counties
/// under a prefecture or province.
#[derive(Debug, Clone)]
pub enum Monitoring {
    /// A county: its report, and the plan it was judged against (None: no approved or
    /// published version of the year's supply plan; only records and batches judged).
    County {
        /// The report.
        report: Box<MonitorReport>,
        /// The plan judged against.
        plan: Option<Box<CompiledPlan>>,
        /// The supply records judged (as stored, in their files' order).
        records: Vec<SupplyRecord>,
    },
    /// A prefecture or province (None: nothing stored under any of its counties).
    Rollup(Option<RollupReport>),
}

impl Store {
    /// The approved (or published) version of a region's supply plan for the year — the
    /// latest such version — with its parcels. Ok(None) when the plan has no approved or
    /// published version; NotFound when the actor may see no version of it.
    pub fn approved_plan(
        &self,
        actor: &Actor,
        key: &PlanKey,
    ) -> Result<Option<CompiledPlan>, StoreError> {
        let versions = self.versions(actor, key)?;
        let Some(v) = versions
            .iter()
            .rev()
            .find(|v| matches!(v.status, PlanStatus::Approved | PlanStatus::Published))
        else {
            return Ok(None);
        };
        let mut plan = self.compiled(actor, v.version_id)?;
        plan.parcels = self
            .import_parcels_of(actor, v.import_id)?
            .into_iter()
            .map(|s| s.parcel)
            .collect();
        Ok(Some(plan))
    }

    /// The supply records stored for `region`. With `multi` (a roll-up), a record without a
    /// county code in its 行政区 column gets the county it is stored under, so that the
    /// roll-up places it.
    pub fn stored_records(
        &self,
        actor: &Actor,
        region: &str,
        multi: bool,
    ) -> Result<Vec<SupplyRecord>, StoreError> {
        Ok(self
            .supply_records(actor, region)?
            .into_iter()
            .map(|(county, mut r)| {
                if multi && county_of(&r.region).is_none() {
                    r.region = Some(county);
                }
                r
            })
            .collect())
    }

    /// The approval batches stored for `region`, placed as [`Store::stored_records`] places
    /// records.
    pub fn stored_batches(
        &self,
        actor: &Actor,
        region: &str,
        multi: bool,
    ) -> Result<Vec<ApprovalBatch>, StoreError> {
        Ok(self
            .approval_batches(actor, region)?
            .into_iter()
            .map(|(county, mut b)| {
                if multi && county_of(&b.district).is_none() {
                    b.district = Some(county);
                }
                b
            })
            .collect())
    }

    /// A region code completed with its name: the store's region table, else the built-in
    /// table (what `landplan monitor --region CODE` shows).
    pub fn region_ref(&self, code: &str) -> Result<RegionRef, StoreError> {
        let code = code.trim();
        if let Some(r) = self.regions()?.into_iter().find(|r| r.code == code) {
            if !r.name.trim().is_empty() {
                return Ok(RegionRef {
                    code: Some(code.to_string()),
                    name: Some(r.name),
                });
            }
        }
        Ok(resolve_builtin(&RegionGiven::Code(code.to_string())))
    }

    /// A region's execution on a date from the store alone — what `landplan monitor --db
    /// … --region CODE --year Y --as-of D` prints: a county against the approved (or
    /// published) version of its supply plan for `year` (records and batches only when it has
    /// none), or a prefecture's or province's counties rolled up. A query without
    /// checkpoints takes the plan's own ([`plan_checkpoints`], as the public plan page does).
    /// NotFound when the actor has no role for the region.
    pub fn monitoring(
        &self,
        actor: &Actor,
        region: &str,
        year: i32,
        q: &MonitorQuery,
    ) -> Result<Monitoring, StoreError> {
        let code = region.trim();
        if is_rollup_region(code) {
            let records = self.stored_records(actor, code, true)?;
            let batches = self.stored_batches(actor, code, true)?;
            let mut rolled = rollup(q, records, batches);
            // The counties' reserve obstacles join their counties' warnings, as a county's own
            // report has them.
            if let Some(r) = rolled.as_mut() {
                for w in self.reserve_obstacle_warnings(actor, code, q.as_of)? {
                    let county = w.region.clone().unwrap_or_default();
                    if let Some(report) = r.counties.get_mut(&county) {
                        add_warnings(report, vec![w]);
                    }
                }
            }
            return Ok(Monitoring::Rollup(rolled));
        }
        let key = PlanKey {
            region: code.to_string(),
            year,
            kind: PlanKind::Supply,
        };
        let plan = match self.approved_plan(actor, &key) {
            Ok(p) => p,
            Err(StoreError::NotFound(_)) => None,
            Err(e) => return Err(e),
        };
        let records = self.stored_records(actor, code, false)?;
        let batches = self.stored_batches(actor, code, false)?;
        let region = self.region_ref(code)?;
        let mut q = q.clone();
        if q.checkpoints.is_empty() {
            q.checkpoints = plan.as_ref().map(plan_checkpoints).unwrap_or_default();
        }
        let mut report = county_report(&q, Some(&region), plan.as_ref(), &records, &batches, &[]);
        // The reserve's obstacle ledger feeds the same warnings (red when overdue).
        let obstacles = self.reserve_obstacle_warnings(actor, code, q.as_of)?;
        add_warnings(&mut report, obstacles);
        Ok(Monitoring::County {
            report: Box::new(report),
            plan: plan.map(Box::new),
            records,
        })
    }
}

/// Add warnings to a report's, keeping them red first (a stable sort: each colour keeps its
/// order).
pub fn add_warnings(report: &mut MonitorReport, more: Vec<indicators::Warning>) {
    if more.is_empty() {
        return;
    }
    report.warnings.extend(more);
    report.warnings.sort_by_key(|w| std::cmp::Reverse(w.level));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefecture_and_province_codes_are_rolled_up() {
        assert!(is_rollup_region("990000"));
        assert!(is_rollup_region("990100"));
        assert!(!is_rollup_region("990101"));
        assert!(!is_rollup_region("9900"));
    }

    #[test]
    fn only_six_digit_cells_place_a_row_in_a_county() {
        assert_eq!(county_of(&Some(" 990101 ".into())), Some("990101".into()));
        assert_eq!(county_of(&Some("示例县".into())), None);
        assert_eq!(county_of(&None), None);
    }

    #[test]
    fn the_plans_checkpoints_are_its_cumulative_quarters_before_the_last() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("ledger.csv");
        std::fs::write(
            &p,
            "地块编号,坐落,乡镇,面积（公顷）,用途,土地来源,供应方式,计划供应时间\n\
             A-1,北街,城关镇,1.0000,住宅用地,新增,挂牌出让,第一季度\n\
             A-2,西路,城关镇,3.0000,商服用地,存量,拍卖出让,第三季度\n\
             A-3,园区,河口乡,4.0000,工业用地,新增,挂牌出让,第四季度\n",
        )
        .unwrap();
        let mut reader =
            landplan_io::open_ledger(&p, &landplan_io::LedgerOptions::default()).unwrap();
        let mut parcels = Vec::new();
        landplan_io::tabular::read_all(
            &mut reader,
            landplan_io::tabular::BadRows::Reject,
            &mut |_, _| {},
            |p| parcels.push(p),
        )
        .unwrap();
        let plan = landplan_core::compile::compile(
            parcels,
            landplan_core::compile::CompileOptions {
                year: Some(2025),
                ..Default::default()
            },
        );
        let got: Vec<(u8, u8, String)> = plan_checkpoints(&plan)
            .iter()
            .map(|c| (c.month, c.day, c.pct.to_string()))
            .collect();
        // 1 of 8 by March, still 1 by June (no second-quarter parcel), 4 of 8 by September;
        // the year's end (100 %) is the monitor's own.
        assert_eq!(
            got,
            [
                (3, 31, "12.5".to_string()),
                (6, 30, "12.5".to_string()),
                (9, 30, "50".to_string())
            ]
        );
    }
}
