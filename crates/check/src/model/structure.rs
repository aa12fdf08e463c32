//! Structure (结构): class parts of the plan total. Class parts stated one per line are gathered
//! under their section's whole; without a stated total, a structure table's 合计 is the total;
//! a layout or structure table's own 合计 is the plan total restated; and the plan's structure
//! is the structure breakdown of its total.

use super::builder::{on_line, Builder};
use super::classify::class_key;
use super::words::{
    contains_any, PART_SECTION_WORDS, TABLE_TOTAL_HEADERS, TOPICAL_SECTION_WORDS, TOTAL_WORDS,
};
use super::{Breakdown, BreakdownKind, Evidence, Part, Quantity};

/// Pass `singles`: class parts stated one per line (“1.工矿仓储用地500公顷，占33.33%；”), a
/// structure of the plan total under a 结构 heading, elsewhere of a total stated on the line
/// right before them.
///
/// Reads `singles`, `items`, `m.total`; writes structure breakdowns.
pub fn singles(b: &mut Builder) {
    let Builder {
        m, items, singles, ..
    } = b;
    let mut g = 0;
    while g < singles.len() {
        let mut e = g;
        while e < singles.len() && singles[e].0 == singles[g].0 {
            e += 1;
        }
        let sec = &singles[g].0;
        // Under a 结构 heading the whole is the plan total; elsewhere ("三、主要指标") a total
        // stated on the line right before the class lines ("供应总量：1800公顷；").
        let first_line = m.quantities[singles[g].1.quantity].place.line;
        // Items are in text order: those of the line before start where the earlier lines end.
        let before = items.partition_point(|&i| m.quantities[i].place.line + 1 < first_line);
        let whole_before = items[before..]
            .iter()
            .copied()
            .take_while(|&i| m.quantities[i].place.line + 1 == first_line)
            .find(|&i| {
                let q = &m.quantities[i];
                contains_any(&q.label, TOTAL_WORDS) && class_key(&q.label).is_none()
            });
        let whole = if sec.contains("结构") {
            m.total
        } else {
            whole_before
        };
        if e - g >= 2 && whole.is_some() {
            if let Some(t) = whole {
                let parts: Vec<Part> = singles[g..e].iter().map(|(_, p)| p.clone()).collect();
                let mut evidence = Evidence::of(if sec.contains("结构") {
                    "“结构”标题下每行一类用地"
                } else {
                    "总量所在行之后每行一类用地"
                });
                // Class lines with other figures' lines between them are not one list: the
                // later ones may be about something else ("此外，…").
                let lines: Vec<usize> = parts
                    .iter()
                    .map(|p| m.quantities[p.quantity].place.line)
                    .collect();
                // Items are in text order: the first one after line w[0] tells.
                let gap = lines.windows(2).find(|w| {
                    let k = items.partition_point(|&i| m.quantities[i].place.line <= w[0]);
                    items
                        .get(k)
                        .is_some_and(|&i| m.quantities[i].place.line < w[1])
                });
                if let Some(w) = gap {
                    evidence.doubts.push(format!(
                        "各类用地不在相邻的行中（第{}行与第{}行之间另有其他数字），后者可能另有所指",
                        w[0], w[1]
                    ));
                }
                m.breakdowns.push(Breakdown {
                    evidence,
                    kind: BreakdownKind::Structure,
                    what: "各类用地面积之和与总量".to_string(),
                    whole: t,
                    parts,
                    complete: true,
                });
            }
        }
        g = e;
    }
}

/// Pass `total_from_table`: without a stated total, a structure table's 合计 row is the total.
///
/// Reads the breakdowns; writes `m.total`.
pub fn total_from_table(b: &mut Builder) {
    let m = &mut b.m;
    if m.total.is_none() {
        m.total = m
            .breakdowns
            .iter()
            .find(|b| b.kind == BreakdownKind::Structure)
            .map(|b| b.whole);
    }
}

/// Pass `table_totals`: a layout or structure table's own 合计 is the plan total restated: tied
/// to it, so that a table that adds up to its 合计 but not to the plan is found. Not in a plan
/// of several years (each table may be one year's), nor for a table under a 新增/存量 heading
/// (a part).
///
/// Reads the breakdowns, `m.total`, `year_totals`, `section`; writes breakdowns.
pub fn table_totals(b: &mut Builder) {
    let Builder {
        m,
        section,
        year_totals,
        ..
    } = b;
    if let (Some(t), true) = (m.total, year_totals.len() <= 1) {
        let in_ha = |q: &Quantity| q.area_unit().map(|u| u.to_hectares(q.value));
        let tables: Vec<(usize, BreakdownKind)> = m
            .breakdowns
            .iter()
            .filter(|b| matches!(b.kind, BreakdownKind::Table | BreakdownKind::Structure))
            .filter(|b| b.whole != t && b.what.starts_with("表中各"))
            .map(|b| (b.whole, b.kind))
            .collect();
        for (w, kind) in tables {
            // The 合计 row's own total: the figure under a 合计/面积 column, or its only figure
            // (the rows were tied by their first figure, which may be one class column).
            let row: Vec<usize> = on_line(&m.quantities, m.quantities[w].place.line)
                .filter(|&i| m.quantities[i].area_unit().is_some())
                .collect();
            let headed = row.iter().copied().find(|&i| {
                m.quantities[i]
                    .header
                    .as_deref()
                    .is_some_and(|h| contains_any(h, TABLE_TOTAL_HEADERS))
            });
            let Some(w) = headed.or((row.len() == 1).then_some(w)) else {
                continue;
            };
            let sec = &section[m.quantities[w].place.line];
            let topical =
                contains_any(sec, TOPICAL_SECTION_WORDS) && !contains_any(sec, PART_SECTION_WORDS);
            let tq = &m.quantities[t];
            let wq = &m.quantities[w];
            if !topical || in_ha(wq).is_none() || in_ha(wq) == in_ha(tq) {
                continue;
            }
            m.breakdowns.push(Breakdown {
                evidence: Evidence::of("表中合计即计划总量的重述"),
                kind: if kind == BreakdownKind::Table {
                    BreakdownKind::TownshipTotals
                } else {
                    BreakdownKind::Structure
                },
                what: "表中合计与计划总量".to_string(),
                whole: t,
                parts: vec![Part {
                    label: wq.label.clone(),
                    class_code: None,
                    quantity: w,
                    share: None,
                }],
                complete: true,
            });
        }
    }
}

/// Pass `structure`: the class parts of the plan total.
///
/// Reads the breakdowns and `m.total`; writes `m.structure`.
pub fn of_the_total(b: &mut Builder) {
    let m = &mut b.m;
    if let Some(t) = m.total {
        let tv = (m.quantities[t].value, m.quantities[t].unit);
        if let Some(b) = m.breakdowns.iter().find(|b| {
            b.kind == BreakdownKind::Structure
                && (b.whole == t || (m.quantities[b.whole].value, m.quantities[b.whole].unit) == tv)
        }) {
            m.structure = b.parts.clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ties;

    #[test]
    fn classes_one_per_line_under_a_structure_heading_are_the_structure() {
        let t = ties(
            "
            某县2025年度国有建设用地供应计划
            全县国有建设用地供应总量为100公顷。
            （二）供应结构
            1.住宅用地60公顷；
            2.商服用地40公顷。
            ",
        );
        assert_eq!(t, ["Structure 100公顷 = 60公顷 + 40公顷"]);
    }
}
