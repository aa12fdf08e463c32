//! Unit pairs: a figure followed by the same quantity in another unit ("47.58公顷（713.63亩）",
//! "383.73公顷/5755.95亩", a table's 公顷 and 亩 columns side by side); the second is a
//! restatement, not another item.

use super::builder::Builder;
use super::words::{RESTATE_AFTER_COMMA, RESTATE_IN_BRACKETS};
use crate::lex::Unit;

/// Pass `unit_pairs`: every restatement in another unit.
///
/// Reads the figures and lines; writes `m.unit_pairs`, `secondary`.
pub fn find(b: &mut Builder) {
    let lx = b.lx;
    let n = b.figure_count();
    let Builder { m, secondary, .. } = b;
    for i in 0..n.saturating_sub(1) {
        let (a, b) = (&m.quantities[i], &m.quantities[i + 1]);
        let same_kind = matches!(
            (a.unit, b.unit),
            (Unit::Area(_), Unit::Area(_)) | (Unit::Money(_), Unit::Money(_))
        );
        if a.place.line != b.place.line || !same_kind {
            continue;
        }
        if a.unit == b.unit {
            continue;
        }
        // A table row with the area in two units side by side ("公顷 | 亩" columns).
        if let (Some(ca), Some(cb)) = (a.cell, b.cell) {
            if cb == ca + 1 && a.area_unit().is_some() && b.area_unit().is_some() {
                secondary[i + 1] = true;
                m.unit_pairs.push((i, i + 1));
            }
            continue;
        }
        let line = &lx.lines[a.place.line - 1];
        let between = line.slice(a.chars.1, b.chars.0);
        let between = between.trim();
        let opens = restates(between);
        if opens {
            secondary[i + 1] = true;
            m.unit_pairs.push((i, i + 1));
        }
    }
}

/// True when the text between two figures makes the second a restatement of the first in
/// another unit: "（", "（约", "（折合约", "/", "，折合" …
fn restates(between: &str) -> bool {
    if let Some(rest) = between
        .strip_prefix('(')
        .or_else(|| between.strip_prefix('/'))
    {
        return RESTATE_IN_BRACKETS.contains(&rest.trim());
    }
    if let Some(rest) = between
        .strip_prefix('，')
        .or_else(|| between.strip_prefix(','))
    {
        return RESTATE_AFTER_COMMA.contains(&rest.trim());
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restatement_words() {
        assert!(restates("(约") && restates("/") && restates("，折合") && !restates("，其中"));
    }

    #[test]
    fn a_restatement_in_brackets_is_paired_and_not_an_item() {
        let m = super::super::testing::model(
            "全县供应总量为383.73公顷（约5755.95亩），另有10公顷，合150亩。",
        );
        assert_eq!(m.unit_pairs, [(0, 1), (2, 3)]);
    }
}
