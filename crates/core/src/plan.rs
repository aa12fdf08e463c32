//! The compiled plan: one type for the 国有建设用地供应计划 and the 土地储备计划.
//!
//! Every plan states the same figures — 总量 with its 新增/存量 parts, 结构 by first-level class,
//! 布局 by township — over the same parcels and findings ([`CompiledPlan`]). What only one kind
//! states lives in its [`PlanParts`]: a supply plan's 住宅 sub-structure, 时序 and 方式
//! ([`SupplyParts`]); a reserve plan's 储备状态 and 资金需求 ([`ReserveParts`]). Writers (the
//! JSON view, the documents, the charts, the store's diff and roll-up) are written once over the
//! shared figures and match on the parts only where the kinds differ.
//!
//! The plan is `Serialize + Deserialize`, and its JSON is the one schema the store keeps: the
//! fields above with `"kind": "supply" | "reserve"` beside them. JSON written before the two
//! kinds were one type has no `kind`; it reads back all the same, the kind being told by the
//! parts present (`housing`, `timing`, `unscheduled`, `methods` or `status`, `funds`,
//! `funds_stated`).

use crate::class::Scheme;
use crate::finding::Finding;
use crate::parcel::{HousingType, Parcel, ReserveStatus, SupplyMethod};
use crate::share::Share;
use crate::units::{Area, Money};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Which plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlanKind {
    /// 国有建设用地供应计划.
    Supply,
    /// 土地储备计划.
    Reserve,
}

impl PlanKind {
    /// Chinese title fragment.
    pub fn label(self) -> &'static str {
        match self {
            PlanKind::Supply => "国有建设用地供应计划",
            PlanKind::Reserve => "土地储备计划",
        }
    }

    /// Stable id (`supply`, `reserve`).
    pub fn id(self) -> &'static str {
        match self {
            PlanKind::Supply => "supply",
            PlanKind::Reserve => "reserve",
        }
    }
}

/// One class of the structure (结构).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassLine {
    /// First-level code in the plan's scheme.
    pub code: String,
    /// Official name.
    pub name: String,
    /// Area.
    pub area: Area,
    /// Share of the total.
    pub share: Share,
    /// 新增 part.
    pub new: Area,
    /// 存量 part.
    pub stock: Area,
    /// Number of parcels.
    pub parcels: usize,
}

/// One kind of housing land (住宅用地 sub-structure).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HousingLine {
    /// The housing type.
    pub kind: HousingType,
    /// Area.
    pub area: Area,
    /// Share of all housing land.
    pub share: Share,
    /// Number of parcels.
    pub parcels: usize,
}

/// A class's area inside one township.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassArea {
    /// First-level code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Area.
    pub area: Area,
}

/// One township of the layout (布局).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TownshipLine {
    /// Township name (未注明 when the ledger gives none).
    pub name: String,
    /// Area.
    pub area: Area,
    /// Share of the total.
    pub share: Share,
    /// Its class breakdown, in structure order.
    pub classes: Vec<ClassArea>,
}

impl TownshipLine {
    /// The township's area in one class (zero when it has none).
    pub fn class_area(&self, code: &str) -> Area {
        self.classes
            .iter()
            .find(|c| c.code == code)
            .map(|c| c.area)
            .unwrap_or(Area::ZERO)
    }
}

/// One quarter of the timing (时序).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuarterLine {
    /// 1–4.
    pub quarter: u8,
    /// Area planned in the quarter.
    pub area: Area,
    /// Share of the scheduled total.
    pub share: Share,
    /// Area planned up to the end of the quarter.
    pub cumulative: Area,
    /// Cumulative share of the plan total.
    pub cumulative_share: Share,
}

/// One supply method (方式).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodLine {
    /// The method (None: not given).
    pub method: Option<SupplyMethod>,
    /// Chinese label.
    pub name: String,
    /// Area.
    pub area: Area,
    /// Share of the total.
    pub share: Share,
    /// Number of parcels.
    pub parcels: usize,
}

/// One reserve status (拟收储 / 已入库 / 拟供应).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusLine {
    /// The status (None: not given).
    pub status: Option<ReserveStatus>,
    /// Chinese label.
    pub name: String,
    /// Area.
    pub area: Area,
    /// Number of parcels.
    pub parcels: usize,
    /// Funds needed for these parcels.
    pub funds: Money,
}

/// A compiled plan of either kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompiledPlan {
    /// Jurisdiction.
    pub region: String,
    /// Year.
    pub year: Option<i32>,
    /// Classification of the structure.
    pub scheme: Scheme,
    /// 总量 (供应总量 / 储备规模).
    pub total: Area,
    /// 新增 part.
    pub new: Area,
    /// 存量 part.
    pub stock: Area,
    /// Neither given.
    pub source_unspecified: Area,
    /// 结构, by first-level class.
    pub structure: Vec<ClassLine>,
    /// 布局, by township.
    pub layout: Vec<TownshipLine>,
    /// What only this kind of plan states (and, in JSON, `kind`).
    #[serde(flatten)]
    pub parts: PlanParts,
    /// The parcels (empty when not kept).
    pub parcels: Vec<Parcel>,
    /// Number of parcels compiled.
    pub parcel_count: usize,
    /// Findings about the ledger.
    pub findings: Vec<Finding>,
    /// Decimals used to display hectares (from the ledger's stated precision).
    pub display_dp: u32,
}

/// The parts of a plan that only one kind states.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", try_from = "PartsJson")]
pub enum PlanParts {
    /// A supply plan's 住宅 sub-structure, 时序 and 方式.
    Supply(SupplyParts),
    /// A reserve plan's 储备状态 and 资金需求.
    Reserve(ReserveParts),
}

/// What only a supply plan (供应计划) states.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupplyParts {
    /// 住宅 sub-structure.
    pub housing: Vec<HousingLine>,
    /// 时序, by quarter.
    pub timing: Vec<QuarterLine>,
    /// Area with no planned time.
    pub unscheduled: Area,
    /// 方式.
    pub methods: Vec<MethodLine>,
}

/// What only a reserve plan (储备计划) states.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReserveParts {
    /// By reserve status.
    pub status: Vec<StatusLine>,
    /// 资金需求 total.
    pub funds: Money,
    /// Number of parcels that state their 资金需求.
    pub funds_stated: usize,
    /// The annual plan's six parts, when the plan was compiled from reserve parcels
    /// ([`crate::reserve::annual::compile_annual`]); absent from plans compiled from a list
    /// (and from JSON written before it existed).
    /// Boxed: a reserve plan compiled from a list carries none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annual: Option<Box<crate::reserve::annual::AnnualParts>>,
}

impl CompiledPlan {
    /// The plan's kind.
    pub fn kind(&self) -> PlanKind {
        self.parts.kind()
    }

    /// A supply plan's own parts (None for a reserve plan).
    pub fn supply(&self) -> Option<&SupplyParts> {
        match &self.parts {
            PlanParts::Supply(s) => Some(s),
            PlanParts::Reserve(_) => None,
        }
    }

    /// A reserve plan's own parts (None for a supply plan).
    pub fn reserve(&self) -> Option<&ReserveParts> {
        match &self.parts {
            PlanParts::Reserve(r) => Some(r),
            PlanParts::Supply(_) => None,
        }
    }
}

impl PlanParts {
    /// The kind of plan these parts belong to.
    pub fn kind(&self) -> PlanKind {
        match self {
            PlanParts::Supply(_) => PlanKind::Supply,
            PlanParts::Reserve(_) => PlanKind::Reserve,
        }
    }
}

impl SupplyParts {
    /// Housing land of 保障性安居工程 + 中小套型商品住房, and its share of all housing land.
    pub fn affordable_and_small(&self) -> (Area, Share) {
        let total: Decimal = self.housing.iter().map(|h| h.area.ha()).sum();
        let part =
            self.housing_area(|k| k.is_affordable_project() || k == HousingType::SmallCommodity);
        let raw = if total.is_zero() {
            Decimal::ZERO
        } else {
            part.ha() / total * Decimal::ONE_HUNDRED
        };
        (part, Share::half_up(raw, 2))
    }

    /// The housing land of the types `which` selects.
    pub fn housing_area(&self, which: impl Fn(HousingType) -> bool) -> Area {
        self.housing
            .iter()
            .filter(|h| which(h.kind))
            .map(|h| h.area)
            .sum()
    }
}

/// The kind-specific fields as they appear in JSON, with or without `kind`.
#[derive(Deserialize)]
struct PartsJson {
    kind: Option<PlanKind>,
    housing: Option<Vec<HousingLine>>,
    timing: Option<Vec<QuarterLine>>,
    unscheduled: Option<Area>,
    methods: Option<Vec<MethodLine>>,
    status: Option<Vec<StatusLine>>,
    funds: Option<Money>,
    funds_stated: Option<usize>,
    annual: Option<Box<crate::reserve::annual::AnnualParts>>,
}

/// A kind-specific field missing from a plan's JSON.
#[derive(Debug)]
struct MissingField(&'static str, PlanKind);

impl std::fmt::Display for MissingField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "missing field `{}` of a {} plan", self.0, self.1.id())
    }
}

fn need<T>(v: Option<T>, field: &'static str, kind: PlanKind) -> Result<T, MissingField> {
    v.ok_or(MissingField(field, kind))
}

impl TryFrom<PartsJson> for PlanParts {
    type Error = MissingField;

    fn try_from(j: PartsJson) -> Result<PlanParts, MissingField> {
        // Without `kind` (JSON stored before the kinds were one type), a reserve plan is the
        // one with a status breakdown.
        let kind = j.kind.unwrap_or(if j.status.is_some() {
            PlanKind::Reserve
        } else {
            PlanKind::Supply
        });
        Ok(match kind {
            PlanKind::Supply => PlanParts::Supply(SupplyParts {
                housing: need(j.housing, "housing", kind)?,
                timing: need(j.timing, "timing", kind)?,
                unscheduled: need(j.unscheduled, "unscheduled", kind)?,
                methods: need(j.methods, "methods", kind)?,
            }),
            PlanKind::Reserve => PlanParts::Reserve(ReserveParts {
                status: need(j.status, "status", kind)?,
                funds: need(j.funds, "funds", kind)?,
                funds_stated: need(j.funds_stated, "funds_stated", kind)?,
                annual: j.annual,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::class::{Classifier, Resolution};
    use crate::compile::{compile, CompileOptions};
    use crate::parcel::{LandSource, Timing};
    use crate::units::{AreaUnit, MoneyUnit, StatedArea};

    fn parcel(row: usize, id: &str, ha: &str, class: &str, town: &str) -> Parcel {
        let Resolution::Class(resolved) = Classifier::builtin().resolve(class, Scheme::Gb21010)
        else {
            panic!("{class}")
        };
        let area = StatedArea::new(ha.parse().unwrap(), AreaUnit::Hectare);
        Parcel::new(id, area, class, resolved)
            .located(format!("{town}{id}号地"))
            .in_township(town)
            .at_row(row)
    }

    /// A supply plan (housing, timing, methods, one parcel without a time) and a reserve plan
    /// (statuses, funds stated for one parcel of two), with their parcels and findings.
    fn plans() -> [CompiledPlan; 2] {
        let mut a = parcel(2, "G-1", "2.50", "城镇住宅用地", "城关镇");
        a.housing = Some(HousingType::PublicRental);
        a.timing = Timing::parse("第二季度");
        a.method = Some(SupplyMethod::Listing);
        a.source = Some(LandSource::New);
        let mut b = parcel(3, "G-2", "1.25", "工业用地", "河口乡");
        b.method = Some(SupplyMethod::Allocation);
        let supply = compile(
            [a, b],
            CompileOptions {
                region: "示例县".into(),
                year: Some(2025),
                ..CompileOptions::default()
            },
        );
        let mut c = parcel(2, "C-1", "3.2000", "城镇住宅用地", "城关镇");
        c.reserve_status = Some(ReserveStatus::ToAcquire);
        c.funds = Some(Money::from_unit(
            "1200".parse().unwrap(),
            MoneyUnit::WanYuan,
        ));
        c.source = Some(LandSource::Stock);
        let d = parcel(3, "C-2", "0.4000", "零售商业用地", "");
        let reserve = compile(
            [c, d],
            CompileOptions {
                kind: PlanKind::Reserve,
                region: "示例县".into(),
                year: Some(2025),
                ..CompileOptions::default()
            },
        );
        [supply, reserve]
    }

    #[test]
    fn the_plans_have_their_kinds_parts() {
        let [supply, reserve] = plans();
        assert_eq!(supply.kind(), PlanKind::Supply);
        let s = supply.supply().unwrap();
        assert_eq!(s.unscheduled.ha(), "1.25".parse().unwrap());
        assert_eq!(s.housing.len(), 1);
        assert!(supply.reserve().is_none());
        assert_eq!(reserve.kind(), PlanKind::Reserve);
        let r = reserve.reserve().unwrap();
        assert_eq!(
            (r.funds, r.funds_stated),
            (Money("12000000".parse().unwrap()), 1)
        );
        assert!(reserve.supply().is_none());
        assert!(!reserve.findings.is_empty());
    }

    #[test]
    fn a_plan_reads_back_from_its_json_as_the_same_plan() {
        for plan in plans() {
            let json = serde_json::to_string(&plan).unwrap();
            assert!(json.contains(&format!("\"kind\":\"{}\"", plan.kind().id())));
            let back: CompiledPlan = serde_json::from_str(&json).unwrap();
            assert_eq!(back, plan);
        }
    }

    /// The field names are the schema the store keeps: renaming one would leave stored plans
    /// unreadable, so it must show here.
    #[test]
    fn the_json_fields_are_the_stored_schema() {
        let common = [
            "display_dp",
            "findings",
            "kind",
            "layout",
            "new",
            "parcel_count",
            "parcels",
            "region",
            "scheme",
            "source_unspecified",
            "stock",
            "structure",
            "total",
            "year",
        ];
        let [supply, reserve] = plans();
        for (plan, own) in [
            (supply, &["housing", "methods", "timing", "unscheduled"][..]),
            (reserve, &["funds", "funds_stated", "status"][..]),
        ] {
            let v = serde_json::to_value(&plan).unwrap();
            let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
            let mut want: Vec<&str> = common.iter().chain(own).copied().collect();
            want.sort_unstable();
            assert_eq!(keys, want);
        }
    }

    /// Stores written before the kinds were one type hold the SupplyPlan/ReservePlan JSON: the
    /// same fields without `kind`.
    #[test]
    fn json_without_a_kind_reads_back_by_its_parts() {
        for plan in plans() {
            let mut v = serde_json::to_value(&plan).unwrap();
            v.as_object_mut().unwrap().remove("kind");
            let back: CompiledPlan = serde_json::from_value(v).unwrap();
            assert_eq!(back, plan);
        }
    }

    #[test]
    fn a_missing_part_is_named() {
        let [supply, reserve] = plans();
        let mut v = serde_json::to_value(&supply).unwrap();
        v.as_object_mut().unwrap().remove("timing");
        let e = serde_json::from_value::<CompiledPlan>(v).unwrap_err();
        assert!(e.to_string().contains("missing field `timing`"), "{e}");
        let mut v = serde_json::to_value(&reserve).unwrap();
        v.as_object_mut().unwrap().remove("funds");
        let e = serde_json::from_value::<CompiledPlan>(v).unwrap_err();
        assert!(e.to_string().contains("missing field `funds`"), "{e}");
    }
}
