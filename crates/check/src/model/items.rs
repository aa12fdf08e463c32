//! Sub-items: the items gathered under a host figure (住宅 → 保障性/商品住房, 出让 → 招拍挂/协议,
//! any figure followed by 其中) become a breakdown of it, complete when they provably cover it.

use super::words::{
    contains_any, AFFORDABLE_WORDS, COMMERCIAL_HOUSING_WORDS, HOUSING_SUBSET_WORDS, REMAINDER_WORDS,
};
use super::{Breakdown, BreakdownKind, Evidence, Part, PlanModel};

/// Housing items that together cover residential land: both a 保障性 item and a 商品住房
/// item ("保障性住房用地16.20公顷、商品住房用地64.80公顷"), and none that is a subset of another
/// (中小套型 is part of 商品住房, 棚改 of 保障性安居工程). Such sub-items must add up to the
/// residential figure, as must a list that ends in a remainder (其他商品住房用地); any other
/// list of sub-items may be a selection.
pub fn housing_covers_residential(m: &PlanModel, subs: &[Part]) -> bool {
    let label = |p: &Part| m.quantities[p.quantity].label.as_str();
    let affordable = subs
        .iter()
        .any(|p| contains_any(label(p), AFFORDABLE_WORDS));
    let commercial = subs
        .iter()
        .any(|p| contains_any(label(p), COMMERCIAL_HOUSING_WORDS));
    let subset = subs
        .iter()
        .any(|p| contains_any(label(p), HOUSING_SUBSET_WORDS));
    // An explicit remainder ("其他商品住房用地") makes any list exhaustive.
    let remainder = subs
        .last()
        .is_some_and(|p| contains_any(label(p), REMAINDER_WORDS));
    subs.len() >= 2 && ((affordable && commercial && !subset) || remainder)
}

/// The ways of one supply method stated under it ("出让760.50公顷，其中招拍挂出让700.50公顷、
/// 协议出让60.00公顷"): a breakdown of the host, complete when they cover every way of 出让
/// (招标、拍卖、挂牌 and 协议: 城市房地产管理法 art. 13, 国土资源部令第39号) or end in 其他.
pub fn flush_method_subs(m: &mut PlanModel, host: Option<usize>, subs: &mut Vec<Part>) {
    let label = |p: &Part| m.quantities[p.quantity].label.clone();
    let has = |w: &[&str]| subs.iter().any(|p| contains_any(&label(p), w));
    let auction = has(&["招拍挂"]) || (has(&["招标"]) && has(&["拍卖"]) && has(&["挂牌"]));
    let covers = auction && has(&["协议"]);
    flush_sub_items(m, host, subs, covers);
}

/// The sub-items gathered under `host` as a breakdown of it (at least two), complete when
/// `covers` or when the last is a remainder (其他, 其余 …); `subs` is emptied either way.
pub fn flush_sub_items(m: &mut PlanModel, host: Option<usize>, subs: &mut Vec<Part>, covers: bool) {
    if let (Some(h), true) = (host, subs.len() >= 2) {
        let remainder = subs
            .last()
            .is_some_and(|p| contains_any(&m.quantities[p.quantity].label, REMAINDER_WORDS));
        m.breakdowns.push(Breakdown {
            evidence: Evidence::of("数字后紧随的分项（“其中”或括号内）"),
            kind: BreakdownKind::SubItems,
            what: format!("{}的分项", m.quantities[h].label),
            whole: h,
            parts: std::mem::take(subs),
            complete: covers || remainder,
        });
    }
    subs.clear();
}
