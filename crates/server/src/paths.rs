//! The parts of a plan's path (`/…/{region}/{year}/{kind}`) read into a [`PlanKey`]: one rule
//! for the console and the API.

use landplan_core::compile::PlanKind;
use landplan_store::PlanKey;

/// The plan a path names: a 行政区划代码 (6, 9 or 12 digits), a year (1900–2200) and `supply`
/// or `reserve`; None for anything else (the caller answers that no such plan exists).
pub fn plan_key(region: &str, year: &str, kind: &str) -> Option<PlanKey> {
    if !matches!(region.len(), 6 | 9 | 12) || !region.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i32 = year.parse().ok().filter(|y| (1900..=2200).contains(y))?;
    let kind = match kind {
        "supply" => PlanKind::Supply,
        "reserve" => PlanKind::Reserve,
        _ => return None,
    };
    Some(PlanKey {
        region: region.to_string(),
        year,
        kind,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_real_codes_years_and_kinds_name_a_plan() {
        assert!(plan_key("330102", "2025", "supply").is_some());
        assert!(plan_key("330102001", "2025", "reserve").is_some());
        assert!(plan_key("33010", "2025", "supply").is_none());
        assert!(plan_key("330102", "20x5", "supply").is_none());
        assert!(plan_key("330102", "1800", "supply").is_none());
        assert!(plan_key("330102", "2025", "other").is_none());
    }
}
