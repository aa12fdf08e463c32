//! Shares (占比) of a breakdown.
//!
//! The raw share (part ÷ whole × 100) is kept exactly; the displayed share is rounded by the
//! largest-remainder method so that a complete breakdown's displayed shares add up to exactly
//! 100 at the chosen number of decimals.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One part's share of a whole, in percent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Share {
    /// part ÷ whole × 100, unrounded (28 significant digits).
    pub raw: Decimal,
    /// The displayed value: rounded so that the breakdown adds up to 100.
    pub display: Decimal,
}

impl Share {
    /// A share displayed by rounding half up on its own (not part of a breakdown).
    pub fn half_up(raw: Decimal, dp: u32) -> Share {
        let mut display = crate::units::round_half_up(raw, dp);
        display.rescale(dp);
        Share { raw, display }
    }
}

/// Shares of `parts` in `whole`, displayed with `dp` decimals.
///
/// When the parts add up to the whole, the displayed shares add up to exactly 100 (largest
/// remainder: every share is first truncated, then the missing hundredths go to the parts with
/// the largest remainders, earlier parts first on ties). When they do not (a partial
/// breakdown), each share is rounded half up on its own. A zero whole gives zero shares.
pub fn shares(parts: &[Decimal], whole: Decimal, dp: u32) -> Vec<Share> {
    let hundred = Decimal::ONE_HUNDRED;
    if whole.is_zero() {
        return parts
            .iter()
            .map(|_| Share {
                raw: Decimal::ZERO,
                display: Decimal::ZERO,
            })
            .collect();
    }
    let raws: Vec<Decimal> = parts.iter().map(|p| *p / whole * hundred).collect();
    let sum: Decimal = parts.iter().copied().sum();
    let complete = sum == whole && parts.iter().all(|p| *p >= Decimal::ZERO);
    if !complete {
        return raws
            .into_iter()
            .map(|raw| Share::half_up(raw, dp))
            .collect();
    }
    let unit = Decimal::new(1, dp);
    let floors: Vec<Decimal> = raws.iter().map(|r| r.trunc_with_scale(dp)).collect();
    let mut missing = ((hundred - floors.iter().copied().sum::<Decimal>()) / unit)
        .round()
        .to_string()
        .parse::<i64>()
        .unwrap_or(0);
    let mut order: Vec<usize> = (0..raws.len()).collect();
    order.sort_by(|&a, &b| {
        let ra = raws[a] - floors[a];
        let rb = raws[b] - floors[b];
        rb.cmp(&ra).then(a.cmp(&b))
    });
    let mut display = floors.clone();
    for &i in &order {
        if missing <= 0 {
            break;
        }
        display[i] += unit;
        missing -= 1;
    }
    raws.into_iter()
        .zip(display)
        .map(|(raw, mut display)| {
            display.rescale(dp);
            Share { raw, display }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn thirds_add_up_to_one_hundred() {
        let s = shares(&[d("1"), d("1"), d("1")], d("3"), 2);
        let shown: Vec<String> = s.iter().map(|x| x.display.to_string()).collect();
        assert_eq!(shown, ["33.34", "33.33", "33.33"]);
        assert_eq!(s.iter().map(|x| x.display).sum::<Decimal>(), d("100.00"));
    }

    #[test]
    fn largest_remainder_goes_to_largest_fraction() {
        // 31.61 / 47.58 = 66.4355…, 8.05 / 47.58 = 16.9188…, 7.92 / 47.58 = 16.6456…
        let s = shares(&[d("8.05"), d("7.92"), d("31.61")], d("47.58"), 2);
        let shown: Vec<String> = s.iter().map(|x| x.display.to_string()).collect();
        assert_eq!(shown, ["16.92", "16.65", "66.43"]);
        assert!(s[2].raw > d("66.435"));
    }

    #[test]
    fn partial_breakdown_rounds_each_share() {
        let s = shares(&[d("1")], d("3"), 2);
        assert_eq!(s[0].display, d("33.33"));
    }

    #[test]
    fn zero_whole_gives_zero() {
        let s = shares(&[d("0")], d("0"), 2);
        assert_eq!(s[0].display, Decimal::ZERO);
    }
}
