//! Parcel ledger → compiled supply plan (供应计划) or reserve plan (储备计划), one
//! [`CompiledPlan`] type for both (see [`crate::plan`], re-exported here).
//!
//! Compilation streams: a [`Compiler`] takes parcels one at a time and keeps only aggregates,
//! the keys needed to find duplicates, and (unless told not to) the parcel list. A ledger of a
//! million parcels compiles in one pass.
//!
//! Every figure is an exact sum of the parcels' stated areas; shares are exact and rounded for
//! display by largest remainder ([`crate::share`]).

use crate::class::{Classifier, ResolvedClass, Scheme};
use crate::finding::{Finding, Place};
use crate::parcel::{HousingType, LandSource, Parcel, ReserveStatus, SupplyMethod, Timing};
use crate::rules::RuleContext;
use crate::share::{shares, Share};
use crate::units::{Area, AreaUnit, Money};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};

pub use crate::plan::{
    ClassArea, ClassLine, CompiledPlan, HousingLine, MethodLine, PlanKind, PlanParts, QuarterLine,
    ReserveParts, StatusLine, SupplyParts, TownshipLine,
};

/// Options for compiling.
#[derive(Debug, Clone)]
pub struct CompileOptions {
    /// Supply or reserve.
    pub kind: PlanKind,
    /// The jurisdiction's name (计划范围), e.g. 示例县.
    pub region: String,
    /// The plan year.
    pub year: Option<i32>,
    /// The classification the plan's structure is compiled under.
    pub scheme: Scheme,
    /// Keep the parcel list in the compiled plan (off for very large ledgers).
    pub keep_parcels: bool,
    /// The file name used in findings' places.
    pub file: Option<String>,
    /// The rules the ledger is judged by (their region and date); without a date, the plan
    /// year's 1 January.
    pub rules: RuleContext,
}

impl Default for CompileOptions {
    fn default() -> Self {
        CompileOptions {
            kind: PlanKind::Supply,
            region: String::new(),
            year: None,
            scheme: Scheme::Gb21010,
            keep_parcels: true,
            file: None,
            rules: RuleContext::builtin(),
        }
    }
}

/// How many parcels dated in another year are named in the finding's places.
const OTHER_YEAR_PLACES: usize = 20;

/// The class code under which parcels whose use cannot be resolved are summed.
const UNRESOLVED_CODE: &str = "--";

/// What the compiler needs of a parcel's class, computed once per distinct class.
#[derive(Clone)]
struct ClassInfo {
    code: String,
    name: String,
    exact: bool,
    residential: bool,
}

/// The name used for parcels without a township.
pub const NO_TOWNSHIP: &str = "未注明";

#[derive(Default)]
struct ClassAcc {
    area: Area,
    new: Area,
    stock: Area,
    parcels: usize,
}

#[derive(Default)]
struct Counted {
    area: Area,
    parcels: usize,
    funds: Money,
}

/// Streaming compiler: feed parcels with [`Compiler::add`], then finish.
pub struct Compiler {
    opts: CompileOptions,
    classifier: &'static Classifier,
    rules: RuleContext,
    total: Area,
    new: Area,
    stock: Area,
    unspecified: Area,
    unspecified_count: usize,
    by_class: BTreeMap<String, ClassAcc>,
    class_names: HashMap<String, String>,
    townships: Vec<(String, Area, BTreeMap<String, Area>)>,
    township_index: HashMap<String, usize>,
    no_township: Vec<(String, usize)>,
    quarters: [Area; 4],
    unscheduled: Area,
    unscheduled_count: usize,
    /// Parcels whose planned date lies in another year than the plan's: count, area, and
    /// the first few (id, row, date) as places.
    other_year: (usize, Area, Vec<(String, usize, String)>),
    methods: BTreeMap<Option<SupplyMethod>, Counted>,
    housing: BTreeMap<HousingType, Counted>,
    status: BTreeMap<Option<ReserveStatus>, Counted>,
    funds: Money,
    funds_count: usize,
    dups: crate::dedup::DuplicateIndex,
    parcels: Vec<Parcel>,
    count: usize,
    findings: Vec<Finding>,
    /// Shared, so that a cache hit costs no string copies.
    class_cache: HashMap<ResolvedClass, Option<std::rc::Rc<ClassInfo>>>,
    approx_reported: std::collections::HashSet<String>,
    max_scale: u32,
    any_mu: bool,
    min_ha: Decimal,
    max_ha: Decimal,
}

impl Compiler {
    /// A compiler with the built-in classification tables and rules.
    pub fn new(opts: CompileOptions) -> Compiler {
        let rules = match opts.rules.date() {
            Some(_) => opts.rules.clone(),
            None => opts.rules.clone().for_year(opts.year),
        };
        let implausible = rules.rule("ledger.area_implausible");
        let min_ha = implausible
            .and_then(|r| r.param_decimal("min_ha"))
            .unwrap_or(Decimal::new(1, 3));
        let max_ha = implausible
            .and_then(|r| r.param_decimal("max_ha"))
            .unwrap_or(Decimal::from(500));
        Compiler {
            opts,
            classifier: Classifier::builtin(),
            rules,
            total: Area::ZERO,
            new: Area::ZERO,
            stock: Area::ZERO,
            unspecified: Area::ZERO,
            unspecified_count: 0,
            by_class: BTreeMap::new(),
            class_names: HashMap::new(),
            townships: Vec::new(),
            township_index: HashMap::new(),
            no_township: Vec::new(),
            quarters: [Area::ZERO; 4],
            unscheduled: Area::ZERO,
            unscheduled_count: 0,
            other_year: (0, Area::ZERO, Vec::new()),
            methods: BTreeMap::new(),
            housing: BTreeMap::new(),
            status: BTreeMap::new(),
            funds: Money::ZERO,
            funds_count: 0,
            dups: crate::dedup::DuplicateIndex::new(),
            parcels: Vec::new(),
            count: 0,
            findings: Vec::new(),
            class_cache: HashMap::new(),
            approx_reported: std::collections::HashSet::new(),
            max_scale: 0,
            any_mu: false,
            min_ha,
            max_ha,
        }
    }

    fn place(&self, p: &Parcel, field: &str) -> Place {
        let mut pl = Place::row(p.row, Some(field)).with_parcel(&p.id);
        pl.file = self.opts.file.clone();
        pl
    }

    fn finding(&self, rule: &str, vars: &[(&str, String)]) -> Finding {
        self.rules.finding(rule, vars)
    }

    /// Add findings produced while reading the ledger (rejected rows), so they are reported
    /// with the compiled plan.
    pub fn add_findings(&mut self, findings: impl IntoIterator<Item = Finding>) {
        self.findings.extend(findings);
    }

    /// Add one parcel.
    pub fn add(&mut self, p: Parcel) {
        self.count += 1;
        let area = p.area();
        self.check_duplicate(&p, area);
        if !self.check_area(&p, area) {
            return;
        }
        self.note_precision(&p);
        self.total += area;
        match p.source {
            Some(LandSource::New) => self.new += area,
            Some(LandSource::Stock) => self.stock += area,
            None => {
                self.unspecified += area;
                self.unspecified_count += 1;
            }
        }
        let info = self.class_of(&p);
        let code: &str = info.as_deref().map_or(UNRESOLVED_CODE, |i| i.code.as_str());
        let residential = info.as_deref().is_some_and(|i| i.residential);
        self.tally_class(&p, area, code, residential);
        self.tally_township(&p, area, code);
        self.tally_parts(&p, area);
        if self.opts.keep_parcels {
            self.parcels.push(p);
        }
    }

    /// A duplicate id, or the same location and area under another id.
    fn check_duplicate(&mut self, p: &Parcel, area: Area) {
        let same = self
            .dups
            .add(&p.id, p.row, p.location.as_deref().map(|l| (l, area.ha())));
        if let Some(other) = same {
            let f = self
                .finding(
                    "ledger.duplicate_parcel",
                    &[
                        ("a", other.id.clone()),
                        ("b", p.id.clone()),
                        ("location", p.location.clone().unwrap_or_default()),
                        (
                            "area",
                            format!("{}{}", p.stated_area.value, p.stated_area.unit),
                        ),
                    ],
                )
                .at(self.place(p, "坐落"))
                .at({
                    let mut pl = Place::row(other.row, Some("坐落")).with_parcel(other.id.as_str());
                    pl.file = self.opts.file.clone();
                    pl
                })
                .note(format!(
                    "若为重复，{} 公顷被计入两次",
                    p.stated_area.area().ha().normalize()
                ));
            self.findings.push(f);
        }
    }

    /// Findings for a zero, negative or implausible area; false when the parcel is left out of
    /// the figures (zero or negative).
    fn check_area(&mut self, p: &Parcel, area: Area) -> bool {
        if !area.is_positive() {
            let f = self
                .finding(
                    "ledger.area_nonpositive",
                    &[
                        ("id", p.id.clone()),
                        ("area", p.stated_area.value.to_string()),
                    ],
                )
                .at(self.place(p, "面积"));
            self.findings.push(f);
            return false;
        }
        if area.ha() < self.min_ha || area.ha() > self.max_ha {
            let f = self
                .finding(
                    "ledger.area_implausible",
                    &[
                        ("id", p.id.clone()),
                        ("area", area.ha().normalize().to_string()),
                        ("min_ha", self.min_ha.to_string()),
                        ("max_ha", self.max_ha.to_string()),
                    ],
                )
                .at(self.place(p, "面积"));
            self.findings.push(f);
        }
        true
    }

    /// The stated precision, for the display decimals.
    fn note_precision(&mut self, p: &Parcel) {
        match p.stated_area.unit {
            AreaUnit::Hectare => self.max_scale = self.max_scale.max(p.stated_area.value.scale()),
            AreaUnit::SquareMetre => {
                self.max_scale = self.max_scale.max(p.stated_area.value.scale() + 4)
            }
            _ => self.any_mu = true,
        }
    }

    /// The parcel's class in the plan's scheme (resolved once per distinct class, then
    /// cached), with a finding when it is approximate (once per text) or unresolved.
    fn class_of(&mut self, p: &Parcel) -> Option<std::rc::Rc<ClassInfo>> {
        let info = match self.class_cache.get(&p.class) {
            Some(i) => i.clone(),
            None => {
                let info = self
                    .classifier
                    .top_in_scheme(&p.class, self.opts.scheme)
                    .map(|sc| {
                        std::rc::Rc::new(ClassInfo {
                            code: sc.class.code.clone(),
                            name: sc.class.name.clone(),
                            exact: sc.exact,
                            residential: self
                                .classifier
                                .top_in_scheme(&p.class, Scheme::Gb21010)
                                .map(|g| g.class.code == "07")
                                .unwrap_or(false),
                        })
                    });
                self.class_cache.insert(p.class.clone(), info.clone());
                info
            }
        };
        match info {
            Some(info) => {
                if !info.exact && self.approx_reported.insert(p.class_text.clone()) {
                    let mut pl = self.place(p, "用途");
                    pl.text = Some(p.class_text.clone());
                    let f = self
                        .finding(
                            "ledger.class_approximate",
                            &[
                                ("text", p.class_text.clone()),
                                ("scheme", self.opts.scheme.label().to_string()),
                                ("target", info.name.clone()),
                            ],
                        )
                        .at(pl);
                    self.findings.push(f);
                }
                if !self.class_names.contains_key(&info.code) {
                    self.class_names
                        .insert(info.code.clone(), info.name.clone());
                }
                Some(info)
            }
            None => {
                let f = self
                    .finding("ledger.class_unresolved", &[("text", p.class_text.clone())])
                    .at(self.place(p, "用途"));
                self.findings.push(f);
                self.class_names
                    .entry(UNRESOLVED_CODE.to_string())
                    .or_insert_with(|| "无法对照的地类".to_string());
                None
            }
        }
    }

    /// Structure, and the housing sub-structure (residential parcels only).
    fn tally_class(&mut self, p: &Parcel, area: Area, code: &str, residential: bool) {
        if !self.by_class.contains_key(code) {
            self.by_class.insert(code.to_string(), ClassAcc::default());
        }
        let acc = self.by_class.get_mut(code).expect("inserted above");
        acc.area += area;
        acc.parcels += 1;
        match p.source {
            Some(LandSource::New) => acc.new += area,
            Some(LandSource::Stock) => acc.stock += area,
            None => {}
        }
        if residential {
            let h = self
                .housing
                .entry(p.housing.unwrap_or(HousingType::Other))
                .or_default();
            h.area += area;
            h.parcels += 1;
        }
    }

    /// Layout: the township's area and its class parts.
    fn tally_township(&mut self, p: &Parcel, area: Area, code: &str) {
        let town: &str = match p.township.as_deref().map(str::trim) {
            Some(t) if !t.is_empty() => t,
            _ => {
                self.no_township.push((p.id.clone(), p.row));
                NO_TOWNSHIP
            }
        };
        let idx = match self.township_index.get(town) {
            Some(&i) => i,
            None => {
                self.townships
                    .push((town.to_string(), Area::ZERO, BTreeMap::new()));
                self.township_index
                    .insert(town.to_string(), self.townships.len() - 1);
                self.townships.len() - 1
            }
        };
        let t = &mut self.townships[idx];
        t.1 += area;
        match t.2.get_mut(code) {
            Some(a) => *a += area,
            None => {
                t.2.insert(code.to_string(), area);
            }
        }
    }

    /// The kind-specific figures: timing and method (supply), status and funds (reserve).
    /// Both are kept whatever the kind, so that the tally does not depend on it.
    fn tally_parts(&mut self, p: &Parcel, area: Area) {
        match p.timing {
            Some(tm) => {
                self.quarters[(tm.quarter() - 1) as usize] += area;
                if let (Timing::Date { year, month, day }, Some(plan_year)) = (tm, self.opts.year) {
                    if year != plan_year {
                        let o = &mut self.other_year;
                        o.0 += 1;
                        o.1 += area;
                        if o.2.len() < OTHER_YEAR_PLACES {
                            o.2.push((p.id.clone(), p.row, format!("{year}年{month}月{day}日")));
                        }
                    }
                }
            }
            None => {
                self.unscheduled += area;
                self.unscheduled_count += 1;
            }
        }
        let m = self.methods.entry(p.method).or_default();
        m.area += area;
        m.parcels += 1;
        let s = self.status.entry(p.reserve_status).or_default();
        s.area += area;
        s.parcels += 1;
        if let Some(f) = p.funds {
            s.funds += f;
            self.funds += f;
            self.funds_count += 1;
        }
    }

    fn display_dp(&self) -> u32 {
        let base = if self.any_mu {
            self.max_scale.max(4)
        } else {
            self.max_scale
        };
        base.clamp(2, 6)
    }

    fn common_findings(&mut self) {
        let dups = self.dups.duplicate_ids();
        let mut out = Vec::new();
        for (id, rows) in &dups {
            let list = rows
                .iter()
                .map(|r| r.to_string())
                .collect::<Vec<_>>()
                .join("、");
            let mut f = self.finding("ledger.duplicate_id", &[("id", id.clone()), ("rows", list)]);
            for r in rows {
                let mut pl = Place::row(*r, Some("地块编号")).with_parcel(id.as_str());
                pl.file = self.opts.file.clone();
                f = f.at(pl);
            }
            out.push(f);
        }
        for (id, row) in &self.no_township {
            let mut pl = Place::row(*row, Some("乡镇")).with_parcel(id.as_str());
            pl.file = self.opts.file.clone();
            out.push(
                self.finding("ledger.township_unresolved", &[("id", id.clone())])
                    .at(pl),
            );
        }
        if self.unspecified_count > 0 {
            let f = self.finding(
                "ledger.source_missing",
                &[
                    ("count", self.unspecified_count.to_string()),
                    (
                        "area",
                        crate::units::fmt_dp(self.unspecified.ha(), self.display_dp()),
                    ),
                ],
            );
            out.push(f);
        }
        if self.opts.kind == PlanKind::Supply && self.unscheduled_count > 0 {
            let f = self.finding(
                "ledger.timing_missing",
                &[
                    ("count", self.unscheduled_count.to_string()),
                    (
                        "area",
                        crate::units::fmt_dp(self.unscheduled.ha(), self.display_dp()),
                    ),
                ],
            );
            out.push(f);
        }
        if let (Some(year), Some((id, _, date))) = (self.opts.year, self.other_year.2.first()) {
            let mut f = self.finding(
                "ledger.timing_year",
                &[
                    ("count", self.other_year.0.to_string()),
                    (
                        "area",
                        crate::units::fmt_dp(self.other_year.1.ha(), self.display_dp()),
                    ),
                    ("year", year.to_string()),
                    ("id", id.clone()),
                    ("date", date.clone()),
                ],
            );
            for (id, row, _) in &self.other_year.2 {
                let mut pl = Place::row(*row, Some("计划供应时间")).with_parcel(id.as_str());
                pl.file = self.opts.file.clone();
                f = f.at(pl);
            }
            out.push(f);
        }
        if self.count == 0 {
            out.push(self.finding("ledger.empty", &[]));
        }
        self.findings.extend(out);
        self.findings.sort_by_key(|f| {
            (
                std::cmp::Reverse(f.severity),
                f.places.first().and_then(|p| p.row).unwrap_or(0),
            )
        });
    }

    fn structure(&self) -> Vec<ClassLine> {
        let areas: Vec<Decimal> = self.by_class.values().map(|a| a.area.ha()).collect();
        let sh = shares(&areas, self.total.ha(), 2);
        self.by_class
            .iter()
            .zip(sh)
            .map(|((code, acc), share)| ClassLine {
                code: code.clone(),
                name: self.class_names[code].clone(),
                area: acc.area,
                share,
                new: acc.new,
                stock: acc.stock,
                parcels: acc.parcels,
            })
            .collect()
    }

    fn layout(&self) -> Vec<TownshipLine> {
        let areas: Vec<Decimal> = self.townships.iter().map(|t| t.1.ha()).collect();
        let sh = shares(&areas, self.total.ha(), 2);
        self.townships
            .iter()
            .zip(sh)
            .map(|((name, area, classes), share)| TownshipLine {
                name: name.clone(),
                area: *area,
                share,
                classes: classes
                    .iter()
                    .map(|(code, a)| ClassArea {
                        code: code.clone(),
                        name: self.class_names[code].clone(),
                        area: *a,
                    })
                    .collect(),
            })
            .collect()
    }

    /// Finish: the plan of the kind the options name.
    pub fn finish(mut self) -> CompiledPlan {
        self.common_findings();
        let parts = match self.opts.kind {
            PlanKind::Supply => PlanParts::Supply(self.supply_parts()),
            PlanKind::Reserve => PlanParts::Reserve(self.reserve_parts()),
        };
        CompiledPlan {
            region: self.opts.region.clone(),
            year: self.opts.year,
            scheme: self.opts.scheme,
            total: self.total,
            new: self.new,
            stock: self.stock,
            source_unspecified: self.unspecified,
            structure: self.structure(),
            layout: self.layout(),
            parts,
            parcels: std::mem::take(&mut self.parcels),
            parcel_count: self.count,
            findings: std::mem::take(&mut self.findings),
            display_dp: self.display_dp(),
        }
    }

    /// 住宅 sub-structure, 时序 and 方式.
    fn supply_parts(&self) -> SupplyParts {
        SupplyParts {
            housing: self.housing(),
            timing: self.timing(),
            unscheduled: self.unscheduled,
            methods: self.methods(),
        }
    }

    fn timing(&self) -> Vec<QuarterLine> {
        let scheduled: Decimal = self.quarters.iter().map(|a| a.ha()).sum();
        let qsh = shares(
            &self.quarters.iter().map(|a| a.ha()).collect::<Vec<_>>(),
            scheduled,
            2,
        );
        let mut cumulative = Area::ZERO;
        self.quarters
            .iter()
            .zip(qsh)
            .enumerate()
            .map(|(i, (a, share))| {
                cumulative += *a;
                let raw = if self.total.ha().is_zero() {
                    Decimal::ZERO
                } else {
                    cumulative.ha() / self.total.ha() * Decimal::ONE_HUNDRED
                };
                QuarterLine {
                    quarter: i as u8 + 1,
                    area: *a,
                    share,
                    cumulative,
                    cumulative_share: Share::half_up(raw, 2),
                }
            })
            .collect()
    }

    fn methods(&self) -> Vec<MethodLine> {
        let msh = shares(
            &self
                .methods
                .values()
                .map(|m| m.area.ha())
                .collect::<Vec<_>>(),
            self.total.ha(),
            2,
        );
        self.methods
            .iter()
            .zip(msh)
            .map(|((m, c), share)| MethodLine {
                method: *m,
                name: m.map(|m| m.label()).unwrap_or("未注明").to_string(),
                area: c.area,
                share,
                parcels: c.parcels,
            })
            .collect()
    }

    fn housing(&self) -> Vec<HousingLine> {
        let housing_total: Decimal = self.housing.values().map(|h| h.area.ha()).sum();
        let hsh = shares(
            &self
                .housing
                .values()
                .map(|h| h.area.ha())
                .collect::<Vec<_>>(),
            housing_total,
            2,
        );
        self.housing
            .iter()
            .zip(hsh)
            .map(|((k, c), share)| HousingLine {
                kind: *k,
                area: c.area,
                share,
                parcels: c.parcels,
            })
            .collect()
    }

    /// 储备状态 and 资金需求.
    fn reserve_parts(&self) -> ReserveParts {
        let status = self
            .status
            .iter()
            .map(|(s, c)| StatusLine {
                status: *s,
                name: s.map(|s| s.label()).unwrap_or("未注明").to_string(),
                area: c.area,
                parcels: c.parcels,
                funds: c.funds,
            })
            .collect();
        ReserveParts {
            status,
            funds: self.funds,
            funds_stated: self.funds_count,
            annual: None,
        }
    }
}

/// Compile a whole list of parcels at once.
pub fn compile(parcels: impl IntoIterator<Item = Parcel>, opts: CompileOptions) -> CompiledPlan {
    let mut c = Compiler::new(opts);
    for p in parcels {
        c.add(p);
    }
    c.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::class::Resolution;
    use crate::finding::Severity;
    use crate::units::StatedArea;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn parcel(row: usize, id: &str, loc: &str, ha: &str, class: &str, town: &str) -> Parcel {
        let Resolution::Class(class_r) = Classifier::builtin().resolve(class, Scheme::Gb21010)
        else {
            panic!("{class}")
        };
        Parcel::new(
            id,
            StatedArea::new(d(ha), AreaUnit::Hectare),
            class,
            class_r,
        )
        .located(loc)
        .in_township(town)
        .at_row(row)
    }

    /// The parcel list of seed 001 (巴楚县2026年土地储备计划), with classes and townships
    /// assigned as the plan's structure and layout imply: the two 工业园区 parcels are 工矿仓储
    /// and new land; the 巴楚镇 parcels are stock, 商服 for 008/010/011 and 住宅 for the rest.
    fn seed001() -> Vec<Parcel> {
        let rows = [
            (
                "BC－CB2026001",
                "巴楚县工业园区体育路北侧、锦业路东侧",
                "4.0254",
                "工矿仓储用地",
                "工业园区",
            ),
            (
                "BC－CB2026002",
                "巴楚县迎宾南路东侧、文化路北侧",
                "1.0685",
                "住宅用地",
                "巴楚镇",
            ),
            (
                "BC－CB2026003",
                "巴楚县友谊南路东侧、城南路北侧",
                "2.2085",
                "住宅用地",
                "巴楚镇",
            ),
            (
                "BC－CB2026004",
                "巴楚县友谊南路东侧、城南路北侧",
                "2.7330",
                "住宅用地",
                "巴楚镇",
            ),
            (
                "BC－CB2026005",
                "巴楚县友谊北路东侧、城北路北侧",
                "1.2548",
                "住宅用地",
                "巴楚镇",
            ),
            (
                "BC－CB2026006",
                "巴楚县教育大道南侧、友谊路东侧",
                "9.1896",
                "住宅用地",
                "巴楚镇",
            ),
            (
                "BC－CB2026007",
                "巴楚县胜利路西侧、教育大道南侧",
                "9.8530",
                "住宅用地",
                "巴楚镇",
            ),
            (
                "BC－CB2026008",
                "巴楚县教育大道北侧、胜利路西侧",
                "7.0454",
                "商服用地",
                "巴楚镇",
            ),
            (
                "BC－CB2026009",
                "巴楚县迎宾南路西侧、幸福路南侧",
                "2.6466",
                "住宅用地",
                "巴楚镇",
            ),
            (
                "BC－CB2026010",
                "巴楚县人民东路南侧、玉泉路西侧",
                "0.5414",
                "商服用地",
                "巴楚镇",
            ),
            (
                "BC－CB2026011",
                "巴楚县人民东路南侧、玉泉路西侧",
                "0.3369",
                "商服用地",
                "巴楚镇",
            ),
            (
                "BC2025CB011",
                "巴楚县迎宾南路西侧、幸福路南侧",
                "2.6466",
                "住宅用地",
                "巴楚镇",
            ),
            (
                "BC2025CB001",
                "巴楚县工业园区体育路北侧、锦业路东侧",
                "4.0254",
                "工矿仓储用地",
                "工业园区",
            ),
        ];
        rows.iter()
            .enumerate()
            .map(|(i, (id, loc, ha, class, town))| {
                let mut p = parcel(i + 2, id, loc, ha, class, town);
                p.source = Some(if *town == "巴楚镇" {
                    LandSource::Stock
                } else {
                    LandSource::New
                });
                p.reserve_status = Some(ReserveStatus::ToAcquire);
                p
            })
            .collect()
    }

    #[test]
    fn seed_001_reserve_plan_figures_checked_by_hand() {
        let plan = compile(
            seed001(),
            CompileOptions {
                kind: PlanKind::Reserve,
                region: "巴楚县".into(),
                year: Some(2026),
                ..CompileOptions::default()
            },
        );
        // 4.0254+1.0685+2.2085+2.7330+1.2548+9.1896+9.8530+7.0454+2.6466+0.5414+0.3369
        // +2.6466+4.0254 = 47.5751 公顷; the plan states 47.58.
        assert_eq!(plan.total.ha(), d("47.5751"));
        assert_eq!(plan.total.mu_rounded(2), d("713.63"));
        assert_eq!(plan.stock.ha(), d("39.5243"));
        assert_eq!(plan.new.ha(), d("8.0508"));
        let s: Vec<(&str, Decimal, String)> = plan
            .structure
            .iter()
            .map(|c| (c.code.as_str(), c.area.ha(), c.share.display.to_string()))
            .collect();
        // 8.0508/47.5751 = 16.9223%, 7.9237/47.5751 = 16.6551%, 31.6006/47.5751 = 66.4225%:
        // truncated 16.92 + 16.65 + 66.42 = 99.99, the missing 0.01 goes to the largest
        // remainder (16.6551). The seed states 16.65 / 66.43 for its own rounded figures.
        assert_eq!(
            s,
            [
                ("05", d("7.9237"), "16.66".to_string()),
                ("06", d("8.0508"), "16.92".to_string()),
                ("07", d("31.6006"), "66.42".to_string()),
            ]
        );
        let layout: Vec<(&str, Decimal)> = plan
            .layout
            .iter()
            .map(|t| (t.name.as_str(), t.area.ha()))
            .collect();
        assert_eq!(
            layout,
            [("工业园区", d("8.0508")), ("巴楚镇", d("39.5243"))]
        );
        // The two parcels carried over under 2025 ids repeat two 2026 parcels exactly.
        let dups: Vec<Vec<&str>> = plan
            .findings
            .iter()
            .filter(|f| f.rule == "ledger.duplicate_parcel")
            .map(|f| {
                f.places
                    .iter()
                    .filter_map(|p| p.parcel.as_deref())
                    .collect()
            })
            .collect();
        assert_eq!(
            dups,
            [
                vec!["BC2025CB011", "BC－CB2026009"],
                vec!["BC2025CB001", "BC－CB2026001"]
            ]
        );
        assert!(plan
            .findings
            .iter()
            .all(|f| f.rule != "ledger.duplicate_id"));
        // Same location, different area: not duplicates.
        assert_eq!(dups.len(), 2);
        assert_eq!(plan.parcel_count, 13);
    }

    #[test]
    fn supply_plan_breakdowns_add_up() {
        let mut ps = vec![
            parcel(2, "A1", "甲路东侧", "10.50", "住宅用地", "城关镇"),
            parcel(3, "A2", "乙路西侧", "4.25", "工业用地", "工业园区"),
            parcel(4, "A3", "丙路北侧", "3.00", "教育用地", "城关镇"),
            parcel(5, "A4", "丁路南侧", "2.25", "住宅用地", "南湖乡"),
        ];
        ps[0].housing = Some(HousingType::Commodity);
        ps[0].timing = Timing::parse("第一季度");
        ps[0].method = Some(SupplyMethod::Listing);
        ps[0].source = Some(LandSource::New);
        ps[1].timing = Timing::parse("5月");
        ps[1].method = Some(SupplyMethod::Listing);
        ps[1].source = Some(LandSource::Stock);
        ps[2].timing = Timing::parse("三季度");
        ps[2].method = Some(SupplyMethod::Allocation);
        ps[2].source = Some(LandSource::New);
        ps[3].housing = Some(HousingType::ShantyRedevelopment);
        ps[3].timing = Timing::parse("2025-12-01");
        ps[3].method = Some(SupplyMethod::Allocation);
        ps[3].source = Some(LandSource::Stock);
        let plan = compile(ps, CompileOptions::default());
        assert_eq!(plan.total.ha(), d("20.00"));
        assert_eq!(plan.new.ha(), d("13.50"));
        assert_eq!(plan.stock.ha(), d("6.50"));
        let supply = plan.supply().expect("a supply plan");
        let shares: Decimal = plan.structure.iter().map(|c| c.share.display).sum();
        assert_eq!(shares, d("100.00"));
        let cum: Vec<String> = supply
            .timing
            .iter()
            .map(|q| q.cumulative_share.display.to_string())
            .collect();
        assert_eq!(cum, ["52.50", "73.75", "88.75", "100.00"]);
        let housing: Vec<(HousingType, Decimal)> = supply
            .housing
            .iter()
            .map(|h| (h.kind, h.area.ha()))
            .collect();
        assert_eq!(
            housing,
            [
                (HousingType::ShantyRedevelopment, d("2.25")),
                (HousingType::Commodity, d("10.50"))
            ]
        );
        let (aff, share) = supply.affordable_and_small();
        assert_eq!(aff.ha(), d("2.25"));
        assert_eq!(share.display, d("17.65"));
        let methods: Vec<(&str, Decimal)> = supply
            .methods
            .iter()
            .map(|m| (m.name.as_str(), m.area.ha()))
            .collect();
        assert_eq!(methods, [("划拨", d("5.25")), ("挂牌出让", d("14.75"))]);
        let town: Vec<(&str, usize)> = plan
            .layout
            .iter()
            .map(|t| (t.name.as_str(), t.classes.len()))
            .collect();
        assert_eq!(town, [("城关镇", 2), ("工业园区", 1), ("南湖乡", 1)]);
        assert!(plan.findings.is_empty(), "{:?}", plan.findings);
    }

    #[test]
    fn ledger_findings_duplicate_ids_zero_and_implausible_areas() {
        let ps = vec![
            parcel(2, "X1", "甲路", "1.0", "住宅用地", "城关镇"),
            parcel(3, "X1", "乙路", "2.0", "住宅用地", "城关镇"),
            parcel(4, "X2", "丙路", "0", "住宅用地", "城关镇"),
            parcel(5, "X3", "丁路", "-1.5", "住宅用地", "城关镇"),
            parcel(6, "X4", "戊路", "12000", "住宅用地", ""),
        ];
        let plan = compile(ps, CompileOptions::default());
        let rules: Vec<(&str, Option<usize>)> = plan
            .findings
            .iter()
            .map(|f| (f.rule.as_str(), f.places.first().and_then(|p| p.row)))
            .collect();
        assert!(rules.contains(&("ledger.duplicate_id", Some(2))));
        assert!(rules.contains(&("ledger.area_nonpositive", Some(4))));
        assert!(rules.contains(&("ledger.area_nonpositive", Some(5))));
        assert!(rules.contains(&("ledger.area_implausible", Some(6))));
        assert!(rules.contains(&("ledger.township_unresolved", Some(6))));
        // Zero and negative parcels are left out of the totals.
        assert_eq!(plan.total.ha(), d("12003.0"));
        assert_eq!(plan.layout.last().unwrap().name, NO_TOWNSHIP);
    }

    #[test]
    fn compiling_under_the_2023_classification() {
        let ps = vec![
            parcel(2, "Y1", "甲路", "3.0", "公园与绿地", "城关镇"),
            parcel(3, "Y2", "乙路", "1.0", "仓储用地", "城关镇"),
            parcel(4, "Y3", "丙路", "1.0", "工矿仓储用地", "城关镇"),
        ];
        let plan = compile(
            ps,
            CompileOptions {
                scheme: Scheme::Ydyh2023,
                ..CompileOptions::default()
            },
        );
        let codes: Vec<(&str, &str)> = plan
            .structure
            .iter()
            .map(|c| (c.code.as_str(), c.name.as_str()))
            .collect();
        assert_eq!(
            codes,
            [
                ("10", "工矿用地"),
                ("11", "仓储用地"),
                ("14", "绿地与开敞空间用地")
            ]
        );
        assert!(plan
            .findings
            .iter()
            .any(|f| f.rule == "ledger.class_approximate" && f.severity == Severity::Info));
    }

    #[test]
    fn parcels_dated_in_another_year_are_a_warning() {
        let mut c = Compiler::new(CompileOptions {
            year: Some(2025),
            ..CompileOptions::default()
        });
        let dated = |row, id: &str, year| {
            let mut p = parcel(row, id, id, "1.5000", "工业用地", "城关镇");
            p.timing = Some(Timing::Date {
                year,
                month: 7,
                day: 15,
            });
            p
        };
        c.add(dated(2, "A-1", 2025));
        c.add(dated(3, "A-2", 2024));
        c.add(dated(4, "A-3", 2024));
        let plan = c.finish();
        let f = plan
            .findings
            .iter()
            .find(|f| f.rule == "ledger.timing_year")
            .expect("a warning about parcels dated in 2024");
        assert_eq!(f.severity, Severity::Warning);
        assert!(
            f.message
                .contains("有 2 宗地块（3.0000 公顷）的计划供应时间不在计划年度 2025 年内"),
            "{}",
            f.message
        );
        assert!(f.message.contains("A-2 为 2024年7月15日"), "{}", f.message);
        assert_eq!(f.places.len(), 2);
        // Without a plan year, no year is judged.
        let mut c = Compiler::new(CompileOptions::default());
        c.add(dated(2, "A-2", 2024));
        assert!(c
            .finish()
            .findings
            .iter()
            .all(|f| f.rule != "ledger.timing_year"));
    }
}
