//! "分别" lists: each figure takes its name from the names before 分别 ("商服用地、住宅用地分别为
//! 10、20公顷"); figures whose names cannot be paired one to one are kept out of the
//! breakdowns rather than tied to the wrong part.

use super::builder::Builder;
use super::classify::class_key;
use crate::lex::{clean_label, Unit};
use landplan_core::class::Resolution;
use landplan_core::{Classifier, Scheme};

/// Pass `lists`: name the figures of every "分别" list, or mark them unpaired.
///
/// Reads `lx.lists`; writes the figures' labels, `list_of`, `unpaired`.
pub fn name_figures(b: &mut Builder) {
    let lx = b.lx;
    let Builder {
        m,
        list_of,
        unpaired,
        ..
    } = b;
    for (li, l) in lx.lists.iter().enumerate() {
        let complete = l.figures.len() == l.len;
        let names = split_names(&l.names, l.len).filter(|_| complete);
        for (pos, &qi) in l.figures.iter().enumerate() {
            list_of[qi] = Some((li, pos));
            match &names {
                Some(names) => m.quantities[qi].label = names[pos].clone(),
                None => unpaired[qi] = l.unit != Unit::Percent,
            }
        }
    }
}

/// True when some class name in `text` spans character position `at` (so a connective there,
/// as in 公共管理与公共服务用地, is part of the name, not a list separator).
fn inside_class_name(text: &[char], at: usize) -> bool {
    let cls = Classifier::builtin();
    (0..at).any(|a| {
        (at + 1..=text.len()).any(|b| {
            let s: String = text[a..b].iter().collect();
            !matches!(cls.resolve(&s, Scheme::Gb21010), Resolution::Unknown)
        })
    })
}

/// Split the names before 分别 into `n` names: at every 、, then at the last connectives
/// (以及, 和, 及, 与) that are not inside a class name. A shared 用地 is restored
/// ("商服、住宅用地" → 商服用地, 住宅用地). None when they cannot be split into `n` names.
fn split_names(raw: &str, n: usize) -> Option<Vec<String>> {
    let text: Vec<char> = clean_label(raw).chars().collect();
    // Split points: (position, length of the separator), mandatory ones first.
    let mut cuts: Vec<(usize, usize)> = (0..text.len())
        .filter(|&i| text[i] == '、')
        .map(|i| (i, 1))
        .collect();
    let need = n.checked_sub(cuts.len() + 1)?;
    if need > 0 {
        let mut optional: Vec<(usize, usize)> = Vec::new();
        let mut i = 0;
        while i < text.len() {
            if text[i] == '以' && text.get(i + 1) == Some(&'及') {
                optional.push((i, 2));
                i += 2;
                continue;
            }
            if matches!(text[i], '和' | '及' | '与') && !inside_class_name(&text, i) {
                optional.push((i, 1));
            }
            i += 1;
        }
        if optional.len() < need {
            return None;
        }
        cuts.extend_from_slice(&optional[optional.len() - need..]);
        cuts.sort_unstable();
    }
    let mut names = Vec::with_capacity(n);
    let mut start = 0;
    for (at, len) in cuts.iter().copied().chain(std::iter::once((text.len(), 0))) {
        let name = clean_label(&text[start..at].iter().collect::<String>());
        if name.is_empty() {
            return None;
        }
        names.push(name);
        start = at + len;
    }
    // A name that is itself two class names joined by a connective means the names outnumber
    // the figures ("交通运输用地、水域用地和其他用地分别为12、8公顷"): no pairing.
    let is_name = |s: String| s.ends_with("用地") || class_key(&s).is_some();
    let joins_two = |name: &str| {
        let c: Vec<char> = name.chars().collect();
        (1..c.len().saturating_sub(1)).any(|i| {
            matches!(c[i], '和' | '及' | '与')
                && !inside_class_name(&c, i)
                && is_name(c[..i].iter().collect())
                && is_name(c[i + 1..].iter().collect())
        })
    };
    if names.iter().any(|nm| joins_two(nm)) {
        return None;
    }
    if names.last().is_some_and(|l| l.ends_with("用地")) {
        for name in names.iter_mut() {
            if !name.ends_with('地') && class_key(name).is_none() {
                let with = format!("{name}用地");
                if class_key(&with).is_some() {
                    *name = with;
                }
            }
        }
    }
    (names.len() == n).then_some(names)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn respective_names_split_at_separators_not_inside_class_names() {
        let names = |raw: &str, n: usize| split_names(raw, n);
        assert_eq!(
            names("其中商服用地、住宅用地和公共管理与公共服务用地", 3).unwrap(),
            ["商服用地", "住宅用地", "公共管理与公共服务用地"]
        );
        assert_eq!(
            names("新增建设用地和存量建设用地", 2).unwrap(),
            ["新增建设用地", "存量建设用地"]
        );
        assert_eq!(
            names("水域及水利设施用地、住宅用地", 2).unwrap(),
            ["水域及水利设施用地", "住宅用地"]
        );
        // More names than figures, fewer names than figures, an empty name.
        assert_eq!(names("交通运输用地、水域用地和其他用地", 2), None);
        assert_eq!(names("住宅用地", 2), None);
        assert_eq!(names("2024年、2025年全市", 2), None);
    }

    #[test]
    fn figures_of_a_list_take_their_names() {
        let m = super::super::testing::model("其中商服用地、住宅用地分别为10、20公顷。");
        let labels: Vec<&str> = m.quantities.iter().map(|q| q.label.as_str()).collect();
        assert_eq!(labels, ["商服用地", "住宅用地"]);
    }
}
