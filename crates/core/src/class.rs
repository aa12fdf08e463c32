//! Land-use classifications, their crosswalk and the names plans use for them.
//!
//! Two classifications are in use in plans: GB/T 21010-2017 (construction classes 05–11) and
//! the 2023 用地用海分类 (07–15). Codes collide between them (09 is 特殊用地 in one and
//! 商业服务业用地 in the other), so a class is always a pair *(scheme, code)*. A name read from a
//! ledger or a document resolves to a [`ResolvedClass`] that knows its code in whichever schemes
//! name it directly; the crosswalk supplies the other. Unknown names are reported, never guessed.
//!
//! The tables are data: `data/classes/*.toml`, embedded at compile time.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

/// A land-use classification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    /// 《土地利用现状分类》GB/T 21010-2017.
    Gb21010,
    /// 《国土空间调查、规划、用途管制用地用海分类指南》(2023).
    Ydyh2023,
}

impl Scheme {
    /// The scheme's short id as used on the command line (`gb21010`, `ydyh2023`).
    pub fn id(self) -> &'static str {
        match self {
            Scheme::Gb21010 => "gb21010",
            Scheme::Ydyh2023 => "ydyh2023",
        }
    }

    /// The scheme's Chinese name.
    pub fn label(self) -> &'static str {
        match self {
            Scheme::Gb21010 => "土地利用现状分类（GB/T 21010-2017）",
            Scheme::Ydyh2023 => "用地用海分类（2023）",
        }
    }

    /// Parse `gb21010` / `ydyh2023`.
    pub fn parse(s: &str) -> Option<Scheme> {
        match s {
            "gb21010" => Some(Scheme::Gb21010),
            "ydyh2023" => Some(Scheme::Ydyh2023),
            _ => None,
        }
    }

    fn slot(self) -> usize {
        match self {
            Scheme::Gb21010 => 0,
            Scheme::Ydyh2023 => 1,
        }
    }

    fn other(self) -> Scheme {
        match self {
            Scheme::Gb21010 => Scheme::Ydyh2023,
            Scheme::Ydyh2023 => Scheme::Gb21010,
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// One class of one classification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LandClass {
    /// The classification.
    pub scheme: Scheme,
    /// Code: two digits (first level) or four (second level).
    pub code: String,
    /// Official name.
    pub name: String,
    /// Whether the class is construction land (建设用地).
    pub construction: bool,
}

impl LandClass {
    /// The first-level code (the first two digits).
    pub fn top_code(&self) -> &str {
        &self.code[..2]
    }

    /// True for a first-level class.
    pub fn is_top(&self) -> bool {
        self.code.len() == 2
    }
}

/// What a name or code resolved to, in each classification that names it directly. The
/// default is a use resolved in neither.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ResolvedClass {
    /// The code in GB/T 21010-2017, when the name belongs to it.
    pub gb21010: Option<String>,
    /// The code in the 2023 classification, when the name belongs to it.
    pub ydyh2023: Option<String>,
}

impl ResolvedClass {
    fn code(&self, scheme: Scheme) -> Option<&str> {
        match scheme {
            Scheme::Gb21010 => self.gb21010.as_deref(),
            Scheme::Ydyh2023 => self.ydyh2023.as_deref(),
        }
    }
}

/// A class in a target scheme, with whether the crosswalk made it approximate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemeClass<'a> {
    /// The class (at the most specific level available).
    pub class: &'a LandClass,
    /// False when reached through an inexact crosswalk entry.
    pub exact: bool,
}

/// The result of resolving a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// A class.
    Class(ResolvedClass),
    /// A group name standing for several classes (其他用地, 特交水用地 …), members in GB/T 21010.
    Group {
        /// The group's id in the alias table.
        group: String,
        /// Member codes (GB/T 21010-2017).
        members: Vec<String>,
    },
    /// Not a known name or code.
    Unknown,
}

#[derive(Deserialize)]
struct ClassFile {
    scheme: Scheme,
    class: Vec<ClassRow>,
}

#[derive(Deserialize)]
struct ClassRow {
    code: String,
    name: String,
    #[serde(default = "yes")]
    construction: bool,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
struct CrosswalkFile {
    gb_to_ydyh: Vec<CrossRow>,
    ydyh_to_gb: Vec<CrossRow>,
}

#[derive(Deserialize)]
struct CrossRow {
    from: String,
    to: String,
    #[serde(default = "yes")]
    exact: bool,
}

#[derive(Deserialize)]
struct AliasFile {
    alias: Vec<AliasRow>,
}

#[derive(Deserialize)]
struct AliasRow {
    name: String,
    gb21010: Option<String>,
    ydyh2023: Option<String>,
    group: Option<String>,
    #[serde(default)]
    members: Vec<String>,
}

/// The classification tables with lookup by code, name and alias.
#[derive(Debug)]
pub struct Classifier {
    classes: Vec<LandClass>,
    /// Code → class index, one map per scheme (index [`Scheme::slot`]) so lookups by `&str`
    /// need no allocation.
    by_code: [HashMap<String, usize>; 2],
    by_name: HashMap<String, ResolvedClass>,
    groups: HashMap<String, (String, Vec<String>)>,
    /// Crosswalk from a scheme (index [`Scheme::slot`]) to the other.
    crosswalk: [HashMap<String, (String, bool)>; 2],
}

impl Classifier {
    /// The tables shipped with landplan.
    pub fn builtin() -> &'static Classifier {
        static C: OnceLock<Classifier> = OnceLock::new();
        C.get_or_init(|| {
            Classifier::from_sources(
                &[
                    include_str!("../../../data/classes/gb21010.toml"),
                    include_str!("../../../data/classes/ydyh2023.toml"),
                ],
                include_str!("../../../data/classes/crosswalk.toml"),
                include_str!("../../../data/classes/aliases.toml"),
            )
            .expect("embedded classification tables are valid (tested)")
        })
    }

    /// Build from TOML texts: class tables, crosswalk, aliases.
    pub fn from_sources(
        class_files: &[&str],
        crosswalk: &str,
        aliases: &str,
    ) -> Result<Classifier, toml::de::Error> {
        let mut c = Classifier {
            classes: Vec::new(),
            by_code: [HashMap::new(), HashMap::new()],
            by_name: HashMap::new(),
            groups: HashMap::new(),
            crosswalk: [HashMap::new(), HashMap::new()],
        };
        for text in class_files {
            let f: ClassFile = toml::from_str(text)?;
            for row in f.class {
                let idx = c.classes.len();
                c.by_code[f.scheme.slot()].insert(row.code.clone(), idx);
                let entry = c
                    .by_name
                    .entry(normalize_name(&row.name))
                    .or_insert(ResolvedClass {
                        gb21010: None,
                        ydyh2023: None,
                    });
                match f.scheme {
                    Scheme::Gb21010 => {
                        entry.gb21010.get_or_insert(row.code.clone());
                    }
                    Scheme::Ydyh2023 => {
                        entry.ydyh2023.get_or_insert(row.code.clone());
                    }
                }
                c.classes.push(LandClass {
                    scheme: f.scheme,
                    code: row.code,
                    name: row.name,
                    construction: row.construction,
                });
            }
        }
        let cw: CrosswalkFile = toml::from_str(crosswalk)?;
        for r in cw.gb_to_ydyh {
            c.crosswalk[Scheme::Gb21010.slot()].insert(r.from, (r.to, r.exact));
        }
        for r in cw.ydyh_to_gb {
            c.crosswalk[Scheme::Ydyh2023.slot()].insert(r.from, (r.to, r.exact));
        }
        let al: AliasFile = toml::from_str(aliases)?;
        for a in al.alias {
            let key = normalize_name(&a.name);
            if let Some(g) = a.group {
                c.groups.insert(key, (g, a.members));
            } else {
                c.by_name.insert(
                    key,
                    ResolvedClass {
                        gb21010: a.gb21010,
                        ydyh2023: a.ydyh2023,
                    },
                );
            }
        }
        Ok(c)
    }

    /// Every class of every scheme.
    pub fn classes(&self) -> &[LandClass] {
        &self.classes
    }

    /// The class with this code in this scheme.
    pub fn get(&self, scheme: Scheme, code: &str) -> Option<&LandClass> {
        self.by_code[scheme.slot()]
            .get(code)
            .map(|&i| &self.classes[i])
    }

    /// The first-level classes of a scheme that are (at least partly) construction land.
    pub fn top_classes(&self, scheme: Scheme) -> impl Iterator<Item = &LandClass> {
        self.classes
            .iter()
            .filter(move |c| c.scheme == scheme && c.is_top())
    }

    /// Resolve a name, alias or code. A bare code is read in `code_scheme` (codes collide
    /// between the two schemes); a name is looked up in both.
    pub fn resolve(&self, text: &str, code_scheme: Scheme) -> Resolution {
        let t = normalize_name(text);
        if t.is_empty() {
            return Resolution::Unknown;
        }
        if t.chars().all(|ch| ch.is_ascii_digit()) {
            if self.get(code_scheme, &t).is_some() {
                let mut r = ResolvedClass {
                    gb21010: None,
                    ydyh2023: None,
                };
                match code_scheme {
                    Scheme::Gb21010 => r.gb21010 = Some(t),
                    Scheme::Ydyh2023 => r.ydyh2023 = Some(t),
                }
                return Resolution::Class(r);
            }
            return Resolution::Unknown;
        }
        if let Some(r) = self.by_name.get(&t) {
            return Resolution::Class(r.clone());
        }
        if let Some((g, m)) = self.groups.get(&t) {
            return Resolution::Group {
                group: g.clone(),
                members: m.clone(),
            };
        }
        // "住宅" for "住宅用地" and the reverse.
        let alt = match t.strip_suffix("用地") {
            Some(stem) => stem.to_string(),
            None => format!("{t}用地"),
        };
        if let Some(r) = self.by_name.get(&alt) {
            return Resolution::Class(r.clone());
        }
        if let Some((g, m)) = self.groups.get(&alt) {
            return Resolution::Group {
                group: g.clone(),
                members: m.clone(),
            };
        }
        Resolution::Unknown
    }

    /// The class in `target` for a resolved class: directly when the name belongs to that
    /// scheme, otherwise through the crosswalk (falling back to the parent's entry).
    pub fn in_scheme(&self, r: &ResolvedClass, target: Scheme) -> Option<SchemeClass<'_>> {
        if let Some(code) = r.code(target) {
            return self
                .get(target, code)
                .map(|class| SchemeClass { class, exact: true });
        }
        let from = target.other();
        let code = r.code(from)?;
        let cw = &self.crosswalk[from.slot()];
        let direct = cw.get(code);
        let (to, exact) = direct.or_else(|| cw.get(code.get(..2)?))?;
        self.get(target, to).map(|class| SchemeClass {
            class,
            exact: *exact && direct.is_some(),
        })
    }

    /// The first-level class of `r` in `target`.
    pub fn top_in_scheme(&self, r: &ResolvedClass, target: Scheme) -> Option<SchemeClass<'_>> {
        let sc = self.in_scheme(r, target)?;
        let top = self.get(target, sc.class.top_code())?;
        Some(SchemeClass {
            class: top,
            exact: sc.exact,
        })
    }
}

/// Normalise a class name for lookup: drop spaces and brackets' content, unify full-width
/// forms and a few traditional characters.
pub fn normalize_name(s: &str) -> String {
    let s = crate::text::normalize(s);
    let mut out = String::with_capacity(s.len());
    let mut depth = 0u32;
    for ch in s.chars() {
        match ch {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            c if c.is_whitespace() => {}
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c() -> &'static Classifier {
        Classifier::builtin()
    }

    fn top(text: &str, scheme: Scheme) -> Option<(String, String)> {
        match c().resolve(text, scheme) {
            Resolution::Class(r) => c()
                .top_in_scheme(&r, scheme)
                .map(|sc| (sc.class.code.clone(), sc.class.name.clone())),
            _ => None,
        }
    }

    #[test]
    fn tables_have_the_construction_classes() {
        let gb: Vec<_> = c()
            .top_classes(Scheme::Gb21010)
            .map(|x| x.code.as_str())
            .collect();
        assert_eq!(gb, ["05", "06", "07", "08", "09", "10", "11"]);
        let yd: Vec<_> = c()
            .top_classes(Scheme::Ydyh2023)
            .map(|x| x.code.as_str())
            .collect();
        assert_eq!(
            yd,
            ["07", "08", "09", "10", "11", "12", "13", "14", "15", "16"]
        );
    }

    #[test]
    fn names_resolve_in_both_schemes() {
        assert_eq!(top("商服用地", Scheme::Gb21010).unwrap().0, "05");
        assert_eq!(
            top("商服用地", Scheme::Ydyh2023).unwrap().1,
            "商业服务业用地"
        );
        assert_eq!(
            top("工矿仓储及物流用地", Scheme::Gb21010).unwrap().1,
            "工矿仓储用地"
        );
        assert_eq!(top("公园与绿地", Scheme::Gb21010).unwrap().0, "08");
        assert_eq!(top("公园与绿地", Scheme::Ydyh2023).unwrap().0, "14");
        assert_eq!(top("医疗卫生用地", Scheme::Ydyh2023).unwrap().0, "08");
        assert_eq!(top("居住用地", Scheme::Gb21010).unwrap().1, "住宅用地");
        assert_eq!(top("住宅", Scheme::Gb21010).unwrap().1, "住宅用地");
        assert_eq!(top("公用设施用地", Scheme::Ydyh2023).unwrap().0, "13");
        assert_eq!(top("仓储用地", Scheme::Ydyh2023).unwrap().0, "11");
        assert_eq!(top("水工建筑用地", Scheme::Ydyh2023).unwrap().0, "13");
    }

    #[test]
    fn codes_are_read_in_the_given_scheme() {
        assert_eq!(top("09", Scheme::Gb21010).unwrap().1, "特殊用地");
        assert_eq!(top("09", Scheme::Ydyh2023).unwrap().1, "商业服务业用地");
        assert_eq!(top("0601", Scheme::Gb21010).unwrap().1, "工矿仓储用地");
        assert!(top("99", Scheme::Gb21010).is_none());
    }

    #[test]
    fn groups_and_unknown_names_are_not_guessed() {
        assert!(matches!(
            c().resolve("其他用地", Scheme::Gb21010),
            Resolution::Group { .. }
        ));
        assert!(matches!(
            c().resolve("特交水用地", Scheme::Gb21010),
            Resolution::Group { .. }
        ));
        assert_eq!(
            c().resolve("火星用地", Scheme::Gb21010),
            Resolution::Unknown
        );
        assert_eq!(c().resolve("", Scheme::Gb21010), Resolution::Unknown);
    }

    #[test]
    fn crosswalk_marks_approximate_mappings() {
        let Resolution::Class(r) = c().resolve("工矿仓储用地", Scheme::Gb21010) else {
            panic!()
        };
        let sc = c().top_in_scheme(&r, Scheme::Ydyh2023).unwrap();
        assert_eq!(sc.class.code, "10");
        assert!(!sc.exact);
        let Resolution::Class(r) = c().resolve("工业用地", Scheme::Gb21010) else {
            panic!()
        };
        assert!(c().top_in_scheme(&r, Scheme::Ydyh2023).unwrap().exact);
    }

    #[test]
    fn full_width_and_bracketed_names() {
        assert_eq!(
            top("住宅用地（商品住房）", Scheme::Gb21010).unwrap().0,
            "07"
        );
        assert_eq!(top(" 商 服 用 地 ", Scheme::Gb21010).unwrap().0, "05");
    }
}
