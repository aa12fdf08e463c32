//! What every rule sees: [`RuleCtx`], the rules in force (the core [`RuleContext`]: book,
//! region, date) with the lexed document and the model, and the arithmetic the rules share.
//!
//! Every finding is made here, from the rule's id: its severity comes from the rule's data
//! (the version in force for the region and date), its message from the rule's template when
//! the text is the template's ([`RuleCtx::finding`]), else from the rule
//! ([`RuleCtx::finding_with`]); a difference judged beyond tolerance but within a stated 约/左右
//! is a warning ([`RuleCtx::judged`]).

use crate::lex::{Lexed, Line, Quantity, Unit};
use crate::model::PlanModel;
use landplan_core::units::round_half_up;
use landplan_core::{Finding, Place, RuleContext, Severity};
use rust_decimal::Decimal;

/// The context a rule is applied in.
#[derive(Debug, Clone, Copy)]
pub struct RuleCtx<'a> {
    /// The rules in force: book, region (行政区划代码), date.
    pub rules: &'a RuleContext,
    /// The lexed document.
    pub lexed: &'a Lexed,
    /// The plan as read.
    pub model: &'a PlanModel,
}

impl<'a> RuleCtx<'a> {
    /// A finding of rule `id` with the message from its template.
    pub fn finding(&self, id: &str, vars: &[(&str, String)]) -> Finding {
        self.rules.finding(id, vars)
    }

    /// A finding of rule `id` with a message written by the rule.
    pub fn finding_with(&self, id: &str, message: impl Into<String>) -> Finding {
        self.rules.finding_with(id, message)
    }

    /// A finding of rule `id` with the severity [`RuleCtx::judge`] gave.
    pub fn judged(&self, id: &str, severity: Severity, message: impl Into<String>) -> Finding {
        let mut f = self.rules.finding_with(id, message);
        f.severity = severity;
        f
    }

    /// Severity for a difference beyond tolerance: a warning when the document says 约/左右
    /// and the difference is within the widened allowance (`approx_relative` of the rule, a
    /// fraction of `scale`), else the rule's severity; `None` within tolerance.
    pub fn judge(
        &self,
        id: &str,
        diff: Decimal,
        tol: Decimal,
        approx: bool,
        scale: Decimal,
    ) -> Option<Severity> {
        if diff.abs() <= tol {
            return None;
        }
        let rel = self
            .rules
            .param_decimal(id, "approx_relative")
            .unwrap_or(Decimal::new(1, 2));
        if approx && diff.abs() <= tol + rel * scale.abs() {
            return Some(Severity::Warning);
        }
        Some(self.rules.severity(id))
    }

    /// Line `n` (1-based) of the document.
    pub fn line(&self, n: usize) -> &'a Line {
        &self.lexed.lines[n - 1]
    }

    /// Figure `i` of the model.
    pub fn q(&self, i: usize) -> &'a Quantity {
        &self.model.quantities[i]
    }
}

/// The place of a figure.
pub fn place_of(q: &Quantity) -> Place {
    Place {
        line: Some(q.place.line),
        column: Some(q.place.column),
        span: Some(q.place.span),
        text: Some(q.place.text.clone()),
        ..Place::default()
    }
}

/// The place of characters `chars` of `line`, quoting `text`.
pub fn place_at(line: &Line, chars: (usize, usize), text: String) -> Place {
    Place {
        line: Some(line.number),
        column: Some(chars.0 + 1),
        span: Some((
            line.offsets[chars.0],
            line.offsets[chars.1.min(line.norm.len())],
        )),
        text: Some(text),
        ..Place::default()
    }
}

/// Factor to convert a value in unit `from` to unit `to` (both areas, both money, or equal
/// units).
pub fn factor(from: Unit, to: Unit) -> Option<Decimal> {
    if from == to {
        return Some(Decimal::ONE);
    }
    match (from, to) {
        (Unit::Area(a), Unit::Area(b)) => {
            let x = a.hectares_per_unit();
            let y = b.hectares_per_unit();
            x.checked_div(y)
        }
        (Unit::Money(a), Unit::Money(b)) => a.yuan_per_unit().checked_div(b.yuan_per_unit()),
        _ => None,
    }
}

/// A sum shown without trailing zeros from the addition, but at least at the whole's scale.
pub fn fmt_sum(v: Decimal, whole: &Quantity) -> String {
    let mut n = v.normalize_if_long().normalize();
    if n.scale() < whole.value.scale() {
        n.rescale(whole.value.scale());
    }
    format!("{n}{}", whole.unit.label())
}

/// A value with its unit, long conversion tails trimmed.
pub fn fmt_value(v: Decimal, unit: Unit) -> String {
    format!("{}{}", v.normalize_if_long(), unit.label())
}

/// Trimming long conversion tails.
pub trait NormalizeLong {
    /// Keep the stated scale for ordinary sums; trim long conversion tails.
    fn normalize_if_long(self) -> Decimal;
}

impl NormalizeLong for Decimal {
    fn normalize_if_long(self) -> Decimal {
        if self.scale() > 8 {
            round_half_up(self, 6).normalize()
        } else {
            self
        }
    }
}
