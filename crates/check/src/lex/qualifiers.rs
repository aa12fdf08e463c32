//! Qualifiers: words that say a figure is approximate (约, 左右), a ceiling (以内, 不超过), a
//! floor (以上, 不少于) or a range.

use super::{ends_with, starts_with};
use serde::{Serialize, Serializer};

/// A word that qualifies a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Qualifier {
    /// 约, 大约, 近: approximate.
    About,
    /// 左右: approximate.
    Around,
    /// 以内, 内, 以下, 不超过, 控制在…: a ceiling.
    Within,
    /// 以上, 不少于, 不低于, 超过: a floor.
    AtLeast,
    /// A range "a-b".
    Range,
}

impl Qualifier {
    /// The qualifier in Chinese.
    pub fn label(self) -> &'static str {
        match self {
            Qualifier::About => "约",
            Qualifier::Around => "左右",
            Qualifier::Within => "以内",
            Qualifier::AtLeast => "以上",
            Qualifier::Range => "区间",
        }
    }
}

impl Serialize for Qualifier {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.label())
    }
}

/// Words before a figure that qualify it, longest first.
const QUAL_BEFORE: &[(&str, Qualifier)] = &[
    ("不超过", Qualifier::Within),
    ("不高于", Qualifier::Within),
    ("不多于", Qualifier::Within),
    ("不少于", Qualifier::AtLeast),
    ("不低于", Qualifier::AtLeast),
    ("控制在", Qualifier::Within),
    ("大约", Qualifier::About),
    ("超过", Qualifier::AtLeast),
    ("达到", Qualifier::AtLeast),
    ("约", Qualifier::About),
    ("近", Qualifier::About),
];

const QUAL_AFTER: &[(&str, Qualifier)] = &[
    ("左右", Qualifier::Around),
    ("以内", Qualifier::Within),
    ("以下", Qualifier::Within),
    ("之内", Qualifier::Within),
    ("以上", Qualifier::AtLeast),
    ("内", Qualifier::Within),
];

/// The qualifiers of the figure at characters `start..end`: a word right before it, 控制在
/// a few words before, a word right after it.
pub(crate) fn qualifiers(c: &[char], start: usize, end: usize) -> Vec<Qualifier> {
    let mut q = Vec::new();
    let mut b = start;
    while b > 0 && c[b - 1] == ' ' {
        b -= 1;
    }
    for (w, k) in QUAL_BEFORE {
        if ends_with(c, b, w) {
            q.push(*k);
            break;
        }
    }
    // 控制在…以内 with a word between ("控制在383.73公顷（约…）内").
    let window_start = b.saturating_sub(12);
    let before: String = c[window_start..b].iter().collect();
    if before.contains("控制在") && !q.contains(&Qualifier::Within) {
        q.push(Qualifier::Within);
    }
    let mut a = end;
    while a < c.len() && c[a] == ' ' {
        a += 1;
    }
    for (w, k) in QUAL_AFTER {
        if starts_with(c, a, w) {
            if !q.contains(k) {
                q.push(*k);
            }
            break;
        }
    }
    q
}
