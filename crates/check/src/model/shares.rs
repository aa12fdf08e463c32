//! Shares: a percentage stated for a part (占比, 占…的): the % right after an area figure in
//! its sentence, the % in the same place of a "分别" list, or the % in the same table row.

use super::builder::Builder;
use super::words::{contains_any, NOT_SHARE_WORDS};
use crate::lex::{Qualifier, Unit};

/// Pass `shares`: the share stated for each figure.
///
/// Reads `lx.lists`, `list_of`, `secondary`, `excluded`; writes `share_of`.
pub fn attach(b: &mut Builder) {
    let lx = b.lx;
    let n = b.figure_count();
    let Builder {
        m,
        list_of,
        secondary,
        excluded,
        share_of,
        ..
    } = b;
    for i in 0..n {
        let q = &m.quantities[i];
        if q.unit != Unit::Percent
            || excluded[i]
            || q.qualifiers
                .iter()
                .any(|k| matches!(k, Qualifier::AtLeast | Qualifier::Within | Qualifier::Range))
            || contains_any(&q.label, NOT_SHARE_WORDS)
        {
            continue;
        }
        // A share in a "分别" list goes with the figure in the same place of the area list
        // before it on the line ("分别为10、20公顷，分别占33.33%、66.67%").
        if let Some((li, pos)) = list_of[i] {
            let areas = lx.lists[..li].iter().rev().find(|l| {
                l.line == q.place.line
                    && l.unit != Unit::Percent
                    && l.len == lx.lists[li].len
                    && l.figures.len() == l.len
            });
            if let Some(&j) = areas.and_then(|l| l.figures.get(pos)) {
                if !excluded[j] && share_of[j].is_none() && m.quantities[j].area_unit().is_some() {
                    share_of[j] = Some(i);
                }
            }
            continue;
        }
        // In a table row: the row's first area figure.
        if q.cell.is_some() {
            if let Some(j) = (0..i).find(|&j| {
                let p = &m.quantities[j];
                p.place.line == q.place.line && p.area_unit().is_some() && !excluded[j]
            }) {
                if share_of[j].is_none() {
                    share_of[j] = Some(i);
                }
            }
            continue;
        }
        // The nearest earlier primary area figure in the same sentence.
        let mut j = i;
        while j > 0 {
            j -= 1;
            let p = &m.quantities[j];
            if p.place.line != q.place.line {
                break;
            }
            if p.unit == Unit::Percent {
                break;
            }
            // A figure in brackets between the part and its share ("住宅用地120公顷（含保障性
            // 住房用地20公顷），占33.33%") is not the part.
            let line = &lx.lines[q.place.line - 1];
            let after = line.slice(p.chars.1, q.chars.0);
            let in_brackets = after.matches(')').count() > after.matches('(').count();
            if p.area_unit().is_some() && !secondary[j] && in_brackets {
                continue;
            }
            if p.area_unit().is_some() && !secondary[j] {
                if !excluded[j]
                    && share_of[j].is_none()
                    && (lx.lines[q.place.line - 1].is_row() || q.sentence == p.sentence)
                {
                    share_of[j] = Some(i);
                }
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::model;

    #[test]
    fn a_share_goes_with_the_part_before_it() {
        let m = model(
            "供应总量为200公顷，其中住宅用地100公顷（约1500亩），占50%；商服用地100公顷，占50%。",
        );
        let shares: Vec<(usize, usize)> = m
            .structure
            .iter()
            .chain(m.breakdowns.iter().flat_map(|b| b.parts.iter()))
            .filter_map(|p| p.share.map(|s| (p.quantity, s)))
            .collect();
        assert!(
            shares.contains(&(1, 3)) && shares.contains(&(4, 5)),
            "{shares:?}"
        );
    }
}
