//! Execution reports: each class's plan and outcome stated in pairs ("住宅用地计划150公顷，实际
//! 供应120.3公顷，完成率80.2%；工矿仓储用地计划…"): the planned figures are parts of the planned
//! total, the actual ones of the actual total (complete when 其他 closes the list).

use super::builder::Builder;
use super::classify::class_key;
use super::words::{contains_any, ACTUAL_WORDS};
use super::{Breakdown, BreakdownKind, DocKind, Evidence, Part, PlanModel};

/// Pass `execution`: plan/outcome pairs of an execution report.
///
/// Reads `m.kind`, `m.total`, `excluded`; writes breakdowns.
pub fn pairs(b: &mut Builder) {
    if b.m.kind == DocKind::ExecutionReport {
        execution_pairs(&mut b.m, &b.excluded);
    }
}

/// Class plan/actual pairs of an execution report tied to the planned and the actual total.
fn execution_pairs(m: &mut PlanModel, excluded: &[bool]) {
    let Some(t) = m.total else { return };
    let qs = &m.quantities;
    let area = |i: usize| qs[i].area_unit().is_some() && !excluded[i];
    let actual = |i: usize| contains_any(&qs[i].label, ACTUAL_WORDS);
    // The actual total: the first outcome figure after the planned total on its line.
    let Some(ta) = (t + 1..qs.len())
        .take_while(|&i| qs[i].place.line == qs[t].place.line)
        .find(|&i| area(i) && actual(i))
    else {
        return;
    };
    let mut planned: Vec<Part> = Vec::new();
    let mut outcome: Vec<Part> = Vec::new();
    for i in 0..qs.len() {
        if i == t || !area(i) || actual(i) {
            continue;
        }
        let Some(key) = class_key(&qs[i].label) else {
            continue;
        };
        // Its outcome: the next outcome figure on the line before the next class figure.
        let a = (i + 1..qs.len())
            .take_while(|&j| {
                qs[j].place.line == qs[i].place.line && class_key(&qs[j].label).is_none()
            })
            .find(|&j| area(j) && actual(j));
        let Some(a) = a else { continue };
        let part = |q: usize| Part {
            label: qs[i].label.clone(),
            class_code: Some(key.clone()),
            quantity: q,
            share: None,
        };
        planned.push(part(i));
        outcome.push(part(a));
    }
    if planned.len() < 2 {
        return;
    }
    let complete = planned
        .iter()
        .any(|p| p.class_code.as_deref() == Some("group:other") || p.label.contains("其他"));
    m.breakdowns.push(Breakdown {
        evidence: Evidence::of("执行情况中各类用地的计划面积与计划总量"),
        kind: BreakdownKind::SubItems,
        what: "各类用地计划面积之和与计划总量".to_string(),
        whole: t,
        parts: planned,
        complete,
    });
    m.breakdowns.push(Breakdown {
        evidence: Evidence::of("执行情况中各类用地的实际供应面积与实际供应总量"),
        kind: BreakdownKind::SubItems,
        what: "各类用地实际供应面积之和与实际供应总量".to_string(),
        whole: ta,
        parts: outcome,
        complete,
    });
}

#[cfg(test)]
mod tests {
    use super::super::testing::ties;

    #[test]
    fn plan_and_outcome_pairs_are_tied_to_their_totals() {
        let t = ties(
            "
            某县2024年度国有建设用地供应计划执行情况
            计划供应300公顷，实际供应250公顷。住宅用地计划150公顷，实际供应120公顷；商服用地计划100公顷，实际供应90公顷；其他用地计划50公顷，实际供应40公顷。
            ",
        );
        assert!(
            t.contains(&"SubItems 300公顷 = 150公顷 + 100公顷 + 50公顷".to_string()),
            "{t:?}"
        );
        assert!(
            t.contains(&"SubItems 250公顷 = 120公顷 + 90公顷 + 40公顷".to_string()),
            "{t:?}"
        );
    }
}
