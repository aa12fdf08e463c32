//! Findings: what a checker says about a ledger, a document or a geometry.
//!
//! Every finding names a rule by its stable id (see [`crate::rules`]), carries a severity, a
//! message in Chinese, the expected and found values where there are numbers, and the places in
//! the source it is about.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// For information only.
    Info,
    /// Probably wrong, or allowed by an explicit 约/左右; a person should look.
    Warning,
    /// Wrong.
    Error,
}

impl Severity {
    /// The severity's Chinese label (错误, 警告, 提示).
    pub fn label(self) -> &'static str {
        match self {
            Severity::Error => "错误",
            Severity::Warning => "警告",
            Severity::Info => "提示",
        }
    }

    /// Parse "error" / "warning" / "info".
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "info" => Some(Severity::Info),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        })
    }
}

/// A place in a source: a file, and a line/column (documents) or a row/column name (ledgers).
///
/// Lines, rows and columns count from 1. `column` is a character column in a text line;
/// `field` is a column name in a table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    /// The file, as given by the user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The line in a text document (1-based).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The character column in that line (1-based).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// The row in a ledger (1-based, the header being row 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    /// The column name (表头) in a ledger.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Byte span in the decoded text, `[start, end)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<(usize, usize)>,
    /// The parcel this place is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parcel: Option<String>,
    /// The quoted text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl Place {
    /// A ledger place: row and column name.
    pub fn row(row: usize, field: Option<&str>) -> Place {
        Place {
            row: Some(row),
            field: field.map(str::to_string),
            ..Place::default()
        }
    }

    /// A document place: line, column and quoted text.
    pub fn line(line: usize, column: usize, text: impl Into<String>) -> Place {
        Place {
            line: Some(line),
            column: Some(column),
            text: Some(text.into()),
            ..Place::default()
        }
    }

    /// The same place in the given file.
    pub fn in_file(mut self, file: impl Into<String>) -> Place {
        self.file = Some(file.into());
        self
    }

    /// The same place, about the given parcel.
    pub fn with_parcel(mut self, id: impl Into<String>) -> Place {
        self.parcel = Some(id.into());
        self
    }

    /// "文件 第N行 第M列" style description in Chinese.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(f) = &self.file {
            parts.push(f.clone());
        }
        if let Some(r) = self.row {
            parts.push(format!("第{r}行"));
        }
        if let Some(l) = self.line {
            parts.push(format!("第{l}行"));
        }
        if let Some(c) = self.column {
            parts.push(format!("第{c}列"));
        }
        if let Some(f) = &self.field {
            parts.push(format!("“{f}”列"));
        }
        if let Some(p) = &self.parcel {
            parts.push(format!("地块 {p}"));
        }
        parts.join(" ")
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable rule id, e.g. `sum.mismatch`.
    pub rule: String,
    /// Severity.
    pub severity: Severity,
    /// Message in Chinese.
    pub message: String,
    /// The expected value with its unit, where there is one (null otherwise).
    #[serde(default)]
    pub expected: Option<String>,
    /// The value found, with its unit (null otherwise).
    #[serde(default)]
    pub found: Option<String>,
    /// The places involved, the main one first.
    #[serde(default)]
    pub places: Vec<Place>,
    /// Further notes (e.g. "a duplicate parcel explains this sum").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Finding {
    /// A new finding.
    pub fn new(rule: impl Into<String>, severity: Severity, message: impl Into<String>) -> Finding {
        Finding {
            rule: rule.into(),
            severity,
            message: message.into(),
            expected: None,
            found: None,
            places: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Add a place.
    pub fn at(mut self, place: Place) -> Finding {
        self.places.push(place);
        self
    }

    /// Set expected and found values.
    pub fn values(mut self, expected: impl Into<String>, found: impl Into<String>) -> Finding {
        self.expected = Some(expected.into());
        self.found = Some(found.into());
        self
    }

    /// Add a note.
    pub fn note(mut self, note: impl Into<String>) -> Finding {
        self.notes.push(note.into());
        self
    }
}

/// True when any finding is an error.
pub fn has_errors(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error)
}
