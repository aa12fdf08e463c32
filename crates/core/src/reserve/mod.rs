//! The reserve's life (储备土地的全生命周期): a reserve parcel keeps its 储备地块编号 from 拟收储
//! to 供应, and passes through states — 拟收储 → 入库 → 前期开发 → 临时管护 → 已供应, or 退出 —
//! each step dated and evidenced ([`state`]). Around it: its costs by kind and funding source
//! ([`cost`]), the 净地 checklist that must be complete before it is offered for supply
//! ([`readiness`]), and the obstacles (征收, 拆迁, 文物, 环保) that stand in the way, each with a
//! person responsible and a month by which it is to be cleared ([`obstacle`]).
//!
//! Sources: 《土地储备管理办法》（国土资规〔2017〕17号）— what may enter the reserve (第十条:
//! 产权清晰、无查封、无抵押、无担保), the annual plan's parts (第七条), 前期开发 and 管护
//! (第十六、十九条), supply of reserve land (第二十一条); seed 002 五(四) for the 净地 checklist;
//! seed 004 for the obstacle ledger by quarter and month with a person responsible.
//!
//! Special-bond projects (土地储备专项债券) tied to reserve parcels, their 融资收益平衡 and 封闭管理:
//! [`bond`].
//!
//! Like the rest of the core this does no IO: the store keeps reserve parcels and applies steps
//! through [`ReserveParcel::apply`], which refuses steps out of order.

pub mod annual;
pub mod bond;
pub mod cost;
pub mod obstacle;
pub mod readiness;
pub mod rolling;
pub mod state;
pub mod ties;

pub use annual::{compile_annual, AnnualOptions, AnnualParts};
pub use cost::{Cost, CostKind, FundSource};
pub use obstacle::{Obstacle, ObstacleKind, YearMonth};
pub use readiness::{ReadinessItem, ReadinessRecord};
pub use rolling::{compile_rolling, ThreeYearPlan};
pub use state::{AcquisitionMode, Evidence, ReserveState, Step, StepError};

use crate::date::Date;
use crate::parcel::Parcel;
use serde::{Deserialize, Serialize};

/// A step planned for a year (and optionally a quarter): the annual and three-year plans are
/// compiled from these together with the steps taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlannedStep {
    /// The state the parcel is to reach.
    pub to: ReserveState,
    /// The year it is planned for.
    pub year: i32,
    /// The quarter (1–4), when the plan names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quarter: Option<u8>,
}

/// One reserve parcel (储备地块) over its whole life.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReserveParcel {
    /// The ledger attributes: `id` is the 储备地块编号, kept from 拟收储 to 供应; area, use,
    /// 坐落, 乡镇 and 新增/存量 as for any parcel.
    pub parcel: Parcel,
    /// 项目名称, when the ledger gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
    /// The steps taken, oldest first; the first is the state the parcel was registered in.
    pub steps: Vec<Step>,
    /// The steps planned (by year), in any order.
    #[serde(default)]
    pub planned: Vec<PlannedStep>,
    /// Costs, planned or spent.
    #[serde(default)]
    pub costs: Vec<Cost>,
    /// The 净地 checklist as recorded so far.
    #[serde(default)]
    pub readiness: Vec<ReadinessRecord>,
    /// The obstacle ledger.
    #[serde(default)]
    pub obstacles: Vec<Obstacle>,
}

impl ReserveParcel {
    /// A parcel registered in `first` (normally 拟收储; a parcel already held when the ledger
    /// begins may be registered as 入库, 前期开发 or 临时管护 with the evidence of its title).
    pub fn register(parcel: Parcel, first: Step) -> Result<ReserveParcel, StepError> {
        state::check_first(&first)?;
        Ok(ReserveParcel {
            parcel,
            project: None,
            steps: vec![first],
            planned: Vec::new(),
            costs: Vec::new(),
            readiness: Vec::new(),
            obstacles: Vec::new(),
        })
    }

    /// The 储备地块编号.
    pub fn id(&self) -> &str {
        &self.parcel.id
    }

    /// The state now (after the last step).
    pub fn state(&self) -> ReserveState {
        self.steps
            .last()
            .map(|s| s.to)
            .unwrap_or(ReserveState::Proposed)
    }

    /// The state at the end of a day (None before the parcel was registered).
    pub fn state_on(&self, date: Date) -> Option<ReserveState> {
        self.steps
            .iter()
            .take_while(|s| s.date <= date)
            .last()
            .map(|s| s.to)
    }

    /// The day the parcel reached a state, if it did.
    pub fn reached(&self, state: ReserveState) -> Option<Date> {
        self.steps.iter().find(|s| s.to == state).map(|s| s.date)
    }

    /// The 净地 items not done by `date` (all of [`ReadinessItem::ALL`] that have no record
    /// done on or before that day), in checklist order.
    pub fn missing_readiness(&self, date: Date) -> Vec<ReadinessItem> {
        readiness::missing(&self.readiness, date)
    }

    /// Take a step: refused when the state does not allow it, when it is dated before the last
    /// step, when 入库 lacks its evidence, or when 已供应 is taken before the 净地 checklist is
    /// complete. Nothing changes when refused.
    pub fn apply(&mut self, step: Step) -> Result<(), StepError> {
        let last = self.steps.last();
        state::check_next(last, &step)?;
        if step.to == ReserveState::Supplied {
            let missing = self.missing_readiness(step.date);
            if !missing.is_empty() {
                return Err(StepError::NotReady {
                    parcel: self.parcel.id.clone(),
                    missing,
                });
            }
        }
        self.steps.push(step);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::{AreaUnit, StatedArea};
    use rust_decimal::Decimal;

    pub(crate) fn parcel(id: &str) -> Parcel {
        let class = crate::class::ResolvedClass {
            gb21010: Some("07".into()),
            ydyh2023: Some("07".into()),
        };
        let area = StatedArea::new(Decimal::new(12345, 4), AreaUnit::Hectare);
        Parcel::new(id, area, "住宅用地", class)
            .in_township("城关镇")
            .at_row(2)
    }

    fn d(s: &str) -> Date {
        Date::parse_iso(s).unwrap()
    }

    fn held_evidence() -> Evidence {
        Evidence {
            acquisition: Some(AcquisitionMode::Purchase),
            documents: vec!["收购合同 2026-01".into()],
            encumbrances_cleared: true,
            note: None,
        }
    }

    #[test]
    fn a_parcel_goes_from_proposed_to_supplied_only_in_order_and_only_when_ready() {
        let mut p = ReserveParcel::register(
            parcel("CB-1"),
            Step::new(ReserveState::Proposed, d("2026-01-05")),
        )
        .unwrap();
        // Supply straight from 拟收储 is out of order.
        let e = p
            .apply(Step::new(ReserveState::Supplied, d("2026-02-01")))
            .unwrap_err();
        assert!(matches!(e, StepError::NotAllowed { .. }), "{e}");
        assert!(e.to_string().contains("拟收储"), "{e}");
        // 入库 without evidence is refused, naming what is missing.
        let e = p
            .apply(Step::new(ReserveState::Held, d("2026-03-01")))
            .unwrap_err();
        assert!(e.to_string().contains("收储方式"), "{e}");
        let mut held = Step::new(ReserveState::Held, d("2026-03-01"));
        held.evidence = held_evidence();
        p.apply(held).unwrap();
        assert_eq!(p.state(), ReserveState::Held);
        assert_eq!(p.state_on(d("2026-02-28")), Some(ReserveState::Proposed));
        // A step dated before the last one is refused.
        let e = p
            .apply(Step::new(ReserveState::Preparing, d("2026-02-01")))
            .unwrap_err();
        assert!(matches!(e, StepError::BeforeLast { .. }), "{e}");
        p.apply(Step::new(ReserveState::Preparing, d("2026-04-01")))
            .unwrap();
        // Not ready: every missing item is named.
        let e = p
            .apply(Step::new(ReserveState::Supplied, d("2026-09-01")))
            .unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("通水") && msg.contains("场地平整"), "{msg}");
        for item in ReadinessItem::ALL {
            p.readiness.push(ReadinessRecord {
                item,
                done: Some(d("2026-08-01")),
                evidence: None,
            });
        }
        p.apply(Step::new(ReserveState::Supplied, d("2026-09-01")))
            .unwrap();
        // Nothing follows supply.
        let e = p
            .apply(Step::new(ReserveState::Exited, d("2026-10-01")))
            .unwrap_err();
        assert!(e.to_string().contains("已供应"), "{e}");
        assert_eq!(p.steps.len(), 4);
    }
}
