//! Header recognition: which column holds which field of a schema, and the units the headers,
//! a 单位 title line or a units row state; blank and 合计/小计 rows.

use super::schema::{FieldKey, FieldSpec, Qualifier, UnitKind};
use super::TableError;
use landplan_core::text;
use landplan_core::{AreaUnit, MoneyUnit};

/// A recognised column: where it is, its header as written, and its unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The 0-based column index.
    pub index: usize,
    /// The header text as written (trimmed), e.g. "面积（亩）": findings name it.
    pub header: String,
    /// The header's name with brackets, spaces and unit removed, e.g. "面积".
    pub name: String,
    /// The area unit, for an area column: from the header, a 单位 line or a units row.
    pub area_unit: Option<AreaUnit>,
    /// The money unit, for a money column: from the header or a units row.
    pub money_unit: Option<MoneyUnit>,
}

/// Which header matched which field of a schema, and the units the headers state.
#[derive(Debug, Clone)]
pub struct Columns<F: 'static> {
    /// Indexed by [`FieldKey::index`].
    cols: Vec<Option<Column>>,
    specs: &'static [FieldSpec<F>],
    width: usize,
}

/// A header cell split into its name and its bracketed qualifier: "面积（亩）" → ("面积", "亩").
pub(crate) fn split_header(h: &str) -> (String, String) {
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

/// Strip a trailing unit written without brackets ("面积公顷", "面积/亩", "价款万元"): the
/// longest tail that `parse` reads as a unit, when a name is left before it.
fn strip_unit<U>(base: &str, parse: impl Fn(&str) -> Option<U>) -> (&str, Option<U>) {
    for (i, _) in base.char_indices().skip(1) {
        if let Some(unit) = parse(&base[i..]) {
            let stem = base[..i].trim_end_matches(['/', ':', '：', '-']);
            if !stem.is_empty() {
                return (stem, Some(unit));
            }
        }
    }
    (base, None)
}

/// The text after an optional 单位： prefix.
fn after_unit_word(s: &str) -> &str {
    s.trim()
        .trim_start_matches("单位")
        .trim_start_matches([':', '：'])
        .trim()
}

/// An area unit inside a header bracket or a units row: "公顷", "单位：亩".
fn area_unit_in(s: &str) -> Option<AreaUnit> {
    AreaUnit::parse(after_unit_word(s))
}

/// A money unit inside a header bracket or a units row: "万元", "单位：元".
fn money_unit_in(s: &str) -> Option<MoneyUnit> {
    MoneyUnit::parse(after_unit_word(s))
}

/// A units-row cell without its brackets, normalised.
fn units_cell(c: &str) -> String {
    text::normalize(c).trim_matches(['(', ')']).to_string()
}

/// How a header matches one field: its rank (0 = the field's best name) and its unit.
fn match_field<F>(spec: &FieldSpec<F>, base: &str, inner: &str) -> Option<(usize, Column)> {
    let qualified = |words: &[&str]| words.iter().any(|w| inner.contains(w));
    let (candidate, area_unit, money_unit) = match spec.unit {
        UnitKind::Area => {
            let (stem, suffix) = strip_unit(base, AreaUnit::parse);
            (stem, area_unit_in(inner).or(suffix), None)
        }
        UnitKind::Money => {
            let (stem, suffix) = strip_unit(base, MoneyUnit::parse);
            (stem, None, money_unit_in(inner).or(suffix))
        }
        UnitKind::None => (base, None, None),
    };
    let named = spec.names.iter().position(|n| *n == candidate);
    let rank = match spec.qualifier {
        Qualifier::Any => named?,
        Qualifier::Refuse(words) if qualified(words) => return None,
        Qualifier::Refuse(_) => named?,
        Qualifier::Claim { words, bases } if qualified(words) => {
            if named.is_none() && !bases.contains(&candidate) {
                return None;
            }
            0
        }
        Qualifier::Claim { .. } => named?,
    };
    let column = Column {
        index: 0,
        header: String::new(),
        name: candidate.to_string(),
        area_unit,
        money_unit,
    };
    Some((rank, column))
}

impl<F: FieldKey> Columns<F> {
    /// Recognise the columns of a header row: each header is normalised, spaces dropped, split
    /// into a name and a bracketed qualifier, and given to the first field one of whose names
    /// it is; when two columns match one field, the better name wins. Fails with
    /// [`TableError::MissingColumns`] (without a file name) when a required field is missing.
    pub fn match_headers(
        headers: &[&str],
        specs: &'static [FieldSpec<F>],
        needs: &'static str,
    ) -> Result<Columns<F>, TableError> {
        let mut best: Vec<Option<(usize, Column)>> = vec![None; specs.len()];
        for (col, h) in headers.iter().enumerate() {
            let (base, inner) = split_header(h);
            if base.is_empty() {
                continue;
            }
            let Some((spec, (rank, mut column))) = specs
                .iter()
                .find_map(|s| match_field(s, &base, &inner).map(|m| (s, m)))
            else {
                continue;
            };
            let slot = &mut best[spec.field.index()];
            if slot.as_ref().is_none_or(|(r, _)| rank < *r) {
                column.index = col;
                column.header = h.trim().to_string();
                *slot = Some((rank, column));
            }
        }
        let mut missing: Vec<String> = Vec::new();
        for spec in specs {
            let Some(name) = spec.required else { continue };
            let found = specs
                .iter()
                .any(|s| s.required == Some(name) && best[s.field.index()].is_some());
            if !found && !missing.iter().any(|m| m == name) {
                missing.push(name.to_string());
            }
        }
        if !missing.is_empty() {
            return Err(TableError::MissingColumns {
                file: String::new(),
                missing,
                found: headers.iter().map(|h| h.trim().to_string()).collect(),
                needs,
            });
        }
        Ok(Columns {
            cols: best.into_iter().map(|b| b.map(|(_, c)| c)).collect(),
            specs,
            width: headers.len(),
        })
    }

    /// The column (0-based index) and header text mapped to a field.
    pub fn get(&self, field: F) -> Option<(usize, &str)> {
        self.column(field).map(|c| (c.index, c.header.as_str()))
    }

    /// The column mapped to a field.
    #[inline]
    pub fn column(&self, field: F) -> Option<&Column> {
        self.cols.get(field.index())?.as_ref()
    }

    /// Every mapped field with its column and header text, in column order.
    pub fn fields(&self) -> Vec<(F, usize, &str)> {
        let mut v: Vec<_> = self
            .specs
            .iter()
            .filter_map(|s| self.get(s.field).map(|(c, h)| (s.field, c, h)))
            .collect();
        v.sort_by_key(|(_, c, _)| *c);
        v
    }

    /// The number of header cells.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Set the unit of every area column whose header states none from a 单位 title line.
    pub(crate) fn apply_unit_line(&mut self, unit: AreaUnit) {
        for (spec, col) in self.specs.iter().zip(self.cols.iter_mut()) {
            if let (UnitKind::Area, Some(c)) = (spec.unit, col) {
                c.area_unit.get_or_insert(unit);
            }
        }
    }

    /// Apply a units row (the row right below the header) when it is one: every non-empty cell
    /// is a unit word. Returns true when the row was a units row.
    pub(crate) fn apply_units_row(&mut self, cells: &[&str]) -> bool {
        let mut any = false;
        for c in cells.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
            let n = units_cell(c);
            let unit = area_unit_in(&n).is_some() || money_unit_in(&n).is_some();
            if !(unit || n == "单位" || n == "/") {
                return false;
            }
            any = true;
        }
        if !any {
            return false;
        }
        for (spec, col) in self.specs.iter().zip(self.cols.iter_mut()) {
            let Some(col) = col else { continue };
            let Some(cell) = cells.get(col.index) else {
                continue;
            };
            match spec.unit {
                UnitKind::Area => {
                    if let Some(u) = area_unit_in(&units_cell(cell)) {
                        col.area_unit.get_or_insert(u);
                    }
                }
                UnitKind::Money => {
                    if let Some(u) = money_unit_in(&units_cell(cell)) {
                        col.money_unit = Some(u);
                    }
                }
                UnitKind::None => {}
            }
        }
        true
    }

    /// A 合计/小计/总计 line (a sum typed into the table, not a record): the key columns
    /// are empty or hold the total word, and some cell is a total word.
    pub(crate) fn is_total_row(&self, keys: &[F], cells: &[&str]) -> bool {
        let keys_empty_or_total = keys
            .iter()
            .filter_map(|k| self.column(*k))
            .filter_map(|c| cells.get(c.index))
            .all(|c| {
                let t = c.trim();
                t.is_empty() || is_total_word(t)
            });
        keys_empty_or_total && cells.iter().any(|c| is_total_word(c.trim()))
    }
}

/// A 单位：公顷 line in a title row.
pub(crate) fn unit_line(cells: &[&str]) -> Option<AreaUnit> {
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

/// A row whose cells are all empty.
#[inline]
pub(crate) fn is_blank_row(cells: &[&str]) -> bool {
    cells.iter().all(|c| c.trim().is_empty())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_split_into_name_and_qualifier() {
        assert_eq!(split_header("面积（亩）"), ("面积".into(), "亩".into()));
        assert_eq!(split_header(" 地块 编号* "), ("地块编号".into(), "".into()));
    }

    #[test]
    fn unit_suffixes_use_the_core_spellings() {
        assert_eq!(
            strip_unit("面积公顷", AreaUnit::parse),
            ("面积", Some(AreaUnit::Hectare))
        );
        assert_eq!(
            strip_unit("面积/亩", AreaUnit::parse),
            ("面积", Some(AreaUnit::Mu))
        );
        assert_eq!(
            strip_unit("面积㎡", AreaUnit::parse),
            ("面积", Some(AreaUnit::SquareMetre))
        );
        assert_eq!(
            strip_unit("价款万元", MoneyUnit::parse),
            ("价款", Some(MoneyUnit::WanYuan))
        );
        assert_eq!(strip_unit("亩", AreaUnit::parse), ("亩", None));
        assert_eq!(strip_unit("用地面积", AreaUnit::parse), ("用地面积", None));
    }

    #[test]
    fn unit_lines_and_total_words() {
        assert_eq!(unit_line(&["示例县清单", "单位：亩"]), Some(AreaUnit::Mu));
        assert_eq!(unit_line(&["单位：公顷，万元"]), Some(AreaUnit::Hectare));
        assert!(is_total_word("合计"));
        assert!(is_total_word("小 计"));
        assert!(!is_total_word("合计面积"));
    }
}
