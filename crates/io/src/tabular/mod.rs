//! One tabular reader for every kind of record a bureau keeps in spreadsheets: parcel ledgers
//! (地块清单), supply records (供地记录), approval batches (批次) …
//!
//! A table is CSV text (UTF-8 with or without BOM, GBK/GB18030; comma, tab or semicolon;
//! streamed) or an Excel workbook (calamine; the first sheet with a header is used). The header
//! row is searched in the first rows, so title rows (示例县2025年度…清单, 单位：亩) may sit
//! above it, and a units row may sit below it. Each header is matched against a [`Schema`]'s
//! field names with their variants and units (面积（亩）, 成交价款（元）); the schema's builder
//! turns each data row into a typed record or the findings that reject it, one per bad cell,
//! each with the file, the row and the column. Blank and 合计/小计 rows are skipped.
//!
//! Row numbers are the rows a user sees: 1-based, counting every row of the file or sheet from
//! the top (title rows included), so in a table without a title the header is row 1.
//!
//! - [`source`](self): formats, encodings and raw rows; [`header`](self): header recognition;
//!   [`cell`](self): cell parsers; [`schema`](self): the schema and the row builder;
//!   [`reader`](self): the reader, its thread and progress, [`read_all`] (all or nothing, or
//!   skip bad rows).

pub(crate) mod cell;
pub(crate) mod decode;
mod header;
mod reader;
mod schema;
mod source;

pub use header::{Column, Columns};
pub(crate) use reader::build_row;
pub use reader::{
    open_table, read_all, read_grid, table_from_reader, BadRows, Grid, Item, TableReader,
};
pub use schema::{Cell, FieldKey, FieldSpec, Qualifier, Row, Schema, UnitKind};
pub use source::MAX_SHEET_CELLS;

use landplan_core::Scheme;
use std::io;

/// The rule of the note saying which worksheet of a workbook was read.
pub const RULE_SHEET: &str = "ledger.sheet";

/// How many rows from the top are searched for the header row.
pub(crate) const HEADER_SEARCH_ROWS: usize = 10;

/// Options for reading a table.
#[derive(Debug, Clone)]
pub struct TableOptions {
    /// How bare 地类编码 such as "0601" are read (codes collide between the two schemes).
    pub code_scheme: Scheme,
    /// The file name shown in findings' places (default: the path as given).
    pub file_label: Option<String>,
    /// The worksheet of a workbook to read, by name, hidden or not. Without it the first
    /// visible worksheet that has a header is read; hidden sheets never are.
    pub sheet: Option<String>,
}

impl Default for TableOptions {
    fn default() -> Self {
        TableOptions {
            code_scheme: Scheme::Gb21010,
            file_label: None,
            sheet: None,
        }
    }
}

/// What the caller knows about the format of a byte stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatHint {
    /// Detect from the content (zip magic → XLSX, OLE2 magic → XLS, else CSV text).
    Auto,
    /// CSV text (any supported encoding).
    Csv,
    /// An Excel workbook.
    Xlsx,
}

/// Why a table could not be opened. Messages are in Chinese and name the file.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
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
        "{}缺少必需的列：{}。找到的表头：{}。{needs}",
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
        /// What such a table must have (the schema's [`Schema::NEEDS`]).
        needs: &'static str,
    },
    /// The workbook is truncated or corrupt.
    #[error("{}Excel 文件已损坏或不完整，无法打开（{reason}）。请在 Excel/WPS 中重新保存或重新导出后再试", prefix(.file))]
    BadWorkbook {
        /// The file.
        file: String,
        /// What the reader said.
        reason: String,
    },
    /// The file is a document, not a table (a Word file or a PDF given as a ledger).
    #[error("{}该文件是 {kind}，不是表格：请给出 CSV 文件或 Excel 工作簿（.xlsx、.xls）；审查计划文本请用 landplan check", prefix(.file))]
    NotATable {
        /// The file.
        file: String,
        /// What it is, in Chinese (Word 文档, PDF 文件, PowerPoint 演示文稿).
        kind: &'static str,
    },
    /// The workbook has no worksheet.
    #[error("{}工作簿中没有任何工作表", prefix(.file))]
    NoSheet {
        /// The file.
        file: String,
    },
    /// The worksheet asked for is not in the workbook.
    #[error("{}工作簿中没有名为“{sheet}”的工作表。工作簿中的工作表：{}", prefix(.file), .available.join("、"))]
    NoSuchSheet {
        /// The file.
        file: String,
        /// The sheet asked for.
        sheet: String,
        /// The worksheets there are.
        available: Vec<String>,
    },
    /// No visible worksheet has a header, and there are hidden ones (never read unasked).
    #[error("{}可见的工作表中没有找到表头；隐藏的工作表“{}”未读取，如确需读取，请指定工作表名称", prefix(.file), .hidden.join("”、“"))]
    OnlyHiddenSheets {
        /// The file.
        file: String,
        /// The hidden worksheets.
        hidden: Vec<String>,
    },
    /// A worksheet holds more cells than a table is read with.
    #[error("{}工作表“{sheet}”有超过 {limit} 个非空单元格，超出读取上限，未予读取；请删去无关内容或拆分后再试", prefix(.file))]
    TooManyCells {
        /// The file.
        file: String,
        /// The worksheet.
        sheet: String,
        /// The limit.
        limit: usize,
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

/// "file：" before a message, or nothing without a file name.
pub(crate) fn prefix(file: &str) -> String {
    if file.is_empty() {
        String::new()
    } else {
        format!("{file}：")
    }
}

/// The headers found, for a message.
pub(crate) fn found_list(found: &[String]) -> String {
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

impl TableError {
    fn with_file(self, f: &str) -> TableError {
        match self {
            TableError::MissingColumns {
                missing,
                found,
                needs,
                ..
            } => TableError::MissingColumns {
                file: f.to_string(),
                missing,
                found,
                needs,
            },
            other => other,
        }
    }
}
