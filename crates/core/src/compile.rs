//! Parcel ledger → compiled supply plan (供应计划) or reserve plan (储备计划).
//!
//! Compilation streams: a [`Compiler`] takes parcels one at a time and keeps only aggregates,
//! the keys needed to find duplicates, and (unless told not to) the parcel list. A ledger of a
//! million parcels compiles in one pass.
//!
//! Every figure is an exact sum of the parcels' stated areas; shares are exact and rounded for
//! display by largest remainder ([`crate::share`]).

use crate::class::{Classifier, Scheme};
use crate::finding::{Finding, Place, Severity};
use crate::parcel::{HousingType, LandSource, Parcel, ReserveStatus, SupplyMethod};
use crate::rules::RuleBook;
use crate::share::{shares, Share};
use crate::units::{Area, AreaUnit, Money};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Which plan to compile.
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
        }
    }
}

/// One class of the structure (结构).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClassArea {
    /// First-level code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Area.
    pub area: Area,
}

/// One township of the layout (布局).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

/// One quarter of the timing (时序).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

/// A compiled supply plan.
#[derive(Debug, Clone, Serialize)]
pub struct SupplyPlan {
    /// Jurisdiction.
    pub region: String,
    /// Year.
    pub year: Option<i32>,
    /// Classification of the structure.
    pub scheme: Scheme,
    /// 总量.
    pub total: Area,
    /// 新增.
    pub new: Area,
    /// 存量.
    pub stock: Area,
    /// Neither given.
    pub source_unspecified: Area,
    /// 结构, by first-level class.
    pub structure: Vec<ClassLine>,
    /// 住宅 sub-structure.
    pub housing: Vec<HousingLine>,
    /// 布局, by township.
    pub layout: Vec<TownshipLine>,
    /// 时序, by quarter.
    pub timing: Vec<QuarterLine>,
    /// Area with no planned time.
    pub unscheduled: Area,
    /// 方式.
    pub methods: Vec<MethodLine>,
    /// The parcels (empty when not kept).
    pub parcels: Vec<Parcel>,
    /// Number of parcels compiled.
    pub parcel_count: usize,
    /// Findings about the ledger.
    pub findings: Vec<Finding>,
    /// Decimals used to display hectares (from the ledger's stated precision).
    pub display_dp: u32,
}

/// A compiled reserve plan.
#[derive(Debug, Clone, Serialize)]
pub struct ReservePlan {
    /// Jurisdiction.
    pub region: String,
    /// Year.
    pub year: Option<i32>,
    /// Classification of the structure.
    pub scheme: Scheme,
    /// 储备规模.
    pub total: Area,
    /// 存量 part.
    pub stock: Area,
    /// 新增 part.
    pub new: Area,
    /// Neither given.
    pub source_unspecified: Area,
    /// 结构.
    pub structure: Vec<ClassLine>,
    /// 布局.
    pub layout: Vec<TownshipLine>,
    /// By reserve status.
    pub status: Vec<StatusLine>,
    /// 资金需求 total.
    pub funds: Money,
    /// The parcels (empty when not kept).
    pub parcels: Vec<Parcel>,
    /// Number of parcels compiled.
    pub parcel_count: usize,
    /// Findings about the ledger.
    pub findings: Vec<Finding>,
    /// Decimals used to display hectares.
    pub display_dp: u32,
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
    rules: &'static RuleBook,
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
    methods: BTreeMap<Option<SupplyMethod>, Counted>,
    housing: BTreeMap<HousingType, Counted>,
    status: BTreeMap<Option<ReserveStatus>, Counted>,
    funds: Money,
    ids: HashMap<String, Vec<usize>>,
    places: HashMap<(String, Decimal), (String, usize)>,
    parcels: Vec<Parcel>,
    count: usize,
    findings: Vec<Finding>,
    max_scale: u32,
    any_mu: bool,
    min_ha: Decimal,
    max_ha: Decimal,
}

impl Compiler {
    /// A compiler with the built-in classification tables and rules.
    pub fn new(opts: CompileOptions) -> Compiler {
        let rules = RuleBook::builtin();
        let date = opts.year.map(|y| format!("{y}-01-01"));
        let implausible = rules.get_in_force("ledger.area_implausible", date.as_deref(), None);
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
            methods: BTreeMap::new(),
            housing: BTreeMap::new(),
            status: BTreeMap::new(),
            funds: Money::ZERO,
            ids: HashMap::new(),
            places: HashMap::new(),
            parcels: Vec::new(),
            count: 0,
            findings: Vec::new(),
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
        let spec = self.rules.get(rule);
        let severity = spec.map(|s| s.severity).unwrap_or(Severity::Error);
        let message = spec.map(|s| s.render(vars)).unwrap_or_else(|| rule.to_string());
        Finding::new(rule, severity, message)
    }

    /// Add findings produced while reading the ledger (rejected rows), so they are reported
    /// with the compiled plan.
    pub fn add_findings(&mut self, findings: impl IntoIterator<Item = Finding>) {
        self.findings.extend(findings);
    }

    /// Add one parcel.
    pub fn add(&mut self, p: Parcel) {
        self.count += 1;
        // Duplicate ids.
        let rows = self.ids.entry(p.id.clone()).or_default();
        rows.push(p.row);
        let area = p.area();
        // Same location and same area under another id.
        if let Some(loc) = p.location.as_deref().map(crate::class::normalize_name) {
            if !loc.is_empty() {
                let key = (loc, area.ha().normalize());
                match self.places.get(&key) {
                    Some((other, other_row)) if *other != p.id => {
                        let f = self
                            .finding(
                                "ledger.duplicate_parcel",
                                &[
                                    ("a", other.clone()),
                                    ("b", p.id.clone()),
                                    ("location", p.location.clone().unwrap_or_default()),
                                    ("area", format!("{}{}", p.stated_area.value, p.stated_area.unit)),
                                ],
                            )
                            .at(self.place(&p, "坐落"))
                            .at({
                                let mut pl = Place::row(*other_row, Some("坐落")).with_parcel(other);
                                pl.file = self.opts.file.clone();
                                pl
                            })
                            .note(format!(
                                "若为重复，{} 公顷被计入两次",
                                p.stated_area.area().ha().normalize()
                            ));
                        self.findings.push(f);
                    }
                    Some(_) => {}
                    None => {
                        self.places.insert(key, (p.id.clone(), p.row));
                    }
                }
            }
        }
        if !area.is_positive() {
            let f = self
                .finding(
                    "ledger.area_nonpositive",
                    &[("id", p.id.clone()), ("area", p.stated_area.value.to_string())],
                )
                .at(self.place(&p, "面积"));
            self.findings.push(f);
            return;
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
                .at(self.place(&p, "面积"));
            self.findings.push(f);
        }
        match p.stated_area.unit {
            AreaUnit::Hectare => self.max_scale = self.max_scale.max(p.stated_area.value.scale()),
            AreaUnit::SquareMetre => {
                self.max_scale = self.max_scale.max(p.stated_area.value.scale() + 4)
            }
            _ => self.any_mu = true,
        }
        self.total += area;
        match p.source {
            Some(LandSource::New) => self.new += area,
            Some(LandSource::Stock) => self.stock += area,
            None => {
                self.unspecified += area;
                self.unspecified_count += 1;
            }
        }
        // Class.
        let (code, name) = match self.classifier.top_in_scheme(&p.class, self.opts.scheme) {
            Some(sc) => {
                if !sc.exact {
                    let rule = "ledger.class_approximate";
                    if !self.findings.iter().any(|f| {
                        f.rule == rule && f.places.first().and_then(|pl| pl.text.as_deref()) == Some(p.class_text.as_str())
                    }) {
                        let mut pl = self.place(&p, "用途");
                        pl.text = Some(p.class_text.clone());
                        let f = self
                            .finding(
                                rule,
                                &[
                                    ("text", p.class_text.clone()),
                                    ("scheme", self.opts.scheme.label().to_string()),
                                    ("target", sc.class.name.clone()),
                                ],
                            )
                            .at(pl);
                        self.findings.push(f);
                    }
                }
                (sc.class.code.clone(), sc.class.name.clone())
            }
            None => {
                let f = self
                    .finding("ledger.class_unresolved", &[("text", p.class_text.clone())])
                    .at(self.place(&p, "用途"));
                self.findings.push(f);
                ("--".to_string(), "无法对照的地类".to_string())
            }
        };
        self.class_names.entry(code.clone()).or_insert(name);
        let acc = self.by_class.entry(code.clone()).or_default();
        acc.area += area;
        acc.parcels += 1;
        match p.source {
            Some(LandSource::New) => acc.new += area,
            Some(LandSource::Stock) => acc.stock += area,
            None => {}
        }
        // Housing sub-structure: residential parcels only.
        let residential = self
            .classifier
            .top_in_scheme(&p.class, Scheme::Gb21010)
            .map(|sc| sc.class.code == "07")
            .unwrap_or(false);
        if residential {
            let h = self
                .housing
                .entry(p.housing.unwrap_or(HousingType::Other))
                .or_default();
            h.area += area;
            h.parcels += 1;
        }
        // Layout.
        let town = match p.township.as_deref().map(str::trim) {
            Some(t) if !t.is_empty() => t.to_string(),
            _ => {
                self.no_township.push((p.id.clone(), p.row));
                NO_TOWNSHIP.to_string()
            }
        };
        let idx = match self.township_index.get(&town) {
            Some(&i) => i,
            None => {
                self.townships.push((town.clone(), Area::ZERO, BTreeMap::new()));
                self.township_index.insert(town, self.townships.len() - 1);
                self.townships.len() - 1
            }
        };
        let t = &mut self.townships[idx];
        t.1 += area;
        *t.2.entry(code).or_default() += area;
        // Timing.
        match p.timing {
            Some(tm) => self.quarters[(tm.quarter() - 1) as usize] += area,
            None => {
                self.unscheduled += area;
                self.unscheduled_count += 1;
            }
        }
        // Method.
        let m = self.methods.entry(p.method).or_default();
        m.area += area;
        m.parcels += 1;
        // Reserve status and funds.
        let s = self.status.entry(p.reserve_status).or_default();
        s.area += area;
        s.parcels += 1;
        if let Some(f) = p.funds {
            s.funds += f;
            self.funds += f;
        }
        if self.opts.keep_parcels {
            self.parcels.push(p);
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
        let mut dups: Vec<(&String, &Vec<usize>)> =
            self.ids.iter().filter(|(_, rows)| rows.len() > 1).collect();
        dups.sort_by_key(|(_, rows)| rows[0]);
        let mut out = Vec::new();
        for (id, rows) in dups {
            let list = rows.iter().map(|r| r.to_string()).collect::<Vec<_>>().join("、");
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
            out.push(self.finding("ledger.township_unresolved", &[("id", id.clone())]).at(pl));
        }
        if self.unspecified_count > 0 {
            let f = self.finding(
                "ledger.source_missing",
                &[
                    ("count", self.unspecified_count.to_string()),
                    ("area", crate::units::fmt_dp(self.unspecified.ha(), self.display_dp())),
                ],
            );
            out.push(f);
        }
        if self.opts.kind == PlanKind::Supply && self.unscheduled_count > 0 {
            let f = self.finding(
                "ledger.timing_missing",
                &[
                    ("count", self.unscheduled_count.to_string()),
                    ("area", crate::units::fmt_dp(self.unscheduled.ha(), self.display_dp())),
                ],
            );
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

    /// Finish as a supply plan.
    pub fn finish_supply(mut self) -> SupplyPlan {
        self.common_findings();
        let display_dp = self.display_dp();
        let structure = self.structure();
        let layout = self.layout();
        let scheduled: Decimal = self.quarters.iter().map(|a| a.ha()).sum();
        let qsh = shares(
            &self.quarters.iter().map(|a| a.ha()).collect::<Vec<_>>(),
            scheduled,
            2,
        );
        let mut cumulative = Area::ZERO;
        let timing = self
            .quarters
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
                    cumulative_share: Share {
                        raw,
                        display: crate::units::round_half_up(raw, 2),
                    },
                }
            })
            .collect();
        let msh = shares(
            &self.methods.values().map(|m| m.area.ha()).collect::<Vec<_>>(),
            self.total.ha(),
            2,
        );
        let methods = self
            .methods
            .iter()
            .zip(msh)
            .map(|((m, c), share)| MethodLine {
                method: *m,
                name: m.map(|m| m.label()).unwrap_or("未注明").to_string(),
                area: c.area,
                share,
                parcels: c.parcels,
            })
            .collect();
        let housing_total: Decimal = self.housing.values().map(|h| h.area.ha()).sum();
        let hsh = shares(
            &self.housing.values().map(|h| h.area.ha()).collect::<Vec<_>>(),
            housing_total,
            2,
        );
        let housing = self
            .housing
            .iter()
            .zip(hsh)
            .map(|((k, c), share)| HousingLine {
                kind: *k,
                area: c.area,
                share,
                parcels: c.parcels,
            })
            .collect();
        SupplyPlan {
            region: self.opts.region.clone(),
            year: self.opts.year,
            scheme: self.opts.scheme,
            total: self.total,
            new: self.new,
            stock: self.stock,
            source_unspecified: self.unspecified,
            structure,
            housing,
            layout,
            timing,
            unscheduled: self.unscheduled,
            methods,
            parcels: std::mem::take(&mut self.parcels),
            parcel_count: self.count,
            findings: std::mem::take(&mut self.findings),
            display_dp,
        }
    }

    /// Finish as a reserve plan.
    pub fn finish_reserve(mut self) -> ReservePlan {
        self.common_findings();
        let display_dp = self.display_dp();
        let structure = self.structure();
        let layout = self.layout();
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
        ReservePlan {
            region: self.opts.region.clone(),
            year: self.opts.year,
            scheme: self.opts.scheme,
            total: self.total,
            stock: self.stock,
            new: self.new,
            source_unspecified: self.unspecified,
            structure,
            layout,
            status,
            funds: self.funds,
            parcels: std::mem::take(&mut self.parcels),
            parcel_count: self.count,
            findings: std::mem::take(&mut self.findings),
            display_dp,
        }
    }
}

impl SupplyPlan {
    /// Housing land of 保障性安居工程 + 中小套型商品住房, and its share of all housing land.
    pub fn affordable_and_small(&self) -> (Area, Share) {
        let total: Decimal = self.housing.iter().map(|h| h.area.ha()).sum();
        let part: Area = self
            .housing
            .iter()
            .filter(|h| h.kind.is_affordable_project() || h.kind == HousingType::SmallCommodity)
            .map(|h| h.area)
            .sum();
        let raw = if total.is_zero() {
            Decimal::ZERO
        } else {
            part.ha() / total * Decimal::ONE_HUNDRED
        };
        (
            part,
            Share {
                raw,
                display: crate::units::round_half_up(raw, 2),
            },
        )
    }
}

/// Compile a whole list of parcels at once.
pub fn compile_supply(parcels: impl IntoIterator<Item = Parcel>, opts: CompileOptions) -> SupplyPlan {
    let mut c = Compiler::new(opts);
    for p in parcels {
        c.add(p);
    }
    c.finish_supply()
}

/// Compile a whole list of parcels at once, as a reserve plan.
pub fn compile_reserve(
    parcels: impl IntoIterator<Item = Parcel>,
    opts: CompileOptions,
) -> ReservePlan {
    let mut c = Compiler::new(opts);
    for p in parcels {
        c.add(p);
    }
    c.finish_reserve()
}

/// A compiled plan of either kind.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum CompiledPlan {
    /// A supply plan.
    Supply(SupplyPlan),
    /// A reserve plan.
    Reserve(ReservePlan),
}

impl CompiledPlan {
    /// The plan's kind.
    pub fn kind(&self) -> PlanKind {
        match self {
            CompiledPlan::Supply(_) => PlanKind::Supply,
            CompiledPlan::Reserve(_) => PlanKind::Reserve,
        }
    }

    /// The findings about the ledger.
    pub fn findings(&self) -> &[Finding] {
        match self {
            CompiledPlan::Supply(p) => &p.findings,
            CompiledPlan::Reserve(p) => &p.findings,
        }
    }
}
