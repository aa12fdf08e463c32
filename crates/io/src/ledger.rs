//! Parcel ledgers (地块清单) in CSV or Excel.
//!
//! A ledger is a table with one parcel per row under a header row in Chinese. The header may be
//! preceded by title rows (示例县2025年度国有建设用地供应地块清单, 单位：公顷) and followed by a
//! units row. Headers are recognised with their common variants (see [`Field`]); the area's
//! unit comes from the header's bracket (面积（亩）), a 单位 line, or defaults to 公顷.
//!
//! [`open_ledger`] detects the format from the content (a zip archive is XLSX, anything else is
//! CSV text), the text encoding (UTF-8 with or without BOM, GBK/GB18030) and the CSV delimiter
//! (comma, tab or semicolon). CSV ledgers are streamed row by row; XLSX workbooks are read whole
//! (the format cannot be streamed).
//!
//! Each data row becomes a [`Parcel`] or, when any cell cannot be understood, a list of
//! findings (rule `ledger.row_rejected`), one per bad cell, each naming the file, the row and
//! the column. Empty rows and 合计/小计 rows are skipped.
//!
//! Row numbers are the rows a user sees: 1-based, counting every row of the file or sheet from
//! the top (title rows included), so in a ledger without a title the header is row 1.

use crate::decode::{CountingReader, DecodeReader};
use landplan_core::class::{Classifier, Resolution};
use landplan_core::text::{self, TextEncoding};
use landplan_core::units::StatedArea;
use landplan_core::{
    AreaUnit, Finding, HousingType, LandSource, Money, MoneyUnit, Parcel, Place, ReserveStatus,
    ResolvedClass, Scheme, Severity, SupplyMethod, Timing,
};
use rust_decimal::Decimal;
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::fs::File;
use std::io::{self, Cursor, Read};
use std::path::Path;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

/// The rule id of a rejected ledger row (see `data/rules/ledger.toml`).
pub const RULE_ROW_REJECTED: &str = "ledger.row_rejected";

/// How many rows from the top are searched for the header row.
const HEADER_SEARCH_ROWS: usize = 10;

/// Bytes sampled from the start of a file to detect its format and encoding.
const SAMPLE_BYTES: usize = 64 * 1024;

/// Options for reading a ledger.
#[derive(Debug, Clone)]
pub struct LedgerOptions {
    /// How bare 地类编码 such as "0601" are read (codes collide between the two schemes).
    pub code_scheme: Scheme,
    /// The file name shown in findings' places (default: the path as given).
    pub file_label: Option<String>,
}

impl Default for LedgerOptions {
    fn default() -> Self {
        LedgerOptions {
            code_scheme: Scheme::Gb21010,
            file_label: None,
        }
    }
}

/// What the caller knows about the format of a byte stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LedgerFormatHint {
    /// Detect from the content (zip magic → XLSX, OLE2 magic → XLS, else CSV text).
    Auto,
    /// CSV text (any supported encoding).
    Csv,
    /// An Excel workbook.
    Xlsx,
}

/// Why a ledger could not be opened. Messages are in Chinese and name the file.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// The file could not be read.
    #[error("无法读取文件 {file}：{source}")]
    Io {
        /// The file.
        file: String,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// The file has no content at all.
    #[error("{}文件为空，没有任何内容", prefix(.file))]
    Empty {
        /// The file.
        file: String,
    },
    /// No header row with the required columns was found.
    #[error(
        "{}缺少必需的列：{}。找到的表头：{}。台账须有地块编号、面积（公顷、亩或平方米）和用途（或地类编码）三类列",
        prefix(.file),
        .missing.join("、"),
        found_list(.found)
    )]
    MissingColumns {
        /// The file.
        file: String,
        /// The required columns not found.
        missing: Vec<String>,
        /// The header texts of the row that came closest to a header.
        found: Vec<String>,
    },
    /// The workbook is truncated or corrupt.
    #[error("{}Excel 文件已损坏或不完整，无法打开（{reason}）。请在 Excel/WPS 中重新保存或重新导出后再试", prefix(.file))]
    BadWorkbook {
        /// The file.
        file: String,
        /// What the reader said.
        reason: String,
    },
    /// The workbook has no worksheet.
    #[error("{}工作簿中没有任何工作表", prefix(.file))]
    NoSheet {
        /// The file.
        file: String,
    },
    /// The CSV text could not be parsed.
    #[error("{}第{row}行无法解析为 CSV：{reason}", prefix(.file))]
    BadCsv {
        /// The file.
        file: String,
        /// The row.
        row: usize,
        /// What the parser said.
        reason: String,
    },
}

fn prefix(file: &str) -> String {
    if file.is_empty() {
        String::new()
    } else {
        format!("{file}：")
    }
}

fn found_list(found: &[String]) -> String {
    let v: Vec<&str> = found
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    if v.is_empty() {
        "（无）".to_string()
    } else {
        v.join("、")
    }
}

impl LedgerError {
    fn with_file(self, f: &str) -> LedgerError {
        match self {
            LedgerError::MissingColumns { missing, found, .. } => LedgerError::MissingColumns {
                file: f.to_string(),
                missing,
                found,
            },
            other => other,
        }
    }
}

/// A ledger column landplan understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// 地块编号 / 宗地编号 / 地块号 / 编号 (never 序号). Required.
    Id,
    /// 坐落 / 位置 / 地块位置 / 土地坐落 / 四至.
    Location,
    /// 面积 in 公顷, 亩 or 平方米. Required.
    Area,
    /// 用途 / 土地用途 / 规划用途 / 地类 / 地类编码 / 用地类型. Required.
    Class,
    /// 乡镇 / 区域 / 片区 / 所在乡镇 / 行政区.
    Township,
    /// 土地来源 / 新增或存量.
    Source,
    /// 供应方式 / 供地方式.
    Method,
    /// 计划供应时间 / 供应时间 / 供应季度 / 月份.
    Timing,
    /// 住宅类型 / 住房类型.
    Housing,
    /// 储备状态 / 收储状态.
    ReserveStatus,
    /// 前期开发.
    PreDevelopment,
    /// 资金需求 (万元 unless the header says otherwise).
    Funds,
}

impl Field {
    /// Every field, in report order.
    pub const ALL: [Field; 12] = [
        Field::Id,
        Field::Location,
        Field::Area,
        Field::Class,
        Field::Township,
        Field::Source,
        Field::Method,
        Field::Timing,
        Field::Housing,
        Field::ReserveStatus,
        Field::PreDevelopment,
        Field::Funds,
    ];

    /// The field's canonical Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Field::Id => "地块编号",
            Field::Location => "坐落",
            Field::Area => "面积",
            Field::Class => "用途",
            Field::Township => "乡镇",
            Field::Source => "土地来源",
            Field::Method => "供应方式",
            Field::Timing => "计划供应时间",
            Field::Housing => "住宅类型",
            Field::ReserveStatus => "储备状态",
            Field::PreDevelopment => "前期开发",
            Field::Funds => "资金需求",
        }
    }

    /// Header names (normalised, brackets removed) recognised for the field, best first.
    fn names(self) -> &'static [&'static str] {
        match self {
            Field::Id => &[
                "地块编号",
                "宗地编号",
                "地块号",
                "宗地号",
                "地块代码",
                "宗地代码",
                "编号",
            ],
            Field::Location => &[
                "坐落",
                "土地坐落",
                "地块坐落",
                "宗地坐落",
                "位置",
                "地块位置",
                "宗地位置",
                "土地位置",
                "四至",
                "地块四至",
            ],
            Field::Area => &[
                "面积",
                "用地面积",
                "供地面积",
                "土地面积",
                "地块面积",
                "宗地面积",
                "供应面积",
                "计划供应面积",
                "储备面积",
                "收储面积",
                "出让面积",
            ],
            Field::Class => &[
                "用途",
                "土地用途",
                "规划用途",
                "地类",
                "地类名称",
                "用地类型",
                "土地用途分类",
                "用地分类",
                "地类编码",
                "地类代码",
                "用途编码",
                "用地性质",
            ],
            Field::Township => &[
                "乡镇",
                "所在乡镇",
                "乡镇街道",
                "乡镇/街道",
                "所属乡镇",
                "区域",
                "所在区域",
                "片区",
                "行政区",
                "行政区域",
                "所在行政区",
                "街道",
            ],
            Field::Source => &[
                "土地来源",
                "新增或存量",
                "新增/存量",
                "新增存量",
                "新增、存量",
                "用地来源",
                "新增",
                "存量",
            ],
            Field::Method => &[
                "供应方式",
                "供地方式",
                "拟供应方式",
                "拟供地方式",
                "出让方式",
            ],
            Field::Timing => &[
                "计划供应时间",
                "供应时间",
                "拟供应时间",
                "计划供地时间",
                "供地时间",
                "拟供地时间",
                "供应季度",
                "计划供应季度",
                "供应月份",
                "季度",
                "月份",
            ],
            Field::Housing => &["住宅类型", "住房类型", "住宅用地类型", "住房性质"],
            Field::ReserveStatus => &["储备状态", "收储状态", "储备类型", "地块状态"],
            Field::PreDevelopment => &["前期开发", "前期开发情况", "前期开发内容"],
            Field::Funds => &[
                "资金需求",
                "资金",
                "所需资金",
                "资金需求量",
                "储备资金",
                "资金需求额",
            ],
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A header cell split into its name and its bracketed qualifier: "面积（亩）" → ("面积", "亩").
fn split_header(h: &str) -> (String, String) {
    let n = text::normalize(h);
    let mut base = String::new();
    let mut inner = String::new();
    let mut depth = 0u32;
    for ch in n.chars() {
        match ch {
            '(' | '[' | '<' | '《' => depth += 1,
            ')' | ']' | '>' | '》' => depth = depth.saturating_sub(1),
            c if c.is_whitespace() || c == '*' || c == '\u{feff}' => {}
            c if depth == 0 => base.push(c),
            c => inner.push(c),
        }
    }
    (base, inner)
}

/// Strip a trailing area unit written without brackets ("面积公顷", "面积/亩").
fn strip_area_unit(base: &str) -> (String, Option<AreaUnit>) {
    for (suffix, unit) in [
        ("平方米", AreaUnit::SquareMetre),
        ("公顷", AreaUnit::Hectare),
        ("m2", AreaUnit::SquareMetre),
        ("㎡", AreaUnit::SquareMetre),
        ("亩", AreaUnit::Mu),
    ] {
        if let Some(stem) = base.strip_suffix(suffix) {
            let stem = stem.trim_end_matches(['/', ':', '：', '-']);
            if !stem.is_empty() {
                return (stem.to_string(), Some(unit));
            }
        }
    }
    (base.to_string(), None)
}

fn strip_money_unit(base: &str) -> (String, Option<MoneyUnit>) {
    for (suffix, unit) in [
        ("万元", MoneyUnit::WanYuan),
        ("亿元", MoneyUnit::YiYuan),
        ("元", MoneyUnit::Yuan),
    ] {
        if let Some(stem) = base.strip_suffix(suffix) {
            let stem = stem.trim_end_matches(['/', ':', '：', '-']);
            if !stem.is_empty() {
                return (stem.to_string(), Some(unit));
            }
        }
    }
    (base.to_string(), None)
}

/// A unit word inside a header bracket or a units row: "公顷", "单位：亩", "万元".
fn area_unit_in(s: &str) -> Option<AreaUnit> {
    let s = s
        .trim()
        .trim_start_matches("单位")
        .trim_start_matches([':', '：'])
        .trim();
    AreaUnit::parse(s).or(match s {
        "hm2" | "公顷(hm2)" => Some(AreaUnit::Hectare),
        _ => None,
    })
}

fn money_unit_in(s: &str) -> Option<MoneyUnit> {
    let s = s
        .trim()
        .trim_start_matches("单位")
        .trim_start_matches([':', '：'])
        .trim();
    MoneyUnit::parse(s)
}

/// Which header matched which field, and the units the headers state.
#[derive(Debug, Clone)]
pub struct ColumnMap {
    /// Indexed by `Field as usize`.
    cols: [Option<(usize, String)>; Field::ALL.len()],
    area_unit: AreaUnit,
    area_unit_stated: bool,
    funds_unit: MoneyUnit,
    /// True when a column is headed 新增 or 存量 alone (cells may be 是/否 ticks).
    source_tick: Option<LandSource>,
    width: usize,
}

impl ColumnMap {
    /// Recognise the columns of a header row. Fails with [`LedgerError::MissingColumns`]
    /// (without a file name) when 地块编号, 面积 or 用途 is missing.
    pub fn from_headers(headers: &[&str]) -> Result<ColumnMap, LedgerError> {
        let mut best: HashMap<Field, (usize, usize, String)> = HashMap::new();
        let mut area_unit = None;
        let mut funds_unit = None;
        let mut source_tick = None;
        for (col, h) in headers.iter().enumerate() {
            let (base, inner) = split_header(h);
            if base.is_empty() {
                continue;
            }
            // 用地性质（新增/存量） is the land source, not the use.
            let source_hint = inner.contains("新增") || inner.contains("存量");
            let (area_base, suffix_unit) = strip_area_unit(&base);
            let (money_base, suffix_money) = strip_money_unit(&base);
            for field in Field::ALL {
                let candidate = match field {
                    Field::Area => area_base.as_str(),
                    Field::Funds => money_base.as_str(),
                    _ => base.as_str(),
                };
                let Some(rank) = field.names().iter().position(|n| *n == candidate) else {
                    continue;
                };
                let rank = match (field, source_hint) {
                    (Field::Class, true) => continue,
                    (Field::Source, true) => 0,
                    _ => rank,
                };
                let rank = if field == Field::Source && base == "用地性质" {
                    0
                } else {
                    rank
                };
                let better = best.get(&field).is_none_or(|(r, _, _)| rank < *r);
                if better {
                    best.insert(field, (rank, col, h.trim().to_string()));
                    match field {
                        Field::Area => area_unit = area_unit_in(&inner).or(suffix_unit),
                        Field::Funds => funds_unit = money_unit_in(&inner).or(suffix_money),
                        Field::Source => {
                            source_tick = match base.as_str() {
                                "新增" => Some(LandSource::New),
                                "存量" => Some(LandSource::Stock),
                                _ => None,
                            }
                        }
                        _ => {}
                    }
                }
                break;
            }
            if base == "用地性质" && source_hint && !best.contains_key(&Field::Source) {
                best.insert(Field::Source, (0, col, h.trim().to_string()));
            }
        }
        let missing: Vec<String> = [
            (Field::Id, "地块编号"),
            (Field::Area, "面积"),
            (Field::Class, "用途（或地类编码）"),
        ]
        .iter()
        .filter(|(f, _)| !best.contains_key(f))
        .map(|(_, name)| name.to_string())
        .collect();
        if !missing.is_empty() {
            return Err(LedgerError::MissingColumns {
                file: String::new(),
                missing,
                found: headers.iter().map(|h| h.trim().to_string()).collect(),
            });
        }
        let mut cols: [Option<(usize, String)>; Field::ALL.len()] = Default::default();
        for (f, (_, col, h)) in best {
            cols[f as usize] = Some((col, h));
        }
        Ok(ColumnMap {
            cols,
            area_unit_stated: area_unit.is_some(),
            area_unit: area_unit.unwrap_or(AreaUnit::Hectare),
            funds_unit: funds_unit.unwrap_or(MoneyUnit::WanYuan),
            source_tick,
            width: headers.len(),
        })
    }

    /// The column (0-based index) and header text mapped to a field.
    pub fn get(&self, field: Field) -> Option<(usize, &str)> {
        self.cols[field as usize]
            .as_ref()
            .map(|(c, h)| (*c, h.as_str()))
    }

    /// Every mapped field with its column and header text, in column order.
    pub fn fields(&self) -> Vec<(Field, usize, &str)> {
        let mut v: Vec<_> = Field::ALL
            .iter()
            .filter_map(|f| self.get(*f).map(|(c, h)| (*f, c, h)))
            .collect();
        v.sort_by_key(|(_, c, _)| *c);
        v
    }

    /// The unit the area column is stated in (公顷 when the header does not say).
    pub fn area_unit(&self) -> AreaUnit {
        self.area_unit
    }

    /// The unit of the funds column (万元 when the header does not say).
    pub fn funds_unit(&self) -> MoneyUnit {
        self.funds_unit
    }

    /// The number of header cells.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Set the area unit from a 单位 line, unless the header itself states one.
    fn apply_unit_line(&mut self, unit: AreaUnit) {
        if !self.area_unit_stated {
            self.area_unit = unit;
            self.area_unit_stated = true;
        }
    }

    /// Apply a units row (the row right below the header) when it is one: every non-empty cell
    /// is a unit word. Returns true when the row was a units row.
    fn apply_units_row(&mut self, cells: &[&str]) -> bool {
        let non_empty: Vec<(usize, &str)> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| (i, c.trim()))
            .filter(|(_, c)| !c.is_empty())
            .collect();
        if non_empty.is_empty() {
            return false;
        }
        let all_units = non_empty.iter().all(|(_, c)| {
            let n = text::normalize(c);
            let n = n.trim_matches(['(', ')']);
            area_unit_in(n).is_some() || money_unit_in(n).is_some() || n == "单位" || n == "/"
        });
        if !all_units {
            return false;
        }
        if let Some((col, _)) = self.get(Field::Area) {
            if let Some(u) = cells.get(col).and_then(|c| {
                let n = text::normalize(c);
                area_unit_in(n.trim_matches(['(', ')']))
            }) {
                if !self.area_unit_stated {
                    self.area_unit = u;
                    self.area_unit_stated = true;
                }
            }
        }
        if let Some((col, _)) = self.get(Field::Funds) {
            if let Some(u) = cells.get(col).and_then(|c| {
                let n = text::normalize(c);
                money_unit_in(n.trim_matches(['(', ')']))
            }) {
                self.funds_unit = u;
            }
        }
        true
    }
}

/// A 单位：公顷 line in a title row.
fn unit_line(cells: &[&str]) -> Option<AreaUnit> {
    cells.iter().find_map(|c| {
        let n = text::normalize(c);
        let i = n.find("单位")?;
        let rest = n[i + "单位".len()..].trim_start_matches([':', '：', ' ']);
        let word: String = rest
            .chars()
            .take_while(|c| !c.is_whitespace() && !matches!(c, ',' | '，' | ';' | '；' | ')'))
            .collect();
        AreaUnit::parse(&word)
    })
}

fn is_blank_row(cells: &[&str]) -> bool {
    cells.iter().all(|c| c.trim().is_empty())
}

/// A 合计/小计/总计 line (a sum row typed into the ledger, not a parcel).
fn is_total_row(map: &ColumnMap, cells: &[&str]) -> bool {
    let id_empty_or_total = map
        .get(Field::Id)
        .and_then(|(c, _)| cells.get(c))
        .map(|c| {
            let t = c.trim();
            t.is_empty() || is_total_word(t)
        })
        .unwrap_or(true);
    id_empty_or_total && cells.iter().any(|c| is_total_word(c.trim()))
}

fn is_total_word(t: &str) -> bool {
    if t.is_empty()
        || t.len() > 24
        || !(t.starts_with('合') || t.starts_with('小') || t.starts_with('总'))
    {
        return false;
    }
    let t: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    matches!(t.as_str(), "合计" | "小计" | "总计" | "总合计" | "合 计")
}

/// Cells that mean "nothing here" in optional columns.
fn is_placeholder(t: &str) -> bool {
    matches!(t, "" | "-" | "--" | "—" | "——" | "/" | "／" | "无" | "－")
}

/// Parse a decimal written as in a ledger: full-width digits, thousands separators, spaces.
/// Keeps the written scale. Returns `None` when the text is not a number.
pub(crate) fn parse_decimal(s: &str) -> Option<Decimal> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    if t.bytes()
        .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
    {
        return Decimal::from_str(t).ok();
    }
    let n = text::normalize(t);
    let mut cleaned = String::with_capacity(n.len());
    for ch in n.chars() {
        match ch {
            ' ' | '\u{a0}' | '\u{2009}' => {}
            '＋' | '+' if cleaned.is_empty() => {}
            '−' | '－' => cleaned.push('-'),
            c => cleaned.push(c),
        }
    }
    if cleaned.contains(',') {
        let (int, frac) = match cleaned.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (cleaned.as_str(), None),
        };
        let int_digits = int.trim_start_matches('-');
        let groups: Vec<&str> = int_digits.split(',').collect();
        let ok = groups.len() > 1
            && (1..=3).contains(&groups[0].len())
            && groups[1..].iter().all(|g| g.len() == 3);
        if !ok {
            return None;
        }
        let mut joined = int.replace(',', "");
        if let Some(f) = frac {
            joined.push('.');
            joined.push_str(f);
        }
        cleaned = joined;
    }
    if cleaned.is_empty()
        || !cleaned
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
        || !cleaned.bytes().any(|b| b.is_ascii_digit())
    {
        return None;
    }
    Decimal::from_str(&cleaned).ok()
}

/// Split a trailing unit off a cell such as "4.0254公顷".
fn split_area_cell(t: &str) -> (Cow<'_, str>, Option<AreaUnit>) {
    if t.bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b','))
    {
        return (Cow::Borrowed(t), None);
    }
    let n = text::normalize(t);
    let n = n.trim();
    let pos = n
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || matches!(c, '.' | ',' | '-' | ' ')))
        .map(|(i, _)| i);
    match pos {
        Some(i) if i > 0 => match AreaUnit::parse(&n[i..]) {
            Some(u) => (Cow::Owned(n[..i].to_string()), Some(u)),
            None => (Cow::Borrowed(t), None),
        },
        _ => (Cow::Borrowed(t), None),
    }
}

/// Why a class cell does not classify a parcel.
#[derive(Clone)]
enum ClassProblem {
    Group,
    Unknown,
}

/// Parses cells to parcel attributes, remembering what it has seen: a ledger repeats the same
/// few words (用途, 供应方式, 季度, 新增/存量 …) on every row.
pub(crate) struct RecordParser {
    class_cache: Cache<Result<ResolvedClass, ClassProblem>>,
    timing_cache: Cache<Option<Timing>>,
    method_cache: Cache<Option<SupplyMethod>>,
    source_cache: Cache<Option<LandSource>>,
    housing_cache: Cache<Option<HousingType>>,
    status_cache: Cache<Option<ReserveStatus>>,
}

/// A small multiply-rotate hasher (the FxHash scheme) for the word caches: the keys are short
/// and the caches bounded, so SipHash's flooding resistance buys nothing here.
#[derive(Default, Clone, Copy)]
struct FxBuild;

struct FxHasher(u64);

impl std::hash::BuildHasher for FxBuild {
    type Hasher = FxHasher;
    fn build_hasher(&self) -> FxHasher {
        FxHasher(0)
    }
}

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ b as u64).wrapping_mul(K);
        }
    }
    fn write_u8(&mut self, b: u8) {
        self.write(&[b]);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A bounded memo of a parser over cell text.
struct Cache<T>(HashMap<Box<str>, T, FxBuild>);

const CACHE_LIMIT: usize = 4096;

impl<T: Clone> Cache<T> {
    fn new() -> Self {
        Cache(HashMap::with_hasher(FxBuild))
    }

    fn get(&mut self, key: &str, f: impl FnOnce(&str) -> T) -> T {
        if let Some(v) = self.0.get(key) {
            return v.clone();
        }
        let v = f(key);
        if self.0.len() >= CACHE_LIMIT {
            self.0.clear();
        }
        self.0.insert(key.into(), v.clone());
        v
    }
}

fn resolve_class(t: &str, scheme: Scheme) -> Result<ResolvedClass, ClassProblem> {
    let c = Classifier::builtin();
    match c.resolve(t, scheme) {
        Resolution::Class(r) => Ok(r),
        Resolution::Group { .. } => Err(ClassProblem::Group),
        Resolution::Unknown => {
            // "0601 工业用地" / "0601工业用地": try the code, then the name.
            let n = text::normalize(t);
            let n = n.trim();
            let digits: String = n.chars().take_while(|c| c.is_ascii_digit()).collect();
            if !digits.is_empty() && digits.len() < n.len() {
                let rest = n[digits.len()..].trim_start_matches([' ', '-', '.', '、']);
                if let Resolution::Class(r) = c.resolve(rest, scheme) {
                    return Ok(r);
                }
                if let Resolution::Class(r) = c.resolve(&digits, scheme) {
                    return Ok(r);
                }
            }
            Err(ClassProblem::Unknown)
        }
    }
}

impl RecordParser {
    pub(crate) fn new() -> RecordParser {
        RecordParser {
            class_cache: Cache::new(),
            timing_cache: Cache::new(),
            method_cache: Cache::new(),
            source_cache: Cache::new(),
            housing_cache: Cache::new(),
            status_cache: Cache::new(),
        }
    }

    pub(crate) fn parse(
        &mut self,
        map: &ColumnMap,
        cells: &[&str],
        row: usize,
        opts: &LedgerOptions,
    ) -> Result<Parcel, Vec<Finding>> {
        let mut bad: Vec<Finding> = Vec::new();
        let cell = |f: Field| -> Option<(&str, &str)> {
            let (col, header) = map.get(f)?;
            Some((cells.get(col).map(|c| c.trim()).unwrap_or(""), header))
        };
        let mut reject = |header: &str, text: &str, reason: String| {
            let mut place = Place::row(row, Some(header));
            place.file = opts.file_label.clone();
            if !text.is_empty() {
                place.text = Some(text.to_string());
            }
            bad.push(
                Finding::new(
                    RULE_ROW_REJECTED,
                    Severity::Error,
                    format!("第{row}行“{header}”列：{reason}"),
                )
                .at(place),
            );
        };

        // 地块编号
        let mut id = String::new();
        if let Some((t, h)) = cell(Field::Id) {
            if t.is_empty() {
                reject(h, t, "缺少地块编号".to_string());
            } else {
                id = t.to_string();
            }
        }

        // 面积
        let mut stated = None;
        if let Some((t, h)) = cell(Field::Area) {
            if t.is_empty() {
                reject(h, t, "缺少面积".to_string());
            } else {
                let (num, unit) = split_area_cell(t);
                match parse_decimal(&num) {
                    Some(v) => stated = Some(StatedArea::new(v, unit.unwrap_or(map.area_unit))),
                    None => reject(h, t, format!("面积“{t}”不是数字")),
                }
            }
        }

        // 用途
        let mut class = None;
        let mut class_text = String::new();
        if let Some((t, h)) = cell(Field::Class) {
            if t.is_empty() {
                reject(h, t, "缺少用途（地类）".to_string());
            } else {
                let scheme = opts.code_scheme;
                match self.class_cache.get(t, |k| resolve_class(k, scheme)) {
                    Ok(r) => {
                        class = Some(r);
                        class_text = t.to_string();
                    }
                    Err(ClassProblem::Group) => reject(
                        h,
                        t,
                        format!("用途“{t}”不是具体地类（是多个地类的合称），请填写具体地类"),
                    ),
                    Err(ClassProblem::Unknown) => reject(
                        h,
                        t,
                        format!(
                            "用途“{t}”无法识别，不是《土地利用现状分类》或《用地用海分类指南》中的地类名称或编码"
                        ),
                    ),
                }
            }
        }

        let optional =
            |f: Field| -> Option<(&str, &str)> { cell(f).filter(|(t, _)| !is_placeholder(t)) };

        let location = optional(Field::Location).map(|(t, _)| t.to_string());
        let township = optional(Field::Township).map(|(t, _)| t.to_string());

        let mut source = None;
        if let Some((t, h)) = optional(Field::Source) {
            source = self.source_cache.get(t, LandSource::parse).or_else(|| {
                let tick = map.source_tick?;
                let other = match tick {
                    LandSource::New => LandSource::Stock,
                    LandSource::Stock => LandSource::New,
                };
                match t {
                    "是" | "√" | "✓" | "Y" | "y" | "1" => Some(tick),
                    "否" | "×" | "N" | "n" | "0" => Some(other),
                    _ => None,
                }
            });
            if source.is_none() {
                reject(h, t, format!("土地来源“{t}”无法识别，应为“新增”或“存量”"));
            }
        }

        let mut method = None;
        if let Some((t, h)) = optional(Field::Method) {
            method = self.method_cache.get(t, SupplyMethod::parse);
            if method.is_none() {
                reject(
                    h,
                    t,
                    format!(
                        "供应方式“{t}”无法识别，应为划拨、招标、拍卖、挂牌、协议、租赁或作价出资"
                    ),
                );
            }
        }

        let mut timing = None;
        if let Some((t, h)) = optional(Field::Timing) {
            timing = self.timing_cache.get(t, Timing::parse);
            if timing.is_none() {
                reject(
                    h,
                    t,
                    format!("计划供应时间“{t}”无法识别，应为季度（如“第二季度”）、月份（如“7月”）或日期"),
                );
            }
        }

        let housing = optional(Field::Housing)
            .and_then(|(t, _)| self.housing_cache.get(t, HousingType::parse));

        let mut reserve_status = None;
        if let Some((t, h)) = optional(Field::ReserveStatus) {
            reserve_status = self.status_cache.get(t, ReserveStatus::parse);
            if reserve_status.is_none() {
                reject(
                    h,
                    t,
                    format!("储备状态“{t}”无法识别，应为“拟收储”“已入库”或“拟供应”"),
                );
            }
        }

        let pre_development = optional(Field::PreDevelopment).map(|(t, _)| t.to_string());

        let mut funds = None;
        if let Some((t, h)) = optional(Field::Funds) {
            match parse_decimal(t) {
                Some(v) => funds = Some(Money::from_unit(v, map.funds_unit)),
                None => reject(h, t, format!("资金需求“{t}”不是数字")),
            }
        }

        if !bad.is_empty() {
            return Err(bad);
        }
        let (Some(stated_area), Some(class)) = (stated, class) else {
            // Unreachable with a map from `from_headers` (the columns are required); report
            // rather than panic for a hand-made map.
            return Err(vec![Finding::new(
                RULE_ROW_REJECTED,
                Severity::Error,
                format!("第{row}行：缺少面积或用途列"),
            )
            .at(Place {
                file: opts.file_label.clone(),
                ..Place::row(row, None)
            })]);
        };
        Ok(Parcel {
            id,
            location,
            stated_area,
            class_text,
            class,
            township,
            source,
            method,
            timing,
            housing,
            reserve_status,
            pre_development,
            funds,
            row,
        })
    }
}

/// Map one record (cells by column index) to a parcel, or to the findings that reject it (one
/// per bad cell, rule `ledger.row_rejected`). `row` is the 1-based row shown to the user.
/// Used by the ledger readers and by the geometry readers for attribute tables.
pub fn parcel_from_record(
    map: &ColumnMap,
    cells: &[&str],
    row: usize,
    opts: &LedgerOptions,
) -> Result<Parcel, Vec<Finding>> {
    RecordParser::new().parse(map, cells, row, opts)
}

/// The decoded text stream of a CSV source: UTF-8 passed through, or transcoded.
enum Stream<R: Read> {
    Plain(io::Chain<Cursor<Vec<u8>>, CountingReader<R>>),
    Decoded(DecodeReader<io::Chain<Cursor<Vec<u8>>, CountingReader<R>>>),
}

impl<R: Read> Read for Stream<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(r) => r.read(buf),
            Stream::Decoded(r) => r.read(buf),
        }
    }
}

/// The data rows of a CSV ledger after its header.
struct CsvRows<R: Read> {
    reader: csv::Reader<Stream<R>>,
    record: csv::ByteRecord,
    /// A record read ahead while looking for a units row.
    pending: Option<csv::ByteRecord>,
    map: ColumnMap,
    parser: RecordParser,
    opts: LedgerOptions,
    /// The 1-based row number of the last row read.
    row: usize,
    total_rows_skipped: Arc<AtomicUsize>,
    done: bool,
}

impl<R: Read> CsvRows<R> {
    fn next_item(&mut self) -> Option<Result<Parcel, Vec<Finding>>> {
        loop {
            if self.done {
                return None;
            }
            if let Some(p) = self.pending.take() {
                self.record = p;
            } else {
                match self.reader.read_byte_record(&mut self.record) {
                    Ok(true) => {}
                    Ok(false) => {
                        self.done = true;
                        return None;
                    }
                    Err(e) => {
                        self.done = true;
                        return Some(Err(read_error(&self.opts, self.row + 1, csv_reason(&e))));
                    }
                }
            }
            self.row += 1;
            let cells = byte_cells(&self.record);
            let cells: Vec<&str> = cells.iter().map(|c| c.as_ref()).collect();
            if is_blank_row(&cells) {
                continue;
            }
            if is_total_row(&self.map, &cells) {
                self.total_rows_skipped.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            return Some(self.parser.parse(&self.map, &cells, self.row, &self.opts));
        }
    }
}

/// A finding for a source that cannot be read further.
fn read_error(opts: &LedgerOptions, row: usize, reason: String) -> Vec<Finding> {
    let mut place = Place::row(row, None);
    place.file = opts.file_label.clone();
    vec![Finding::new(
        RULE_ROW_REJECTED,
        Severity::Error,
        format!("第{row}行起无法继续读取：{reason}"),
    )
    .at(place)]
}

type Item = Result<Parcel, Vec<Finding>>;

/// Rows parsed per message from the reading thread.
const BATCH: usize = 1024;

enum Source {
    /// Read and parsed on the caller's thread.
    Csv(Box<CsvRows<Box<dyn Read>>>),
    /// Read and parsed on a background thread, handed over in batches (files opened by path:
    /// parsing overlaps with whatever the caller does with the parcels).
    Threaded {
        rx: std::sync::mpsc::Receiver<Vec<Item>>,
        batch: std::vec::IntoIter<Item>,
        handle: Option<std::thread::JoinHandle<()>>,
    },
    Sheet {
        range: calamine::Range<calamine::Data>,
        /// The next row, relative to the range.
        next: usize,
        /// The sheet row of the range's first row (0-based).
        first_row: usize,
    },
}

/// A ledger being read: an iterator over its data rows.
pub struct LedgerReader {
    source: Source,
    map: ColumnMap,
    parser: RecordParser,
    opts: LedgerOptions,
    encoding: Option<TextEncoding>,
    format_label: String,
    bytes_total: Option<u64>,
    bytes_read: Arc<AtomicU64>,
    /// The 1-based row number of the last row read (workbooks).
    row: usize,
    total_rows_skipped: Arc<AtomicUsize>,
    done: bool,
}

impl fmt::Debug for LedgerReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LedgerReader")
            .field("format", &self.format_label)
            .field("columns", &self.map)
            .field("row", &self.row)
            .finish()
    }
}

impl LedgerReader {
    /// The text encoding of a CSV ledger; `None` for a workbook.
    pub fn encoding(&self) -> Option<TextEncoding> {
        self.encoding
    }

    /// A readable description of the format, e.g. "CSV（GBK/GB18030）" or
    /// "Excel（工作表：地块清单）".
    pub fn format_label(&self) -> String {
        self.format_label.clone()
    }

    /// Which header matched which field.
    pub fn columns(&self) -> &ColumnMap {
        &self.map
    }

    /// The size of the source in bytes, when known (for a progress bar).
    pub fn bytes_total(&self) -> Option<u64> {
        self.bytes_total
    }

    /// Approximately how many bytes of the source have been read (for a progress bar).
    pub fn bytes_read(&self) -> u64 {
        match &self.source {
            Source::Csv(_) | Source::Threaded { .. } => self.bytes_read.load(Ordering::Relaxed),
            Source::Sheet { range, next, .. } => {
                let total = self.bytes_total.unwrap_or(0);
                let h = range.height().max(1) as u64;
                total * (*next as u64).min(h) / h
            }
        }
    }

    /// How many 合计/小计 rows were skipped so far.
    pub fn total_rows_skipped(&self) -> usize {
        self.total_rows_skipped.load(Ordering::Relaxed)
    }

    /// The file label used in findings.
    pub fn file_label(&self) -> &str {
        self.opts.file_label.as_deref().unwrap_or("")
    }
}

impl Iterator for LedgerReader {
    /// One data row: a parcel, or the row's rejection as findings (rule `ledger.row_rejected`,
    /// one per bad cell, each with the file, the row and the column's header text).
    type Item = Result<Parcel, Vec<Finding>>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done {
                return None;
            }
            match &mut self.source {
                Source::Csv(rows) => return rows.next_item(),
                Source::Threaded { rx, batch, handle } => {
                    if let Some(item) = batch.next() {
                        return Some(item);
                    }
                    match rx.recv() {
                        Ok(b) => *batch = b.into_iter(),
                        Err(_) => {
                            self.done = true;
                            let panicked = handle.take().map(|h| h.join().is_err());
                            if panicked == Some(true) {
                                let row = 0;
                                return Some(Err(read_error(
                                    &self.opts,
                                    row,
                                    "读取线程意外终止".to_string(),
                                )));
                            }
                            return None;
                        }
                    }
                }
                Source::Sheet {
                    range,
                    next,
                    first_row,
                } => {
                    if *next >= range.height() {
                        self.done = true;
                        return None;
                    }
                    let r = *next;
                    *next += 1;
                    self.row = *first_row + r + 1;
                    let cells = sheet_row(range, r);
                    let cells: Vec<&str> = cells.iter().map(|c| c.as_str()).collect();
                    if is_blank_row(&cells) {
                        continue;
                    }
                    if is_total_row(&self.map, &cells) {
                        self.total_rows_skipped.fetch_add(1, Ordering::Relaxed);
                        continue;
                    }
                    return Some(self.parser.parse(&self.map, &cells, self.row, &self.opts));
                }
            }
        }
    }
}

fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Io(io) => format!("读取错误：{io}"),
        _ => format!("CSV 格式错误：{e}"),
    }
}

fn byte_cells(record: &csv::ByteRecord) -> Vec<Cow<'_, str>> {
    record
        .iter()
        .map(|b| match std::str::from_utf8(b) {
            Ok(s) => Cow::Borrowed(s),
            Err(_) => String::from_utf8_lossy(b),
        })
        .collect()
}

/// A workbook cell as text. Numbers become the shortest decimal text that reads back as the
/// same binary value (Rust's `Display` for `f64`), never through arithmetic on the value.
fn cell_text(d: &calamine::Data) -> String {
    use calamine::Data;
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_text(*f),
        Data::Bool(b) => if *b { "是" } else { "否" }.to_string(),
        Data::DateTime(dt) => float_text(dt.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e}"),
    }
}

fn float_text(f: f64) -> String {
    if f.is_finite() {
        format!("{f}")
    } else {
        String::new()
    }
}

fn sheet_row(range: &calamine::Range<calamine::Data>, r: usize) -> Vec<String> {
    (0..range.width())
        .map(|c| range.get((r, c)).map(cell_text).unwrap_or_default())
        .collect()
}

/// Opens a CSV or XLSX ledger (detected from the content), detects the encoding from a sample,
/// reads and maps the header. CSV ledgers are streamed, never loaded whole; their rows are read
/// and parsed on a background thread, so that parsing overlaps with the caller's work.
pub fn open_ledger(path: &Path, opts: &LedgerOptions) -> Result<LedgerReader, LedgerError> {
    let label = opts
        .file_label
        .clone()
        .unwrap_or_else(|| path.display().to_string());
    let io_err = |source| LedgerError::Io {
        file: label.clone(),
        source,
    };
    let file = File::open(path).map_err(io_err)?;
    let size = file.metadata().map_err(io_err)?.len();
    let opts = LedgerOptions {
        code_scheme: opts.code_scheme,
        file_label: Some(label.clone()),
    };
    let mut r = match prepare(file, LedgerFormatHint::Auto, opts)? {
        Prepared::Book(r) => r,
        Prepared::Csv(rows, meta) => {
            let mut shell = csv_shell(&rows, meta);
            let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Item>>(4);
            let mut rows = rows;
            let handle = std::thread::Builder::new()
                .name("ledger-reader".into())
                .spawn(move || loop {
                    let mut batch = Vec::with_capacity(BATCH);
                    while batch.len() < BATCH {
                        match rows.next_item() {
                            Some(item) => batch.push(item),
                            None => break,
                        }
                    }
                    let last = batch.len() < BATCH;
                    if !batch.is_empty() && tx.send(batch).is_err() {
                        return;
                    }
                    if last {
                        return;
                    }
                })
                .map_err(io_err)?;
            shell.source = Source::Threaded {
                rx,
                batch: Vec::new().into_iter(),
                handle: Some(handle),
            };
            shell
        }
    };
    r.bytes_total = Some(size);
    Ok(r)
}

/// The same as [`open_ledger`] from any reader (for tests and for streams). Without a
/// `file_label` in the options, findings and errors carry no file name. Rows are parsed on the
/// caller's thread.
pub fn ledger_from_reader<R: Read + 'static>(
    r: R,
    kind: LedgerFormatHint,
    opts: &LedgerOptions,
) -> Result<LedgerReader, LedgerError> {
    let raw: Box<dyn Read> = Box::new(r);
    Ok(match prepare(raw, kind, opts.clone())? {
        Prepared::Book(r) => r,
        Prepared::Csv(rows, meta) => {
            let mut shell = csv_shell(&rows, meta);
            shell.source = Source::Csv(Box::new(rows));
            shell
        }
    })
}

/// A source opened up to its first data row.
enum Prepared<R: Read> {
    Book(LedgerReader),
    Csv(CsvRows<R>, CsvMeta),
}

struct CsvMeta {
    encoding: TextEncoding,
    counter: Arc<AtomicU64>,
}

/// A CSV ledger reader around its rows (the caller sets the source).
fn csv_shell<R: Read>(rows: &CsvRows<R>, meta: CsvMeta) -> LedgerReader {
    LedgerReader {
        source: Source::Threaded {
            rx: std::sync::mpsc::sync_channel(0).1,
            batch: Vec::new().into_iter(),
            handle: None,
        },
        map: rows.map.clone(),
        parser: RecordParser::new(),
        format_label: format!("CSV（{}）", meta.encoding.label()),
        encoding: Some(meta.encoding),
        opts: rows.opts.clone(),
        bytes_total: None,
        bytes_read: meta.counter,
        row: rows.row,
        total_rows_skipped: rows.total_rows_skipped.clone(),
        done: false,
    }
}

fn prepare<R: Read>(
    raw: R,
    hint: LedgerFormatHint,
    opts: LedgerOptions,
) -> Result<Prepared<R>, LedgerError> {
    let label = opts.file_label.clone().unwrap_or_default();
    let io_err = |source| LedgerError::Io {
        file: label.clone(),
        source,
    };
    let counter = Arc::new(AtomicU64::new(0));
    let mut counted = CountingReader::new(raw, counter.clone());
    let mut sample = Vec::with_capacity(SAMPLE_BYTES);
    (&mut counted)
        .take(SAMPLE_BYTES as u64)
        .read_to_end(&mut sample)
        .map_err(io_err)?;
    if sample.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(LedgerError::Empty { file: label });
    }
    let is_zip = sample.starts_with(b"PK\x03\x04");
    let is_ole = sample.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    let kind = match hint {
        LedgerFormatHint::Auto if is_zip || is_ole => LedgerFormatHint::Xlsx,
        LedgerFormatHint::Auto => LedgerFormatHint::Csv,
        k => k,
    };
    match kind {
        LedgerFormatHint::Xlsx => {
            let mut bytes = sample;
            counted.read_to_end(&mut bytes).map_err(io_err)?;
            open_workbook(bytes, opts, is_ole).map(Prepared::Book)
        }
        _ => {
            let (rows, encoding) = open_csv(sample, counted, opts)?;
            Ok(Prepared::Csv(rows, CsvMeta { encoding, counter }))
        }
    }
}

fn open_csv<R: Read>(
    sample: Vec<u8>,
    rest: CountingReader<R>,
    opts: LedgerOptions,
) -> Result<(CsvRows<R>, TextEncoding), LedgerError> {
    let label = opts.file_label.clone().unwrap_or_default();
    let enc = text::detect_encoding(&sample);
    let body = &sample[enc.bom_len().min(sample.len())..];
    let (head, _) = enc.encoding().decode_without_bom_handling(body);
    if head
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .is_empty()
    {
        return Err(LedgerError::Empty { file: label });
    }
    let delimiter = sniff_delimiter(&head);
    let bom = enc.bom_len();
    let mut chained = Cursor::new(sample).chain(rest);
    // Skip the BOM.
    io::copy(&mut (&mut chained).take(bom as u64), &mut io::sink()).map_err(|source| {
        LedgerError::Io {
            file: label.clone(),
            source,
        }
    })?;
    let stream = match enc {
        TextEncoding::Utf8 | TextEncoding::Utf8Bom => Stream::Plain(chained),
        other => Stream::Decoded(DecodeReader::new(chained, other.encoding())),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .buffer_capacity(256 * 1024)
        .from_reader(stream);

    // Find the header among the first rows.
    let mut record = csv::ByteRecord::new();
    let mut row = 0usize;
    let mut unit_from_title = None;
    let mut best_miss: Option<(usize, LedgerError)> = None;
    let mut map = None;
    while row < HEADER_SEARCH_ROWS {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                return Err(LedgerError::BadCsv {
                    file: label,
                    row: row + 1,
                    reason: csv_reason(&e),
                })
            }
        }
        row += 1;
        let cells = byte_cells(&record);
        let cells: Vec<&str> = cells.iter().map(|c| c.as_ref()).collect();
        if is_blank_row(&cells) {
            continue;
        }
        match ColumnMap::from_headers(&cells) {
            Ok(m) => {
                map = Some(m);
                break;
            }
            Err(e) => {
                if let Some(u) = unit_line(&cells) {
                    unit_from_title = Some(u);
                }
                keep_closest(&mut best_miss, &cells, e);
            }
        }
    }
    let Some(mut map) = map else {
        return Err(match best_miss {
            Some((_, e)) => e.with_file(&label),
            None => LedgerError::Empty { file: label },
        });
    };
    if let Some(u) = unit_from_title {
        map.apply_unit_line(u);
    }
    // A units row right below the header.
    let mut pending = None;
    match reader.read_byte_record(&mut record) {
        Ok(true) => {
            let cells = byte_cells(&record);
            let cells: Vec<&str> = cells.iter().map(|c| c.as_ref()).collect();
            if map.apply_units_row(&cells) {
                row += 1;
            } else {
                pending = Some(record.clone());
            }
        }
        Ok(false) => {}
        Err(e) => {
            return Err(LedgerError::BadCsv {
                file: label,
                row: row + 1,
                reason: csv_reason(&e),
            })
        }
    }
    Ok((
        CsvRows {
            reader,
            record,
            pending,
            map,
            parser: RecordParser::new(),
            opts,
            row,
            total_rows_skipped: Arc::new(AtomicUsize::new(0)),
            done: false,
        },
        enc,
    ))
}

/// Keep the header attempt that recognised the most columns, for the error message.
fn keep_closest(best: &mut Option<(usize, LedgerError)>, cells: &[&str], e: LedgerError) {
    let missing = match &e {
        LedgerError::MissingColumns { missing, .. } => missing.len(),
        _ => usize::MAX,
    };
    let non_empty = cells.iter().filter(|c| !c.trim().is_empty()).count();
    // Fewer missing wins; among equals, the row with more cells (a header, not a title).
    let score = (3 - missing.min(3)) * 1000 + non_empty.min(999);
    if best.as_ref().is_none_or(|(s, _)| score > *s) {
        *best = Some((score, e));
    }
}

/// Pick the delimiter that occurs most in the first lines (outside quotes): comma, tab or
/// semicolon; comma when none occurs.
fn sniff_delimiter(head: &str) -> u8 {
    let mut counts = [0usize; 3];
    let cands = [b',', b'\t', b';'];
    for line in head.lines().take(HEADER_SEARCH_ROWS + 2) {
        let mut in_quotes = false;
        for b in line.bytes() {
            if b == b'"' {
                in_quotes = !in_quotes;
            } else if !in_quotes {
                if let Some(i) = cands.iter().position(|c| *c == b) {
                    counts[i] += 1;
                }
            }
        }
    }
    let (i, n) = counts
        .iter()
        .enumerate()
        .max_by_key(|(i, n)| (**n, usize::MAX - *i))
        .map(|(i, n)| (i, *n))
        .unwrap_or((0, 0));
    if n == 0 {
        b','
    } else {
        cands[i]
    }
}

fn open_workbook(
    bytes: Vec<u8>,
    opts: LedgerOptions,
    is_ole: bool,
) -> Result<LedgerReader, LedgerError> {
    use calamine::Reader;
    let label = opts.file_label.clone().unwrap_or_default();
    let size = bytes.len() as u64;
    let bad = |reason: String| LedgerError::BadWorkbook {
        file: label.clone(),
        reason,
    };
    let cursor = Cursor::new(bytes);
    let mut sheets: Vec<(String, calamine::Range<calamine::Data>)> = Vec::new();
    if is_ole {
        let mut wb = calamine::open_workbook_auto_from_rs(cursor)
            .map_err(|e| bad(format!("无法识别的工作簿：{e}")))?;
        for name in wb.sheet_names() {
            let range = wb
                .worksheet_range(&name)
                .map_err(|e| bad(format!("工作表“{name}”无法读取：{e}")))?;
            sheets.push((name, range));
        }
    } else {
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(cursor)
            .map_err(|e: calamine::XlsxError| bad(workbook_reason(&e.to_string())))?;
        for name in wb.sheet_names() {
            let range = wb.worksheet_range(&name).map_err(|e| {
                bad(format!(
                    "工作表“{name}”无法读取：{}",
                    workbook_reason(&e.to_string())
                ))
            })?;
            sheets.push((name, range));
        }
    }
    if sheets.is_empty() {
        return Err(LedgerError::NoSheet { file: label });
    }
    let mut best_miss: Option<(usize, LedgerError)> = None;
    for (name, range) in sheets {
        if range.is_empty() {
            continue;
        }
        let first_row = range.start().map(|(r, _)| r as usize).unwrap_or(0);
        let mut unit_from_title = None;
        for r in 0..range.height().min(HEADER_SEARCH_ROWS) {
            let cells = sheet_row(&range, r);
            let cells: Vec<&str> = cells.iter().map(|c| c.as_str()).collect();
            if is_blank_row(&cells) {
                continue;
            }
            match ColumnMap::from_headers(&cells) {
                Ok(mut map) => {
                    if let Some(u) = unit_from_title {
                        map.apply_unit_line(u);
                    }
                    let mut next = r + 1;
                    if next < range.height() {
                        let units = sheet_row(&range, next);
                        let units: Vec<&str> = units.iter().map(|c| c.as_str()).collect();
                        if map.apply_units_row(&units) {
                            next += 1;
                        }
                    }
                    return Ok(LedgerReader {
                        source: Source::Sheet {
                            range,
                            next,
                            first_row,
                        },
                        map,
                        parser: RecordParser::new(),
                        format_label: format!("Excel（工作表：{name}）"),
                        encoding: None,
                        opts,
                        bytes_total: Some(size),
                        bytes_read: Arc::new(AtomicU64::new(0)),
                        row: first_row + r + 1,
                        total_rows_skipped: Arc::new(AtomicUsize::new(0)),
                        done: false,
                    });
                }
                Err(e) => {
                    if let Some(u) = unit_line(&cells) {
                        unit_from_title = Some(u);
                    }
                    keep_closest(&mut best_miss, &cells, e);
                }
            }
        }
    }
    Err(match best_miss {
        Some((_, e)) => e.with_file(&label),
        None => LedgerError::Empty { file: label },
    })
}

/// Explain a calamine/zip error in Chinese, keeping the original text.
fn workbook_reason(e: &str) -> String {
    let lower = e.to_ascii_lowercase();
    if lower.contains("eocd")
        || lower.contains("end of central directory")
        || lower.contains("invalid zip")
        || lower.contains("zip")
    {
        format!("压缩包结构不完整，文件可能被截断：{e}")
    } else {
        e.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn decimals_as_written_in_ledgers() {
        assert_eq!(parse_decimal("4.0254").unwrap().scale(), 4);
        assert_eq!(parse_decimal("１２．５０"), Some(d("12.50")));
        assert_eq!(parse_decimal("1,234.5"), Some(d("1234.5")));
        assert_eq!(parse_decimal(" 3 "), Some(d("3")));
        assert_eq!(parse_decimal("-0.5"), Some(d("-0.5")));
        assert_eq!(parse_decimal("1,2"), None);
        assert_eq!(parse_decimal("abc"), None);
        assert_eq!(parse_decimal("约3"), None);
        assert_eq!(parse_decimal("."), None);
    }

    #[test]
    fn headers_with_units_and_variants() {
        let m = ColumnMap::from_headers(&["序号", "宗地编号", "面积（亩）", "地类编码", "四至"])
            .unwrap();
        assert_eq!(m.get(Field::Id), Some((1, "宗地编号")));
        assert_eq!(m.area_unit(), AreaUnit::Mu);
        assert_eq!(m.get(Field::Class).map(|c| c.0), Some(3));
        assert_eq!(m.get(Field::Location).map(|c| c.0), Some(4));
        let m = ColumnMap::from_headers(&["编号", "面积(平方米)", "用途", "资金(亿元)"]).unwrap();
        assert_eq!(m.area_unit(), AreaUnit::SquareMetre);
        assert_eq!(m.funds_unit(), MoneyUnit::YiYuan);
        let m = ColumnMap::from_headers(&["地块编号", "面积", "用途", "用地性质（新增/存量）"])
            .unwrap();
        assert_eq!(m.get(Field::Source).map(|c| c.0), Some(3));
        assert_eq!(m.area_unit(), AreaUnit::Hectare);
    }

    #[test]
    fn serial_number_is_not_an_id() {
        let Err(LedgerError::MissingColumns { missing, found, .. }) =
            ColumnMap::from_headers(&["序号", "面积", "用途"])
        else {
            panic!("序号 must not be taken as 地块编号")
        };
        assert_eq!(missing, ["地块编号"]);
        assert_eq!(found, ["序号", "面积", "用途"]);
    }

    #[test]
    fn delimiter_is_sniffed() {
        assert_eq!(sniff_delimiter("a\tb\tc\n1\t2\t3"), b'\t');
        assert_eq!(sniff_delimiter("a;b;c"), b';');
        assert_eq!(sniff_delimiter("\"a;b\",c,d"), b',');
        assert_eq!(sniff_delimiter("title only"), b',');
    }

    #[test]
    fn floats_keep_their_shortest_text() {
        assert_eq!(float_text(4.0254), "4.0254");
        assert_eq!(float_text(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(float_text(12.0), "12");
    }
}
