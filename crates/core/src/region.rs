//! Regions as users name them: a 行政区划代码 (`330102`), a name (`西湖区`), or both as
//! `代码=名称` (`330102=西湖区`), and the regions landplan knows without a store.
//!
//! landplan ships no national table of administrative divisions: a store's region table is
//! where a bureau's regions are named. The built-in table (`data/regions/builtin.txt`) holds
//! only the demo's fictional regions, so that the demo's codes resolve to names everywhere.

use std::sync::OnceLock;

/// A region as written on the command line, before any table is consulted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionGiven {
    /// Only a 行政区划代码.
    Code(String),
    /// Only a name.
    Name(String),
    /// `代码=名称`.
    Both {
        /// 行政区划代码.
        code: String,
        /// Name.
        name: String,
    },
}

/// True for a 行政区划代码: 6 digits (province, prefecture, county) or 9/12 (township).
pub fn is_code(s: &str) -> bool {
    matches!(s.len(), 6 | 9 | 12) && s.bytes().all(|b| b.is_ascii_digit())
}

impl RegionGiven {
    /// Read `330102`, `西湖区` or `330102=西湖区` (also with a full-width ＝); a Chinese message says what is wrong (an
    /// empty value, digits that are no 行政区划代码, `代码=名称` without a code or a name).
    pub fn parse(s: &str) -> Result<RegionGiven, String> {
        let s = s.trim();
        if s.is_empty() {
            return Err("行政区是空的：请给出行政区划代码或名称，如 330102 或 示例县".into());
        }
        let digits = |c: &str| !c.is_empty() && c.bytes().all(|b| b.is_ascii_digit());
        let code_ok = |c: &str| -> Result<(), String> {
            if is_code(c) {
                Ok(())
            } else {
                Err(format!(
                    "行政区划代码“{c}”应为 6 位（省、市、县）或 9/12 位（乡镇）数字"
                ))
            }
        };
        if let Some((c, n)) = s.split_once(['=', '＝']) {
            let (c, n) = (c.trim(), n.trim());
            code_ok(c)?;
            if n.is_empty() {
                return Err(format!("“{s}”缺少名称：应写成 代码=名称，如 330102=示例县"));
            }
            return Ok(RegionGiven::Both {
                code: c.to_string(),
                name: n.to_string(),
            });
        }
        if digits(s) {
            code_ok(s)?;
            return Ok(RegionGiven::Code(s.to_string()));
        }
        Ok(RegionGiven::Name(s.to_string()))
    }
}

/// A region with what is known of it: its code, its name, or both.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegionRef {
    /// 行政区划代码, when known.
    pub code: Option<String>,
    /// Name, when known.
    pub name: Option<String>,
}

impl RegionRef {
    /// What is written where a region is named: `名称（代码）`, the name, or the code.
    pub fn label(&self) -> String {
        match (&self.name, &self.code) {
            (Some(n), Some(c)) => format!("{n}（{c}）"),
            (Some(n), None) => n.clone(),
            (None, Some(c)) => c.clone(),
            (None, None) => String::new(),
        }
    }
}

fn table() -> &'static [(&'static str, &'static str)] {
    static TABLE: OnceLock<Vec<(&'static str, &'static str)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        include_str!("../../../data/regions/builtin.txt")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|l| l.split_once('\t'))
            .map(|(c, n)| (c.trim(), n.trim()))
            .collect()
    })
}

/// The built-in name of a code (the demo's regions only).
pub fn builtin_name(code: &str) -> Option<&'static str> {
    table().iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

/// The built-in code of a name (the demo's regions only).
pub fn builtin_code(name: &str) -> Option<&'static str> {
    table().iter().find(|(_, n)| *n == name).map(|(c, _)| *c)
}

/// A region given on the command line, completed from the built-in table only (a store's
/// table, when there is one, is consulted by the caller first).
pub fn resolve_builtin(given: &RegionGiven) -> RegionRef {
    match given {
        RegionGiven::Code(c) => RegionRef {
            code: Some(c.clone()),
            name: builtin_name(c).map(str::to_string),
        },
        RegionGiven::Name(n) => RegionRef {
            code: builtin_code(n).map(str::to_string),
            name: Some(n.clone()),
        },
        RegionGiven::Both { code, name } => RegionRef {
            code: Some(code.clone()),
            name: Some(name.clone()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_names_and_both_are_read() {
        assert_eq!(
            RegionGiven::parse(" 330102 "),
            Ok(RegionGiven::Code("330102".into()))
        );
        assert_eq!(
            RegionGiven::parse("西湖区"),
            Ok(RegionGiven::Name("西湖区".into()))
        );
        assert_eq!(
            RegionGiven::parse("330102 = 西湖区"),
            Ok(RegionGiven::Both {
                code: "330102".into(),
                name: "西湖区".into()
            })
        );
        assert!(RegionGiven::parse("33010").unwrap_err().contains("6 位"));
        assert!(RegionGiven::parse("330102=")
            .unwrap_err()
            .contains("缺少名称"));
        assert!(RegionGiven::parse(" ").unwrap_err().contains("空"));
    }

    #[test]
    fn the_demo_regions_resolve_and_no_other_code_is_guessed() {
        let county = resolve_builtin(&RegionGiven::Code("990101".into()));
        assert_eq!(county.name.as_deref(), Some("示例县"));
        assert_eq!(county.label(), "示例县（990101）");
        let by_name = resolve_builtin(&RegionGiven::Name("示例市".into()));
        assert_eq!(by_name.code.as_deref(), Some("990100"));
        // No national table: a real code stays a code, a real name stays a name.
        let real = resolve_builtin(&RegionGiven::Code("330102".into()));
        assert_eq!(real.name, None);
        assert_eq!(real.label(), "330102");
        assert_eq!(
            resolve_builtin(&RegionGiven::Name("西湖区".into())).code,
            None
        );
    }
}
