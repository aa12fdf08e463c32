//! Parcel ledgers (地块清单) in CSV or Excel: the ledger schema of the [`tabular`](crate::tabular)
//! reader.
//!
//! A ledger is a table with one parcel per row under a header row in Chinese. Headers are
//! recognised with their common variants (see [`Field`]); the area's unit comes from the
//! header's bracket (面积（亩）), a 单位 line, a units row, or defaults to 公顷; funds default to
//! 万元. Each data row becomes a [`Parcel`] or, when any cell cannot be understood, a list of
//! findings (rule `ledger.row_rejected`), one per bad cell, each naming the file, the row and
//! the column.

use crate::tabular::cell::{class_reason, resolve_class, Cache, ClassProblem};
use crate::tabular::{
    build_row, open_table, table_from_reader, Columns, FieldKey, FieldSpec, FormatHint, Qualifier,
    Row, Schema, TableError, TableOptions, TableReader, UnitKind,
};
use landplan_core::{
    AreaUnit, Finding, HousingType, LandSource, MoneyUnit, Parcel, ReserveStatus, ResolvedClass,
    SupplyMethod, Timing,
};
use std::fmt;
use std::io::{self, Read};
use std::path::Path;

/// The rule id of a rejected ledger row (see `data/rules/ledger.toml`).
pub const RULE_ROW_REJECTED: &str = "ledger.row_rejected";

/// Options for reading a ledger.
pub type LedgerOptions = TableOptions;

/// What the caller knows about the format of a byte stream.
pub type LedgerFormatHint = FormatHint;

/// A ledger being read: an iterator over its data rows, each a [`Parcel`] or the row's
/// rejection as findings (rule `ledger.row_rejected`, one per bad cell, each with the file,
/// the row and the column's header text).
pub type LedgerReader = TableReader<LedgerSchema>;

/// Which header matched which ledger field, and the units the headers state.
pub type ColumnMap = Columns<Field>;

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
    #[error("{}文件为空，没有任何内容", crate::tabular::prefix(.file))]
    Empty {
        /// The file.
        file: String,
    },
    /// No header row with the required columns was found.
    #[error(
        "{}缺少必需的列：{}。找到的表头：{}。{}",
        crate::tabular::prefix(.file),
        .missing.join("、"),
        crate::tabular::found_list(.found),
        LEDGER_NEEDS
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
    #[error("{}Excel 文件已损坏或不完整，无法打开（{reason}）。请在 Excel/WPS 中重新保存或重新导出后再试", crate::tabular::prefix(.file))]
    BadWorkbook {
        /// The file.
        file: String,
        /// What the reader said.
        reason: String,
    },
    /// The workbook has no worksheet.
    #[error("{}工作簿中没有任何工作表", crate::tabular::prefix(.file))]
    NoSheet {
        /// The file.
        file: String,
    },
    /// The CSV text could not be parsed.
    #[error("{}第{row}行无法解析为 CSV：{reason}", crate::tabular::prefix(.file))]
    BadCsv {
        /// The file.
        file: String,
        /// The row.
        row: usize,
        /// What the parser said.
        reason: String,
    },
    /// The worksheet asked for is missing, only hidden sheets could hold the ledger, or a
    /// sheet is too large to read ([`TableError`] says which).
    #[error(transparent)]
    Sheet(TableError),
}

impl From<TableError> for LedgerError {
    fn from(e: TableError) -> LedgerError {
        match e {
            TableError::Io { file, source } => LedgerError::Io { file, source },
            TableError::Empty { file } => LedgerError::Empty { file },
            TableError::MissingColumns {
                file,
                missing,
                found,
                ..
            } => LedgerError::MissingColumns {
                file,
                missing,
                found,
            },
            TableError::BadWorkbook { file, reason } => LedgerError::BadWorkbook { file, reason },
            TableError::NoSheet { file } => LedgerError::NoSheet { file },
            TableError::BadCsv { file, row, reason } => LedgerError::BadCsv { file, row, reason },
            e @ (TableError::NoSuchSheet { .. }
            | TableError::OnlyHiddenSheets { .. }
            | TableError::TooManyCells { .. }
            | TableError::NotATable { .. }) => LedgerError::Sheet(e),
        }
    }
}

const LEDGER_NEEDS: &str = "台账须有地块编号、面积（公顷、亩或平方米）和用途（或地类编码）三类列";

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

/// Every ledger field with its header names, best first (normalised, brackets removed).
const FIELDS: &[FieldSpec<Field>] = &[
    FieldSpec::new(
        Field::Id,
        &[
            "地块编号",
            "宗地编号",
            "地块号",
            "宗地号",
            "地块代码",
            "宗地代码",
            "编号",
        ],
    )
    .required("地块编号"),
    FieldSpec::new(
        Field::Location,
        &[
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
    ),
    FieldSpec::new(
        Field::Area,
        &[
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
    )
    .required("面积")
    .unit(UnitKind::Area),
    // 用地性质（新增/存量） is the land source, not the use.
    FieldSpec::new(
        Field::Class,
        &[
            "用途",
            "土地用途",
            "规划用途",
            // The 国土TXT header's 地块用途 (before its 地类编码).
            "地块用途",
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
    )
    .required("用途（或地类编码）")
    .qualifier(Qualifier::Refuse(SOURCE_WORDS)),
    FieldSpec::new(
        Field::Township,
        &[
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
    ),
    FieldSpec::new(
        Field::Source,
        &[
            "土地来源",
            "新增或存量",
            "新增/存量",
            "新增存量",
            "新增、存量",
            "用地来源",
            "新增",
            "存量",
        ],
    )
    .qualifier(Qualifier::Claim {
        words: SOURCE_WORDS,
        bases: &["用地性质"],
    }),
    FieldSpec::new(
        Field::Method,
        &[
            "供应方式",
            "供地方式",
            "拟供应方式",
            "拟供地方式",
            "出让方式",
        ],
    ),
    FieldSpec::new(
        Field::Timing,
        &[
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
    ),
    FieldSpec::new(
        Field::Housing,
        &["住宅类型", "住房类型", "住宅用地类型", "住房性质"],
    ),
    FieldSpec::new(
        Field::ReserveStatus,
        &["储备状态", "收储状态", "储备类型", "地块状态"],
    ),
    FieldSpec::new(
        Field::PreDevelopment,
        &["前期开发", "前期开发情况", "前期开发内容"],
    ),
    FieldSpec::new(
        Field::Funds,
        &[
            "资金需求",
            "资金",
            "所需资金",
            "资金需求量",
            "储备资金",
            "资金需求额",
        ],
    )
    .unit(UnitKind::Money),
];

/// Qualifier words that make a header the land source (用地性质（新增/存量）).
const SOURCE_WORDS: &[&str] = &["新增", "存量"];

impl FieldKey for Field {
    fn index(self) -> usize {
        self as usize
    }
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
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl Columns<Field> {
    /// Recognise the columns of a ledger's header row. Fails with
    /// [`LedgerError::MissingColumns`] (without a file name) when 地块编号, 面积 or 用途 is
    /// missing. `序号` is never an id.
    pub fn from_headers(headers: &[&str]) -> Result<ColumnMap, LedgerError> {
        Ok(Columns::match_headers(headers, FIELDS, LEDGER_NEEDS)?)
    }

    /// The unit the area column is stated in (公顷 when the header does not say).
    pub fn area_unit(&self) -> AreaUnit {
        self.column(Field::Area)
            .and_then(|c| c.area_unit)
            .unwrap_or(AreaUnit::Hectare)
    }

    /// The unit of the funds column (万元 when the header does not say).
    pub fn funds_unit(&self) -> MoneyUnit {
        self.column(Field::Funds)
            .and_then(|c| c.money_unit)
            .unwrap_or(MoneyUnit::WanYuan)
    }
}

/// The ledger schema: builds a [`Parcel`] from a row, remembering the words it has parsed (a
/// ledger repeats the same few 用途, 供应方式, 季度, 新增/存量 … on every row).
pub struct LedgerSchema {
    code_scheme: landplan_core::Scheme,
    class_cache: Cache<Result<ResolvedClass, ClassProblem>>,
    timing_cache: Cache<Option<Timing>>,
    method_cache: Cache<Option<SupplyMethod>>,
    source_cache: Cache<Option<LandSource>>,
    housing_cache: Cache<Option<HousingType>>,
    status_cache: Cache<Option<ReserveStatus>>,
}

impl LedgerSchema {
    /// A schema reading class codes in the options' scheme.
    pub fn new(opts: &LedgerOptions) -> LedgerSchema {
        LedgerSchema {
            code_scheme: opts.code_scheme,
            class_cache: Cache::new(),
            timing_cache: Cache::new(),
            method_cache: Cache::new(),
            source_cache: Cache::new(),
            housing_cache: Cache::new(),
            status_cache: Cache::new(),
        }
    }

    /// 用途: a class name, alias or code.
    fn class(&mut self, row: &mut Row<'_, Field>) -> Option<(ResolvedClass, String)> {
        let c = row.cell(Field::Class)?;
        if c.text.is_empty() {
            row.reject(c, "缺少用途（地类）".to_string());
            return None;
        }
        let scheme = self.code_scheme;
        match self.class_cache.get(c.text, |k| resolve_class(k, scheme)) {
            Ok(r) => Some((r, c.text.to_string())),
            Err(problem) => {
                row.reject(c, class_reason("用途", c.text, problem));
                None
            }
        }
    }

    /// 土地来源: 新增/存量 words, or 是/否 under a column headed 新增 or 存量.
    fn source(&mut self, row: &mut Row<'_, Field>) -> Option<LandSource> {
        let c = row.optional(Field::Source)?;
        let tick = match c.column.name.as_str() {
            "新增" => Some(LandSource::New),
            "存量" => Some(LandSource::Stock),
            _ => None,
        };
        let source = self
            .source_cache
            .get(c.text, LandSource::parse)
            .or_else(|| {
                let tick = tick?;
                let other = match tick {
                    LandSource::New => LandSource::Stock,
                    LandSource::Stock => LandSource::New,
                };
                match c.text {
                    "是" | "√" | "✓" | "Y" | "y" | "1" => Some(tick),
                    "否" | "×" | "N" | "n" | "0" => Some(other),
                    _ => None,
                }
            });
        if source.is_none() {
            row.reject(
                c,
                format!("土地来源“{}”无法识别，应为“新增”或“存量”", c.text),
            );
        }
        source
    }
}

impl Schema for LedgerSchema {
    type Field = Field;
    type Record = Parcel;
    const FIELDS: &'static [FieldSpec<Field>] = FIELDS;
    const KEYS: &'static [Field] = &[Field::Id];
    const NEEDS: &'static str = LEDGER_NEEDS;
    const RULE: &'static str = RULE_ROW_REJECTED;

    fn build(&mut self, row: &mut Row<'_, Field>) -> Option<Parcel> {
        let id = row.required_text(Field::Id, "缺少地块编号");
        let stated_area = row.area(Field::Area, "面积", true);
        let class = self.class(row);
        let location = row.text(Field::Location);
        let township = row.text(Field::Township);
        let source = self.source(row);
        let method = row.word(
            Field::Method,
            &mut self.method_cache,
            SupplyMethod::parse,
            |t| format!("供应方式“{t}”无法识别，应为划拨、招标、拍卖、挂牌、协议、租赁或作价出资"),
        );
        let timing = row.word(Field::Timing, &mut self.timing_cache, Timing::parse, |t| {
            format!("计划供应时间“{t}”无法识别，应为季度（如“第二季度”）、月份（如“7月”）或日期")
        });
        let housing = row
            .optional(Field::Housing)
            .and_then(|c| self.housing_cache.get(c.text, HousingType::parse));
        let reserve_status = row.word(
            Field::ReserveStatus,
            &mut self.status_cache,
            ReserveStatus::parse,
            |t| format!("储备状态“{t}”无法识别，应为“拟收储”“已入库”或“拟供应”"),
        );
        let pre_development = row.text(Field::PreDevelopment);
        let funds = row.money(Field::Funds, "资金需求");
        let (Some(stated_area), Some((class, class_text))) = (stated_area, class) else {
            // Without a rejected cell only with a hand-made map (the columns are required).
            if !row.is_rejected() {
                row.reject_row("缺少面积或用途列");
            }
            return None;
        };
        Some(Parcel {
            id: id.unwrap_or_default(),
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
            row: row.number(),
        })
    }
}

/// Map one record (cells by column index) to a parcel, or to the findings that reject it (one
/// per bad cell, rule `ledger.row_rejected`). `row` is the 1-based row shown to the user.
/// Used by the geometry readers for attribute tables.
pub fn parcel_from_record(
    map: &ColumnMap,
    cells: &[&str],
    row: usize,
    opts: &LedgerOptions,
) -> Result<Parcel, Vec<Finding>> {
    let mut schema = LedgerSchema::new(opts);
    build_row(&mut schema, map, cells, row, opts.file_label.as_deref())
}

/// Opens a CSV or XLSX ledger (detected from the content), detects the encoding from a sample,
/// reads and maps the header. CSV ledgers are streamed, never loaded whole; their rows are read
/// and parsed on a background thread, so that parsing overlaps with the caller's work.
pub fn open_ledger(path: &Path, opts: &LedgerOptions) -> Result<LedgerReader, LedgerError> {
    Ok(open_table(path, opts, LedgerSchema::new(opts))?)
}

/// Every row of a ledger as text ([`crate::tabular::Grid`]): the worksheet and header
/// [`open_ledger`] reads, each row with the number a user sees. The staff console shows these
/// cells for editing, writes them back as CSV and reads that with [`open_ledger`] again.
pub fn ledger_grid(path: &Path, opts: &LedgerOptions) -> Result<crate::tabular::Grid, LedgerError> {
    Ok(crate::tabular::read_grid(
        path,
        opts,
        LedgerSchema::new(opts),
    )?)
}

/// The same as [`open_ledger`] from any reader (for tests and for streams). Without a
/// `file_label` in the options, findings and errors carry no file name. Rows are parsed on the
/// caller's thread.
pub fn ledger_from_reader<R: Read + 'static>(
    r: R,
    kind: LedgerFormatHint,
    opts: &LedgerOptions,
) -> Result<LedgerReader, LedgerError> {
    Ok(table_from_reader(r, kind, opts, LedgerSchema::new(opts))?)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn unit_suffixes_without_brackets() {
        let m = ColumnMap::from_headers(&["地块编号", "面积/亩", "用途", "资金需求万元"]).unwrap();
        assert_eq!(m.area_unit(), AreaUnit::Mu);
        assert_eq!(m.get(Field::Funds).map(|c| c.0), Some(3));
        let m = ColumnMap::from_headers(&["地块编号", "面积㎡", "用途"]).unwrap();
        assert_eq!(m.area_unit(), AreaUnit::SquareMetre);
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
    fn ticks_under_a_new_or_stock_column() {
        let m = ColumnMap::from_headers(&["地块编号", "面积", "用途", "存量"]).unwrap();
        let opts = LedgerOptions::default();
        let p = parcel_from_record(&m, &["A", "1", "住宅用地", "是"], 2, &opts).unwrap();
        assert_eq!(p.source, Some(LandSource::Stock));
        let p = parcel_from_record(&m, &["A", "1", "住宅用地", "否"], 2, &opts).unwrap();
        assert_eq!(p.source, Some(LandSource::New));
        let bad = parcel_from_record(&m, &["A", "1", "住宅用地", "也许"], 2, &opts).unwrap_err();
        assert_eq!(
            bad[0].message,
            "第2行“存量”列：土地来源“也许”无法识别，应为“新增”或“存量”"
        );
    }

    #[test]
    fn the_grid_keeps_every_row_with_its_number_and_finds_the_header() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("台账.csv");
        std::fs::write(
            &path,
            "示例县2025年度供应地块清单\n\n地块编号,面积（公顷）,用途\nA-1,1.5,住宅用地\nA-2,不详,工业用地\n合计,1.5,\n",
        )
        .unwrap();
        let grid = ledger_grid(&path, &LedgerOptions::default()).unwrap();
        // A blank line is no CSV record: rows are the records, numbered as the reader does.
        assert_eq!(grid.header_row, 2);
        let numbers: Vec<usize> = grid.rows.iter().map(|(n, _)| *n).collect();
        assert_eq!(numbers, [1, 2, 3, 4, 5]);
        assert_eq!(grid.rows[3].1, ["A-2", "不详", "工业用地"]);
        // The reader names the same row for the bad cell.
        let mut reader = open_ledger(&path, &LedgerOptions::default()).unwrap();
        let bad = reader.find_map(|r| r.err()).unwrap();
        assert_eq!(bad[0].places[0].row, Some(4));
    }
}
