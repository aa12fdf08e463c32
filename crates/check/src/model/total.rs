//! The plan total: the first whole with a total word, not in a table; one that speaks of supply
//! or reserve (计划供应…总量) before a background figure (全县土地总面积). In a document covering
//! several years, the totals stated for one year ("2026年计划储备土地500公顷") too.

use super::builder::Builder;
use super::classify::ItemKind;
use super::words::{contains_any, CLASS_WORDS, PLAN_WORDS, TOTAL_WORDS};
use super::DocKind;

/// Pass `total`: the plan total and the totals stated for one year.
///
/// Reads `items`, `kinds`, the years, `m.kind`; writes `m.total`, `year_totals`.
pub fn find(b: &mut Builder) {
    let lx = b.lx;
    let (m, items, kinds) = (&b.m, &b.items, &b.kinds);
    let total_like = |i: usize, k: &ItemKind| {
        *k == ItemKind::Total
            && m.quantities[i].cell.is_none()
            && contains_any(&m.quantities[i].label, TOTAL_WORDS)
            && (m.kind == DocKind::HousingLand
                || !contains_any(&m.quantities[i].label, CLASS_WORDS))
    };
    let of_the_plan = |i: usize| contains_any(&m.quantities[i].label, PLAN_WORDS);
    let total = items
        .iter()
        .zip(kinds)
        .find(|(&i, k)| total_like(i, k) && of_the_plan(i))
        .or_else(|| items.iter().zip(kinds).find(|(&i, k)| total_like(i, k)))
        .map(|(&i, _)| i);
    // Totals stated for one year ("2026年计划储备土地500公顷"): in a document covering several
    // years, a structure that names its year is tied to that year's total.
    let year_totals: Vec<(i32, usize)> = items
        .iter()
        .zip(kinds)
        .filter(|(&i, k)| total_like(i, k))
        .filter_map(|(&i, _)| {
            let q = &m.quantities[i];
            let y = lx
                .years
                .iter()
                .rfind(|y| y.line == q.place.line && y.chars.1 <= q.chars.0)?;
            y.to.is_none().then_some((y.year, i))
        })
        .collect();

    b.m.total = total;
    b.year_totals = year_totals;
}

#[cfg(test)]
mod tests {
    use super::super::testing::model;

    #[test]
    fn the_plan_total_speaks_of_supply_before_a_background_figure() {
        let m = model(
            "
            某县2025年度国有建设用地供应计划
            全县土地总面积为50000公顷，计划供应国有建设用地总面积为100公顷。
            ",
        );
        assert_eq!(
            m.total.map(|t| m.quantities[t].display.as_str()),
            Some("100公顷")
        );
    }
}
