//! Tables: rows as tab-separated cells (Markdown and space-aligned rows made so), header
//! rows that give each column its name and unit, and the unit a table declares.

use super::numbers::is_bare_number;
use super::units::unit_at;
use super::{Line, Unit};

/// Column units and names read from a table header row.
#[derive(Debug, Clone, Default)]
pub(crate) struct TableHeader {
    /// Column names.
    pub names: Vec<String>,
    /// Column units.
    pub units: Vec<Option<Unit>>,
}

/// The unit a header cell gives its column (`default`: the table's declared unit).
pub(crate) fn unit_in_header(cell: &str, default: Option<Unit>) -> Option<Unit> {
    let c: Vec<char> = cell.chars().collect();
    // A cell that is only a unit ("公顷", "(亩)", "%"): a sub-header under a merged cell.
    let bare: Vec<char> = c
        .iter()
        .copied()
        .filter(|&ch| !matches!(ch, '(' | ')' | ' '))
        .collect();
    if let Some((u, end)) = unit_at(&bare, 0) {
        if end == bare.len() {
            return Some(u);
        }
    }
    // "面积（公顷）", "占比(%)", "面积/亩", "单位：公顷".
    for (i, &ch) in c.iter().enumerate() {
        if matches!(ch, '(' | '/' | '：' | ':' | '[') {
            let mut k = i + 1;
            while k < c.len() && c[k] == ' ' {
                k += 1;
            }
            if let Some((u, _)) = unit_at(&c, k) {
                return Some(u);
            }
        }
    }
    if cell.contains("占比") || cell.contains("比例") || cell.contains("比重") {
        return Some(Unit::Percent);
    }
    let named = [
        "面积",
        "规模",
        "合计",
        "小计",
        "新增",
        "存量",
        "总量",
        "用地",
        "供应量",
    ];
    if named.iter().any(|w| cell.contains(w)) {
        return default;
    }
    // Under "单位：公顷" every column holds areas except those that plainly hold something
    // else (序号, 宗数, 年份, 价格 …); a class or place column such as "其他" is an area.
    let other = [
        "序号", "编号", "代码", "号", "宗", "数量", "个数", "年", "月", "季度", "比", "率", "价",
        "元", "名称", "类型", "位置", "坐落", "用途", "方式", "备注", "区域", "乡镇", "单位",
        "密度", "系数", "强度", "高度", "层", "期限", "时间", "日期", "人", "户", "套", "间",
    ];
    if default.is_some() && !cell.trim().is_empty() && !other.iter().any(|w| cell.contains(w)) {
        return default;
    }
    None
}

/// The unit a line declares for the table below it ("单位：公顷").
pub(crate) fn table_unit_declared(norm: &str) -> Option<Unit> {
    let i = norm.find("单位")?;
    let rest: Vec<char> = norm[i + "单位".len()..].chars().collect();
    let mut k = 0;
    while k < rest.len() && matches!(rest[k], '：' | ':' | ' ') {
        k += 1;
    }
    unit_at(&rest, k).map(|(u, _)| u)
}

/// Turn a text table row into tab-separated cells, character for character (so columns stay
/// true): a Markdown row "| a | b |" (outer bars become spaces, inner bars tabs), or a
/// space-aligned row with at least three cells of which at least two are numbers (the first
/// space of each run of two or more becomes a tab).
pub(crate) fn tableize(mut c: Vec<char>) -> Vec<char> {
    let t: String = c.iter().collect();
    let trimmed = t.trim();
    if trimmed.len() > 2 && trimmed.starts_with('|') && trimmed.ends_with('|') && !c.contains(&'\t')
    {
        let first = c.iter().position(|&x| x == '|').unwrap_or(0);
        let last = c.iter().rposition(|&x| x == '|').unwrap_or(0);
        for (i, ch) in c.iter_mut().enumerate() {
            if *ch == '|' {
                *ch = if i == first || i == last { ' ' } else { '\t' };
            }
        }
        return c;
    }
    if c.contains(&'\t') {
        return c;
    }
    // Space-aligned columns.
    let mut runs = Vec::new();
    let mut i = 0;
    let start = c.iter().position(|ch| *ch != ' ').unwrap_or(c.len());
    i = i.max(start);
    while i < c.len() {
        if c[i] == ' ' {
            let s = i;
            while i < c.len() && c[i] == ' ' {
                i += 1;
            }
            if i - s >= 2 && i < c.len() {
                runs.push(s);
            }
        } else {
            i += 1;
        }
    }
    if runs.len() < 2 {
        return c;
    }
    let mut bounds = vec![start];
    bounds.extend(runs.iter().copied());
    bounds.push(c.len());
    let cells: Vec<String> = bounds
        .windows(2)
        .map(|w| c[w[0]..w[1]].iter().collect::<String>())
        .collect();
    let numbers = cells.iter().filter(|x| is_bare_number(x)).count();
    let unit_headers = cells
        .iter()
        .filter(|x| unit_in_header(x.trim(), None).is_some())
        .count();
    if numbers < 2 && !(cells.len() >= 3 && unit_headers >= 1) {
        return c;
    }
    for r in runs {
        c[r] = '\t';
    }
    c
}

/// The table being read, line by line: its header, the unit a line above it declared, and
/// whether the previous line was a header row.
#[derive(Debug, Default)]
pub(crate) struct TableState {
    header: Option<TableHeader>,
    declared: Option<Unit>,
    last_was_header: bool,
}

impl TableState {
    /// Words that make a row of words a header row.
    const HEADER_WORDS: [&'static str; 10] = [
        "面积", "编号", "名称", "类型", "序号", "用途", "地类", "坐落", "位置", "合计",
    ];

    /// Take note of a line's declared unit ("单位：公顷"), before the line is read.
    pub fn declaration(&mut self, norm: &str) {
        if let Some(u) = table_unit_declared(norm) {
            self.declared = Some(u);
        }
    }

    /// A table row: a header row becomes the header (a second one right under the first is
    /// merged into it); the header whose columns match the row's cells, if any.
    pub fn row(&mut self, line: &Line) -> Option<&TableHeader> {
        let cells = line.cells();
        let texts: Vec<String> = cells.iter().map(|&(a, b)| line.slice(a, b)).collect();
        let numeric = texts.iter().filter(|t| is_bare_number(t)).count();
        let headerish = texts.iter().any(|t| {
            unit_in_header(t, None).is_some() || Self::HEADER_WORDS.iter().any(|w| t.contains(w))
        });
        if numeric == 0 && (self.header.is_none() || headerish) {
            let units: Vec<Option<Unit>> = texts
                .iter()
                .map(|t| unit_in_header(t, self.declared))
                .collect();
            let names: Vec<String> = texts.iter().map(|t| t.trim().to_string()).collect();
            self.header = match self.header.take() {
                // A second header row right under the first (merged cells: "面积" over
                // "公顷 | 亩"): each column keeps both names and the unit either gives.
                Some(prev) if self.last_was_header && prev.names.len() == names.len() => {
                    Some(TableHeader {
                        names: prev
                            .names
                            .iter()
                            .zip(&names)
                            .map(|(a, b)| format!("{a}{b}").trim().to_string())
                            .collect(),
                        units: units
                            .iter()
                            .zip(&prev.units)
                            .map(|(u, p)| u.or(*p))
                            .collect(),
                    })
                }
                _ => Some(TableHeader { names, units }),
            };
            self.last_was_header = true;
        } else {
            self.last_was_header = false;
        }
        // Cells are matched to header columns by position: only when the row has as many
        // cells as the header (a space-aligned row with an empty cell would shift).
        self.header
            .as_ref()
            .filter(|h| h.names.len() == cells.len())
    }

    /// A line that is not a row: text ends the table (a ruling line or a blank does not).
    pub fn prose(&mut self, norm: &str) {
        let rule_line = norm
            .trim()
            .chars()
            .all(|ch| matches!(ch, '-' | '=' | '—' | '─' | '+' | '|' | ' ' | ':'));
        if !norm.trim().is_empty() && !rule_line {
            self.header = None;
            self.last_was_header = false;
            if table_unit_declared(norm).is_none() {
                self.declared = None;
            }
        }
    }
}
