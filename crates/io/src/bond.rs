//! Special-bond projects (土地储备专项债券) in CSV or Excel: four schemas of the
//! [`tabular`](crate::tabular) reader and their assembly into
//! [`BondProject`]s.
//!
//! A bond workbook has up to four worksheets, each found by its header (the sheet names are
//! free; 债券项目, 关联地块, 用款还款, 价格测算 are the usual ones). The same tables may also be
//! given as separate CSV files (or a directory holding them); each file is recognised by its
//! header.
//!
//! | table | columns (variants) | required |
//! |---|---|---|
//! | 债券项目 | 项目编号, 项目名称, 行政区, 债券金额（亿元/万元/元; 万元 when not said）, 发行日期, 期限（年）, 票面利率（3.25%, 0.0325 or 3.25）, 还本方式 (到期还本 / 等额还本), 要求覆盖倍数, 关联地块 (编号 separated by 、 , ; or spaces) | 项目编号, 债券金额, 发行日期, 期限, 票面利率 |
//! | 关联地块 | 项目编号, 储备地块编号, 备注 | both |
//! | 用款还款 | 项目编号, 日期, 类型 (用款/拨付, 还本/本金, 付息/利息), 金额, 备注 | all but 备注 |
//! | 价格测算 | 项目编号, 用途 (the use as written or a 地类编码), 单价 (unit in the header, 单价（万元/亩）, in a 计价单位 column, or in the cell, 150万元/亩; 万元/亩 when none says), 计价单位, 测算依据 | 项目编号, 用途, 单价 |
//!
//! Reading never fails on content: rejected rows, tables not recognised, rows naming a project
//! the 债券项目 table does not list, duplicate project ids are findings with the file, the
//! worksheet, the row and the column. Only a file that cannot be read at all is an error.

use crate::tabular::cell::{self, Cache};
use crate::tabular::{
    open_table, read_all, BadRows, FieldKey, FieldSpec, Row, Schema, TableError, TableOptions,
    TableReader, UnitKind,
};
use landplan_core::reserve::bond::{
    BondProject, Drawdown, PriceAssumption, PriceUnit, Repayment, RepaymentKind, RepaymentMode,
};
use landplan_core::{Date, Finding, Money, MoneyUnit, Place, Severity};
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Rule: a file or worksheet that is none of the four bond tables.
pub const RULE_TABLE_UNRECOGNISED: &str = "bond.table_unrecognised";
/// Rule: no 债券项目 table among the files.
pub const RULE_PROJECTS_MISSING: &str = "bond.projects_missing";
/// Rule: a project id listed twice.
pub const RULE_DUPLICATE_PROJECT: &str = "bond.duplicate_project";
/// Rule: a row naming a project the 债券项目 table does not list.
pub const RULE_UNKNOWN_PROJECT: &str = "bond.unknown_project";

/// Longest term read (years).
const MAX_TERM: u32 = 50;

macro_rules! field_key {
    ($t:ty) => {
        impl FieldKey for $t {
            fn index(self) -> usize {
                self as usize
            }
        }
    };
}

const PROJECT_NAMES: &[&str] = &["项目编号", "债券项目编号", "项目代码", "债券项目代码"];

// ---------------------------------------------------------------------------------------------
// 债券项目

/// A column of the 债券项目 table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProjectField {
    /// 项目编号. Required.
    Id,
    /// 项目名称.
    Name,
    /// 行政区.
    Region,
    /// 债券金额. Required.
    Amount,
    /// 发行日期. Required.
    IssueDate,
    /// 期限（年）. Required.
    Term,
    /// 票面利率. Required.
    Rate,
    /// 还本方式.
    Repayment,
    /// 要求覆盖倍数.
    Required,
    /// 关联地块 (several ids in one cell).
    Parcels,
}
field_key!(ProjectField);

const PROJECT_FIELDS: &[FieldSpec<ProjectField>] = {
    use ProjectField as F;
    &[
        FieldSpec::new(F::Id, PROJECT_NAMES).required("项目编号"),
        FieldSpec::new(F::Name, &["项目名称", "债券项目名称", "名称"]),
        FieldSpec::new(
            F::Region,
            &["行政区", "行政区域", "所在行政区", "地区", "县区"],
        ),
        FieldSpec::new(
            F::Amount,
            &[
                "债券金额",
                "发行金额",
                "发行额",
                "债券规模",
                "发行规模",
                "债券额度",
            ],
        )
        .required("债券金额")
        .unit(UnitKind::Money),
        FieldSpec::new(
            F::IssueDate,
            &["发行日期", "发行时间", "起息日", "起息日期"],
        )
        .required("发行日期"),
        FieldSpec::new(F::Term, &["期限", "债券期限", "发行期限", "期限年"]).required("期限"),
        FieldSpec::new(F::Rate, &["票面利率", "利率", "年利率", "发行利率"]).required("票面利率"),
        FieldSpec::new(
            F::Repayment,
            &["还本方式", "偿还方式", "还本付息方式", "付息方式"],
        ),
        FieldSpec::new(
            F::Required,
            &[
                "要求覆盖倍数",
                "本息覆盖倍数要求",
                "覆盖倍数要求",
                "要求倍数",
            ],
        ),
        FieldSpec::new(F::Parcels, &["关联地块", "关联地块编号", "关联储备地块"]),
    ]
};

/// A row of the 债券项目 table.
#[derive(Debug, Clone)]
pub struct ProjectRow {
    /// The project (without drawdowns, repayments and prices).
    pub project: BondProject,
    /// The row.
    pub row: usize,
}

/// The 债券项目 schema.
pub struct BondProjects {
    modes: Cache<Option<RepaymentMode>>,
}

impl Default for BondProjects {
    fn default() -> Self {
        BondProjects {
            modes: Cache::new(),
        }
    }
}

impl std::fmt::Debug for BondProjects {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BondProjects")
    }
}

impl Schema for BondProjects {
    type Field = ProjectField;
    type Record = ProjectRow;
    const FIELDS: &'static [FieldSpec<ProjectField>] = PROJECT_FIELDS;
    const KEYS: &'static [ProjectField] = &[ProjectField::Id];
    const NEEDS: &'static str = "债券项目表须有项目编号、债券金额、发行日期、期限和票面利率列";
    const RULE: &'static str = crate::ledger::RULE_ROW_REJECTED;

    fn build(&mut self, row: &mut Row<'_, ProjectField>) -> Option<ProjectRow> {
        use ProjectField as F;
        let id = row.required_text(F::Id, "缺少项目编号");
        let name = row.text(F::Name);
        let region = row.text(F::Region).unwrap_or_default();
        let amount = required_money(row, F::Amount, "债券金额");
        let issue_date = required_date(row, F::IssueDate, "发行日期");
        let term = required_term(row);
        let rate = required_rate(row);
        let repayment = row
            .word(F::Repayment, &mut self.modes, RepaymentMode::parse, |t| {
                format!("还本方式“{t}”无法识别，应为“按年付息、到期还本”或“等额还本、按年付息”")
            })
            .unwrap_or_default();
        let required_ratio = ratio(row);
        let parcels = row
            .text(F::Parcels)
            .map(|t| split_ids(&t))
            .unwrap_or_default();
        let id = id?;
        let project = BondProject {
            name: name.unwrap_or_else(|| id.clone()),
            id,
            region,
            amount: amount?,
            issue_date: issue_date?,
            term_years: term?,
            rate: rate?,
            repayment,
            drawdowns: Vec::new(),
            repayments: Vec::new(),
            parcels,
            prices: Vec::new(),
            required_ratio,
        };
        (!row.is_rejected()).then_some(ProjectRow {
            project,
            row: row.number(),
        })
    }
}

fn required_money<F: FieldKey>(row: &mut Row<'_, F>, field: F, what: &str) -> Option<Money> {
    let c = row.cell(field)?;
    if cell::is_placeholder(c.text) {
        row.reject(c, format!("缺少{what}"));
        return None;
    }
    let m = row.money(field, what)?;
    if m.0 <= Decimal::ZERO {
        row.reject(c, format!("{what}“{}”应大于零", c.text));
        return None;
    }
    Some(m)
}

fn required_date<F: FieldKey>(row: &mut Row<'_, F>, field: F, what: &str) -> Option<Date> {
    let c = row.cell(field)?;
    if cell::is_placeholder(c.text) {
        row.reject(c, format!("缺少{what}"));
        return None;
    }
    row.date(field, what)
}

fn required_term(row: &mut Row<'_, ProjectField>) -> Option<u32> {
    let c = row.cell(ProjectField::Term)?;
    if cell::is_placeholder(c.text) {
        row.reject(c, "缺少期限".into());
        return None;
    }
    let t = landplan_core::text::normalize(c.text);
    let t = t.trim().trim_end_matches('年').trim();
    match t.parse::<u32>() {
        Ok(n) if (1..=MAX_TERM).contains(&n) => Some(n),
        _ => {
            row.reject(
                c,
                format!("期限“{}”应为 1 至 {MAX_TERM} 之间的整年数", c.text),
            );
            None
        }
    }
}

/// A rate: "3.25%" and "3.25" (a number of 1 or more, or a header saying %) are percent;
/// "0.0325" is a fraction.
fn required_rate(row: &mut Row<'_, ProjectField>) -> Option<Decimal> {
    let c = row.cell(ProjectField::Rate)?;
    if cell::is_placeholder(c.text) {
        row.reject(c, "缺少票面利率".into());
        return None;
    }
    let t = landplan_core::text::normalize(c.text);
    let t = t.trim();
    let (num, pct_sign) = match t.strip_suffix('%') {
        Some(n) => (n.trim(), true),
        None => (t, false),
    };
    let header_pct = landplan_core::text::normalize(&c.column.header).contains('%');
    let v = cell::parse_decimal(num).map(|v| {
        if pct_sign || header_pct || v >= Decimal::ONE {
            v / Decimal::ONE_HUNDRED
        } else {
            v
        }
    });
    match v {
        Some(v) if v >= Decimal::ZERO && v < Decimal::ONE => Some(v.normalize()),
        _ => {
            row.reject(
                c,
                format!("票面利率“{}”无法识别，应写作如“3.25%”或“0.0325”", c.text),
            );
            None
        }
    }
}

fn ratio(row: &mut Row<'_, ProjectField>) -> Option<Decimal> {
    let c = row.optional(ProjectField::Required)?;
    let t = landplan_core::text::normalize(c.text);
    match cell::parse_decimal(t.trim().trim_end_matches('倍')) {
        Some(v) if v > Decimal::ZERO => Some(v),
        _ => {
            row.reject(c, format!("要求覆盖倍数“{}”不是正数", c.text));
            None
        }
    }
}

/// Parcel ids in one cell: separated by 、 , ， ; ； or white space.
fn split_ids(t: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for id in t
        .split(['、', ',', '，', ';', '；', ' ', '\u{3000}', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        if !out.iter().any(|o| o == id) {
            out.push(id.to_string());
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// 关联地块

/// A column of the 关联地块 table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkField {
    /// 项目编号. Required.
    Project,
    /// 储备地块编号. Required.
    Parcel,
    /// 备注.
    Note,
}
field_key!(LinkField);

const LINK_FIELDS: &[FieldSpec<LinkField>] = &[
    FieldSpec::new(LinkField::Project, PROJECT_NAMES).required("项目编号"),
    FieldSpec::new(
        LinkField::Parcel,
        &[
            "储备地块编号",
            "地块编号",
            "宗地编号",
            "储备地块",
            "地块代码",
        ],
    )
    .required("储备地块编号"),
    FieldSpec::new(LinkField::Note, &["备注", "说明"]),
];

/// A row of the 关联地块 table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRow {
    /// 项目编号.
    pub project: String,
    /// 储备地块编号.
    pub parcel: String,
    /// The row.
    pub row: usize,
}

/// The 关联地块 schema.
#[derive(Debug, Default)]
pub struct BondLinks;

impl Schema for BondLinks {
    type Field = LinkField;
    type Record = LinkRow;
    const FIELDS: &'static [FieldSpec<LinkField>] = LINK_FIELDS;
    const KEYS: &'static [LinkField] = &[LinkField::Project, LinkField::Parcel];
    const NEEDS: &'static str = "关联地块表须有项目编号和储备地块编号两列";
    const RULE: &'static str = crate::ledger::RULE_ROW_REJECTED;

    fn build(&mut self, row: &mut Row<'_, LinkField>) -> Option<LinkRow> {
        let project = row.required_text(LinkField::Project, "缺少项目编号");
        let parcel = row.required_text(LinkField::Parcel, "缺少储备地块编号");
        Some(LinkRow {
            project: project?,
            parcel: parcel?,
            row: row.number(),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// 用款还款

/// A column of the 用款还款 table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FlowField {
    /// 项目编号. Required.
    Project,
    /// 日期. Required.
    Date,
    /// 类型. Required.
    Kind,
    /// 金额. Required.
    Amount,
    /// 备注.
    Note,
}
field_key!(FlowField);

const FLOW_FIELDS: &[FieldSpec<FlowField>] = &[
    FieldSpec::new(FlowField::Project, PROJECT_NAMES).required("项目编号"),
    FieldSpec::new(
        FlowField::Date,
        &[
            "日期",
            "发生日期",
            "用款日期",
            "还款日期",
            "支付日期",
            "拨付日期",
        ],
    )
    .required("日期"),
    FieldSpec::new(
        FlowField::Kind,
        &[
            "类型",
            "款项类型",
            "收支类型",
            "用款还款",
            "类别",
            "资金类型",
        ],
    )
    .required("类型"),
    FieldSpec::new(
        FlowField::Amount,
        &["金额", "发生金额", "用款金额", "还款金额", "发生额"],
    )
    .required("金额")
    .unit(UnitKind::Money),
    FieldSpec::new(FlowField::Note, &["备注", "用途", "说明", "摘要"]),
];

/// What a row of the 用款还款 table records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FlowKind {
    /// 用款 (拨付, 支出).
    Drawdown,
    /// 还本.
    Principal,
    /// 付息.
    Interest,
}

impl FlowKind {
    /// Parse 用款/拨付/支出/提款, 还本/本金, 付息/利息 (a cell naming both 还本 and 付息 is
    /// ambiguous: one row per kind).
    pub fn parse(s: &str) -> Option<FlowKind> {
        let t = landplan_core::text::normalize(s);
        let principal = t.contains("还本") || t.contains("本金");
        let interest = t.contains("付息") || t.contains("利息");
        match (principal, interest) {
            (true, false) => Some(FlowKind::Principal),
            (false, true) => Some(FlowKind::Interest),
            (true, true) => None,
            _ if ["用款", "拨付", "支出", "提款", "使用", "支付"]
                .iter()
                .any(|w| t.contains(w)) =>
            {
                Some(FlowKind::Drawdown)
            }
            _ => None,
        }
    }
}

/// A row of the 用款还款 table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowRow {
    /// 项目编号.
    pub project: String,
    /// 日期.
    pub date: Date,
    /// 类型.
    pub kind: FlowKind,
    /// 金额.
    pub amount: Money,
    /// 备注.
    pub note: Option<String>,
    /// The row.
    pub row: usize,
}

/// The 用款还款 schema.
pub struct BondFlows {
    kinds: Cache<Option<FlowKind>>,
}

impl Default for BondFlows {
    fn default() -> Self {
        BondFlows {
            kinds: Cache::new(),
        }
    }
}

impl std::fmt::Debug for BondFlows {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BondFlows")
    }
}

impl Schema for BondFlows {
    type Field = FlowField;
    type Record = FlowRow;
    const FIELDS: &'static [FieldSpec<FlowField>] = FLOW_FIELDS;
    const KEYS: &'static [FlowField] = &[FlowField::Project];
    const NEEDS: &'static str = "用款还款表须有项目编号、日期、类型和金额列";
    const RULE: &'static str = crate::ledger::RULE_ROW_REJECTED;

    fn build(&mut self, row: &mut Row<'_, FlowField>) -> Option<FlowRow> {
        let project = row.required_text(FlowField::Project, "缺少项目编号");
        let date = required_date(row, FlowField::Date, "日期");
        let kind = match row.cell(FlowField::Kind) {
            Some(c) if cell::is_placeholder(c.text) => {
                row.reject(c, "缺少类型（用款、还本或付息）".into());
                None
            }
            _ => row.word(FlowField::Kind, &mut self.kinds, FlowKind::parse, |t| {
                format!("类型“{t}”无法识别，应为“用款”“还本”或“付息”（还本和付息请分行填写）")
            }),
        };
        let amount = required_money(row, FlowField::Amount, "金额");
        let note = row.text(FlowField::Note);
        Some(FlowRow {
            project: project?,
            date: date?,
            kind: kind?,
            amount: amount?,
            note,
            row: row.number(),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// 价格测算

/// A column of the 价格测算 table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PriceField {
    /// 项目编号. Required.
    Project,
    /// 用途 (or 地类编码). Required.
    Use,
    /// 单价. Required.
    Price,
    /// 计价单位 (万元/亩, 元/平方米 …).
    Per,
    /// 测算依据.
    Source,
}
field_key!(PriceField);

const PRICE_FIELDS: &[FieldSpec<PriceField>] = &[
    FieldSpec::new(PriceField::Project, PROJECT_NAMES).required("项目编号"),
    FieldSpec::new(
        PriceField::Use,
        &[
            "用途",
            "土地用途",
            "规划用途",
            "地类",
            "地类编码",
            "用途或地类编码",
        ],
    )
    .required("用途"),
    FieldSpec::new(
        PriceField::Price,
        &[
            "单价",
            "测算单价",
            "出让单价",
            "预期单价",
            "预计单价",
            "价格",
            "测算价格",
        ],
    )
    .required("单价"),
    FieldSpec::new(PriceField::Per, &["计价单位", "单价单位", "价格单位"]),
    FieldSpec::new(
        PriceField::Source,
        &["测算依据", "价格依据", "依据", "价格来源", "来源", "备注"],
    ),
];

/// A row of the 价格测算 table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceRow {
    /// 项目编号.
    pub project: String,
    /// The assumption (price in 元 per unit).
    pub price: PriceAssumption,
    /// The row.
    pub row: usize,
}

/// The 价格测算 schema.
#[derive(Debug, Default)]
pub struct BondPrices;

/// "万元/亩" → (万元, 亩); either side may be missing ("亩", "万元").
pub fn price_unit(t: &str) -> (Option<MoneyUnit>, Option<PriceUnit>) {
    let t = landplan_core::text::normalize(t);
    let t = t.trim();
    match t.split_once('/') {
        Some((m, a)) => (MoneyUnit::parse(m), PriceUnit::parse(a)),
        None => (MoneyUnit::parse(t), PriceUnit::parse(t)),
    }
}

/// The bracketed part of a header: "单价（万元/亩）" → "万元/亩".
fn bracket(header: &str) -> Option<String> {
    let n = landplan_core::text::normalize(header);
    let start = n.find('(')?;
    let end = n[start..].find(')')? + start;
    Some(n[start + 1..end].to_string())
}

impl Schema for BondPrices {
    type Field = PriceField;
    type Record = PriceRow;
    const FIELDS: &'static [FieldSpec<PriceField>] = PRICE_FIELDS;
    const KEYS: &'static [PriceField] = &[PriceField::Project, PriceField::Use];
    const NEEDS: &'static str = "价格测算表须有项目编号、用途和单价列";
    const RULE: &'static str = crate::ledger::RULE_ROW_REJECTED;

    fn build(&mut self, row: &mut Row<'_, PriceField>) -> Option<PriceRow> {
        let project = row.required_text(PriceField::Project, "缺少项目编号");
        let use_key = row.required_text(PriceField::Use, "缺少用途");
        let source = row.text(PriceField::Source).unwrap_or_default();
        // Units: the cell, then the 计价单位 column, then the header, then 万元/亩.
        let (mut money, mut per) = (None, None);
        let c = row.cell(PriceField::Price)?;
        let norm = landplan_core::text::normalize(c.text);
        let split = norm
            .char_indices()
            .find(|(_, ch)| !(ch.is_ascii_digit() || matches!(ch, '.' | ',' | '-' | ' ')))
            .map(|(i, _)| i)
            .unwrap_or(norm.len());
        let (num, unit_text) = norm.split_at(split);
        if !unit_text.trim().is_empty() {
            let (m, a) = price_unit(unit_text);
            if m.is_none() && a.is_none() {
                row.reject(
                    c,
                    format!("单价“{}”的单位无法识别，应写作如“150万元/亩”", c.text),
                );
                return None;
            }
            (money, per) = (m, a);
        }
        if let Some(p) = row.optional(PriceField::Per) {
            let (m, a) = price_unit(p.text);
            if m.is_none() && a.is_none() {
                row.reject(
                    p,
                    format!(
                        "计价单位“{}”无法识别，应写作如“万元/亩”或“元/平方米”",
                        p.text
                    ),
                );
                return None;
            }
            money = money.or(m);
            per = per.or(a);
        }
        if let Some(b) = bracket(&c.column.header) {
            let (m, a) = price_unit(&b);
            money = money.or(m);
            per = per.or(a);
        }
        let money = money.unwrap_or(MoneyUnit::WanYuan);
        let per = per.unwrap_or(PriceUnit::Mu);
        if cell::is_placeholder(c.text) {
            row.reject(c, "缺少单价".into());
            return None;
        }
        let price = match cell::parse_decimal(num).and_then(|v| Money::plausible(v, money)) {
            Some(m) if m.0 > Decimal::ZERO => m,
            _ => {
                row.reject(c, format!("单价“{}”不是正数", c.text));
                return None;
            }
        };
        Some(PriceRow {
            project: project?,
            price: PriceAssumption {
                use_key: use_key?,
                price,
                per,
                source,
            },
            row: row.number(),
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Assembly

/// Bond projects read from files, with every finding.
#[derive(Debug, Clone, Default)]
pub struct BondRead {
    /// The projects, in the order of the 债券项目 table(s).
    pub projects: Vec<BondProject>,
    /// Findings: rejected rows, tables not recognised, unknown or duplicate projects. The
    /// places carry the file (with the worksheet, for workbooks), the row and the column.
    pub findings: Vec<Finding>,
    /// The tables read: (file, worksheet, which table).
    pub tables: Vec<(String, Option<String>, &'static str)>,
}

/// Why bond files could not be read at all (content problems are findings).
#[derive(Debug, thiserror::Error)]
pub enum BondReadError {
    /// A file or directory could not be read.
    #[error("无法读取 {file}：{source}")]
    Io {
        /// The path.
        file: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// The files to read: each path, or the CSV and Excel files of a directory (sorted by name).
fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, BondReadError> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let io = |source| BondReadError::Io {
                file: p.display().to_string(),
                source,
            };
            let mut files: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(io)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| {
                    f.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                        matches!(e.to_ascii_lowercase().as_str(), "csv" | "xlsx" | "xls")
                    })
                })
                .collect();
            files.sort();
            out.extend(files);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// The place of a table: the file, with the worksheet for a workbook.
fn table_label(file: &str, sheet: Option<&str>) -> String {
    match sheet {
        Some(s) => format!("{file}（工作表“{s}”）"),
        None => file.to_string(),
    }
}

struct Tables {
    projects: Vec<(String, ProjectRow)>,
    links: Vec<(String, LinkRow)>,
    flows: Vec<(String, FlowRow)>,
    prices: Vec<(String, PriceRow)>,
}

/// One table read: its label (file and worksheet), worksheet, records and the rows' findings.
type TableRead<R> = (String, Option<String>, Vec<R>, Vec<Finding>);

/// Read one table with a schema: its records (with the table's label) and the rows' findings,
/// or the error that kept it from being opened.
fn read_table<S: Schema>(
    path: &Path,
    opts: &TableOptions,
    schema: S,
) -> Result<TableRead<S::Record>, TableError> {
    let mut reader: TableReader<S> = open_table(path, opts, schema)?;
    let file = reader.file_label().to_string();
    let sheet = reader.sheet().map(str::to_string);
    let label = table_label(&file, sheet.as_deref());
    let mut records = Vec::new();
    let mut findings = match read_all(&mut reader, BadRows::Skip, &mut |_, _| {}, |r| {
        records.push(r)
    }) {
        Ok(f) | Err(f) => f,
    };
    for f in &mut findings {
        for p in &mut f.places {
            p.file = Some(label.clone());
        }
        if let Some(s) = &sheet {
            f.message = format!("工作表“{s}”{}", f.message);
        }
    }
    Ok((label, sheet, records, findings))
}

/// Read bond projects from workbooks, CSV files or directories of them (see the module).
pub fn read_bonds(paths: &[PathBuf], opts: &TableOptions) -> Result<BondRead, BondReadError> {
    let files = expand(paths)?;
    let mut out = BondRead::default();
    let mut t = Tables {
        projects: Vec::new(),
        links: Vec::new(),
        flows: Vec::new(),
        prices: Vec::new(),
    };
    for path in &files {
        let file = opts
            .file_label
            .clone()
            .unwrap_or_else(|| path.display().to_string());
        let opts = TableOptions {
            file_label: Some(file.clone()),
            sheet: None,
            ..opts.clone()
        };
        if let Err(source) = std::fs::metadata(path) {
            return Err(BondReadError::Io { file, source });
        }
        let is_csv = !is_workbook(path);
        let mut found = 0;
        let mut problem: Option<TableError> = None;
        macro_rules! take {
            ($schema:expr, $dest:expr, $kind:expr) => {
                if !(is_csv && found > 0) {
                    match read_table(path, &opts, $schema) {
                        Ok((label, sheet, records, findings)) => {
                            found += 1;
                            out.tables.push((file.clone(), sheet, $kind));
                            out.findings.extend(findings);
                            $dest.extend(records.into_iter().map(|r| (label.clone(), r)));
                        }
                        Err(TableError::Io { source, .. }) => {
                            return Err(BondReadError::Io {
                                file: file.clone(),
                                source,
                            })
                        }
                        Err(e @ TableError::MissingColumns { .. }) => {
                            problem.get_or_insert(e);
                        }
                        Err(e) => problem = Some(e),
                    }
                }
            };
        }
        take!(BondProjects::default(), t.projects, "债券项目");
        take!(BondLinks, t.links, "关联地块");
        take!(BondFlows::default(), t.flows, "用款还款");
        take!(BondPrices, t.prices, "价格测算");
        if found == 0 {
            let why = problem.map(|e| e.to_string()).unwrap_or_default();
            out.findings.push(
                Finding::new(
                    RULE_TABLE_UNRECOGNISED,
                    Severity::Error,
                    format!("{file} 不是债券项目、关联地块、用款还款或价格测算表（{why}）"),
                )
                .at(Place::default().in_file(file.clone())),
            );
        }
    }
    assemble(t, &mut out);
    Ok(out)
}

/// True when the file starts as a workbook does (zip: XLSX; OLE2: XLS).
fn is_workbook(path: &Path) -> bool {
    use std::io::Read;
    let mut magic = [0u8; 2];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && matches!(magic, [0x50, 0x4b] | [0xd0, 0xcf])
}

fn unknown(label: &str, row: usize, project: &str) -> Finding {
    Finding::new(
        RULE_UNKNOWN_PROJECT,
        Severity::Error,
        format!("第{row}行：项目编号“{project}”不在债券项目表中，该行未计入"),
    )
    .at(Place::row(row, Some("项目编号")).in_file(label))
}

fn assemble(t: Tables, out: &mut BondRead) {
    if t.projects.is_empty() {
        out.findings.push(Finding::new(
            RULE_PROJECTS_MISSING,
            Severity::Error,
            "没有找到债券项目表（须有项目编号、债券金额、发行日期、期限和票面利率列）",
        ));
    }
    let mut index: HashMap<String, usize> = HashMap::new();
    for (label, r) in t.projects {
        if let Some(&i) = index.get(&r.project.id) {
            out.findings.push(
                Finding::new(
                    RULE_DUPLICATE_PROJECT,
                    Severity::Error,
                    format!(
                        "第{}行：项目编号“{}”重复，只取第一次出现的“{}”",
                        r.row, r.project.id, out.projects[i].name
                    ),
                )
                .at(Place::row(r.row, Some("项目编号")).in_file(label)),
            );
            continue;
        }
        index.insert(r.project.id.clone(), out.projects.len());
        out.projects.push(r.project);
    }
    for (label, r) in t.links {
        match index.get(&r.project) {
            Some(&i) => {
                let p = &mut out.projects[i];
                if !p.parcels.contains(&r.parcel) {
                    p.parcels.push(r.parcel);
                }
            }
            None => out.findings.push(unknown(&label, r.row, &r.project)),
        }
    }
    for (label, r) in t.flows {
        let Some(&i) = index.get(&r.project) else {
            out.findings.push(unknown(&label, r.row, &r.project));
            continue;
        };
        let p = &mut out.projects[i];
        match r.kind {
            FlowKind::Drawdown => p.drawdowns.push(Drawdown {
                date: r.date,
                amount: r.amount,
                note: r.note,
            }),
            FlowKind::Principal | FlowKind::Interest => p.repayments.push(Repayment {
                date: r.date,
                amount: r.amount,
                kind: if r.kind == FlowKind::Principal {
                    RepaymentKind::Principal
                } else {
                    RepaymentKind::Interest
                },
            }),
        }
    }
    for (label, r) in t.prices {
        match index.get(&r.project) {
            Some(&i) => out.projects[i].prices.push(r.price),
            None => out.findings.push(unknown(&label, r.row, &r.project)),
        }
    }
}
