//! The rule book: every rule that can produce a [`Finding`](crate::Finding), described as data.
//!
//! Rules live in `data/rules/*.toml` at the workspace root and are embedded at compile time.
//! Each has a stable id, a severity, a title and message template in Chinese, the kind of input
//! it applies to, an effective period and a jurisdiction (`all` or a 行政区划代码 prefix such as
//! `65` or `650000`), and parameters (thresholds) as strings. The same id may appear more than
//! once with different periods or jurisdictions: [`RuleBook::get`] picks the one in force.

use crate::finding::Severity;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The embedded rule files, in load order.
const BUILTIN: &[(&str, &str)] = &[
    (
        "ledger.toml",
        include_str!("../../../data/rules/ledger.toml"),
    ),
    (
        "document.toml",
        include_str!("../../../data/rules/document.toml"),
    ),
    (
        "geometry.toml",
        include_str!("../../../data/rules/geometry.toml"),
    ),
];

/// One rule as described in the data files.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct RuleSpec {
    /// Stable id, e.g. `sum.mismatch`. Never renamed.
    pub id: String,
    /// Default severity.
    pub severity: Severity,
    /// What the input is: `ledger`, `document`, `geometry`, `policy`.
    pub applies_to: String,
    /// Short title in Chinese.
    pub title: String,
    /// Message template in Chinese; `{name}` is replaced by a parameter or value.
    #[serde(default)]
    pub message: String,
    /// Longer explanation (Chinese), with the source of any threshold.
    #[serde(default)]
    pub description: String,
    /// First day in force (ISO date), inclusive; empty = always.
    #[serde(default)]
    pub effective_from: String,
    /// Last day in force (ISO date), inclusive; empty = still in force.
    #[serde(default)]
    pub effective_to: String,
    /// `all`, or a 行政区划代码 prefix (province `65`, or a full code `650000`).
    #[serde(default = "all")]
    pub jurisdiction: String,
    /// Where the rule or its threshold comes from.
    #[serde(default)]
    pub source: String,
    /// Parameters (thresholds), as strings to keep decimals exact.
    #[serde(default)]
    pub params: BTreeMap<String, String>,
}

fn all() -> String {
    "all".to_string()
}

impl RuleSpec {
    /// True when the rule is in force on `date` (ISO `YYYY-MM-DD`; `None` = any date) in the
    /// region with the given 行政区划代码 (`None` = any region).
    pub fn in_force(&self, date: Option<&str>, region_code: Option<&str>) -> bool {
        if let Some(d) = date {
            if !self.effective_from.is_empty() && d < self.effective_from.as_str() {
                return false;
            }
            if !self.effective_to.is_empty() && d > self.effective_to.as_str() {
                return false;
            }
        }
        match (self.jurisdiction.as_str(), region_code) {
            ("all", _) => true,
            (_, None) => false,
            (j, Some(code)) => code.starts_with(j.trim_end_matches("0000").trim_end_matches("00")),
        }
    }

    /// A parameter parsed as a decimal.
    pub fn param_decimal(&self, name: &str) -> Option<rust_decimal::Decimal> {
        self.params.get(name).and_then(|s| s.parse().ok())
    }

    /// The message template with `{name}` replaced by the given values, then by parameters.
    pub fn render(&self, vars: &[(&str, String)]) -> String {
        let mut out = self.message.clone();
        for (k, v) in vars {
            out = out.replace(&format!("{{{k}}}"), v);
        }
        for (k, v) in &self.params {
            out = out.replace(&format!("{{{k}}}"), v);
        }
        out
    }
}

#[derive(Deserialize)]
struct RuleFile {
    #[serde(default)]
    rule: Vec<RuleSpec>,
}

/// An error in a rule file.
#[derive(Debug, thiserror::Error)]
#[error("规则文件 {file} 无法解析：{reason}")]
pub struct RuleFileError {
    /// The file name.
    pub file: String,
    /// Why.
    pub reason: String,
}

/// A set of rules.
#[derive(Debug, Clone, Default)]
pub struct RuleBook {
    rules: Vec<RuleSpec>,
}

impl RuleBook {
    /// The rules shipped with landplan.
    pub fn builtin() -> &'static RuleBook {
        static BOOK: OnceLock<RuleBook> = OnceLock::new();
        BOOK.get_or_init(|| {
            RuleBook::from_sources(BUILTIN).expect("embedded rule files are valid (tested)")
        })
    }

    /// Build a rule book from `(file name, TOML text)` pairs.
    pub fn from_sources(sources: &[(&str, &str)]) -> Result<RuleBook, RuleFileError> {
        let mut rules = Vec::new();
        for (file, text) in sources {
            let parsed: RuleFile = toml::from_str(text).map_err(|e| RuleFileError {
                file: file.to_string(),
                reason: e.to_string(),
            })?;
            rules.extend(parsed.rule);
        }
        Ok(RuleBook { rules })
    }

    /// Add the rules of another TOML source (e.g. a province's own thresholds).
    pub fn extend_from(&mut self, file: &str, text: &str) -> Result<(), RuleFileError> {
        let more = RuleBook::from_sources(&[(file, text)])?;
        self.rules.extend(more.rules);
        Ok(())
    }

    /// Every rule, in file order.
    pub fn all(&self) -> &[RuleSpec] {
        &self.rules
    }

    /// The version of rule `id` in force on `date` in `region_code`; a rule for a specific
    /// jurisdiction wins over `all`, and a later one in the files over an earlier one.
    pub fn get_in_force(
        &self,
        id: &str,
        date: Option<&str>,
        region_code: Option<&str>,
    ) -> Option<&RuleSpec> {
        self.rules
            .iter()
            .filter(|r| r.id == id && r.in_force(date, region_code))
            .max_by_key(|r| (r.jurisdiction != "all", r.jurisdiction.len()))
    }

    /// The first rule with this id whatever its period (for titles and default severity).
    pub fn get(&self, id: &str) -> Option<&RuleSpec> {
        self.get_in_force(id, None, None)
            .or_else(|| self.rules.iter().find(|r| r.id == id))
    }

    /// The default severity of rule `id` (error when the rule is unknown).
    pub fn severity(&self, id: &str) -> Severity {
        self.get(id).map(|r| r.severity).unwrap_or(Severity::Error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_parse_and_ids_are_unique_per_period() {
        let book = RuleBook::builtin();
        assert!(!book.all().is_empty());
        let mut seen = std::collections::HashSet::new();
        for r in book.all() {
            let key = (
                r.id.clone(),
                r.effective_from.clone(),
                r.jurisdiction.clone(),
            );
            assert!(
                seen.insert(key),
                "rule {} defined twice for one period",
                r.id
            );
            assert!(!r.title.is_empty(), "rule {} has no title", r.id);
        }
    }

    #[test]
    fn period_and_jurisdiction_select_the_rule_in_force() {
        let text = r#"
[[rule]]
id = "housing.destocking"
severity = "warning"
applies_to = "policy"
title = "去化周期"
effective_from = "2017-04-01"
effective_to = "2024-05-31"
params = { stop_months = "36" }

[[rule]]
id = "housing.destocking"
severity = "warning"
applies_to = "policy"
title = "去化周期"
effective_from = "2024-06-01"
params = { stop_months = "36" }

[[rule]]
id = "housing.destocking"
severity = "error"
applies_to = "policy"
title = "去化周期（省）"
effective_from = "2024-06-01"
jurisdiction = "65"
params = { stop_months = "24" }
"#;
        let book = RuleBook::from_sources(&[("t.toml", text)]).unwrap();
        let old = book
            .get_in_force("housing.destocking", Some("2020-01-01"), None)
            .unwrap();
        assert_eq!(old.effective_to, "2024-05-31");
        let xj = book
            .get_in_force("housing.destocking", Some("2025-01-01"), Some("653130"))
            .unwrap();
        assert_eq!(xj.params["stop_months"], "24");
        let gd = book
            .get_in_force("housing.destocking", Some("2025-01-01"), Some("441882"))
            .unwrap();
        assert_eq!(gd.params["stop_months"], "36");
    }

    #[test]
    fn render_fills_values_and_params() {
        let r = RuleSpec {
            id: "x".into(),
            severity: Severity::Warning,
            applies_to: "ledger".into(),
            title: "t".into(),
            message: "面积{area}公顷超过{max_ha}公顷".into(),
            description: String::new(),
            effective_from: String::new(),
            effective_to: String::new(),
            jurisdiction: "all".into(),
            source: String::new(),
            params: [("max_ha".to_string(), "500".to_string())].into(),
        };
        assert_eq!(
            r.render(&[("area", "900".into())]),
            "面积900公顷超过500公顷"
        );
    }
}
