//! Money: a sum of funds followed by 其中 and its items in the same sentence ("资金需求总量为
//! 0.75亿元，其中收购补偿5000万元，前期开发2500万元"). The items may be a selection, so only items
//! exceeding the total are reported, unless the last item is 其他/其余 (then the list is
//! exhaustive and must add up).

use super::builder::{plain_parts, Builder};
use super::words::{contains_any, REMAINDER_WORDS};
use super::{Breakdown, BreakdownKind, Evidence};
use crate::lex::Unit;

/// Pass `money`: funds and their items.
///
/// Reads the money figures, `secondary`, `excluded`; writes breakdowns. A sum's items are the
/// money figures after it in its sentence, up to the next sum followed by 其中 (the items of
/// each sum are read once: a sentence of a thousand sums does not give each of them every
/// figure after it).
pub fn sub_items(b: &mut Builder) {
    let lx = b.lx;
    let n = b.figure_count();
    let Builder {
        m,
        secondary,
        excluded,
        ..
    } = b;
    let money =
        |j: usize| matches!(m.quantities[j].unit, Unit::Money(_)) && !secondary[j] && !excluded[j];
    let mut start = 0;
    while start < n {
        // One sentence's money figures, in text order.
        let (line_no, sentence) = (m.quantities[start].place.line, m.quantities[start].sentence);
        let mut end = start;
        while end < n
            && m.quantities[end].place.line == line_no
            && m.quantities[end].sentence == sentence
        {
            end += 1;
        }
        let figures: Vec<usize> = (start..end).filter(|&j| money(j)).collect();
        start = end;
        let line = &lx.lines[line_no - 1];
        // A figure followed by 其中 before the next money figure is a sum of the ones after it.
        let sum: Vec<bool> = figures
            .windows(2)
            .map(|w| {
                line.slice(m.quantities[w[0]].chars.1, m.quantities[w[1]].chars.0)
                    .contains("其中")
            })
            .chain(std::iter::once(false))
            .collect();
        for (k, &wi) in figures.iter().enumerate() {
            if !sum[k] {
                continue;
            }
            let stop = (k + 2..figures.len())
                .find(|&t| sum[t])
                .unwrap_or(figures.len());
            let parts = &figures[k + 1..stop];
            if parts.len() < 2 {
                continue;
            }
            let w = &m.quantities[wi];
            let what = format!(
                "{}的分项",
                if w.label.is_empty() {
                    "资金"
                } else {
                    &w.label
                }
            );
            let complete = parts
                .last()
                .is_some_and(|&j| contains_any(&m.quantities[j].label, REMAINDER_WORDS));
            m.breakdowns.push(Breakdown {
                evidence: Evidence::of("资金总额后以“其中”引出的各项"),
                kind: BreakdownKind::SubItems,
                what,
                whole: wi,
                parts: plain_parts(m, parts.iter().copied()),
                complete,
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

    #[test]
    fn a_sum_s_items_end_at_the_next_sum_of_its_sentence() {
        assert_eq!(
            ties("2026年资金1亿元，其中收购补偿6000万元，前期开发4000万元，2027年资金2亿元，其中收购补偿1.2亿元，前期开发8000万元。"),
            [
                "SubItems 1亿元 = 6000万元 + 4000万元 (selection)",
                "SubItems 2亿元 = 1.2亿元 + 8000万元 (selection)"
            ]
        );
    }
}
