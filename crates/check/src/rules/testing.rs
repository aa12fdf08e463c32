//! The one helper behind every rule's unit tests: a small plan written as an annotated
//! document, checked, and its findings compared with the annotations.
//!
//! ```text
//! 某县2025年度国有建设用地供应计划
//! 供应总量为100公顷，其中住宅用地60公顷，商服用地30公顷。
//! //~ error sum.mismatch: 分项之和为90公顷
//! ```
//!
//! A line `//~ SEVERITY RULE[: TEXT]` is not part of the document: it expects a finding of
//! `RULE` with `SEVERITY` (error, warning, info) whose first place is on the document line
//! above it (line 0 when it comes first: a finding about the whole document), and whose
//! message contains `TEXT` when given. Every finding of the document must be annotated.

use landplan_core::Severity;

/// One expected finding.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Expected {
    line: usize,
    rule: String,
    severity: String,
}

/// Check an annotated document: exactly the annotated findings, at their lines.
#[track_caller]
pub fn check(annotated: &str) {
    let mut text = String::new();
    let mut expected: Vec<Expected> = Vec::new();
    let mut fragments: Vec<(usize, String, String)> = Vec::new();
    let mut line = 0;
    for raw in annotated.trim_start_matches('\n').lines() {
        let Some(note) = raw.trim_start().strip_prefix("//~") else {
            text.push_str(raw.trim_start());
            text.push('\n');
            line += 1;
            continue;
        };
        let (head, fragment) = match note.split_once(':') {
            Some((h, f)) => (h, Some(f.trim())),
            None => (note, None),
        };
        let mut words = head.split_whitespace();
        let severity = words.next().expect("a severity").to_string();
        let rule = words.next().expect("a rule id").to_string();
        assert!(
            Severity::parse(&severity).is_some(),
            "unknown severity {severity}"
        );
        if let Some(f) = fragment {
            fragments.push((line, rule.clone(), f.to_string()));
        }
        expected.push(Expected {
            line,
            rule,
            severity,
        });
    }
    let report = crate::check_text("plan.txt", &text);
    let mut found: Vec<Expected> = report
        .findings
        .iter()
        .map(|f| Expected {
            line: f.places.first().and_then(|p| p.line).unwrap_or(0),
            rule: f.rule.clone(),
            severity: f.severity.to_string(),
        })
        .collect();
    expected.sort();
    found.sort();
    assert_eq!(
        found, expected,
        "findings differ from the annotations\n{text}\n{:#?}",
        report.findings
    );
    for (line, rule, fragment) in fragments {
        assert!(
            report.findings.iter().any(|f| f.rule == rule
                && f.places.first().and_then(|p| p.line).unwrap_or(0) == line
                && f.message.contains(&fragment)),
            "no {rule} on line {line} says “{fragment}”: {:#?}",
            report.findings
        );
    }
}
