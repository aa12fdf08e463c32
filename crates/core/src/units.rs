//! Exact areas and money.
//!
//! Areas are kept in hectares (公顷) as [`Decimal`]. Conversions from 平方米 are exact; 1 亩 is
//! 1/15 公顷, which is not a finite decimal, so an area stated in 亩 is kept with 28 significant
//! digits and rounded only for display. A value as *stated* in a document or ledger keeps its
//! unit and its scale (number of decimals), because the precision is part of its meaning:
//! "383.73" stands for 383.73 ± 0.005.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// A unit of area as written in plans and ledgers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AreaUnit {
    /// 公顷 (hectare).
    Hectare,
    /// 亩 (1/15 hectare).
    Mu,
    /// 平方米 (square metre).
    SquareMetre,
    /// 万公顷 (10,000 hectares).
    TenThousandHectare,
    /// 万亩 (10,000 亩).
    TenThousandMu,
    /// 平方千米 / 平方公里 (100 hectares).
    SquareKilometre,
}

impl AreaUnit {
    /// The unit's Chinese name, as used in reports.
    pub fn label(self) -> &'static str {
        match self {
            AreaUnit::Hectare => "公顷",
            AreaUnit::Mu => "亩",
            AreaUnit::SquareMetre => "平方米",
            AreaUnit::TenThousandHectare => "万公顷",
            AreaUnit::TenThousandMu => "万亩",
            AreaUnit::SquareKilometre => "平方千米",
        }
    }

    /// Recognise a unit from its written form (公顷, 亩, 平方米, ㎡, m2, 万公顷, 万亩, 平方公里 …).
    pub fn parse(s: &str) -> Option<AreaUnit> {
        let s = s.trim();
        Some(match s {
            "公顷" | "ha" | "hm2" | "hm²" | "hectare" => AreaUnit::Hectare,
            "亩" | "畝" => AreaUnit::Mu,
            "平方米" | "平米" | "㎡" | "m2" | "m²" | "平方公尺" => AreaUnit::SquareMetre,
            "万公顷" | "萬公頃" => AreaUnit::TenThousandHectare,
            "万亩" | "萬畝" => AreaUnit::TenThousandMu,
            "平方千米" | "平方公里" | "km2" | "km²" | "k㎡" => AreaUnit::SquareKilometre,
            "公頃" => AreaUnit::Hectare,
            _ => return None,
        })
    }

    /// Convert a value in this unit to hectares.
    pub fn to_hectares(self, v: Decimal) -> Decimal {
        match self {
            AreaUnit::Hectare => v,
            AreaUnit::Mu => v / Decimal::from(15),
            AreaUnit::SquareMetre => v / Decimal::from(10_000),
            AreaUnit::TenThousandHectare => v * Decimal::from(10_000),
            AreaUnit::TenThousandMu => v * Decimal::from(10_000) / Decimal::from(15),
            AreaUnit::SquareKilometre => v * Decimal::from(100),
        }
    }

    /// [`AreaUnit::to_hectares`], `None` when the result would overflow.
    pub fn to_hectares_checked(self, v: Decimal) -> Option<Decimal> {
        match self {
            AreaUnit::Hectare => Some(v),
            AreaUnit::Mu => v.checked_div(Decimal::from(15)),
            AreaUnit::SquareMetre => v.checked_div(Decimal::from(10_000)),
            AreaUnit::TenThousandHectare => v.checked_mul(Decimal::from(10_000)),
            AreaUnit::TenThousandMu => v
                .checked_mul(Decimal::from(10_000))?
                .checked_div(Decimal::from(15)),
            AreaUnit::SquareKilometre => v.checked_mul(Decimal::from(100)),
        }
    }

    /// Convert hectares to a value in this unit.
    pub fn from_hectares(self, ha: Decimal) -> Decimal {
        match self {
            AreaUnit::Hectare => ha,
            AreaUnit::Mu => ha * Decimal::from(15),
            AreaUnit::SquareMetre => ha * Decimal::from(10_000),
            AreaUnit::TenThousandHectare => ha / Decimal::from(10_000),
            AreaUnit::TenThousandMu => ha * Decimal::from(15) / Decimal::from(10_000),
            AreaUnit::SquareKilometre => ha / Decimal::from(100),
        }
    }

    /// How many hectares one unit is (exactly, or to 28 digits for 亩).
    pub fn hectares_per_unit(self) -> Decimal {
        self.to_hectares(Decimal::ONE)
    }
}

impl fmt::Display for AreaUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// An area in hectares, exact for values stated in 公顷 or 平方米.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Area(pub Decimal);

impl Area {
    /// Zero hectares.
    pub const ZERO: Area = Area(Decimal::ZERO);

    /// An area from a value in hectares.
    pub fn hectares(v: Decimal) -> Area {
        Area(v)
    }

    /// An area from a value in the given unit.
    pub fn from_unit(v: Decimal, unit: AreaUnit) -> Area {
        Area(unit.to_hectares(v))
    }

    /// The value in hectares.
    pub fn ha(self) -> Decimal {
        self.0
    }

    /// The value in 亩 (exact: 公顷 × 15).
    pub fn mu(self) -> Decimal {
        self.0 * Decimal::from(15)
    }

    /// The value in 平方米 (exact: 公顷 × 10,000).
    pub fn square_metres(self) -> Decimal {
        self.0 * Decimal::from(10_000)
    }

    /// The value in hectares rounded half away from zero (四舍五入) to `dp` decimals.
    pub fn ha_rounded(self, dp: u32) -> Decimal {
        round_half_up(self.0, dp)
    }

    /// The value in 亩 rounded half away from zero to `dp` decimals.
    pub fn mu_rounded(self, dp: u32) -> Decimal {
        round_half_up(self.mu(), dp)
    }

    /// True when the area is strictly positive.
    pub fn is_positive(self) -> bool {
        self.0 > Decimal::ZERO
    }
}

impl Add for Area {
    type Output = Area;
    fn add(self, o: Area) -> Area {
        Area(self.0 + o.0)
    }
}

impl AddAssign for Area {
    fn add_assign(&mut self, o: Area) {
        self.0 += o.0;
    }
}

impl Sub for Area {
    type Output = Area;
    fn sub(self, o: Area) -> Area {
        Area(self.0 - o.0)
    }
}

impl std::iter::Sum for Area {
    fn sum<I: Iterator<Item = Area>>(iter: I) -> Area {
        iter.fold(Area::ZERO, |a, b| a + b)
    }
}

/// A unit of money as written in plans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MoneyUnit {
    /// 元.
    Yuan,
    /// 万元 (10⁴ 元).
    WanYuan,
    /// 亿元 (10⁸ 元).
    YiYuan,
}

impl MoneyUnit {
    /// The unit's Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            MoneyUnit::Yuan => "元",
            MoneyUnit::WanYuan => "万元",
            MoneyUnit::YiYuan => "亿元",
        }
    }

    /// Recognise a unit from its written form.
    pub fn parse(s: &str) -> Option<MoneyUnit> {
        match s.trim() {
            "元" => Some(MoneyUnit::Yuan),
            "万元" | "萬元" => Some(MoneyUnit::WanYuan),
            "亿元" | "億元" => Some(MoneyUnit::YiYuan),
            _ => None,
        }
    }

    /// How many 元 one unit is.
    pub fn yuan_per_unit(self) -> Decimal {
        match self {
            MoneyUnit::Yuan => Decimal::ONE,
            MoneyUnit::WanYuan => Decimal::from(10_000),
            MoneyUnit::YiYuan => Decimal::from(100_000_000),
        }
    }
}

impl fmt::Display for MoneyUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// An amount of money in 元 (exact).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Money(pub Decimal);

impl Money {
    /// Zero.
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// An amount from a value in the given unit.
    pub fn from_unit(v: Decimal, unit: MoneyUnit) -> Money {
        Money(v * unit.yuan_per_unit())
    }

    /// The amount expressed in the given unit (exact).
    pub fn in_unit(self, unit: MoneyUnit) -> Decimal {
        (self.0 / unit.yuan_per_unit()).normalize()
    }

    /// The amount in 万元.
    pub fn wan_yuan(self) -> Decimal {
        self.in_unit(MoneyUnit::WanYuan)
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, o: Money) -> Money {
        Money(self.0 + o.0)
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, o: Money) {
        self.0 += o.0;
    }
}

/// The Earth's surface, 510,072,000 km², in 公顷: no stated area can be larger. Readers refuse
/// larger values as unreadable, which also keeps every sum of areas far from the limit of
/// `Decimal` (about 7.9×10²⁸).
pub const EARTH_SURFACE_HA: Decimal = Decimal::from_parts(3_762_559_744, 11, 0, false, 0);

/// An upper bound for a stated amount of money, 10¹⁶ 元 (一亿亿元, some tenfold the world's
/// yearly output): readers refuse larger amounts, so sums of money cannot overflow.
pub const MAX_PLAUSIBLE_YUAN: Decimal = Decimal::from_parts(1_874_919_424, 2_328_306, 0, false, 0);

impl StatedArea {
    /// The area, when it is a plausible one: at most the Earth's surface in absolute value
    /// (`None` otherwise, also when converting it would overflow).
    pub fn plausible(self) -> Option<Area> {
        let ha = match self.unit {
            AreaUnit::Hectare => self.value,
            _ => self.unit.to_hectares_checked(self.value)?,
        };
        (ha.abs() <= EARTH_SURFACE_HA).then_some(Area(ha))
    }
}

impl Money {
    /// The amount, when it is plausible: at most [`MAX_PLAUSIBLE_YUAN`] in absolute value
    /// (`None` otherwise, also when converting it would overflow).
    pub fn plausible(v: Decimal, unit: MoneyUnit) -> Option<Money> {
        let yuan = v.checked_mul(unit.yuan_per_unit())?;
        (yuan.abs() <= MAX_PLAUSIBLE_YUAN).then_some(Money(yuan))
    }
}

/// A value as stated in a source, with its unit; the decimal's scale is the stated precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StatedArea {
    /// The number as written ("383.73" keeps scale 2).
    pub value: Decimal,
    /// The unit as written.
    pub unit: AreaUnit,
}

impl StatedArea {
    /// A stated area.
    pub fn new(value: Decimal, unit: AreaUnit) -> StatedArea {
        StatedArea { value, unit }
    }

    /// The area in hectares.
    pub fn area(self) -> Area {
        Area::from_unit(self.value, self.unit)
    }

    /// Half a unit of the last stated decimal, in the stated unit (383.73 → 0.005).
    pub fn tolerance(self) -> Decimal {
        half_ulp(self.value)
    }

    /// The tolerance converted to hectares.
    pub fn tolerance_ha(self) -> Decimal {
        self.unit.to_hectares(self.tolerance())
    }
}

/// Half a unit in the last place of a decimal as written: scale d → 0.5 × 10^-d.
pub fn half_ulp(v: Decimal) -> Decimal {
    Decimal::new(5, v.scale() + 1)
}

/// Round half away from zero (四舍五入) to `dp` decimals. `round_dp` would round half to even.
pub fn round_half_up(v: Decimal, dp: u32) -> Decimal {
    v.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero)
}

/// Format a decimal rounded half up to exactly `dp` decimals (trailing zeros kept).
pub fn fmt_dp(v: Decimal, dp: u32) -> String {
    let mut r = round_half_up(v, dp);
    r.rescale(dp);
    r.to_string()
}

/// The unit of a stated quantity as written: an area or an amount of money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatedUnit {
    /// An area unit.
    Area(AreaUnit),
    /// A money unit.
    Money(MoneyUnit),
}

/// Every written form of an area or money unit that plans and ledgers use, in simplified and
/// traditional characters, in the order a scan tries them (a form that begins another comes
/// after it). 1 万平方米 (万㎡) is exactly 1 公顷.
pub const UNIT_SPELLINGS: &[(&str, StatedUnit)] = &[
    ("平方公里", StatedUnit::Area(AreaUnit::SquareKilometre)),
    ("平方千米", StatedUnit::Area(AreaUnit::SquareKilometre)),
    ("万平方米", StatedUnit::Area(AreaUnit::Hectare)),
    ("万㎡", StatedUnit::Area(AreaUnit::Hectare)),
    ("平方米", StatedUnit::Area(AreaUnit::SquareMetre)),
    ("平方公尺", StatedUnit::Area(AreaUnit::SquareMetre)),
    ("万公顷", StatedUnit::Area(AreaUnit::TenThousandHectare)),
    ("萬公頃", StatedUnit::Area(AreaUnit::TenThousandHectare)),
    ("万亩", StatedUnit::Area(AreaUnit::TenThousandMu)),
    ("萬畝", StatedUnit::Area(AreaUnit::TenThousandMu)),
    ("公顷", StatedUnit::Area(AreaUnit::Hectare)),
    ("公頃", StatedUnit::Area(AreaUnit::Hectare)),
    ("平米", StatedUnit::Area(AreaUnit::SquareMetre)),
    ("亿元", StatedUnit::Money(MoneyUnit::YiYuan)),
    ("億元", StatedUnit::Money(MoneyUnit::YiYuan)),
    ("万元", StatedUnit::Money(MoneyUnit::WanYuan)),
    ("萬元", StatedUnit::Money(MoneyUnit::WanYuan)),
    ("hectare", StatedUnit::Area(AreaUnit::Hectare)),
    ("hm2", StatedUnit::Area(AreaUnit::Hectare)),
    ("hm²", StatedUnit::Area(AreaUnit::Hectare)),
    ("km2", StatedUnit::Area(AreaUnit::SquareKilometre)),
    ("km²", StatedUnit::Area(AreaUnit::SquareKilometre)),
    ("k㎡", StatedUnit::Area(AreaUnit::SquareKilometre)),
    ("m2", StatedUnit::Area(AreaUnit::SquareMetre)),
    ("m²", StatedUnit::Area(AreaUnit::SquareMetre)),
    ("ha", StatedUnit::Area(AreaUnit::Hectare)),
    ("亩", StatedUnit::Area(AreaUnit::Mu)),
    ("畝", StatedUnit::Area(AreaUnit::Mu)),
    ("㎡", StatedUnit::Area(AreaUnit::SquareMetre)),
    ("元", StatedUnit::Money(MoneyUnit::Yuan)),
];

/// The unit written at character `at` of `text`: the first of [`UNIT_SPELLINGS`] that starts
/// there, as (unit, its spelling, the index after it). Whether the unit ends there (a Latin
/// spelling followed by more letters, a rate such as 元/平方米) is the caller's to judge.
pub fn unit_spelled_at(text: &[char], at: usize) -> Option<(StatedUnit, &'static str, usize)> {
    UNIT_SPELLINGS.iter().find_map(|&(w, u)| {
        let mut end = at;
        for wc in w.chars() {
            if text.get(end) != Some(&wc) {
                return None;
            }
            end += 1;
        }
        Some((u, w, end))
    })
}

/// A whole string that is one unit spelling (surrounding whitespace ignored).
pub fn parse_unit(s: &str) -> Option<StatedUnit> {
    let s = s.trim();
    UNIT_SPELLINGS
        .iter()
        .find(|(w, _)| *w == s)
        .map(|&(_, u)| u)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn mu_and_square_metres_convert_exactly_from_hectares() {
        let a = Area::hectares(d("383.73"));
        assert_eq!(a.mu(), d("5755.95"));
        assert_eq!(a.square_metres(), d("3837300"));
    }

    #[test]
    fn mu_to_hectares_round_trips_for_display() {
        let a = Area::from_unit(d("713.63"), AreaUnit::Mu);
        assert_eq!(a.ha_rounded(4), d("47.5753"));
        assert_eq!(a.mu_rounded(2), d("713.63"));
    }

    #[test]
    fn tolerance_follows_stated_precision() {
        assert_eq!(
            StatedArea::new(d("383.73"), AreaUnit::Hectare).tolerance(),
            d("0.005")
        );
        assert_eq!(
            StatedArea::new(d("3.7"), AreaUnit::Hectare).tolerance(),
            d("0.05")
        );
        assert_eq!(StatedArea::new(d("12"), AreaUnit::Mu).tolerance(), d("0.5"));
        assert_eq!(
            StatedArea::new(d("15"), AreaUnit::Mu).tolerance_ha(),
            d("0.5") / d("15")
        );
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(round_half_up(d("66.435"), 2), d("66.44"));
        assert_eq!(round_half_up(d("0.125"), 2), d("0.13"));
        assert_eq!(fmt_dp(d("3.7"), 2), "3.70");
    }

    #[test]
    fn money_units() {
        let m = Money::from_unit(d("0.75"), MoneyUnit::YiYuan);
        assert_eq!(m.wan_yuan(), d("7500"));
        assert_eq!(MoneyUnit::parse("亿元"), Some(MoneyUnit::YiYuan));
        assert_eq!(AreaUnit::parse("公顷"), Some(AreaUnit::Hectare));
        assert_eq!(AreaUnit::parse("㎡"), Some(AreaUnit::SquareMetre));
    }

    #[test]
    fn one_spelling_table_agrees_with_the_unit_parsers() {
        for &(w, u) in UNIT_SPELLINGS {
            match u {
                StatedUnit::Area(a) => assert!(AreaUnit::parse(w).is_none_or(|p| p == a), "{w}"),
                StatedUnit::Money(m) => assert_eq!(MoneyUnit::parse(w), Some(m), "{w}"),
            }
        }
        for w in [
            "公顷",
            "ha",
            "hm2",
            "hm²",
            "hectare",
            "亩",
            "畝",
            "平方米",
            "平米",
            "㎡",
            "m2",
            "m²",
            "平方公尺",
            "万公顷",
            "萬公頃",
            "万亩",
            "萬畝",
            "平方千米",
            "平方公里",
            "km2",
            "km²",
            "k㎡",
            "公頃",
            "元",
            "万元",
            "萬元",
            "亿元",
            "億元",
        ] {
            assert!(parse_unit(w).is_some(), "{w}");
        }
        assert_eq!(
            parse_unit("万㎡"),
            Some(StatedUnit::Area(AreaUnit::Hectare))
        );
    }

    #[test]
    fn a_scan_takes_the_unit_written_at_a_position() {
        let t: Vec<char> = "12万平方米，3㎡".chars().collect();
        assert_eq!(
            unit_spelled_at(&t, 2),
            Some((StatedUnit::Area(AreaUnit::Hectare), "万平方米", 6))
        );
        assert_eq!(unit_spelled_at(&t, 8).map(|u| u.2), Some(9));
        assert_eq!(unit_spelled_at(&t, 0), None);
    }

    #[test]
    fn implausible_areas_and_amounts_are_refused_not_overflowed() {
        assert_eq!(EARTH_SURFACE_HA, Decimal::from(51_007_200_000u64));
        assert_eq!(MAX_PLAUSIBLE_YUAN, Decimal::from(10_000_000_000_000_000u64));
        let ha = |v: &str, u| StatedArea::new(v.parse().unwrap(), u).plausible();
        assert_eq!(
            ha("383.73", AreaUnit::Hectare),
            Some(Area::hectares("383.73".parse().unwrap()))
        );
        assert!(ha("51007200000", AreaUnit::Hectare).is_some());
        assert!(ha("51007200001", AreaUnit::Hectare).is_none());
        assert!(ha("-60000000000", AreaUnit::Hectare).is_none());
        assert!(ha("50000000000000000000000000000", AreaUnit::TenThousandMu).is_none());
        assert!(ha("79228162514264337593543950335", AreaUnit::SquareKilometre).is_none());
        let yuan = |v: &str, u| Money::plausible(v.parse().unwrap(), u);
        assert!(yuan("1200", MoneyUnit::WanYuan).is_some());
        assert!(yuan("79228162514264337593543950335", MoneyUnit::WanYuan).is_none());
        assert!(yuan("100000000", MoneyUnit::YiYuan).is_some());
        assert!(yuan("100000001", MoneyUnit::YiYuan).is_none());
    }
}
