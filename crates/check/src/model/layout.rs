//! Layout (布局): the townships' totals against the plan total, and each class summed across
//! the townships against the structure's figure for it.

use super::builder::Builder;
use super::{Breakdown, BreakdownKind, Evidence, Part, TownshipPart};

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
    let with_totals: Vec<&TownshipPart> = townships.iter().filter(|t| t.total.is_some()).collect();
    if with_totals.len() >= 2 {
        if let Some(t) = m.total {
            m.breakdowns.push(Breakdown {
                evidence: Evidence::of("布局中各乡镇（区域）的供应量与计划总量"),
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
        if !m.structure.is_empty() && townships.iter().any(|t| !t.parts.is_empty()) {
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
    }
    m.layout = std::mem::take(townships);
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
