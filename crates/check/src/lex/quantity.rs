//! What the lexer finds: stated figures with their place, years, damaged numbers.

use super::{Qualifier, Unit};
use landplan_core::units::half_ulp;
use landplan_core::AreaUnit;
use rust_decimal::Decimal;
use serde::Serialize;

/// Where a figure is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuantityPlace {
    /// Line, 1-based.
    pub line: usize,
    /// Character column of the first character, 1-based.
    pub column: usize,
    /// Byte span `[start, end)` in the decoded text.
    pub span: (usize, usize),
    /// The figure as written (number and unit).
    pub text: String,
}

/// A stated figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quantity {
    /// The value as written (the decimal keeps the stated scale: "592.80" has scale 2).
    pub value: Decimal,
    /// The upper end of a range ("3240-3660公顷": value 3240, high 3660).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub high: Option<Decimal>,
    /// The unit.
    pub unit: Unit,
    /// The figure with its unit, e.g. "383.73公顷".
    pub display: String,
    /// Qualifiers (约, 左右, 以内, 以上, 区间).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub qualifiers: Vec<Qualifier>,
    /// Where it is.
    pub place: QuantityPlace,
    /// What the text says it is (the words before it in its clause, or its table row).
    pub label: String,
    /// The table column header, for a figure in a table.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header: Option<String>,
    /// Character range `[start, end)` of the figure (number through unit) in its line.
    #[serde(skip)]
    pub chars: (usize, usize),
    /// Index of the sentence within the line (counted by 。).
    #[serde(skip)]
    pub sentence: usize,
    /// Index of the table cell, for a figure in a table row.
    #[serde(skip)]
    pub cell: Option<usize>,
}

impl Quantity {
    /// The tolerance the stated precision implies: half a unit in the last place.
    pub fn tolerance(&self) -> Decimal {
        half_ulp(self.value)
    }

    /// The tolerance of the upper end of a range.
    pub fn tolerance_high(&self) -> Decimal {
        half_ulp(self.high.unwrap_or(self.value))
    }

    /// The upper end (the value itself unless a range).
    pub fn high_or_value(&self) -> Decimal {
        self.high.unwrap_or(self.value)
    }

    /// True when the document says 约/左右 about it.
    pub fn is_approximate(&self) -> bool {
        self.qualifiers
            .iter()
            .any(|q| matches!(q, Qualifier::About | Qualifier::Around))
    }

    /// The area unit, if any.
    pub fn area_unit(&self) -> Option<AreaUnit> {
        self.unit.area()
    }
}

/// A year mentioned as "2025年" or in a range "2020-2024年".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearMention {
    /// The year.
    pub year: i32,
    /// The other end, for a range.
    pub to: Option<i32>,
    /// Line (1-based).
    pub line: usize,
    /// Character range in the line.
    pub chars: (usize, usize),
    /// True when followed by 年度.
    pub annual: bool,
}

/// A figure that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damaged {
    /// Line (1-based).
    pub line: usize,
    /// Character range in the line (through the unit).
    pub chars: (usize, usize),
    /// The text as written.
    pub text: String,
    /// Why it is damaged, in Chinese.
    pub why: String,
}
