//! The rule book: every rule that can produce a [`Finding`], described as data.
//!
//! Rules live in `data/rules/*.toml` at the workspace root and are embedded at compile time.
//! Each has a stable id, a severity, a title and message template in Chinese, the kind of input
//! it applies to, an effective period and a jurisdiction (`all` or a 行政区划代码 prefix such as
//! `65` or `650000`), and parameters (thresholds) as strings. The same id may appear more than
//! once with different periods or jurisdictions: [`RuleBook::get_in_force`] picks the one in
//! force, and a province's book (`data/rules/provinces/`) overrides a national rule for that
//! province from its own effective date.
//!
//! Callers do not look rules up by hand: they hold a [`RuleContext`] (the book, the region's
//! 行政区划代码 and the date the judgement is made for) and ask it for the rule in force and for
//! findings, whose severity and message come from the rule's data.

use crate::date::Date;
use crate::finding::{Finding, Severity};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

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
    (
        "monitor.toml",
        include_str!("../../../data/rules/monitor.toml"),
    ),
    ("bond.toml", include_str!("../../../data/rules/bond.toml")),
    (
        "reserve.toml",
        include_str!("../../../data/rules/reserve.toml"),
    ),
    (
        "provinces/990000-示例省.toml",
        include_str!("../../../data/rules/provinces/990000-示例省.toml"),
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
    /// First day in force, inclusive; `None` (empty in the file) = always.
    #[serde(default, with = "crate::date::empty_as_none")]
    pub effective_from: Option<Date>,
    /// Last day in force, inclusive; `None` (empty in the file) = still in force.
    #[serde(default, with = "crate::date::empty_as_none")]
    pub effective_to: Option<Date>,
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
    /// True when the rule is in force on `date` (`None` = any date) in the region with the
    /// given 行政区划代码 (`None` = any region).
    pub fn in_force(&self, date: Option<Date>, region_code: Option<&str>) -> bool {
        if let Some(d) = date {
            if self.effective_from.is_some_and(|f| d < f) {
                return false;
            }
            if self.effective_to.is_some_and(|t| d > t) {
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
        RuleBook::builtin_shared()
    }

    /// The rules shipped with landplan, shared (for a [`RuleContext`]).
    pub fn builtin_shared() -> &'static Arc<RuleBook> {
        static BOOK: OnceLock<Arc<RuleBook>> = OnceLock::new();
        BOOK.get_or_init(|| {
            Arc::new(
                RuleBook::from_sources(BUILTIN).expect("embedded rule files are valid (tested)"),
            )
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
        date: Option<Date>,
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

/// The rules as they apply to one judgement: a rule book, the region judged (its 行政区划代码,
/// if known) and the date the judgement is made for (a plan's year, an as-of date).
///
/// Every rule lookup and every finding made from a rule id goes through a context, so that a
/// province's override or a rule that changed on a given day applies wherever rules apply.
#[derive(Debug, Clone)]
pub struct RuleContext {
    book: Arc<RuleBook>,
    region: Option<String>,
    date: Option<Date>,
}

impl Default for RuleContext {
    fn default() -> Self {
        RuleContext::builtin()
    }
}

impl RuleContext {
    /// The built-in rule book, no region, no date (any version of a rule may apply).
    pub fn builtin() -> RuleContext {
        RuleContext::new(RuleBook::builtin_shared().clone())
    }

    /// A context over a rule book.
    pub fn new(book: Arc<RuleBook>) -> RuleContext {
        RuleContext {
            book,
            region: None,
            date: None,
        }
    }

    /// The same context for the region with this 行政区划代码 (digits only; anything else, such
    /// as a region's name, leaves the region unknown).
    pub fn with_region(mut self, code: Option<&str>) -> RuleContext {
        self.region = code
            .map(str::trim)
            .filter(|c| !c.is_empty() && c.bytes().all(|b| b.is_ascii_digit()))
            .map(str::to_string);
        self
    }

    /// The same context on this date.
    pub fn with_date(mut self, date: Option<Date>) -> RuleContext {
        self.date = date;
        self
    }

    /// The same context for a plan year: judged as on 1 January of that year.
    pub fn for_year(self, year: Option<i32>) -> RuleContext {
        self.with_date(year.and_then(Date::first_of_year))
    }

    /// The rule book.
    pub fn book(&self) -> &RuleBook {
        &self.book
    }

    /// The region's 行政区划代码, if known.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// The date judged for, if known.
    pub fn date(&self) -> Option<Date> {
        self.date
    }

    /// The version of rule `id` in force for this region on this date.
    pub fn rule(&self, id: &str) -> Option<&RuleSpec> {
        self.book
            .get_in_force(id, self.date, self.region.as_deref())
    }

    /// The severity of rule `id` here (the version in force; error when unknown).
    pub fn severity(&self, id: &str) -> Severity {
        self.rule(id)
            .or_else(|| self.book.get(id))
            .map(|r| r.severity)
            .unwrap_or(Severity::Error)
    }

    /// A parameter of the rule in force, as an exact decimal.
    pub fn param_decimal(&self, id: &str, name: &str) -> Option<rust_decimal::Decimal> {
        self.rule(id).and_then(|r| r.param_decimal(name))
    }

    /// A finding of rule `id`: its severity and its message from the rule's data (the rule's
    /// message template with `vars` and then the rule's parameters filled in). A rule the
    /// book does not know gives an error finding whose message names it.
    pub fn finding(&self, id: &str, vars: &[(&str, String)]) -> Finding {
        match self.rule(id).or_else(|| self.book.get(id)) {
            Some(r) if !r.message.is_empty() => Finding::new(id, r.severity, r.render(vars)),
            Some(r) => Finding::new(id, r.severity, r.title.clone()),
            None => Finding::new(id, Severity::Error, format!("未知规则“{id}”")),
        }
    }

    /// A finding of rule `id` with its severity here and a message written by the caller (for
    /// messages that need more than the template can say).
    pub fn finding_with(&self, id: &str, message: impl Into<String>) -> Finding {
        Finding::new(id, self.severity(id), message)
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
            let key = (r.id.clone(), r.effective_from, r.jurisdiction.clone());
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
        let day = |s: &str| Date::parse_iso(s);
        let old = book
            .get_in_force("housing.destocking", day("2020-01-01"), None)
            .unwrap();
        assert_eq!(old.effective_to, day("2024-05-31"));
        let xj = book
            .get_in_force("housing.destocking", day("2025-01-01"), Some("653130"))
            .unwrap();
        assert_eq!(xj.params["stop_months"], "24");
        let gd = book
            .get_in_force("housing.destocking", day("2025-01-01"), Some("441882"))
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
            effective_from: None,
            effective_to: None,
            jurisdiction: "all".into(),
            source: String::new(),
            params: [("max_ha".to_string(), "500".to_string())].into(),
        };
        assert_eq!(
            r.render(&[("area", "900".into())]),
            "面积900公顷超过500公顷"
        );
    }

    #[test]
    fn a_province_book_overrides_the_national_rule_from_its_date() {
        // data/rules/provinces/990000-示例省.toml tightens housing.destocking to 24 months
        // from 2025-07-01 for 示例省 (990000); the national rule says 36.
        let day = |s: &str| Date::parse_iso(s);
        let county = RuleContext::builtin().with_region(Some("990101"));
        let after = county.clone().with_date(day("2025-07-01"));
        assert_eq!(
            after.param_decimal("housing.destocking", "months"),
            Some(rust_decimal::Decimal::from(24))
        );
        assert!(after
            .finding("housing.destocking", &[])
            .message
            .contains("超过24个月，按本省规定"));
        let before = county.with_date(day("2025-06-30"));
        assert_eq!(
            before.param_decimal("housing.destocking", "months"),
            Some(rust_decimal::Decimal::from(36))
        );
        // Another province on the same day keeps the national rule.
        let elsewhere = RuleContext::builtin()
            .with_region(Some("330102"))
            .with_date(day("2025-07-01"));
        assert_eq!(
            elsewhere.param_decimal("housing.destocking", "months"),
            Some(rust_decimal::Decimal::from(36))
        );
        // A region given by name is no region: the national rule.
        let named = RuleContext::builtin()
            .with_region(Some("示例县"))
            .with_date(day("2025-07-01"));
        assert_eq!(named.region(), None);
        assert_eq!(
            named.param_decimal("housing.destocking", "months"),
            Some(rust_decimal::Decimal::from(36))
        );
    }

    #[test]
    fn findings_take_severity_and_message_from_the_rule_data() {
        let ctx = RuleContext::builtin().for_year(Some(2025));
        let f = ctx.finding(
            "ledger.area_implausible",
            &[("id", "A-1".into()), ("area", "900".into())],
        );
        assert_eq!(f.rule, "ledger.area_implausible");
        assert_eq!(f.severity, Severity::Warning);
        assert_eq!(
            f.message,
            "地块 A-1 面积 900 公顷，超出常见范围（0.001～500 公顷），请核对单位"
        );
        let unknown = ctx.finding("no.such_rule", &[]);
        assert_eq!(unknown.severity, Severity::Error);
        assert!(unknown.message.contains("no.such_rule"));
    }

    #[test]
    fn rule_files_with_a_bad_date_are_refused() {
        let text = r#"
[[rule]]
id = "x"
severity = "warning"
applies_to = "ledger"
title = "t"
effective_from = "2025-02-30"
"#;
        let e = RuleBook::from_sources(&[("bad.toml", text)]).unwrap_err();
        assert!(e.to_string().contains("2025-02-30"), "{e}");
    }
}
