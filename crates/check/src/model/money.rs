//! Money: a sum of funds followed by 其中 and its items in the same sentence ("资金需求总量为
//! 0.75亿元，其中收购补偿5000万元，前期开发2500万元"). The items may be a selection, so only items
//! exceeding the total are reported, unless the last item is 其他/其余 (then the list is
//! exhaustive and must add up).

use super::builder::{plain_parts, Builder};
use super::words::{contains_any, REMAINDER_WORDS};
use super::{Breakdown, BreakdownKind};
use crate::lex::Unit;

/// Pass `money`: funds and their items.
///
/// Reads the money figures, `secondary`, `excluded`; writes breakdowns.
pub fn sub_items(b: &mut Builder) {
    let lx = b.lx;
    let n = b.figure_count();
    let Builder {
        m,
        secondary,
        excluded,
        ..
    } = b;
    for (wi, w) in m.quantities.iter().enumerate() {
        if !matches!(w.unit, Unit::Money(_)) || secondary[wi] || excluded[wi] {
            continue;
        }
        let line = &lx.lines[w.place.line - 1];
        let parts: Vec<usize> = (wi + 1..n)
            .take_while(|&j| {
                let q = &m.quantities[j];
                q.place.line == w.place.line && q.sentence == w.sentence
            })
            .filter(|&j| {
                matches!(m.quantities[j].unit, Unit::Money(_)) && !secondary[j] && !excluded[j]
            })
            .collect();
        let Some(&first) = parts.first() else {
            continue;
        };
        let between = line.slice(w.chars.1, m.quantities[first].chars.0);
        if parts.len() >= 2 && between.contains("其中") {
            m.breakdowns.push(Breakdown {
                kind: BreakdownKind::SubItems,
                what: format!(
                    "{}的分项",
                    if w.label.is_empty() {
                        "资金"
                    } else {
                        &w.label
                    }
                ),
                whole: wi,
                parts: plain_parts(m, parts.iter().copied()),
                complete: parts
                    .last()
                    .is_some_and(|&j| contains_any(&m.quantities[j].label, REMAINDER_WORDS)),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ties;

    #[test]
    fn funds_and_their_items_exhaustive_when_a_remainder_closes_them() {
        assert_eq!(
            ties("资金需求总量为0.75亿元，其中收购补偿5000万元，前期开发2500万元。"),
            ["SubItems 0.75亿元 = 5000万元 + 2500万元 (selection)"]
        );
        assert_eq!(
            ties("资金需求总量为0.75亿元，其中收购补偿5000万元，其他2500万元。"),
            ["SubItems 0.75亿元 = 5000万元 + 2500万元"]
        );
    }
}
