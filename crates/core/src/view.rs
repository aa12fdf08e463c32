//! The documented JSON view of a compiled plan (`landplan compile --format json`), and the one
//! rounding rule every writer of a plan follows ([`Precision`]).
//!
//! Decimals are strings: hectares at the view's precision (totals, classes, townships,
//! quarters, methods at [`Precision::area_dp`], parcels at [`Precision::parcel_dp`]), 亩
//! computed from the exact hectares and then rounded, shares in percent rounded half up at two
//! decimals from the exact share, with the raw share beside them. The schema is committed as
//! `docs/schema/compile.schema.json`; this module is the only producer of that shape. The
//! terminal, Markdown, Word, Excel and HTML writers take their figures from this view or
//! through the same [`Precision`], so a plan states the same figure in every file.

use crate::finding::{Finding, Place};
use crate::parcel::Parcel;
use crate::plan::{
    ClassLine, CompiledPlan, MethodLine, PlanParts, QuarterLine, ReserveParts, SupplyParts,
    TownshipLine,
};
use crate::share::Share;
use crate::units::{fmt_dp, Area, MoneyUnit};
use rust_decimal::Decimal;
use serde::Serialize;

/// Schema identifier written into every JSON document.
pub const SCHEMA_ID: &str = "landplan.compile/1";

/// How a plan's figures are written: the one rounding rule of every writer.
///
/// Every figure is rounded half up from its exact value: hectares of totals, classes,
/// townships, quarters and methods at `area_dp` decimals, parcels at `parcel_dp`, 亩 from the
/// exact hectares (× 15) at `area_dp`, shares at two decimals from the exact share. A figure
/// is never computed from another rounded figure, so a spreadsheet's live formulas (over the
/// exact values, shown at the same decimals) give the same figures as the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Precision {
    /// Decimals of hectares and 亩 for totals, classes, townships, quarters and methods.
    pub area_dp: u32,
    /// Decimals of a parcel's hectares.
    pub parcel_dp: u32,
}

impl Default for Precision {
    /// As published plans write them: totals and classes at two decimals, parcels at four.
    fn default() -> Self {
        Precision {
            area_dp: 2,
            parcel_dp: 4,
        }
    }
}

impl Precision {
    /// Decimals of a share (percent).
    pub const SHARE_DP: u32 = 2;
    /// The most decimals a precision may ask for.
    pub const MAX_DP: u32 = 10;

    /// Read `N` (every area at N decimals, parcels at no fewer than N) or `N,M` (totals at N,
    /// parcels at M); the message says what is wrong, in Chinese.
    pub fn parse(s: &str) -> Result<Precision, String> {
        let bad = || {
            format!(
                "精度“{s}”无法识别：请写一个数字（如 2：面积保留两位小数）或“总量位数,地块位数”（如 2,4），位数为 0 至 {}",
                Self::MAX_DP
            )
        };
        let num = |t: &str| -> Result<u32, String> {
            t.trim()
                .parse::<u32>()
                .ok()
                .filter(|n| *n <= Self::MAX_DP)
                .ok_or_else(bad)
        };
        let t = s.trim().replace(['，', '/'], ",");
        match t.split_once(',') {
            Some((a, b)) => Ok(Precision {
                area_dp: num(a)?,
                parcel_dp: num(b)?,
            }),
            None => {
                let n = num(&t)?;
                Ok(Precision {
                    area_dp: n,
                    parcel_dp: n.max(Precision::default().parcel_dp),
                })
            }
        }
    }

    /// Every figure at the plan's own display precision (the ledger's stated decimals).
    pub fn of_plan(plan: &CompiledPlan) -> Precision {
        Precision {
            area_dp: plan.display_dp,
            parcel_dp: plan.display_dp,
        }
    }

    /// Hectares of a total, class, township, quarter or method.
    pub fn ha(&self, a: Area) -> String {
        fmt_dp(a.ha(), self.area_dp)
    }

    /// 亩 of an area: the exact hectares × 15, then rounded.
    pub fn mu(&self, a: Area) -> String {
        fmt_dp(a.mu(), self.area_dp)
    }

    /// Hectares of one parcel.
    pub fn parcel_ha(&self, a: Area) -> String {
        fmt_dp(a.ha(), self.parcel_dp)
    }

    /// A share, percent, rounded half up from the exact share.
    pub fn share(&self, s: &Share) -> String {
        fmt_dp(s.raw, Self::SHARE_DP)
    }

    /// `part` as a share of `whole`, percent (0 of nothing is 0).
    pub fn share_of(&self, part: Area, whole: Area) -> String {
        let raw = if whole.ha().is_zero() {
            Decimal::ZERO
        } else {
            part.ha() / whole.ha() * Decimal::ONE_HUNDRED
        };
        fmt_dp(raw, Self::SHARE_DP)
    }
}

/// The JSON view of a compiled plan.
#[derive(Debug, Clone, Serialize)]
pub struct PlanView {
    /// Always [`SCHEMA_ID`].
    pub schema: &'static str,
    /// `supply` or `reserve`.
    pub kind: &'static str,
    /// Jurisdiction.
    pub region: String,
    /// Year, when given.
    pub year: Option<i32>,
    /// `gb21010` or `ydyh2023`.
    pub classification: &'static str,
    /// Decimals used for hectares (totals, classes, townships, quarters, methods).
    pub display_dp: u32,
    /// Decimals used for a parcel's hectares.
    pub parcel_dp: u32,
    /// Number of parcels compiled.
    pub parcel_count: usize,
    /// Total, 公顷.
    pub total_ha: String,
    /// Total, 亩.
    pub total_mu: String,
    /// 新增, 公顷.
    pub new_ha: String,
    /// 存量, 公顷.
    pub stock_ha: String,
    /// Neither 新增 nor 存量 given, 公顷.
    pub source_unspecified_ha: String,
    /// Structure by first-level class.
    pub structure: Vec<ClassView>,
    /// Housing sub-structure (supply plans).
    pub housing: Vec<HousingView>,
    /// Share of 保障性安居工程 + 中小套型商品住房 in housing land, percent (supply plans).
    pub affordable_and_small_share_pct: Option<String>,
    /// Layout by township.
    pub layout: Vec<TownshipView>,
    /// Timing by quarter.
    pub timing: Vec<QuarterView>,
    /// Area without a planned time, 公顷.
    pub unscheduled_ha: String,
    /// Supply methods.
    pub methods: Vec<MethodView>,
    /// Reserve status breakdown (reserve plans).
    pub status: Vec<StatusView>,
    /// Funds needed, 万元 (reserve plans; null when no parcel states its funds).
    pub funds_wan_yuan: Option<String>,
    /// The annual reserve plan's six parts (reserve plans compiled from reserve parcels;
    /// absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annual: Option<AnnualView>,
    /// Parcels (empty with `--omit-parcels`).
    pub parcels: Vec<ParcelView>,
    /// Findings about the ledger.
    pub findings: Vec<FindingView>,
}

/// One class line.
#[derive(Debug, Clone, Serialize)]
pub struct ClassView {
    /// First-level code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Area, 公顷.
    pub area_ha: String,
    /// Displayed share, percent (rounded half up from the exact share).
    pub share_pct: String,
    /// Unrounded share, percent.
    pub share_raw: String,
    /// 新增, 公顷.
    pub new_ha: String,
    /// 存量, 公顷.
    pub stock_ha: String,
    /// Parcel count.
    pub parcels: usize,
}

/// One housing line.
#[derive(Debug, Clone, Serialize)]
pub struct HousingView {
    /// Stable id of the housing type.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Chinese name.
    pub name: &'static str,
    /// Area, 公顷.
    pub area_ha: String,
    /// Share of housing land, percent.
    pub share_pct: String,
    /// Parcel count.
    pub parcels: usize,
}

/// A class inside a township.
#[derive(Debug, Clone, Serialize)]
pub struct ClassAreaView {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Area, 公顷.
    pub area_ha: String,
}

/// One township.
#[derive(Debug, Clone, Serialize)]
pub struct TownshipView {
    /// Name.
    pub name: String,
    /// Area, 公顷.
    pub area_ha: String,
    /// Share of the total, percent.
    pub share_pct: String,
    /// Class breakdown.
    pub classes: Vec<ClassAreaView>,
}

/// One quarter.
#[derive(Debug, Clone, Serialize)]
pub struct QuarterView {
    /// 1–4.
    pub quarter: u8,
    /// Area, 公顷.
    pub area_ha: String,
    /// Share of scheduled area, percent.
    pub share_pct: String,
    /// Cumulative area, 公顷.
    pub cumulative_ha: String,
    /// Cumulative share of the total, percent.
    pub cumulative_pct: String,
}

/// One method.
#[derive(Debug, Clone, Serialize)]
pub struct MethodView {
    /// Stable id (`allocation`, `listing` …) or null when not given.
    pub method: Option<String>,
    /// Chinese name.
    pub name: String,
    /// Area, 公顷.
    pub area_ha: String,
    /// Share, percent.
    pub share_pct: String,
    /// Parcel count.
    pub parcels: usize,
}

/// One reserve status.
#[derive(Debug, Clone, Serialize)]
pub struct StatusView {
    /// Stable id or null.
    pub status: Option<String>,
    /// Chinese name.
    pub name: String,
    /// Area, 公顷.
    pub area_ha: String,
    /// Parcel count.
    pub parcels: usize,
    /// Funds, 万元.
    pub funds_wan_yuan: String,
}

/// One parcel.
#[derive(Debug, Clone, Serialize)]
pub struct ParcelView {
    /// Id.
    pub id: String,
    /// Location.
    pub location: Option<String>,
    /// Area, 公顷 (display precision).
    pub area_ha: String,
    /// The area as stated.
    pub stated_area: String,
    /// The stated unit.
    pub stated_unit: &'static str,
    /// Use as written.
    pub class_text: String,
    /// GB/T 21010 code, when named directly.
    pub gb21010: Option<String>,
    /// 用地用海 2023 code, when named directly.
    pub ydyh2023: Option<String>,
    /// Township.
    pub township: Option<String>,
    /// `new` / `stock`.
    pub source: Option<&'static str>,
    /// Method label.
    pub method: Option<&'static str>,
    /// Quarter 1–4.
    pub quarter: Option<u8>,
    /// Housing type id.
    pub housing: Option<&'static str>,
    /// Reserve status label.
    pub reserve_status: Option<&'static str>,
    /// Funds, 万元.
    pub funds_wan_yuan: Option<String>,
    /// Ledger row.
    pub row: usize,
}

/// A finding, with its first place flattened beside the list of places.
#[derive(Debug, Clone, Serialize)]
pub struct FindingView {
    /// The finding.
    #[serde(flatten)]
    pub finding: Finding,
    /// File of the first place.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// Row of the first place.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    /// Column name of the first place.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Parcel of the first place.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parcel: Option<String>,
}

impl From<&Finding> for FindingView {
    fn from(f: &Finding) -> Self {
        let first = f.places.first().cloned().unwrap_or_else(Place::default);
        FindingView {
            finding: f.clone(),
            file: first.file,
            row: first.row,
            field: first.field,
            parcel: first.parcel,
        }
    }
}

fn pct(s: &Share) -> String {
    fmt_dp(s.raw, Precision::SHARE_DP)
}

fn serde_id<T: Serialize>(v: &T) -> Option<String> {
    match toml::Value::try_from(v) {
        Ok(toml::Value::String(s)) => Some(s),
        _ => None,
    }
}

impl PlanView {
    /// Build the view of a compiled plan at the published precision
    /// ([`Precision::default`]).
    pub fn new(plan: &CompiledPlan) -> PlanView {
        PlanView::with_precision(plan, Precision::default())
    }

    /// Build the view of a compiled plan at a given precision.
    pub fn with_precision(plan: &CompiledPlan, precision: Precision) -> PlanView {
        let dp = precision.area_dp;
        let pdp = precision.parcel_dp;
        let ha = |a: Area| fmt_dp(a.ha(), dp);
        let mut view = PlanView {
            schema: SCHEMA_ID,
            kind: plan.kind().id(),
            region: plan.region.clone(),
            year: plan.year,
            classification: plan.scheme.id(),
            display_dp: dp,
            parcel_dp: pdp,
            parcel_count: plan.parcel_count,
            total_ha: ha(plan.total),
            total_mu: fmt_dp(plan.total.mu(), dp),
            new_ha: ha(plan.new),
            stock_ha: ha(plan.stock),
            source_unspecified_ha: ha(plan.source_unspecified),
            structure: plan.structure.iter().map(|c| class_view(c, dp)).collect(),
            housing: Vec::new(),
            affordable_and_small_share_pct: None,
            layout: plan.layout.iter().map(|t| township_view(t, dp)).collect(),
            timing: Vec::new(),
            unscheduled_ha: ha(Area::ZERO),
            methods: Vec::new(),
            status: Vec::new(),
            funds_wan_yuan: None,
            annual: None,
            parcels: plan.parcels.iter().map(|x| parcel_view(x, pdp)).collect(),
            findings: plan.findings.iter().map(FindingView::from).collect(),
        };
        match &plan.parts {
            PlanParts::Supply(s) => view.supply(s, dp),
            PlanParts::Reserve(r) => view.reserve(r, dp),
        }
        view
    }

    fn supply(&mut self, s: &SupplyParts, dp: u32) {
        let (_, aff) = s.affordable_and_small();
        self.housing = s
            .housing
            .iter()
            .map(|h| HousingView {
                kind: h.kind.id(),
                name: h.kind.label(),
                area_ha: fmt_dp(h.area.ha(), dp),
                share_pct: pct(&h.share),
                parcels: h.parcels,
            })
            .collect();
        self.affordable_and_small_share_pct = (!s.housing.is_empty()).then(|| pct(&aff));
        self.timing = s.timing.iter().map(|q| quarter_view(q, dp)).collect();
        self.unscheduled_ha = fmt_dp(s.unscheduled.ha(), dp);
        self.methods = s.methods.iter().map(|m| method_view(m, dp)).collect();
    }

    fn reserve(&mut self, r: &ReserveParts, dp: u32) {
        self.status = r
            .status
            .iter()
            .map(|s| StatusView {
                status: s.status.as_ref().and_then(serde_id),
                name: s.name.clone(),
                area_ha: fmt_dp(s.area.ha(), dp),
                parcels: s.parcels,
                funds_wan_yuan: s.funds.in_unit(MoneyUnit::WanYuan).to_string(),
            })
            .collect();
        self.funds_wan_yuan =
            (r.funds_stated > 0).then(|| r.funds.in_unit(MoneyUnit::WanYuan).to_string());
        self.annual = r.annual.as_ref().map(|a| AnnualView::new(a, dp));
    }
}

/// The basis of an annual reserve plan's 总量 (储备规模): the year's new reserve.
pub const ANNUAL_TOTAL_BASIS: &str = "new_reserve";

/// The annual reserve plan's parts in the JSON view.
#[derive(Debug, Clone, Serialize)]
pub struct AnnualView {
    /// The plan year.
    pub year: i32,
    /// What `total_ha` is: always [`ANNUAL_TOTAL_BASIS`] (年度新增储备 = 拟收储 + 入库).
    pub total_basis: &'static str,
    /// The parts in the plan's order: `carried_over` (上年度末结转), `new_proposed` (年度新增
    /// 储备·拟收储), `new_held` (年度新增储备·入库), `preparation` (前期开发), `supply` (储备土地
    /// 供应), `custody` (临时管护), `exited` (退出), `year_end` (年末库存).
    pub parts: Vec<PartView>,
    /// Year-end stock by the flows (结转 + 新增 − 供应 − 退出), 公顷.
    pub year_end_by_flows_ha: String,
    /// Parcels planned for supply in the year and refused (净地 checklist not complete).
    pub refused: Vec<RefusedView>,
    /// 资金需求 total, 万元 (the costs of the year).
    pub funds_total_wan_yuan: String,
    /// The funds the plan states, 万元 (null when it states none).
    pub funds_stated_wan_yuan: Option<String>,
    /// 资金需求 by source.
    pub funds: Vec<FundView>,
}

/// One part of the annual plan.
#[derive(Debug, Clone, Serialize)]
pub struct PartView {
    /// Stable id (see [`AnnualView::parts`]).
    pub id: &'static str,
    /// Chinese name.
    pub name: &'static str,
    /// Area, 公顷.
    pub area_ha: String,
    /// Area, 亩.
    pub area_mu: String,
    /// Its parcels.
    pub parcels: Vec<PartParcelView>,
}

/// A parcel of a part.
#[derive(Debug, Clone, Serialize)]
pub struct PartParcelView {
    /// 储备地块编号.
    pub id: String,
    /// 坐落.
    pub location: Option<String>,
    /// Area, 公顷 (four decimals).
    pub area_ha: String,
    /// The day of the step (ISO), null for a state at the year's start or end.
    pub date: Option<String>,
    /// The step is only planned.
    pub planned: bool,
}

/// A parcel refused from the supply list.
#[derive(Debug, Clone, Serialize)]
pub struct RefusedView {
    /// 储备地块编号.
    pub id: String,
    /// Area, 公顷 (four decimals).
    pub area_ha: String,
    /// The planned day (ISO).
    pub planned_day: String,
    /// The missing 净地 items' ids.
    pub missing: Vec<&'static str>,
    /// "地块 X 未完成：通水、场地平整".
    pub message: String,
}

/// The funds from one source.
#[derive(Debug, Clone, Serialize)]
pub struct FundView {
    /// Source id (`transfer_income`, `land_fund`, `special_bond`, `other`).
    pub source: &'static str,
    /// Chinese name.
    pub name: &'static str,
    /// Amount, 万元.
    pub amount_wan_yuan: String,
    /// Of which paid, 万元.
    pub paid_wan_yuan: String,
    /// By cost kind.
    pub kinds: Vec<FundKindView>,
}

/// The funds of one cost kind.
#[derive(Debug, Clone, Serialize)]
pub struct FundKindView {
    /// Kind id.
    pub kind: &'static str,
    /// Chinese name.
    pub name: &'static str,
    /// Amount, 万元.
    pub amount_wan_yuan: String,
}

impl AnnualView {
    /// The view of an annual plan's parts, areas at `dp` decimals.
    pub fn new(a: &crate::reserve::annual::AnnualParts, dp: u32) -> AnnualView {
        let wan = |m: crate::units::Money| m.in_unit(MoneyUnit::WanYuan).normalize().to_string();
        let part = |id, name, p: &crate::reserve::annual::Part| PartView {
            id,
            name,
            area_ha: fmt_dp(p.area.ha(), dp),
            area_mu: fmt_dp(p.area.mu(), dp),
            parcels: p
                .parcels
                .iter()
                .map(|x| PartParcelView {
                    id: x.id.clone(),
                    location: x.location.clone(),
                    area_ha: fmt_dp(x.area.ha(), 4),
                    date: x.date.map(|d| d.to_string()),
                    planned: x.planned,
                })
                .collect(),
        };
        AnnualView {
            year: a.year,
            total_basis: ANNUAL_TOTAL_BASIS,
            parts: a
                .labelled_parts()
                .into_iter()
                .map(|(id, name, p)| part(id, name, p))
                .collect(),
            year_end_by_flows_ha: fmt_dp(a.year_end_by_flows().ha(), dp),
            refused: a
                .refused
                .iter()
                .map(|r| RefusedView {
                    id: r.id.clone(),
                    area_ha: fmt_dp(r.area.ha(), 4),
                    planned_day: r.planned_day.to_string(),
                    missing: r.missing.iter().map(|i| i.id()).collect(),
                    message: r.describe(),
                })
                .collect(),
            funds_total_wan_yuan: wan(a.funds_total),
            funds_stated_wan_yuan: a.funds_stated.map(wan),
            funds: a
                .funds
                .iter()
                .map(|f| FundView {
                    source: f.source.id(),
                    name: f.source.label(),
                    amount_wan_yuan: wan(f.amount),
                    paid_wan_yuan: wan(f.paid),
                    kinds: f
                        .kinds
                        .iter()
                        .map(|k| FundKindView {
                            kind: k.kind.id(),
                            name: k.kind.label(),
                            amount_wan_yuan: wan(k.amount),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

fn class_view(c: &ClassLine, dp: u32) -> ClassView {
    ClassView {
        code: c.code.clone(),
        name: c.name.clone(),
        area_ha: fmt_dp(c.area.ha(), dp),
        share_pct: pct(&c.share),
        share_raw: c.share.raw.normalize().to_string(),
        new_ha: fmt_dp(c.new.ha(), dp),
        stock_ha: fmt_dp(c.stock.ha(), dp),
        parcels: c.parcels,
    }
}

fn township_view(t: &TownshipLine, dp: u32) -> TownshipView {
    TownshipView {
        name: t.name.clone(),
        area_ha: fmt_dp(t.area.ha(), dp),
        share_pct: pct(&t.share),
        classes: t
            .classes
            .iter()
            .map(|c| ClassAreaView {
                code: c.code.clone(),
                name: c.name.clone(),
                area_ha: fmt_dp(c.area.ha(), dp),
            })
            .collect(),
    }
}

fn quarter_view(q: &QuarterLine, dp: u32) -> QuarterView {
    QuarterView {
        quarter: q.quarter,
        area_ha: fmt_dp(q.area.ha(), dp),
        share_pct: pct(&q.share),
        cumulative_ha: fmt_dp(q.cumulative.ha(), dp),
        cumulative_pct: pct(&q.cumulative_share),
    }
}

fn method_view(m: &MethodLine, dp: u32) -> MethodView {
    MethodView {
        method: m.method.as_ref().and_then(serde_id),
        name: m.name.clone(),
        area_ha: fmt_dp(m.area.ha(), dp),
        share_pct: pct(&m.share),
        parcels: m.parcels,
    }
}

fn parcel_view(p: &Parcel, dp: u32) -> ParcelView {
    ParcelView {
        id: p.id.clone(),
        location: p.location.clone(),
        area_ha: fmt_dp(p.area().ha(), dp),
        stated_area: p.stated_area.value.to_string(),
        stated_unit: p.stated_area.unit.label(),
        class_text: p.class_text.clone(),
        gb21010: p.class.gb21010.clone(),
        ydyh2023: p.class.ydyh2023.clone(),
        township: p.township.clone(),
        source: p.source.map(|s| match s {
            crate::parcel::LandSource::New => "new",
            crate::parcel::LandSource::Stock => "stock",
        }),
        method: p.method.map(|m| m.label()),
        quarter: p.timing.map(|t| t.quarter()),
        housing: p.housing.map(|h| h.id()),
        reserve_status: p.reserve_status.map(|s| s.label()),
        funds_wan_yuan: p.funds.map(|f| f.in_unit(MoneyUnit::WanYuan).to_string()),
        row: p.row,
    }
}
