//! landplan-check: read a published land supply or reserve plan and cross-examine every figure
//! it states.
//!
//! A plan states the same quantities several times: a total, class areas, shares, township
//! breakdowns, sub-items, 新增 + 存量, parcel lists, 公顷 beside 亩. This crate reads the document
//! as published (text in any encoding the bureaus use, `.docx`, a PDF's text layer, an Excel
//! 附表, a web page), builds a [`PlanModel`] of what it states and how the figures are tied
//! together, and reports every disagreement as a [`Finding`] with the places involved.
//!
//! Pipeline, one folder each: [`read`] (bytes → text lines, the format sniffed once) → [`lex`]
//! (figures with units, qualifiers and places) → [`model`] (passes over one builder: kind,
//! region, year, total, breakdowns, unit pairs, shares, parcels) → [`rules`] (a catalogue of
//! checks with tolerance from stated precision, applied in a rule context: book, region, date)
//! → [`render`] (compiler-style text diagnostics). [`check_document`] runs it, reading the
//! document once.
//!
//! Architecture invariant: the checker never fails and never panics. Unreadable input gives a
//! [`DocumentReport`] with `readable = false` and a finding saying why. The crate does no IO.
#![deny(missing_docs)]

pub mod cross;
pub mod lex;
pub mod model;
pub mod read;
pub mod render;
pub mod rules;

pub use lex::{Qualifier, Quantity, QuantityPlace, Unit};
pub use model::{Breakdown, BreakdownKind, DocKind, ParcelEntry, Part, PlanModel, TownshipPart};

use landplan_core::{Finding, Place, RuleContext, Severity};
use serde::Serialize;

/// What the checker found in one document.
#[derive(Debug, Clone, Serialize)]
pub struct DocumentReport {
    /// The path as given.
    pub path: String,
    /// False when the file could not be read at all (exit status 2).
    pub readable: bool,
    /// The plan as read from the text.
    pub plan: PlanModel,
    /// The findings, in document order of their first place.
    pub findings: Vec<Finding>,
}

impl DocumentReport {
    /// True when any finding is an error.
    pub fn has_errors(&self) -> bool {
        landplan_core::finding::has_errors(&self.findings)
    }

    /// Count of findings by severity: (errors, warnings, infos).
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut c = (0, 0, 0);
        for f in &self.findings {
            match f.severity {
                Severity::Error => c.0 += 1,
                Severity::Warning => c.1 += 1,
                Severity::Info => c.2 += 1,
            }
        }
        c
    }
}

/// How to check a document.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// The rules to apply: the rule book, the region's 行政区划代码 (none unless the caller
    /// knows it) and the date judged for. Without a date, the plan's year as read from the
    /// document is used (judged as on 1 January of that year).
    pub rules: RuleContext,
    /// The format when the caller has already sniffed it ([`read::Format::sniff`]); `None`
    /// sniffs it here.
    pub format: Option<read::Format>,
}

/// A checked document: the report and the text that was read (for quoting source lines in
/// diagnostics; empty when unreadable).
#[derive(Debug, Clone)]
pub struct CheckedDocument {
    /// What the checker found.
    pub report: DocumentReport,
    /// The text as read.
    pub text: String,
}

/// Check a document given as bytes, reading it once: `.docx`, `.xlsx`/`.xls`, PDF with a text
/// layer, a web page (`.html`, `.mht`) or text in UTF-8, UTF-16 or GBK/GB18030. `label` names
/// the document in places and messages. Never fails; unreadable input gives
/// `readable = false` and a finding.
pub fn check_document(label: &str, bytes: &[u8], options: &CheckOptions) -> CheckedDocument {
    let format = options
        .format
        .unwrap_or_else(|| read::Format::sniff(label, bytes));
    match read::read_as(format, label, bytes, &options.rules) {
        Ok(doc) => {
            let mut report = check_source(label, &doc.text, &options.rules);
            for note in doc.notes {
                report.findings.insert(0, note);
            }
            CheckedDocument {
                report,
                text: doc.text,
            }
        }
        Err(e) => CheckedDocument {
            report: unreadable_with(label, &e.to_string(), &options.rules),
            text: String::new(),
        },
    }
}

/// Check a document given as bytes: `.docx` (a zip archive) or text in UTF-8, UTF-16 or
/// GBK/GB18030. Never fails; unreadable input gives `readable = false` and a finding.
pub fn check_bytes(path: &str, bytes: &[u8]) -> DocumentReport {
    check_document(path, bytes, &CheckOptions::default()).report
}

/// Check a document given as bytes and also return the text that was read (for quoting
/// source lines in diagnostics; empty when unreadable).
pub fn check_bytes_with_text(path: &str, bytes: &[u8]) -> (DocumentReport, String) {
    let checked = check_document(path, bytes, &CheckOptions::default());
    (checked.report, checked.text)
}

/// A report for a file that could not be opened at all (missing, permission denied).
pub fn unreadable(path: &str, reason: &str) -> DocumentReport {
    unreadable_with(path, reason, &RuleContext::builtin())
}

fn unreadable_with(path: &str, reason: &str, rules: &RuleContext) -> DocumentReport {
    let finding = rules
        .finding("document.unreadable", &[("reason", reason.to_string())])
        .at(Place {
            file: Some(path.to_string()),
            ..Place::default()
        });
    DocumentReport {
        path: path.to_string(),
        readable: false,
        plan: PlanModel::default(),
        findings: vec![finding],
    }
}

/// The JSON output of `landplan check --format json` for some reports:
/// `{"documents": [...]}` (schema: `docs/schema/check.schema.json`).
pub fn json_output(reports: &[DocumentReport]) -> serde_json::Value {
    serde_json::json!({ "documents": reports })
}

/// The JSON output with what the check across files did (`cross`: the ties made, the
/// documents left untied, the comparisons with a ledger or stored version), when it did
/// anything.
pub fn json_output_with(
    reports: &[DocumentReport],
    cross: &cross::CrossSummary,
) -> serde_json::Value {
    let mut out = json_output(reports);
    if !(cross.ties.is_empty() && cross.untied.is_empty() && cross.against.is_empty()) {
        out["cross"] = serde_json::json!(cross);
    }
    out
}

/// Write the JSON output of `landplan check --format json` (the same bytes as
/// `serde_json::to_writer_pretty` of [`json_output_with`]) without building it as one
/// `serde_json::Value` first: each report is turned into a value and written in turn, so the
/// output of thousands of documents is never held in memory as a whole.
pub fn write_json_with<W: std::io::Write>(
    out: W,
    reports: &[DocumentReport],
    cross: &cross::CrossSummary,
) -> serde_json::Result<()> {
    use serde::ser::{Error as _, SerializeMap, SerializeSeq};
    /// The documents, one value at a time.
    struct Documents<'a>(&'a [DocumentReport]);
    impl serde::Serialize for Documents<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut seq = s.serialize_seq(Some(self.0.len()))?;
            for r in self.0 {
                // Through a value, as `json_output` does: its keys come out sorted.
                let v = serde_json::to_value(r).map_err(S::Error::custom)?;
                seq.serialize_element(&v)?;
            }
            seq.end()
        }
    }
    /// The top object: its keys in the sorted order a `serde_json::Value` writes them.
    struct Output<'a>(&'a [DocumentReport], &'a cross::CrossSummary);
    impl serde::Serialize for Output<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let cross = self.1;
            let with_cross =
                !(cross.ties.is_empty() && cross.untied.is_empty() && cross.against.is_empty());
            let mut map = s.serialize_map(Some(1 + usize::from(with_cross)))?;
            if with_cross {
                let v = serde_json::to_value(cross).map_err(S::Error::custom)?;
                map.serialize_entry("cross", &v)?;
            }
            map.serialize_entry("documents", &Documents(self.0))?;
            map.end()
        }
    }
    serde_json::to_writer_pretty(out, &Output(reports, cross))
}

/// Check a document already decoded to text.
pub fn check_text(path: &str, text: &str) -> DocumentReport {
    check_source(path, text, &RuleContext::builtin())
}

fn check_source(path: &str, text: &str, context: &RuleContext) -> DocumentReport {
    let lines = lex::lex_document(text);
    let plan = model::build(&lines);
    let mut findings = rules::check(context, &lines, &plan);
    for f in &mut findings {
        for p in &mut f.places {
            if p.file.is_none() {
                p.file = Some(path.to_string());
            }
        }
    }
    DocumentReport {
        path: path.to_string(),
        readable: true,
        plan,
        findings,
    }
}
