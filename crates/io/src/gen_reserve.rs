//! A deterministic generated county reserve over three years (issue 18): reserve parcels
//! registered 拟收储 or already held, their steps taken in order across the years with evidence,
//! their planned steps, costs by kind and source (some paid by special bonds with project ids),
//! 净地 readiness records and obstacles.
//!
//! The county's record stands on 30 June of the second year (`first_year + 1`): steps up to that
//! day are taken (through [`ReserveParcel::apply`], so they are in order and evidenced), the
//! later ones are planned by year and quarter. Each parcel follows one of a few life scripts,
//! so that every part of the annual and the three-year plans has parcels in it:
//!
//! | script | life |
//! |---|---|
//! | carried | held before Y, 前期开发 in Y, supplied in Y |
//! | acquired | 拟收储 before Y, 入库 in Y, 前期开发 in Y+1, supplied in Y+2 |
//! | late | 拟收储 in Y, 入库 in Y+1, 临时管护 in Y+1 |
//! | future | 拟收储 in Y+1, 入库 planned in Y+2 |
//! | kept | held before Y, 临时管护, leaves the reserve (退出) in Y+1 |
//! | unready | held before Y, planned for supply in Y+1 with 通水 not done (refused) |
//! | abandoned | 拟收储 before Y, given up (退出) in Y |
//!
//! Exactly one parcel is `unready`, and exactly one obstacle is overdue on the record day. The
//! generator uses the splitmix64 PRNG of [`crate::gen`] and integer arithmetic only: the same
//! seed gives the same parcels everywhere.

use crate::gen::Rng;
use landplan_core::class::{Classifier, Resolution, Scheme};
use landplan_core::date::Date;
use landplan_core::parcel::{LandSource, Parcel};
use landplan_core::reserve::{
    AcquisitionMode, Cost, CostKind, Evidence, FundSource, Obstacle, ObstacleKind, PlannedStep,
    ReadinessItem, ReadinessRecord, ReserveParcel, ReserveState, Step, YearMonth,
};
use landplan_core::units::{AreaUnit, Money, MoneyUnit, StatedArea};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

/// The life scripts, in the order parcels are generated (repeated).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Carried,
    Acquired,
    Late,
    Future,
    Kept,
    Unready,
    Abandoned,
}

/// The scripts of the generated parcels, in order: 24 parcels, one `Unready`.
const SCRIPTS: [Script; 24] = {
    use Script::*;
    [
        Carried, Acquired, Late, Future, Kept, Unready, Abandoned, Carried, Acquired, Late, Future,
        Carried, Acquired, Acquired, Late, Future, Carried, Acquired, Late, Kept, Carried,
        Acquired, Future, Late,
    ]
};

const CLASSES: [(&str, LandSource); 6] = [
    ("城镇住宅用地", LandSource::Stock),
    ("城镇住宅用地", LandSource::Stock),
    ("工业用地", LandSource::New),
    ("零售商业用地", LandSource::Stock),
    ("商务金融用地", LandSource::Stock),
    ("仓储用地", LandSource::New),
];

const TOWNS: [&str; 4] = ["城关镇", "南湖街道", "河西镇", "示例经济开发区"];
const ROADS: [&str; 6] = [
    "人民路",
    "建设路",
    "迎宾大道",
    "幸福路",
    "滨河路",
    "工业大道",
];

/// The day the generated record stands on: 30 June of `first_year + 1`.
pub fn record_day(first_year: i32) -> Date {
    Date::new(first_year + 1, 6, 30).expect("a valid day")
}

/// The special-bond project id of a year (`{county}-ZQ-{year}`), as the costs name it.
pub fn bond_id(county: &str, year: i32) -> String {
    format!("{county}-ZQ-{year}")
}

fn day(rng: &mut Rng, year: i32, quarter: u8) -> Date {
    let month = (quarter - 1) * 3 + 1 + rng.below(3) as u8;
    let d = 1 + rng.below(28) as u8;
    Date::new(year, month, d).expect("a valid day")
}

fn class(text: &str) -> landplan_core::class::ResolvedClass {
    match Classifier::builtin().resolve(text, Scheme::Gb21010) {
        Resolution::Class(c) => c,
        _ => unreachable!("the generator's classes resolve"),
    }
}

fn title(mode: AcquisitionMode, county: &str, year: i32, n: usize) -> Evidence {
    let doc = match mode {
        AcquisitionMode::TakeBack => {
            format!("{county}人民政府收回国有土地使用权决定书〔{year}〕{n}号")
        }
        AcquisitionMode::Purchase => {
            format!("{county}土地储备中心国有土地使用权收购合同〔{year}〕{n}号")
        }
        _ => format!("{county}征收土地公告〔{year}〕{n}号"),
    };
    Evidence {
        acquisition: Some(mode),
        documents: vec![doc],
        encumbrances_cleared: true,
        note: None,
    }
}

/// One planned or taken step: taken (applied) when on or before the record day.
fn step(p: &mut ReserveParcel, to: ReserveState, date: Date, evidence: Evidence, as_of: Date) {
    if date <= as_of {
        let mut s = Step::new(to, date);
        s.evidence = evidence;
        p.apply(s).expect("the generator takes steps in order");
    } else {
        p.planned.push(PlannedStep {
            to,
            year: date.year(),
            quarter: Some(date.quarter()),
        });
    }
}

/// Readiness records for a supply on `supply`: every item done a month before, except `missing`.
fn ready(p: &mut ReserveParcel, supply: Date, missing: Option<ReadinessItem>, county: &str) {
    let done = supply.add_days(-30).expect("a valid day");
    for item in ReadinessItem::ALL {
        let is_missing = Some(item) == missing;
        p.readiness.push(ReadinessRecord {
            item,
            done: (!is_missing).then_some(done),
            evidence: (!is_missing).then(|| format!("{county}净地验收记录 {}", p.parcel.id)),
        });
    }
}

fn cost(
    kind: CostKind,
    source: FundSource,
    wan: u64,
    year: i32,
    as_of: Date,
    bond: Option<String>,
) -> Cost {
    let paid_on = Date::new(year, 6, 15).expect("a valid day");
    Cost {
        kind,
        source,
        amount: Money(Decimal::from(wan) * Decimal::from(10_000)),
        year,
        paid: (paid_on <= as_of).then_some(paid_on),
        bond,
    }
}

/// Generate the county's reserve parcels (see the module documentation): the 24 parcels of
/// one cycle of the scripts.
pub fn generate(seed: u64, county: &str, first_year: i32) -> Vec<ReserveParcel> {
    parcels(seed, county, first_year, SCRIPTS.len()).collect()
}

/// Generate `n` reserve parcels of one county, one at a time (a county of any size: the
/// scripts repeat every 24 parcels, so each 24 hold one `unready` parcel; only the first
/// `late` parcel's obstacle is overdue). The first 24 are [`generate`]'s.
pub fn parcels(seed: u64, county: &str, first_year: i32, n: usize) -> Parcels {
    Parcels {
        rng: Rng(seed ^ 0x5245_5345_5256_4531),
        county: county.to_string(),
        y: first_year,
        as_of: record_day(first_year),
        late_seen: false,
        i: 0,
        n,
    }
}

/// The generated parcels, in order (see [`parcels`]).
pub struct Parcels {
    rng: Rng,
    county: String,
    y: i32,
    as_of: Date,
    late_seen: bool,
    i: usize,
    n: usize,
}

impl Iterator for Parcels {
    type Item = ReserveParcel;

    fn next(&mut self) -> Option<ReserveParcel> {
        if self.i >= self.n {
            return None;
        }
        let i = self.i;
        self.i += 1;
        Some(self.parcel(i))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.n - self.i;
        (left, Some(left))
    }
}

impl ExactSizeIterator for Parcels {}

impl Parcels {
    /// The `i`-th parcel (0-based); parcels are drawn in order from one random stream.
    fn parcel(&mut self, i: usize) -> ReserveParcel {
        let script = SCRIPTS[i % SCRIPTS.len()];
        let (y, as_of) = (self.y, self.as_of);
        let county = self.county.as_str();
        let rng = &mut self.rng;
        let (class_text, source) = CLASSES[rng.below(CLASSES.len() as u64) as usize];
        // 0.3–12 公顷, four decimals.
        let area = Decimal::new(3_000 + rng.below(117_000) as i64, 4);
        let town = TOWNS[rng.below(TOWNS.len() as u64) as usize];
        let road = ROADS[rng.below(ROADS.len() as u64) as usize];
        let registered_year = match script {
            Script::Carried | Script::Kept | Script::Unready => y - 2,
            Script::Acquired | Script::Abandoned => y - 1,
            Script::Late => y,
            Script::Future => y + 1,
        };
        let parcel = Parcel {
            source: Some(source),
            ..Parcel::new(
                format!("CB{registered_year}{:03}", i + 1),
                StatedArea::new(area, AreaUnit::Hectare),
                class_text,
                class(class_text),
            )
            .located(format!("{county}{town}{road}{}号地块", i + 1))
            .in_township(town)
            .at_row(i + 2)
        };
        let mode = match source {
            LandSource::New => AcquisitionMode::Expropriation,
            LandSource::Stock if i.is_multiple_of(2) => AcquisitionMode::TakeBack,
            LandSource::Stock => AcquisitionMode::Purchase,
        };
        let quarter = 1 + rng.below(2) as u8;
        let registered = day(rng, registered_year, quarter);
        let held_from_start = matches!(script, Script::Carried | Script::Kept | Script::Unready);
        let first = if held_from_start {
            let mut s = Step::new(ReserveState::Held, registered);
            s.evidence = title(mode, county, registered_year, i + 1);
            s
        } else {
            Step::new(ReserveState::Proposed, registered)
        };
        let mut p = ReserveParcel::register(parcel, first).expect("a valid first step");
        p.project = Some(format!("{county}{road}片区土地储备项目"));
        // 万元 per 公顷 of compensation: 300–900.
        let price = 300 + rng.below(600);
        let ha_whole = area.trunc().to_u64().unwrap_or(0).max(1);
        let compensation = price * ha_whole;
        let bonded = i % 3 != 2;
        let fund = |rng_year: i32| {
            if bonded {
                (FundSource::SpecialBond, Some(bond_id(county, rng_year)))
            } else {
                (FundSource::TransferIncome, None)
            }
        };
        let ev = || Evidence::default();
        match script {
            Script::Carried => {
                let prep = day(rng, y, 1);
                step(&mut p, ReserveState::Preparing, prep, ev(), as_of);
                let supply = day(rng, y, 3);
                ready(&mut p, supply, None, county);
                let mut e = Evidence::default();
                e.documents
                    .push(format!("国有建设用地使用权出让合同 {}-{y}", p.parcel.id));
                step(&mut p, ReserveState::Supplied, supply, e, as_of);
                let (src, bond) = fund(y);
                p.costs.push(cost(
                    CostKind::Preparation,
                    src,
                    40 * ha_whole,
                    y,
                    as_of,
                    bond,
                ));
            }
            Script::Acquired => {
                let held = day(rng, y, 2);
                step(
                    &mut p,
                    ReserveState::Held,
                    held,
                    title(mode, county, y, i + 1),
                    as_of,
                );
                step(
                    &mut p,
                    ReserveState::Preparing,
                    day(rng, y + 1, 1),
                    ev(),
                    as_of,
                );
                let supply = day(rng, y + 2, 2);
                ready(&mut p, supply, None, county);
                step(&mut p, ReserveState::Supplied, supply, ev(), as_of);
                let (src, bond) = fund(y);
                p.costs.push(cost(
                    CostKind::Compensation,
                    src,
                    compensation,
                    y,
                    as_of,
                    bond.clone(),
                ));
                p.costs.push(cost(
                    CostKind::Demolition,
                    src,
                    15 * ha_whole,
                    y + 1,
                    as_of,
                    bond.clone(),
                ));
                p.costs.push(cost(
                    CostKind::Preparation,
                    FundSource::LandFund,
                    30 * ha_whole,
                    y + 1,
                    as_of,
                    None,
                ));
                if bonded {
                    p.costs.push(cost(
                        CostKind::Interest,
                        src,
                        compensation * 3 / 100,
                        y + 1,
                        as_of,
                        bond,
                    ));
                }
            }
            Script::Late => {
                let first_late = !self.late_seen;
                self.late_seen = true;
                let held = day(rng, y + 1, 2);
                step(
                    &mut p,
                    ReserveState::Held,
                    held,
                    title(mode, county, y + 1, i + 1),
                    as_of,
                );
                step(
                    &mut p,
                    ReserveState::Custody,
                    day(rng, y + 1, 4),
                    ev(),
                    as_of,
                );
                let (src, bond) = fund(y + 1);
                p.costs.push(cost(
                    CostKind::Compensation,
                    src,
                    compensation,
                    y + 1,
                    as_of,
                    bond,
                ));
                p.costs.push(cost(
                    CostKind::Custody,
                    FundSource::Other,
                    2 * ha_whole,
                    y + 2,
                    as_of,
                    None,
                ));
                p.obstacles.push(Obstacle {
                    kind: ObstacleKind::Demolition,
                    description: "地上建筑物未拆除".into(),
                    responsible: format!("{town}人民政府 张某"),
                    // The first `late` parcel's is due in March of Y+1 and still stands on the
                    // record day (overdue); the others are due in December.
                    due: YearMonth::new(y + 1, if first_late { 3 } else { 12 }).expect("a month"),
                    cleared: None,
                });
            }
            Script::Future => {
                step(&mut p, ReserveState::Held, day(rng, y + 2, 3), ev(), as_of);
                let (src, bond) = fund(y + 2);
                p.costs.push(cost(
                    CostKind::Compensation,
                    src,
                    compensation,
                    y + 2,
                    as_of,
                    bond,
                ));
            }
            Script::Kept => {
                let custody = day(rng, y - 1, 2);
                step(&mut p, ReserveState::Custody, custody, ev(), as_of);
                let e = Evidence {
                    note: Some("规划调整，退出储备".into()),
                    ..Evidence::default()
                };
                step(&mut p, ReserveState::Exited, day(rng, y + 1, 1), e, as_of);
                p.costs.push(cost(
                    CostKind::Custody,
                    FundSource::Other,
                    3 * ha_whole,
                    y,
                    as_of,
                    None,
                ));
            }
            Script::Unready => {
                step(&mut p, ReserveState::Preparing, day(rng, y, 2), ev(), as_of);
                let supply = day(rng, y + 1, 3);
                ready(&mut p, supply, Some(ReadinessItem::Water), county);
                step(&mut p, ReserveState::Supplied, supply, ev(), as_of);
                p.costs.push(cost(
                    CostKind::Preparation,
                    FundSource::LandFund,
                    25 * ha_whole,
                    y + 1,
                    as_of,
                    None,
                ));
                p.obstacles.push(Obstacle {
                    kind: ObstacleKind::Other,
                    description: "供水管网未接入".into(),
                    responsible: format!("{county}水务局 李某"),
                    due: YearMonth::new(y + 1, 9).expect("a month"),
                    cleared: None,
                });
            }
            Script::Abandoned => {
                let e = Evidence {
                    note: Some("权属争议未解决，放弃收储".into()),
                    ..Evidence::default()
                };
                step(&mut p, ReserveState::Exited, day(rng, y, 2), e, as_of);
                p.obstacles.push(Obstacle {
                    kind: ObstacleKind::Expropriation,
                    description: "征收补偿协议未签订".into(),
                    responsible: format!("{town}人民政府 王某"),
                    due: YearMonth::new(y, 4).expect("a month"),
                    cleared: Some(Date::new(y, 4, 20).expect("a valid day")),
                });
            }
        }
        p
    }
}

// ---- the workbook ---------------------------------------------------------------------------

/// The four sheets of a reserve workbook, as [`crate::reserve::read_reserve`] reads them: each
/// sheet's name (a worksheet's, or a CSV file's stem) and header.
pub const SHEETS: [(&str, &[&str]); 4] = [
    (
        "储备地块",
        &[
            "储备地块编号",
            "项目名称",
            "坐落",
            "面积（公顷）",
            "用途",
            "乡镇",
            "新增/存量",
            "收储方式",
            "当前状态",
            "拟收储日期",
            "入库日期",
            "前期开发日期",
            "临时管护日期",
            "供应日期",
            "退出日期",
            "权属文件",
            "查封抵押担保已解除",
            "计划入库年份",
            "计划供应年份（季度）",
        ],
    ),
    (
        "成本",
        &[
            "编号",
            "费用类别",
            "资金来源",
            "金额（万元）",
            "年度",
            "支付日期",
            "债券项目",
        ],
    ),
    ("净地", &["编号", "项目", "完成日期", "依据"]),
    (
        "障碍",
        &[
            "编号",
            "类别",
            "说明",
            "责任人",
            "计划完成（季度/月）",
            "解除日期",
        ],
    ),
];

/// What to generate as a workbook: one county's `parcels` parcels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReserveGenOptions {
    /// The random seed (the same seed gives the same workbook).
    pub seed: u64,
    /// The county's name, in 坐落, 项目名称, evidence and bond ids.
    pub county: String,
    /// The first year Y (the record stands on 30 June of Y+1).
    pub first_year: i32,
    /// How many parcels.
    pub parcels: usize,
}

impl ReserveGenOptions {
    /// The parcels, one at a time.
    pub fn parcels(&self) -> Parcels {
        parcels(self.seed, &self.county, self.first_year, self.parcels)
    }
}

/// A planned year with its quarter as the ledger writes it: `2027`, `2027年第二季度`.
fn planned_text(s: &PlannedStep) -> String {
    const Q: [&str; 4] = ["一", "二", "三", "四"];
    match s.quarter {
        Some(q @ 1..=4) => format!("{}年第{}季度", s.year, Q[usize::from(q - 1)]),
        _ => s.year.to_string(),
    }
}

fn date_text(d: Option<Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// One parcel's rows of sheet `sheet` (an index into [`SHEETS`]), in its header's order.
///
/// The workbook keeps what its columns can hold: every step taken (one date per state), the
/// evidence of the 入库 step (or of the first step, for a parcel registered already held), a
/// planned 入库 and a planned 供应; other planned steps (前期开发, 临时管护, 退出) and the
/// evidence of other steps have no column and are left out.
pub fn sheet_rows(p: &ReserveParcel, sheet: usize) -> Vec<Vec<String>> {
    let id = p.parcel.id.clone();
    match sheet {
        0 => {
            let first_held = p.steps.first().filter(|s| s.to.is_held());
            let evidence = p
                .steps
                .iter()
                .find(|s| s.to == ReserveState::Held)
                .or(first_held)
                .map(|s| &s.evidence);
            let date_of = |to: ReserveState| p.steps.iter().find(|s| s.to == to).map(|s| s.date);
            let planned = |to: ReserveState| {
                p.planned
                    .iter()
                    .find(|s| s.to == to)
                    .map(planned_text)
                    .unwrap_or_default()
            };
            let mut row = vec![
                id,
                p.project.clone().unwrap_or_default(),
                p.parcel.location.clone().unwrap_or_default(),
                p.parcel.area().ha().normalize().to_string(),
                p.parcel.class_text.clone(),
                p.parcel.township.clone().unwrap_or_default(),
                p.parcel
                    .source
                    .map(|s| s.label().to_string())
                    .unwrap_or_default(),
                evidence
                    .and_then(|e| e.acquisition)
                    .map(|m| m.label().to_string())
                    .unwrap_or_default(),
                p.state().label().to_string(),
            ];
            row.extend(ReserveState::ALL.iter().map(|s| date_text(date_of(*s))));
            row.push(evidence.map(|e| e.documents.join("；")).unwrap_or_default());
            row.push(match evidence {
                Some(e) if e.encumbrances_cleared => "是".into(),
                Some(_) => "否".into(),
                None => String::new(),
            });
            row.push(planned(ReserveState::Held));
            row.push(planned(ReserveState::Supplied));
            vec![row]
        }
        1 => p
            .costs
            .iter()
            .map(|c| {
                vec![
                    id.clone(),
                    c.kind.label().to_string(),
                    c.source.label().to_string(),
                    c.amount.in_unit(MoneyUnit::WanYuan).normalize().to_string(),
                    c.year.to_string(),
                    date_text(c.paid),
                    c.bond.clone().unwrap_or_default(),
                ]
            })
            .collect(),
        2 => p
            .readiness
            .iter()
            .map(|r| {
                vec![
                    id.clone(),
                    r.item.label().to_string(),
                    date_text(r.done),
                    r.evidence.clone().unwrap_or_default(),
                ]
            })
            .collect(),
        3 => p
            .obstacles
            .iter()
            .map(|o| {
                vec![
                    id.clone(),
                    o.kind.label().to_string(),
                    o.description.clone(),
                    o.responsible.clone(),
                    format!("{}年{}月", o.due.year, o.due.month),
                    date_text(o.cleared),
                ]
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Write sheet `sheet` of the generated workbook as CSV (UTF-8 with a byte-order mark, as
/// Excel saves it); returns the number of rows below the header.
pub fn write_sheet_csv<W: std::io::Write>(
    w: W,
    opts: &ReserveGenOptions,
    sheet: usize,
) -> std::io::Result<usize> {
    let mut w = w;
    w.write_all("\u{feff}".as_bytes())?;
    let mut csv = csv::Writer::from_writer(w);
    csv.write_record(SHEETS[sheet].1)?;
    let mut n = 0;
    for p in opts.parcels() {
        for row in sheet_rows(&p, sheet) {
            csv.write_record(&row)?;
            n += 1;
        }
    }
    csv.flush()?;
    Ok(n)
}

/// The generated workbook could not be written.
#[derive(Debug, thiserror::Error)]
#[error("无法写出储备台账工作簿：{0}")]
pub struct WorkbookError(#[from] rust_xlsxwriter::XlsxError);

/// The generated workbook as XLSX bytes: the four sheets, named as in [`SHEETS`], every cell
/// text (as a reserve centre's workbook typed by hand often is). Each worksheet is written in
/// rust_xlsxwriter's constant-memory mode (its rows go to a temporary file as they are written),
/// so memory stays flat with the number of parcels.
pub fn workbook_xlsx(opts: &ReserveGenOptions) -> Result<Vec<u8>, WorkbookError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    for (sheet, (name, header)) in SHEETS.iter().enumerate() {
        let ws = book.add_worksheet_with_constant_memory()?;
        ws.set_name(*name)?;
        for (c, h) in header.iter().enumerate() {
            ws.write_string(0, c as u16, *h)?;
        }
        let mut r: u32 = 1;
        for p in opts.parcels() {
            for row in sheet_rows(&p, sheet) {
                for (c, v) in row.iter().enumerate() {
                    if !v.is_empty() {
                        ws.write_string(r, c as u16, v)?;
                    }
                }
                r += 1;
            }
        }
    }
    Ok(book.save_to_buffer()?)
}
