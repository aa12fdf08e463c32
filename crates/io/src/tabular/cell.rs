//! Cell parsers shared by every schema: decimals as ledgers write them, placeholders, areas with
//! a unit in the cell, dates as Chinese spreadsheets write them, land classes, and a bounded memo
//! for the few words a table repeats on every row.

use landplan_core::class::{Classifier, Resolution};
use landplan_core::dedup::FxBuild;
use landplan_core::text;
use landplan_core::{AreaUnit, Date, ResolvedClass, Scheme};
use rust_decimal::Decimal;
use std::borrow::Cow;
use std::collections::HashMap;
use std::str::FromStr;

/// Cells that mean "nothing here" in optional columns.
#[inline]
pub(crate) fn is_placeholder(t: &str) -> bool {
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
        cleaned = join_thousands(&cleaned)?;
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

/// "1,234,567.5" → "1234567.5"; `None` when the commas are not thousands separators.
fn join_thousands(s: &str) -> Option<String> {
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let groups: Vec<&str> = int.trim_start_matches('-').split(',').collect();
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
    Some(joined)
}

/// Split a trailing unit off a cell such as "4.0254公顷".
#[inline]
pub(crate) fn split_area_cell(t: &str) -> (Cow<'_, str>, Option<AreaUnit>) {
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

/// What a date cell holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateCell {
    /// A date.
    Date(Date),
    /// 1900-01-01 (or serial 1): how the land market systems export an empty date.
    Empty,
    /// Not a date.
    Bad,
}

/// Read a date cell: any form [`Date::parse`] reads, or an Excel serial number (a workbook's
/// date cell arrives as its serial, e.g. "45667" or "45667.5"). 1900-01-01 is the systems'
/// empty date.
pub(crate) fn parse_date(t: &str) -> DateCell {
    let date = Date::parse(t).or_else(|| {
        let v = parse_decimal(t)?;
        if v.is_sign_negative() {
            return None;
        }
        Date::from_excel_serial(rust_decimal::prelude::ToPrimitive::to_f64(&v)?)
    });
    match date {
        Some(d) if (d.year(), d.month(), d.day()) == (1900, 1, 1) => DateCell::Empty,
        Some(d) => DateCell::Date(d),
        None => DateCell::Bad,
    }
}

/// Why a class cell does not name one land class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClassProblem {
    /// A group of classes (其他用地), not one class.
    Group,
    /// Not a class name, alias or code.
    Unknown,
}

/// Resolve a land-use cell: a class name, alias or code (codes read in `scheme`), also
/// "0601 工业用地" / "0601工业用地" (the name, then the code).
pub(crate) fn resolve_class(t: &str, scheme: Scheme) -> Result<ResolvedClass, ClassProblem> {
    let c = Classifier::builtin();
    match c.resolve(t, scheme) {
        Resolution::Class(r) => Ok(r),
        Resolution::Group { .. } => Err(ClassProblem::Group),
        Resolution::Unknown => {
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

/// The reason given for a class cell that does not name one class.
pub(crate) fn class_reason(what: &str, t: &str, problem: ClassProblem) -> String {
    match problem {
        ClassProblem::Group => {
            format!("{what}“{t}”不是具体地类（是多个地类的合称），请填写具体地类")
        }
        ClassProblem::Unknown => format!(
            "{what}“{t}”无法识别，不是《土地利用现状分类》或《用地用海分类指南》中的地类名称或编码"
        ),
    }
}

/// A bounded memo of a parser over cell text: a table repeats the same few words (用途,
/// 供应方式, 季度, 新增/存量 …) on every row.
pub(crate) struct Cache<T>(HashMap<Box<str>, T, FxBuild>);

const CACHE_LIMIT: usize = 4096;

impl<T: Clone> Cache<T> {
    pub(crate) fn new() -> Self {
        Cache(HashMap::with_hasher(FxBuild))
    }

    /// The memoised `f(key)`.
    #[inline]
    pub(crate) fn get(&mut self, key: &str, f: impl FnOnce(&str) -> T) -> T {
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
    fn area_cells_may_carry_their_unit() {
        assert_eq!(
            split_area_cell("4.0254公顷"),
            (Cow::Owned("4.0254".into()), Some(AreaUnit::Hectare))
        );
        assert_eq!(split_area_cell("12"), (Cow::Borrowed("12"), None));
        assert_eq!(split_area_cell("约12亩"), (Cow::Borrowed("约12亩"), None));
    }

    #[test]
    fn dates_as_spreadsheets_write_them() {
        let day = |y, m, d| DateCell::Date(Date::new(y, m, d).unwrap());
        assert_eq!(parse_date("2025-07-08"), day(2025, 7, 8));
        assert_eq!(parse_date("2025年7月8日"), day(2025, 7, 8));
        assert_eq!(parse_date("2025/7/8 0:00:00"), day(2025, 7, 8));
        // Excel serials (workbook date cells) and the systems' empty date.
        assert_eq!(parse_date("45846"), day(2025, 7, 8));
        assert_eq!(parse_date("45846.5"), day(2025, 7, 8));
        assert_eq!(parse_date("1900-01-01"), DateCell::Empty);
        assert_eq!(parse_date("1900/1/1 0:00:00"), DateCell::Empty);
        assert_eq!(parse_date("2025-02-30"), DateCell::Bad);
        assert_eq!(parse_date("下月"), DateCell::Bad);
        assert_eq!(parse_date("-3"), DateCell::Bad);
    }

    #[test]
    fn class_cells_with_code_and_name() {
        let r = resolve_class("0601 工业用地", Scheme::Gb21010).unwrap();
        assert_eq!(r.gb21010.as_deref(), Some("0601"));
        assert_eq!(
            resolve_class("火星用地", Scheme::Gb21010).unwrap_err(),
            ClassProblem::Unknown
        );
    }
}
