//! Layout (布局): the townships' totals against the plan total, and each class summed across
//! the townships against the structure's figure for it.

use super::builder::Builder;
use super::{Breakdown, BreakdownKind, Evidence, Part, PlanModel, TownshipPart};

/// Pass `layout`: township totals and classes across townships; the layout of the model.
///
/// Reads `townships`, `m.total`, `m.structure`, `share_of`; writes breakdowns and
/// `m.layout`.
pub fn ties(b: &mut Builder) {
    let Builder {
        m,
        townships,
        share_of,
        ..
    } = b;
    totals(m, townships, share_of);
    let with_totals = townships.iter().filter(|t| t.total.is_some()).count();
    if with_totals >= 2 && !m.structure.is_empty() && townships.iter().any(|t| !t.parts.is_empty())
    {
        for sp in m.structure.clone() {
            let Some(key) = &sp.class_code else { continue };
            let parts: Vec<Part> = townships
                .iter()
                .flat_map(|t| {
                    t.parts
                        .iter()
                        .filter(|p| p.class_code.as_ref() == Some(key))
                        .map(|p| Part {
                            label: format!("{}{}", t.name, p.label),
                            ..p.clone()
                        })
                })
                .collect();
            if !parts.is_empty() {
                m.breakdowns.push(Breakdown {
                    evidence: Evidence::of("各乡镇的同类用地与结构中的该类用地"),
                    kind: BreakdownKind::ClassAcrossTownships,
                    what: format!("各乡镇{}之和与结构中的{}", sp.label, sp.label),
                    whole: sp.quantity,
                    parts,
                    complete: true,
                });
            }
        }
    }
    m.layout = std::mem::take(townships);
}

/// The townships' totals of one layout against the whole they lay out: the whole a paragraph
/// states with its breakdown before the places, else the plan total. Called for every layout
/// section (a document may lay out two plans, or a plan in inline sub-sections) and for the
/// last one by [`ties`].
pub fn totals(m: &mut PlanModel, townships: &[TownshipPart], share_of: &[Option<usize>]) {
    let with_totals: Vec<&TownshipPart> = townships.iter().filter(|t| t.total.is_some()).collect();
    {
        if with_totals.len() < 2 {
            return;
        }
        // A paragraph that states its own whole with its breakdown before the places ("1.规模。
        // …做地10860亩，其中… 2.区域分布。江北区…") lays out that whole, not the plan total.
        let first = &m.quantities[with_totals[0].total.unwrap_or(0)];
        let own = m
            .breakdowns
            .iter()
            .filter(|bd| {
                matches!(
                    bd.kind,
                    BreakdownKind::Structure | BreakdownKind::SubItems | BreakdownKind::Township
                )
            })
            .map(|bd| bd.whole)
            .filter(|&w| !townships.iter().any(|t| t.total == Some(w)))
            .filter(|&w| {
                let q = &m.quantities[w];
                q.place.line == first.place.line && q.chars.1 <= first.chars.0
            })
            .max();
        let whole = own.or(m.total);
        if let Some(t) = whole {
            m.breakdowns.push(Breakdown {
                evidence: Evidence::of(if own.is_some() && own != m.total {
                    "布局中各区域的面积与同一段落先行给出的总量"
                } else {
                    "布局中各乡镇（区域）的供应量与计划总量"
                }),
                kind: BreakdownKind::TownshipTotals,
                what: "各乡镇（区域）供应量之和与计划总量".to_string(),
                whole: t,
                parts: with_totals
                    .iter()
                    .map(|tp| Part {
                        label: tp.name.clone(),
                        class_code: None,
                        quantity: tp.total.unwrap_or(0),
                        share: tp.total.and_then(|t| share_of[t]),
                    })
                    .collect(),
                complete: true,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::ties;

    #[test]
    fn township_totals_are_tied_to_the_plan_total() {
        let t = ties(
            "
            某县2025年度国有建设用地供应计划
            全县国有建设用地供应总量为100公顷，其中住宅用地60公顷，商服用地40公顷。
            （三）供应布局
            城关镇供应60公顷，其中住宅用地40公顷，商服用地20公顷。
            新市镇供应40公顷，其中住宅用地20公顷，商服用地20公顷。
            ",
        );
        assert_eq!(
            t,
            [
                "Structure 100公顷 = 60公顷 + 40公顷",
                "Township 60公顷 = 40公顷 + 20公顷",
                "Township 40公顷 = 20公顷 + 20公顷",
                "TownshipTotals 100公顷 = 60公顷 + 40公顷",
                "ClassAcrossTownships 60公顷 = 40公顷 + 20公顷",
                "ClassAcrossTownships 40公顷 = 20公顷 + 20公顷",
            ]
        );
    }
}
