//! Units: the unit after a number (from the one table of spellings in
//! [`landplan_core::units::UNIT_SPELLINGS`], plus %), unless what follows makes it a rate.

use landplan_core::units::{unit_spelled_at, StatedUnit};
use landplan_core::{AreaUnit, MoneyUnit};
use serde::{Serialize, Serializer};

/// The unit of a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    /// An area.
    Area(AreaUnit),
    /// Money.
    Money(MoneyUnit),
    /// A percentage.
    Percent,
}

impl Unit {
    /// The unit as written in Chinese reports.
    pub fn label(self) -> &'static str {
        match self {
            Unit::Area(u) => u.label(),
            Unit::Money(u) => u.label(),
            Unit::Percent => "%",
        }
    }

    /// The area unit, if this is one.
    pub fn area(self) -> Option<AreaUnit> {
        match self {
            Unit::Area(u) => Some(u),
            _ => None,
        }
    }
}

impl Serialize for Unit {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.label())
    }
}

impl From<StatedUnit> for Unit {
    fn from(u: StatedUnit) -> Unit {
        match u {
            StatedUnit::Area(a) => Unit::Area(a),
            StatedUnit::Money(m) => Unit::Money(m),
        }
    }
}

/// Match a unit at `k`; returns the unit and the index after it. A unit followed by `/` or 每
/// is a rate (元/平方米, 万元/亩): no unit; so is 亩均 (per 亩); a Latin spelling must end
/// where the word ends ("ha" is not the start of "hat").
pub(crate) fn unit_at(c: &[char], k: usize) -> Option<(Unit, usize)> {
    let (unit, spelling, end) = if c.get(k) == Some(&'%') {
        (Unit::Percent, "%", k + 1)
    } else {
        let (u, w, end) = unit_spelled_at(c, k)?;
        (Unit::from(u), w, end)
    };
    let latin = spelling.starts_with(|ch: char| ch.is_ascii_alphabetic());
    if latin && end < c.len() && c[end].is_ascii_alphanumeric() {
        return None;
    }
    if end < c.len() && (c[end] == '/' || c[end] == '每') {
        return None;
    }
    if spelling == "亩" && end < c.len() && c[end] == '均' {
        return None;
    }
    Some((unit, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Option<(Unit, usize)> {
        unit_at(&s.chars().collect::<Vec<_>>(), 0)
    }

    #[test]
    fn units_and_rates() {
        assert_eq!(at("公顷，"), Some((Unit::Area(AreaUnit::Hectare), 2)));
        assert_eq!(at("万平方米"), Some((Unit::Area(AreaUnit::Hectare), 4)));
        assert_eq!(at("%"), Some((Unit::Percent, 1)));
        assert_eq!(at("亿元"), Some((Unit::Money(MoneyUnit::YiYuan), 2)));
        assert_eq!(at("元/平方米"), None);
        assert_eq!(at("亩均"), None);
        assert_eq!(at("hat"), None);
        assert_eq!(at("m2，"), Some((Unit::Area(AreaUnit::SquareMetre), 2)));
        // Spellings from the one table in core: 1 万㎡ is 1 公顷.
        assert_eq!(at("万㎡"), Some((Unit::Area(AreaUnit::Hectare), 2)));
    }
}
