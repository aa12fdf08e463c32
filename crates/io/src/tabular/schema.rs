//! A record schema: the fields of one kind of record, how their headers are written, and the
//! builder that turns one row's cells into a typed record or the findings that reject it.

use super::cell::{self, DateCell};
use super::header::{Column, Columns};
use landplan_core::units::StatedArea;
use landplan_core::{AreaUnit, Date, Finding, Money, MoneyUnit, Place, Severity};
use rust_decimal::Decimal;
use std::fmt;

/// A field of a schema: an enum whose variants index the schema's [`FieldSpec`] list.
pub trait FieldKey: Copy + Eq + fmt::Debug + Send + Sync + 'static {
    /// The position of the field's spec in [`Schema::FIELDS`].
    fn index(self) -> usize;
}

/// Whether a column carries a unit in its header (面积（亩）, 价款（元）).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitKind {
    /// No unit.
    None,
    /// An area: 公顷, 亩, 平方米 … from the header, a 单位 line or a units row (default 公顷).
    Area,
    /// Money: 元, 万元, 亿元 from the header or a units row (default 万元).
    Money,
}

/// How a bracketed qualifier in a header (用地性质（新增/存量）) bears on a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Qualifier {
    /// The qualifier does not matter.
    Any,
    /// A header whose qualifier contains one of these words is not this field.
    Refuse(&'static [&'static str]),
    /// A header whose qualifier contains one of `words` is this field at its best rank, when
    /// its name is one of the field's names or one of `bases`.
    Claim {
        /// Qualifier words that claim the header.
        words: &'static [&'static str],
        /// Further header names claimed with such a qualifier.
        bases: &'static [&'static str],
    },
}

/// One field of a schema.
#[derive(Debug, Clone, Copy)]
pub struct FieldSpec<F> {
    /// The field.
    pub field: F,
    /// Header names (normalised, brackets and unit removed) recognised for it, best first.
    pub names: &'static [&'static str],
    /// For a required column: its name in the "missing columns" message. Fields that share
    /// the name are alternatives (one of them is enough).
    pub required: Option<&'static str>,
    /// The unit its header may carry.
    pub unit: UnitKind,
    /// How a bracketed qualifier bears on it.
    pub qualifier: Qualifier,
}

impl<F> FieldSpec<F> {
    /// An optional text field recognised by its names.
    pub const fn new(field: F, names: &'static [&'static str]) -> FieldSpec<F> {
        FieldSpec {
            field,
            names,
            required: None,
            unit: UnitKind::None,
            qualifier: Qualifier::Any,
        }
    }

    /// The column is required; `name` is how the message names it.
    pub const fn required(mut self, name: &'static str) -> FieldSpec<F> {
        self.required = Some(name);
        self
    }

    /// The header may carry a unit.
    pub const fn unit(mut self, unit: UnitKind) -> FieldSpec<F> {
        self.unit = unit;
        self
    }

    /// How a bracketed qualifier bears on the field.
    pub const fn qualifier(mut self, q: Qualifier) -> FieldSpec<F> {
        self.qualifier = q;
        self
    }
}

/// A kind of record read from a table: its fields and its row builder. One value reads one
/// table (it may keep memos of the words it has parsed).
pub trait Schema: Send + 'static {
    /// The fields.
    type Field: FieldKey;
    /// The record one row becomes.
    type Record: Send + 'static;
    /// Every field, in the order of [`FieldKey::index`].
    const FIELDS: &'static [FieldSpec<Self::Field>];
    /// Fields that are empty or hold 合计 on a total row.
    const KEYS: &'static [Self::Field];
    /// The end of the "missing columns" message: what such a table must have.
    const NEEDS: &'static str;
    /// The rule id of a rejected row.
    const RULE: &'static str;

    /// Build the record of one row, rejecting bad cells through `row`. Returns `None` when the
    /// row is rejected.
    fn build(&mut self, row: &mut Row<'_, Self::Field>) -> Option<Self::Record>;
}

/// A non-empty cell of a mapped column.
#[derive(Debug, Clone, Copy)]
pub struct Cell<'a> {
    /// The cell's text, trimmed.
    pub text: &'a str,
    /// The column.
    pub column: &'a Column,
}

/// One data row being built into a record: typed cell readers that reject bad cells with
/// their row and column (one finding per bad cell).
pub struct Row<'a, F: FieldKey> {
    cells: &'a [&'a str],
    columns: &'a Columns<F>,
    number: usize,
    file: Option<&'a str>,
    rule: &'static str,
    findings: Vec<Finding>,
}

impl<'a, F: FieldKey> Row<'a, F> {
    #[inline]
    pub(crate) fn new(
        cells: &'a [&'a str],
        columns: &'a Columns<F>,
        number: usize,
        file: Option<&'a str>,
        rule: &'static str,
    ) -> Self {
        Row {
            cells,
            columns,
            number,
            file,
            rule,
            findings: Vec::new(),
        }
    }

    /// The row's number as a user sees it (1-based, counting title rows).
    #[inline]
    pub fn number(&self) -> usize {
        self.number
    }

    /// The columns of the table.
    pub fn columns(&self) -> &'a Columns<F> {
        self.columns
    }

    /// True when a cell or the row has been rejected.
    #[inline]
    pub fn is_rejected(&self) -> bool {
        !self.findings.is_empty()
    }

    /// The findings so far.
    #[inline]
    pub fn into_findings(self) -> Vec<Finding> {
        self.findings
    }

    /// The cell of a field (trimmed; empty when the row is short), when the column exists.
    #[inline]
    pub fn cell(&self, field: F) -> Option<Cell<'a>> {
        let column = self.columns.column(field)?;
        let text = self.cells.get(column.index).map(|c| c.trim()).unwrap_or("");
        Some(Cell { text, column })
    }

    /// The cell of a field unless it is empty or a placeholder (-, —, /, 无).
    #[inline]
    pub fn optional(&self, field: F) -> Option<Cell<'a>> {
        self.cell(field).filter(|c| !cell::is_placeholder(c.text))
    }

    /// Optional text, kept as written.
    #[inline]
    pub fn text(&self, field: F) -> Option<String> {
        self.optional(field).map(|c| c.text.to_string())
    }

    /// Reject a cell: "第N行“表头”列：reason", with the file, row, header and cell text.
    #[inline]
    pub fn reject(&mut self, cell: Cell<'_>, reason: String) {
        let header = cell.column.header.as_str();
        let mut place = Place::row(self.number, Some(header));
        place.file = self.file.map(str::to_string);
        if !cell.text.is_empty() {
            place.text = Some(cell.text.to_string());
        }
        let message = format!("第{}行“{header}”列：{reason}", self.number);
        self.findings
            .push(Finding::new(self.rule, Severity::Error, message).at(place));
    }

    /// Reject the whole row: "第N行：reason".
    pub fn reject_row(&mut self, reason: &str) {
        let place = Place {
            file: self.file.map(str::to_string),
            ..Place::row(self.number, None)
        };
        let message = format!("第{}行：{reason}", self.number);
        self.findings
            .push(Finding::new(self.rule, Severity::Error, message).at(place));
    }

    /// A cell's text read with `parse`: None when the cell is absent (`cell` from [`Row::cell`]
    /// or [`Row::optional`]), and when it does not parse, the row rejected at that cell with
    /// `why(text)`.
    pub fn parsed<T>(
        &mut self,
        cell: Option<Cell<'a>>,
        parse: impl FnOnce(&str) -> Option<T>,
        why: impl FnOnce(&str) -> String,
    ) -> Option<T> {
        let c = cell?;
        let v = parse(c.text);
        if v.is_none() {
            self.reject(c, why(c.text));
        }
        v
    }

    /// Required text: rejected with `missing` when the column exists and the cell is empty.
    #[inline]
    pub fn required_text(&mut self, field: F, missing: &str) -> Option<String> {
        let c = self.cell(field)?;
        if c.text.is_empty() {
            self.reject(c, missing.to_string());
            return None;
        }
        Some(c.text.to_string())
    }

    /// An area (the stated value and unit: a unit written in the cell, else the column's, else
    /// 公顷). When `required`, an empty cell is rejected as "缺少{what}"; a cell that is not a
    /// number as "{what}“…”不是数字".
    #[inline]
    pub fn area(&mut self, field: F, what: &str, required: bool) -> Option<StatedArea> {
        let c = if required {
            let c = self.cell(field)?;
            if c.text.is_empty() {
                self.reject(c, format!("缺少{what}"));
                return None;
            }
            c
        } else {
            self.optional(field)?
        };
        let (num, unit) = cell::split_area_cell(c.text);
        match cell::parse_decimal(&num) {
            Some(v) => {
                let unit = unit.or(c.column.area_unit).unwrap_or(AreaUnit::Hectare);
                let stated = StatedArea::new(v, unit);
                if stated.plausible().is_none() {
                    self.reject(
                        c,
                        format!("{what}“{}”超出可能的范围（大于地球表面积）", c.text),
                    );
                    return None;
                }
                Some(stated)
            }
            None => {
                self.reject(c, format!("{what}“{}”不是数字", c.text));
                None
            }
        }
    }

    /// An optional decimal number.
    #[inline]
    pub fn decimal(&mut self, field: F, what: &str) -> Option<Decimal> {
        let c = self.optional(field)?;
        let v = cell::parse_decimal(c.text);
        if v.is_none() {
            self.reject(c, format!("{what}“{}”不是数字", c.text));
        }
        v
    }

    /// An optional amount of money in the column's unit (万元 when the header does not say),
    /// converted exactly.
    #[inline]
    pub fn money(&mut self, field: F, what: &str) -> Option<Money> {
        let unit = self
            .columns
            .column(field)?
            .money_unit
            .unwrap_or(MoneyUnit::WanYuan);
        let v = self.decimal(field, what)?;
        let money = Money::plausible(v, unit);
        if money.is_none() {
            let c = self.optional(field)?;
            self.reject(c, format!("{what}“{}”超出可能的范围", c.text));
        }
        money
    }

    /// An optional date: any form Chinese spreadsheets write (2025-07-08, 2025/7/8,
    /// 2025年7月8日, an Excel serial). 1900-01-01, the systems' empty date, is absent.
    #[inline]
    pub fn date(&mut self, field: F, what: &str) -> Option<Date> {
        let c = self.optional(field)?;
        match cell::parse_date(c.text) {
            DateCell::Date(d) => Some(d),
            DateCell::Empty => None,
            DateCell::Bad => {
                self.reject(
                    c,
                    format!(
                        "{what}“{}”不是日期，应写作如“2025-07-08”或“2025年7月8日”",
                        c.text
                    ),
                );
                None
            }
        }
    }

    /// An optional word parsed by `parse` (memoised in `cache`), rejected with `reason(text)`
    /// when it does not parse.
    #[inline]
    pub(crate) fn word<T: Clone>(
        &mut self,
        field: F,
        cache: &mut cell::Cache<Option<T>>,
        parse: impl FnOnce(&str) -> Option<T>,
        reason: impl FnOnce(&str) -> String,
    ) -> Option<T> {
        let c = self.optional(field)?;
        let v = cache.get(c.text, parse);
        if v.is_none() {
            self.reject(c, reason(c.text));
        }
        v
    }
}
