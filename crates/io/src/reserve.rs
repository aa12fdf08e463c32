//! Reserve workbooks (土地储备台账): the sheets a reserve centre keeps, read through the one
//! [`tabular`](crate::tabular) reader into [`ReserveParcel`]s.
//!
//! A workbook (XLSX/XLS) has up to four sheets; as CSV each sheet is its own file. Which sheet
//! is which is told by its name (储备地块/地块, 成本/费用, 净地/供应条件, 障碍), else by its
//! header (the first schema whose required columns it has):
//!
//! - **储备地块** (one row per parcel): 储备地块编号, 项目名称, 坐落, 面积 (公顷, 亩 or
//!   平方米), 用途, 乡镇, 新增/存量, 收储方式, 当前状态, the dates of 拟收储 / 入库 /
//!   前期开发 / 临时管护 / 供应 / 退出, 权属文件 (several separated by ；、,), 查封抵押担保已解除
//!   (是/否), 计划入库年份, 计划供应年份(季度) (2027, 2027年第二季度, 2027Q2). Required: 编号,
//!   面积, 用途.
//! - **成本**: 编号, 费用类别 ([`CostKind`]), 资金来源 ([`FundSource`]), 金额（万元; 元 or 亿元
//!   when the header says so), 年度 (else the year of 支付日期), 支付日期, 债券项目.
//! - **净地**: 编号, 项目 ([`ReadinessItem`]), 完成日期 (empty: not done), 依据.
//! - **障碍**: 编号, 类别 ([`ObstacleKind`]), 说明, 责任人, 计划完成（季度/月）(2026年5月,
//!   2026年第二季度), 解除日期.
//!
//! A parcel's dated states become its steps, taken **in date order** through
//! [`ReserveParcel::apply`] after its 净地 items are attached (已供应 needs them); the
//! evidence columns (收储方式, 权属文件, 查封抵押担保已解除) go with its 入库 step. A refused step
//! is an error finding at the row and the column of its date, with the
//! [`StepError`](landplan_core::reserve::StepError) text; the parcel keeps the steps before it.
//! Rows of 成本/净地/障碍 naming no parcel of the 储备地块 sheet are error findings. Reading
//! never fails on content: everything wrong is a finding with its file (and sheet), row and
//! column.

use crate::ledger::RULE_ROW_REJECTED;
use crate::tabular::cell::{class_reason, resolve_class, Cache, ClassProblem};
use crate::tabular::{
    open_table, read_all, BadRows, FieldKey, FieldSpec, Row, Schema, TableError, TableOptions,
    UnitKind,
};
use landplan_core::reserve::{
    AcquisitionMode, Cost, CostKind, Evidence, FundSource, Obstacle, ObstacleKind, PlannedStep,
    ReadinessItem, ReadinessRecord, ReserveParcel, ReserveState, Step, YearMonth,
};
use landplan_core::{Date, Finding, LandSource, Parcel, Place, ResolvedClass, Severity};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A step refused by [`ReserveParcel::apply`] (out of order, 入库 without evidence, 供应
/// before 净地): at the row and the column of its date.
pub const RULE_STEP_REFUSED: &str = "ledger.reserve_step_refused";
/// A row of 成本/净地/障碍 naming no parcel of the 储备地块 sheet.
pub const RULE_UNKNOWN_PARCEL: &str = "ledger.reserve_unknown_parcel";
/// A parcel without any dated state (it cannot be registered), or a 储备地块编号 listed twice.
pub const RULE_PARCEL: &str = "ledger.reserve_parcel";
/// The 当前状态 column disagrees with the state the dates lead to.
pub const RULE_STATE_MISMATCH: &str = "ledger.reserve_state_mismatch";
/// A file or sheet that could not be read or recognised.
pub const RULE_SHEET: &str = "ledger.reserve_sheet";

/// What [`read_reserve`] read.
#[derive(Debug, Clone, Default)]
pub struct ReserveRead {
    /// The parcels, in the order of the 储备地块 sheet(s).
    pub parcels: Vec<ReserveParcel>,
    /// Everything wrong or worth saying, with file (and sheet), row and column.
    pub findings: Vec<Finding>,
}

impl ReserveRead {
    /// Whether any finding is an error (an import refuses the workbook then).
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

/// Options of [`read_reserve`].
#[derive(Debug, Clone, Default)]
pub struct ReserveOptions {
    /// How bare 地类编码 are read, and how files are named in findings (`file_label` is
    /// ignored: each file and sheet is named by itself).
    pub table: TableOptions,
}

/// The four sheets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Parcels,
    Costs,
    Readiness,
    Obstacles,
}

impl Kind {
    const ALL: [Kind; 4] = [Kind::Parcels, Kind::Costs, Kind::Readiness, Kind::Obstacles];

    /// The sheet a name (of a worksheet or a file) says it is.
    fn by_name(name: &str) -> Option<Kind> {
        let n = landplan_core::text::normalize(name);
        Some(match n.as_str() {
            _ if n.contains("成本") || n.contains("费用") || n.contains("资金") => {
                Kind::Costs
            }
            _ if n.contains("净地") || n.contains("供应条件") => Kind::Readiness,
            _ if n.contains("障碍") => Kind::Obstacles,
            _ if n.contains("储备") || n.contains("地块") => Kind::Parcels,
            _ => return None,
        })
    }
}

// ---- 储备地块 -------------------------------------------------------------------------

/// The columns of the 储备地块 sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum ParcelField {
    Id,
    Project,
    Location,
    Area,
    Class,
    Township,
    Source,
    Mode,
    Current,
    Proposed,
    Held,
    Preparing,
    Custody,
    Supplied,
    Exited,
    Documents,
    Cleared,
    PlannedHeld,
    PlannedSupply,
}

impl FieldKey for ParcelField {
    fn index(self) -> usize {
        self as usize
    }
}

use ParcelField as P;

const PARCEL_FIELDS: &[FieldSpec<ParcelField>] = &[
    FieldSpec::new(
        P::Id,
        &["储备地块编号", "地块编号", "储备编号", "编号", "宗地编号"],
    )
    .required("储备地块编号"),
    FieldSpec::new(P::Project, &["项目名称", "项目", "地块名称"]),
    FieldSpec::new(
        P::Location,
        &["坐落", "土地坐落", "地块坐落", "位置", "地块位置"],
    ),
    FieldSpec::new(
        P::Area,
        &["面积", "储备面积", "地块面积", "土地面积", "用地面积"],
    )
    .required("面积")
    .unit(UnitKind::Area),
    FieldSpec::new(
        P::Class,
        &["用途", "土地用途", "规划用途", "地类", "地类编码"],
    )
    .required("用途"),
    FieldSpec::new(P::Township, &["乡镇", "所在乡镇", "乡镇（街道）", "街道"]),
    FieldSpec::new(
        P::Source,
        &["新增/存量", "新增或存量", "土地来源", "用地来源"],
    ),
    FieldSpec::new(P::Mode, &["收储方式", "储备方式", "取得方式"]),
    FieldSpec::new(P::Current, &["当前状态", "状态", "储备状态"]),
    FieldSpec::new(P::Proposed, &["拟收储日期", "拟收储时间", "列入拟收储日期"]),
    FieldSpec::new(P::Held, &["入库日期", "入库时间", "纳入储备日期"]),
    FieldSpec::new(
        P::Preparing,
        &["前期开发日期", "前期开发时间", "前期开发开始日期"],
    ),
    FieldSpec::new(P::Custody, &["临时管护日期", "临时管护时间", "管护日期"]),
    FieldSpec::new(P::Supplied, &["供应日期", "供应时间", "供地日期"]),
    FieldSpec::new(P::Exited, &["退出日期", "退出时间", "核减日期"]),
    FieldSpec::new(
        P::Documents,
        &["权属文件", "权属证明", "权属证书", "收储文件", "权属材料"],
    ),
    FieldSpec::new(
        P::Cleared,
        &[
            "查封抵押担保已解除",
            "查封、抵押、担保已解除",
            "查封抵押担保解除",
            "无查封抵押担保",
        ],
    ),
    FieldSpec::new(
        P::PlannedHeld,
        &["计划入库年份", "计划入库年度", "计划入库时间"],
    ),
    FieldSpec::new(
        P::PlannedSupply,
        &[
            "计划供应年份",
            "计划供应年份（季度）",
            "计划供应时间",
            "计划供应年度",
        ],
    ),
];

/// The date columns and the states they record, in life order.
const DATED: [(ParcelField, ReserveState); 6] = [
    (P::Proposed, ReserveState::Proposed),
    (P::Held, ReserveState::Held),
    (P::Preparing, ReserveState::Preparing),
    (P::Custody, ReserveState::Custody),
    (P::Supplied, ReserveState::Supplied),
    (P::Exited, ReserveState::Exited),
];

/// One row of the 储备地块 sheet, before its steps are taken.
#[derive(Debug, Clone)]
pub struct ParcelRow {
    parcel: Parcel,
    project: Option<String>,
    /// (state, day, header of its column).
    dated: Vec<(ReserveState, Date, String)>,
    evidence: Evidence,
    /// (state, header, cell text).
    current: Option<(ReserveState, String, String)>,
    planned: Vec<PlannedStep>,
}

/// The 储备地块 schema.
pub struct ParcelSheet {
    scheme: landplan_core::Scheme,
    class_cache: Cache<Result<ResolvedClass, ClassProblem>>,
}

/// 是/否 and their spellings.
fn yes_no(t: &str) -> Option<bool> {
    let t = landplan_core::text::normalize(t);
    let t = t.trim().to_lowercase();
    match t.as_str() {
        "是" | "已解除" | "解除" | "√" | "✓" | "y" | "yes" | "true" | "1" | "已" | "无" => {
            Some(true)
        }
        "否" | "未解除" | "×" | "✗" | "n" | "no" | "false" | "0" | "未" | "有" => {
            Some(false)
        }
        _ => None,
    }
}

/// A 计划…年份(季度) cell: (year, quarter).
fn year_quarter(t: &str) -> Option<(i32, Option<u8>)> {
    if t.contains('季') || t.contains('Q') || t.contains('q') {
        let ym = YearMonth::parse(t)?;
        return Some((ym.year, Some(ym.quarter())));
    }
    let digits: String = t.chars().take_while(|c| c.is_ascii_digit()).collect();
    let year: i32 = digits.parse().ok()?;
    (1900..=2200).contains(&year).then_some((year, None))
}

impl Schema for ParcelSheet {
    type Field = ParcelField;
    type Record = ParcelRow;
    const FIELDS: &'static [FieldSpec<ParcelField>] = PARCEL_FIELDS;
    const KEYS: &'static [ParcelField] = &[P::Id];
    const NEEDS: &'static str = "储备地块表须有储备地块编号、面积（公顷、亩或平方米）和用途三类列";
    const RULE: &'static str = RULE_ROW_REJECTED;

    fn build(&mut self, row: &mut Row<'_, ParcelField>) -> Option<ParcelRow> {
        let id = row.required_text(P::Id, "缺少储备地块编号");
        let area = row.area(P::Area, "面积", true);
        let class = match row.cell(P::Class) {
            Some(c) if c.text.is_empty() => {
                row.reject(c, "缺少用途".into());
                None
            }
            Some(c) => {
                let scheme = self.scheme;
                match self.class_cache.get(c.text, |k| resolve_class(k, scheme)) {
                    Ok(r) => Some((r, c.text.to_string())),
                    Err(p) => {
                        row.reject(c, class_reason("用途", c.text, p));
                        None
                    }
                }
            }
            None => None,
        };
        let source = row.parsed(row.optional(P::Source), LandSource::parse, |t| {
            format!("新增/存量“{t}”无法识别，应为“新增”或“存量”")
        });
        let mut evidence = Evidence::default();
        if let Some(c) = row.optional(P::Mode) {
            match AcquisitionMode::parse(c.text) {
                Some(m) => evidence.acquisition = Some(m),
                None => row.reject(
                    c,
                    format!(
                        "收储方式“{}”无法识别，应为收回、收购、优先购买、征收或其他",
                        c.text
                    ),
                ),
            }
        }
        if let Some(t) = row.text(P::Documents) {
            evidence.documents = t
                .split(['；', ';', '、', ',', '，', '\n'])
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
        }
        if let Some(c) = row.optional(P::Cleared) {
            match yes_no(c.text) {
                Some(b) => evidence.encumbrances_cleared = b,
                None => row.reject(c, format!("“{}”应为“是”或“否”", c.text)),
            }
        }
        let current = match row.optional(P::Current) {
            Some(c) => match ReserveState::parse(c.text) {
                Some(s) => Some((s, c.column.header.clone(), c.text.to_string())),
                None => {
                    row.reject(
                        c,
                        format!(
                            "状态“{}”无法识别，应为拟收储、入库、前期开发、临时管护、已供应或退出",
                            c.text
                        ),
                    );
                    None
                }
            },
            None => None,
        };
        let mut dated = Vec::new();
        for (field, state) in DATED {
            let what = format!("{}日期", state.label());
            if let Some(d) = row.date(field, &what) {
                let header = row
                    .cell(field)
                    .map(|c| c.column.header.clone())
                    .unwrap_or_default();
                dated.push((state, d, header));
            }
        }
        let mut planned = Vec::new();
        if let Some(c) = row.optional(P::PlannedHeld) {
            match year_quarter(c.text) {
                Some((year, quarter)) => planned.push(PlannedStep {
                    to: ReserveState::Held,
                    year,
                    quarter,
                }),
                None => row.reject(c, format!("计划入库年份“{}”无法识别", c.text)),
            }
        }
        if let Some(c) = row.optional(P::PlannedSupply) {
            match year_quarter(c.text) {
                Some((year, quarter)) => planned.push(PlannedStep {
                    to: ReserveState::Supplied,
                    year,
                    quarter,
                }),
                None => row.reject(
                    c,
                    format!(
                        "计划供应时间“{}”无法识别，应写作如“2027”或“2027年第二季度”",
                        c.text
                    ),
                ),
            }
        }
        let (Some(id), Some(area), Some((class, class_text))) = (id, area, class) else {
            return None;
        };
        if row.is_rejected() {
            return None;
        }
        Some(ParcelRow {
            parcel: Parcel {
                location: row.text(P::Location),
                township: row.text(P::Township),
                source,
                ..Parcel::new(id, area, class_text, class).at_row(row.number())
            },
            project: row.text(P::Project),
            dated,
            evidence,
            current,
            planned,
        })
    }
}

// ---- 成本 -----------------------------------------------------------------------------

/// The columns of the 成本 sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum CostField {
    Id,
    Kind,
    Source,
    Amount,
    Year,
    Paid,
    Bond,
}

impl FieldKey for CostField {
    fn index(self) -> usize {
        self as usize
    }
}

const COST_FIELDS: &[FieldSpec<CostField>] = &[
    FieldSpec::new(
        CostField::Id,
        &["编号", "储备地块编号", "地块编号", "储备编号"],
    )
    .required("编号"),
    FieldSpec::new(
        CostField::Kind,
        &["费用类别", "费用类型", "成本类别", "支出类别"],
    )
    .required("费用类别"),
    FieldSpec::new(CostField::Source, &["资金来源", "资金渠道", "来源"]),
    FieldSpec::new(CostField::Amount, &["金额", "费用金额", "支出金额", "成本"])
        .required("金额")
        .unit(UnitKind::Money),
    FieldSpec::new(CostField::Year, &["年度", "年份", "支出年度"]),
    FieldSpec::new(CostField::Paid, &["支付日期", "支付时间", "拨付日期"]),
    FieldSpec::new(
        CostField::Bond,
        &["债券项目", "专项债券项目", "债券项目编号", "债券编号"],
    ),
];

/// The 成本 schema: rows → (编号, cost).
pub struct CostSheet;

impl Schema for CostSheet {
    type Field = CostField;
    type Record = (String, Cost, usize, String);
    const FIELDS: &'static [FieldSpec<CostField>] = COST_FIELDS;
    const KEYS: &'static [CostField] = &[CostField::Id];
    const NEEDS: &'static str = "成本表须有编号、费用类别和金额三类列";
    const RULE: &'static str = RULE_ROW_REJECTED;

    fn build(&mut self, row: &mut Row<'_, CostField>) -> Option<Self::Record> {
        let id = row.required_text(CostField::Id, "缺少储备地块编号");
        let kind = row.parsed(row.cell(CostField::Kind), CostKind::parse, |t| {
            format!("费用类别“{t}”无法识别，应为征收收购补偿、拆除清理、前期开发、管护、利息或其他")
        });
        let source = match row.optional(CostField::Source) {
            Some(c) => match FundSource::parse(c.text) {
                Some(s) => Some(s),
                None => {
                    row.reject(
                        c,
                        format!(
                            "资金来源“{}”无法识别，应为出让收入、国有土地收益基金、专项债券或其他",
                            c.text
                        ),
                    );
                    None
                }
            },
            None => Some(FundSource::Other),
        };
        let amount = match row.money(CostField::Amount, "金额") {
            Some(m) => Some(m),
            None => {
                if !row.is_rejected() {
                    if let Some(c) = row.cell(CostField::Amount) {
                        row.reject(c, "缺少金额".into());
                    }
                }
                None
            }
        };
        let paid = row.date(CostField::Paid, "支付日期");
        let year = match row.optional(CostField::Year) {
            Some(c) => match year_quarter(c.text) {
                Some((y, _)) => Some(y),
                None => {
                    row.reject(c, format!("年度“{}”无法识别", c.text));
                    None
                }
            },
            None => paid.map(|d| d.year()),
        };
        let bond = row.text(CostField::Bond);
        let header = row
            .cell(CostField::Id)
            .map(|c| c.column.header.clone())
            .unwrap_or_default();
        let (Some(id), Some(kind), Some(source), Some(amount)) = (id, kind, source, amount) else {
            return None;
        };
        let Some(year) = year else {
            row.reject_row("缺少年度（或支付日期）");
            return None;
        };
        if row.is_rejected() {
            return None;
        }
        Some((
            id,
            Cost {
                kind,
                source,
                amount,
                year,
                paid,
                bond,
            },
            row.number(),
            header,
        ))
    }
}

// ---- 净地 -----------------------------------------------------------------------------

/// The columns of the 净地 sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum ReadyField {
    Id,
    Item,
    Done,
    Evidence,
}

impl FieldKey for ReadyField {
    fn index(self) -> usize {
        self as usize
    }
}

const READY_FIELDS: &[FieldSpec<ReadyField>] = &[
    FieldSpec::new(
        ReadyField::Id,
        &["编号", "储备地块编号", "地块编号", "储备编号"],
    )
    .required("编号"),
    FieldSpec::new(
        ReadyField::Item,
        &["项目", "净地项目", "条件", "净地条件", "检查项"],
    )
    .required("项目"),
    FieldSpec::new(ReadyField::Done, &["完成日期", "完成时间", "达到日期"]).required("完成日期"),
    FieldSpec::new(
        ReadyField::Evidence,
        &["依据", "证明材料", "佐证材料", "备注"],
    ),
];

/// The 净地 schema: rows → (编号, record).
pub struct ReadySheet;

impl Schema for ReadySheet {
    type Field = ReadyField;
    type Record = (String, ReadinessRecord, usize, String);
    const FIELDS: &'static [FieldSpec<ReadyField>] = READY_FIELDS;
    const KEYS: &'static [ReadyField] = &[ReadyField::Id];
    const NEEDS: &'static str = "净地表须有编号、项目和完成日期三类列";
    const RULE: &'static str = RULE_ROW_REJECTED;

    fn build(&mut self, row: &mut Row<'_, ReadyField>) -> Option<Self::Record> {
        let id = row.required_text(ReadyField::Id, "缺少储备地块编号");
        let item = row.parsed(row.cell(ReadyField::Item), ReadinessItem::parse, |t| format!("净地项目“{t}”无法识别，应为土地权利清晰、安置补偿落实到位、无法律经济纠纷、规划条件明确、通路、通水、通电或场地平整"));
        let done = row.date(ReadyField::Done, "完成日期");
        let evidence = row.text(ReadyField::Evidence);
        let header = row
            .cell(ReadyField::Id)
            .map(|c| c.column.header.clone())
            .unwrap_or_default();
        let (Some(id), Some(item)) = (id, item) else {
            return None;
        };
        if row.is_rejected() {
            return None;
        }
        Some((
            id,
            ReadinessRecord {
                item,
                done,
                evidence,
            },
            row.number(),
            header,
        ))
    }
}

// ---- 障碍 -----------------------------------------------------------------------------

/// The columns of the 障碍 sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum ObstacleField {
    Id,
    Kind,
    Description,
    Responsible,
    Due,
    Cleared,
}

impl FieldKey for ObstacleField {
    fn index(self) -> usize {
        self as usize
    }
}

const OBSTACLE_FIELDS: &[FieldSpec<ObstacleField>] = &[
    FieldSpec::new(
        ObstacleField::Id,
        &["编号", "储备地块编号", "地块编号", "储备编号"],
    )
    .required("编号"),
    FieldSpec::new(
        ObstacleField::Kind,
        &["类别", "障碍类别", "障碍类型", "类型"],
    )
    .required("类别"),
    FieldSpec::new(
        ObstacleField::Description,
        &["说明", "障碍说明", "具体情况", "问题描述"],
    ),
    FieldSpec::new(
        ObstacleField::Responsible,
        &["责任人", "责任单位", "责任单位及责任人"],
    ),
    FieldSpec::new(
        ObstacleField::Due,
        &["计划完成", "计划完成时间", "计划解除时间", "完成时限"],
    )
    .required("计划完成（季度/月）"),
    FieldSpec::new(
        ObstacleField::Cleared,
        &["解除日期", "实际解除日期", "完成日期"],
    ),
];

/// The 障碍 schema: rows → (编号, obstacle).
pub struct ObstacleSheet;

impl Schema for ObstacleSheet {
    type Field = ObstacleField;
    type Record = (String, Obstacle, usize, String);
    const FIELDS: &'static [FieldSpec<ObstacleField>] = OBSTACLE_FIELDS;
    const KEYS: &'static [ObstacleField] = &[ObstacleField::Id];
    const NEEDS: &'static str = "障碍表须有编号、类别和计划完成（季度/月）三类列";
    const RULE: &'static str = RULE_ROW_REJECTED;

    fn build(&mut self, row: &mut Row<'_, ObstacleField>) -> Option<Self::Record> {
        let id = row.required_text(ObstacleField::Id, "缺少储备地块编号");
        let kind = row.parsed(row.cell(ObstacleField::Kind), ObstacleKind::parse, |t| {
            format!("障碍类别“{t}”无法识别，应为征收、拆迁、文物、环保或其他")
        });
        let due = row.parsed(row.cell(ObstacleField::Due), YearMonth::parse, |t| {
            format!("计划完成时间“{t}”无法识别，应写作如“2026年5月”或“2026年第二季度”")
        });
        let cleared = row.date(ObstacleField::Cleared, "解除日期");
        let header = row
            .cell(ObstacleField::Id)
            .map(|c| c.column.header.clone())
            .unwrap_or_default();
        let (Some(id), Some(kind), Some(due)) = (id, kind, due) else {
            return None;
        };
        if row.is_rejected() {
            return None;
        }
        Some((
            id,
            Obstacle {
                kind,
                description: row.text(ObstacleField::Description).unwrap_or_default(),
                responsible: row.text(ObstacleField::Responsible).unwrap_or_default(),
                due,
                cleared,
            },
            row.number(),
            header,
        ))
    }
}

// ---- the workbook -----------------------------------------------------------------------

/// What the sheets held, before the parcels are assembled. Each attached row carries its
/// (file label, row, 编号 header) for findings.
#[derive(Default)]
struct Sheets {
    parcels: Vec<(String, ParcelRow)>,
    costs: Vec<(String, String, Cost, usize, String)>,
    readiness: Vec<(String, String, ReadinessRecord, usize, String)>,
    obstacles: Vec<(String, String, Obstacle, usize, String)>,
    findings: Vec<Finding>,
}

fn file_finding(rule: &'static str, severity: Severity, file: &str, message: String) -> Finding {
    let place = landplan_core::Place {
        file: Some(file.to_string()),
        ..Default::default()
    };
    Finding::new(rule, severity, message).at(place)
}

/// Read one table of `kind` (its sheet named, or a CSV), into `out`. Err: it lacks the
/// kind's columns (the error, for the caller to report or to try another kind).
fn read_kind(
    path: &Path,
    sheet: Option<&str>,
    label: &str,
    kind: Kind,
    opts: &ReserveOptions,
    out: &mut Sheets,
) -> Result<(), TableError> {
    let topts = TableOptions {
        code_scheme: opts.table.code_scheme,
        file_label: Some(label.to_string()),
        sheet: sheet.map(str::to_string),
    };
    let skipped = match kind {
        Kind::Parcels => {
            let schema = ParcelSheet {
                scheme: opts.table.code_scheme,
                class_cache: Cache::new(),
            };
            let mut r = open_table(path, &topts, schema)?;
            let mut rows = Vec::new();
            let f = read_all(&mut r, BadRows::Skip, &mut |_, _| {}, |p| rows.push(p));
            out.parcels
                .extend(rows.into_iter().map(|p| (label.to_string(), p)));
            f
        }
        Kind::Costs => {
            let mut r = open_table(path, &topts, CostSheet)?;
            let mut rows = Vec::new();
            let f = read_all(&mut r, BadRows::Skip, &mut |_, _| {}, |p| rows.push(p));
            out.costs.extend(
                rows.into_iter()
                    .map(|(id, c, row, h)| (label.to_string(), id, c, row, h)),
            );
            f
        }
        Kind::Readiness => {
            let mut r = open_table(path, &topts, ReadySheet)?;
            let mut rows = Vec::new();
            let f = read_all(&mut r, BadRows::Skip, &mut |_, _| {}, |p| rows.push(p));
            out.readiness.extend(
                rows.into_iter()
                    .map(|(id, c, row, h)| (label.to_string(), id, c, row, h)),
            );
            f
        }
        Kind::Obstacles => {
            let mut r = open_table(path, &topts, ObstacleSheet)?;
            let mut rows = Vec::new();
            let f = read_all(&mut r, BadRows::Skip, &mut |_, _| {}, |p| rows.push(p));
            out.obstacles.extend(
                rows.into_iter()
                    .map(|(id, c, row, h)| (label.to_string(), id, c, row, h)),
            );
            f
        }
    };
    match skipped {
        Ok(f) | Err(f) => out.findings.extend(f),
    }
    Ok(())
}

/// Read one table whose kind its name gives, or else the first kind whose columns it has.
fn read_table(
    path: &Path,
    sheet: Option<&str>,
    label: &str,
    name: &str,
    opts: &ReserveOptions,
    out: &mut Sheets,
) {
    if let Some(kind) = Kind::by_name(name) {
        if let Err(e) = read_kind(path, sheet, label, kind, opts, out) {
            out.findings.push(file_finding(
                RULE_SHEET,
                Severity::Error,
                label,
                e.to_string(),
            ));
        }
        return;
    }
    let mut first_error = None;
    for kind in Kind::ALL {
        match read_kind(path, sheet, label, kind, opts, out) {
            Ok(()) => return,
            Err(e @ TableError::MissingColumns { .. }) => {
                first_error.get_or_insert(e);
            }
            Err(e) => {
                out.findings.push(file_finding(
                    RULE_SHEET,
                    Severity::Error,
                    label,
                    e.to_string(),
                ));
                return;
            }
        }
    }
    let message = match (sheet, first_error) {
        (Some(s), _) => {
            format!("工作表“{s}”不是储备地块、成本、净地或障碍表，未读取（表名或表头均无法识别）")
        }
        (None, Some(e)) => format!("{e}（储备台账的文件应为储备地块、成本、净地或障碍表之一）"),
        (None, None) => "无法识别的储备台账文件".to_string(),
    };
    let severity = if sheet.is_some() {
        Severity::Warning
    } else {
        Severity::Error
    };
    out.findings
        .push(file_finding(RULE_SHEET, severity, label, message));
}

/// Whether a path is a workbook (by its extension).
fn is_workbook(path: &Path) -> bool {
    matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("xlsx" | "xlsm" | "xls" | "xlsb" | "ods")
    )
}

/// Read a reserve centre's workbook (XLSX/XLS) or CSV files (see the module documentation).
/// Never fails on content: files that cannot be opened, sheets that cannot be recognised,
/// rows that cannot be read and steps refused are findings.
pub fn read_reserve<P: AsRef<Path>>(paths: &[P], opts: &ReserveOptions) -> ReserveRead {
    let mut sheets = Sheets::default();
    for path in paths {
        let path = path.as_ref();
        let file = path.display().to_string();
        if is_workbook(path) {
            let names = match calamine::open_workbook_auto(path) {
                Ok(wb) => {
                    use calamine::Reader;
                    wb.sheet_names().to_vec()
                }
                Err(e) => {
                    sheets.findings.push(file_finding(
                        RULE_SHEET,
                        Severity::Error,
                        &file,
                        format!("无法打开工作簿：{e}"),
                    ));
                    continue;
                }
            };
            for name in names {
                let label = format!("{file}（工作表“{name}”）");
                read_table(path, Some(&name), &label, &name, opts, &mut sheets);
            }
        } else {
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default();
            read_table(path, None, &file, &name, opts, &mut sheets);
        }
    }
    assemble(sheets)
}

/// [`read_reserve`] of one file.
pub fn read_reserve_file(path: &Path, opts: &ReserveOptions) -> ReserveRead {
    read_reserve(&[PathBuf::from(path)], opts)
}

/// The parcels from the sheets: 净地, 成本 and 障碍 rows attached, then the steps taken in
/// date order.
fn assemble(sheets: Sheets) -> ReserveRead {
    let Sheets {
        parcels,
        costs,
        readiness,
        obstacles,
        mut findings,
    } = sheets;
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let mut rows: Vec<(String, ParcelRow)> = Vec::new();
    for (file, p) in parcels {
        if let Some(&first) = index.get(&p.parcel.id) {
            findings.push(
                Finding::new(
                    RULE_PARCEL,
                    Severity::Error,
                    format!(
                        "第{}行：储备地块编号“{}”与第{}行重复",
                        p.parcel.row, p.parcel.id, rows[first].1.parcel.row
                    ),
                )
                .at(Place::row(p.parcel.row, Some("储备地块编号")).in_file(file)),
            );
            continue;
        }
        index.insert(p.parcel.id.clone(), rows.len());
        rows.push((file, p));
    }
    let mut extra: Vec<(Vec<Cost>, Vec<ReadinessRecord>, Vec<Obstacle>)> =
        vec![Default::default(); rows.len()];
    let unknown = |file: &str, id: &str, row: usize, header: &str, sheet: &str| {
        Finding::new(
            RULE_UNKNOWN_PARCEL,
            Severity::Error,
            format!("第{row}行：{sheet}表中的储备地块编号“{id}”不在储备地块表中"),
        )
        .at(Place {
            text: Some(id.to_string()),
            ..Place::row(row, Some(header)).in_file(file)
        })
    };
    let mut late = Vec::new();
    for (file, id, c, row, h) in costs {
        match index.get(&id) {
            Some(&i) => extra[i].0.push(c),
            None => late.push(unknown(&file, &id, row, &h, "成本")),
        }
    }
    for (file, id, r, row, h) in readiness {
        match index.get(&id) {
            Some(&i) => extra[i].1.push(r),
            None => late.push(unknown(&file, &id, row, &h, "净地")),
        }
    }
    for (file, id, o, row, h) in obstacles {
        match index.get(&id) {
            Some(&i) => extra[i].2.push(o),
            None => late.push(unknown(&file, &id, row, &h, "障碍")),
        }
    }
    findings.extend(late);
    let mut out = Vec::with_capacity(rows.len());
    for ((file, p), (costs, readiness, obstacles)) in rows.into_iter().zip(extra) {
        if let Some(rp) = take_steps(&file, p, costs, readiness, obstacles, &mut findings) {
            out.push(rp);
        }
    }
    ReserveRead {
        parcels: out,
        findings,
    }
}

/// One parcel's steps, in date order (same day: life order), through `apply`.
fn take_steps(
    file: &str,
    p: ParcelRow,
    costs: Vec<Cost>,
    readiness: Vec<ReadinessRecord>,
    obstacles: Vec<Obstacle>,
    findings: &mut Vec<Finding>,
) -> Option<ReserveParcel> {
    let row = p.parcel.row;
    let mut dated = p.dated;
    dated.sort_by_key(|(s, d, _)| (*d, *s));
    let step_of = |state: ReserveState, date: Date| {
        let mut s = Step::new(state, date);
        if state == ReserveState::Held || (state.is_held() && dated_first(&dated, state)) {
            s.evidence = p.evidence.clone();
        }
        s
    };
    let refused = |header: &str, e: String| {
        Finding::new(
            RULE_STEP_REFUSED,
            Severity::Error,
            format!("第{row}行“{header}”列：{e}"),
        )
        .at(Place::row(row, Some(header)).in_file(file))
    };
    let mut steps = dated.iter();
    let Some((s0, d0, h0)) = steps.next() else {
        findings.push(
            Finding::new(
                RULE_PARCEL,
                Severity::Error,
                format!(
                    "第{row}行：储备地块“{}”没有任何状态日期（至少应填写拟收储日期或入库日期）",
                    p.parcel.id
                ),
            )
            .at(Place::row(row, None).in_file(file)),
        );
        return None;
    };
    let mut rp = match ReserveParcel::register(p.parcel, step_of(*s0, *d0)) {
        Ok(rp) => rp,
        Err(e) => {
            findings.push(refused(h0, e.to_string()));
            return None;
        }
    };
    rp.project = p.project;
    rp.planned = p.planned;
    rp.costs = costs;
    rp.readiness = readiness;
    rp.obstacles = obstacles;
    for (s, d, h) in steps {
        if let Err(e) = rp.apply(step_of(*s, *d)) {
            findings.push(refused(h, e.to_string()));
            break;
        }
    }
    if let Some((st, header, text)) = p.current {
        if st != rp.state() {
            findings.push(
                Finding::new(
                    RULE_STATE_MISMATCH,
                    Severity::Warning,
                    format!(
                        "第{row}行“{header}”列：当前状态为“{text}”，而按各状态日期应为“{}”",
                        rp.state().label()
                    ),
                )
                .at(Place {
                    text: Some(text),
                    ..Place::row(row, Some(&header)).in_file(file)
                }),
            );
        }
    }
    Some(rp)
}

/// Whether `state` is the first dated state (a parcel registered already held carries the
/// title evidence on its first step).
fn dated_first(dated: &[(ReserveState, Date, String)], state: ReserveState) -> bool {
    dated.first().is_some_and(|(s, _, _)| *s == state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_years_and_quarters_and_yes_no_cells_read_as_written() {
        assert_eq!(year_quarter("2027"), Some((2027, None)));
        assert_eq!(year_quarter("2027年"), Some((2027, None)));
        assert_eq!(year_quarter("2027年第二季度"), Some((2027, Some(2))));
        assert_eq!(year_quarter("2027Q4"), Some((2027, Some(4))));
        assert_eq!(year_quarter("明年"), None);
        assert_eq!(yes_no("是"), Some(true));
        assert_eq!(yes_no(" 否 "), Some(false));
        assert_eq!(yes_no("大概"), None);
        assert_eq!(Kind::by_name("储备地块"), Some(Kind::Parcels));
        assert_eq!(Kind::by_name("2026年储备成本"), Some(Kind::Costs));
        assert_eq!(Kind::by_name("净地条件"), Some(Kind::Readiness));
        assert_eq!(Kind::by_name("障碍清单"), Some(Kind::Obstacles));
        assert_eq!(Kind::by_name("Sheet1"), None);
    }
}
