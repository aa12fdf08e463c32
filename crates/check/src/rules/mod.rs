//! The rules: every tie in the [`PlanModel`] is cross-examined, with tolerance from stated
//! precision.
//!
//! A value written with d decimals stands for ±0.5×10^-d. Within tolerance there is no
//! finding; beyond it an error, or a warning when the document says 约/左右 and the difference
//! is within the widened allowance (`approx_relative` in the rule's parameters, a fraction of
//! the whole).
//!
//! This module is the catalogue: [`CATALOGUE`] lists every rule in the order it runs, one line
//! per rule file. Each rule is a function over a [`RuleCtx`] (the rules in force, the lexed
//! document, the model) that appends its findings; the file ends with its own tests, written as
//! small annotated documents (see `testing.rs`). To add a rule: its data in
//! `data/rules/document.toml`, a file here, a line in the catalogue.

pub mod ctx;
pub mod destock;
pub mod growth;
pub mod parcel_count;
pub mod parcel_duplicate;
pub mod period;
pub mod rate;
pub mod share;
pub mod sum;
pub mod total_missing;
pub mod unit;
pub mod value_unreadable;

#[cfg(test)]
mod testing;

pub use ctx::RuleCtx;

use crate::lex::{Lexed, Unit};
use crate::model::PlanModel;
use landplan_core::{Finding, RuleContext};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// A rule: the ids of the findings it makes, and the function that applies it.
pub struct Rule {
    /// The rule ids it reports under (in `data/rules/document.toml`).
    pub ids: &'static [&'static str],
    /// Apply it.
    pub check: fn(&RuleCtx, &mut Findings),
}

/// Every rule, in the order they run.
#[rustfmt::skip]
pub const CATALOGUE: &[Rule] = &[
    Rule { ids: &["value.unreadable"], check: value_unreadable::check },
    Rule { ids: &["unit.mismatch"], check: unit::check },
    Rule { ids: &["sum.mismatch"], check: sum::check },
    Rule { ids: &["share.mismatch", "share.total"], check: share::check },
    Rule { ids: &["rate.mismatch"], check: rate::check },
    Rule { ids: &["growth.mismatch"], check: growth::check },
    Rule { ids: &["parcel.duplicate"], check: parcel_duplicate::check },
    Rule { ids: &["parcel.count_mismatch"], check: parcel_count::check },
    Rule { ids: &["period.mismatch"], check: period::check },
    Rule { ids: &["destocking.mismatch", "housing.destocking"], check: destock::check },
    Rule { ids: &["total.missing"], check: total_missing::check },
];

/// The findings made so far, with the differences of sum mismatches (for linking findings
/// that probably share one cause).
#[derive(Debug, Default)]
pub struct Findings {
    list: Vec<Finding>,
    /// (index in `list`, difference, unit) of each sum mismatch.
    differences: Vec<(usize, Decimal, Unit)>,
}

impl Findings {
    /// Add a finding.
    pub fn push(&mut self, f: Finding) {
        self.list.push(f);
    }

    /// Add a finding about a sum that is off by `diff` in `unit`.
    pub fn push_difference(&mut self, f: Finding, diff: Decimal, unit: Unit) {
        self.differences.push((self.list.len(), diff, unit));
        self.list.push(f);
    }
}

/// Run every rule of the catalogue. Without a date in `rules`, the plan's year as read from
/// the document is the date judged for (1 January of that year).
pub fn check(rules: &RuleContext, lx: &Lexed, m: &PlanModel) -> Vec<Finding> {
    let dated;
    let rules = if rules.date().is_none() {
        dated = rules.clone().for_year(m.year);
        &dated
    } else {
        rules
    };
    let ctx = RuleCtx {
        rules,
        lexed: lx,
        model: m,
    };
    let mut findings = Findings::default();
    for rule in CATALOGUE {
        (rule.check)(&ctx, &mut findings);
    }
    let Findings {
        list: mut out,
        differences: diffs,
    } = findings;
    link_differences(&mut out, &diffs);
    out.sort_by_key(|f| {
        let p = f.places.first();
        (
            p.and_then(|p| p.line).unwrap_or(0),
            p.and_then(|p| p.column).unwrap_or(0),
        )
    });
    out
}

/// Findings with the same difference probably share one cause: each says so.
fn link_differences(out: &mut [Finding], diffs: &[(usize, Decimal, Unit)]) {
    let mut by_diff: BTreeMap<(String, &'static str), Vec<usize>> = BTreeMap::new();
    for (i, d, u) in diffs {
        by_diff
            .entry((d.abs().normalize().to_string(), u.label()))
            .or_default()
            .push(*i);
    }
    for ((d, u), idxs) in by_diff {
        if idxs.len() < 2 {
            continue;
        }
        for &i in &idxs {
            let others: Vec<String> = idxs
                .iter()
                .filter(|&&j| j != i)
                .map(|&j| {
                    let line = out[j].places.first().and_then(|p| p.line).unwrap_or(0);
                    format!(
                        "第{line}行“{}”",
                        out[j].message.split('：').next().unwrap_or("")
                    )
                })
                .collect();
            let note = format!(
                "与{}的差额同为{d}{u}，很可能是同一处数字错误所致，核对时请一并考虑",
                others.join("、")
            );
            out[i].notes.push(note);
        }
    }
}
