//! Sections: the headings in force on each line ("一、…" starts a section, "（二）…" a
//! subsection), as "top|sub"; a paragraph may open with its heading ("（五）供应结构。…").

use super::builder::Builder;
use super::words::{contains_any, HEADING_TOPICS};

/// Pass `sections`: the headings in force on each line.
///
/// Reads the lines; writes `section`.
pub fn read(b: &mut Builder) {
    let lx = b.lx;
    let section = &mut b.section;
    let mut top = String::new();
    let mut sub = String::new();
    for line in &lx.lines {
        if let Some(h) = heading(&line.norm_string()).or_else(|| inline_heading(&line.norm)) {
            let first = h.chars().next().unwrap_or(' ');
            if first == '(' {
                sub = h;
            } else {
                top = h;
                sub.clear();
            }
        }
        section[line.number] = format!("{top}|{sub}");
    }
}

/// Is this line a heading ("一、…", "（三）…", "(2) …") and its text.
pub fn heading(norm: &str) -> Option<String> {
    let t = norm.trim();
    if t.is_empty() || t.chars().count() > 40 || t.contains('，') || t.contains(',') {
        return None;
    }
    let body = t.trim_end_matches(['。', '.']);
    if body.contains('。') {
        return None;
    }
    let c: Vec<char> = t.chars().collect();
    let cn = |ch: char| "一二三四五六七八九十".contains(ch);
    let ok = (c.len() > 2 && cn(c[0]) && (c[1] == '、' || (cn(c[1]) && c.get(2) == Some(&'、'))))
        || (c[0] == '(' && c.len() > 2 && (cn(c[1]) || c[1].is_ascii_digit()))
        // "第三章 计划指标", "第二节 …".
        || (c[0] == '第' && c.len() > 2 && c[1..].iter().take(4).any(|&x| matches!(x, '章' | '节' | '部')))
        // "3.供应结构": a short numbered line without figures.
        || (c[0].is_ascii_digit()
            && c.len() <= 20
            && c.iter().position(|&x| matches!(x, '.' | '、')).is_some_and(|p| p <= 2)
            && c.iter().filter(|x| x.is_ascii_digit()).count() <= 2);
    ok.then(|| t.to_string())
}

/// A heading that opens a paragraph ("（五）供应结构。商服用地…", "二、供应总量：全市…"): the
/// enumerated words up to the first 。 or ：, when they make a heading on their own.
fn inline_heading(norm: &[char]) -> Option<String> {
    let end = norm
        .iter()
        .take(24)
        .position(|&c| matches!(c, '。' | '：' | ':'))?;
    let head: String = norm[..end].iter().collect();
    // Only a heading about the plan's parts, so that "1.城关镇：供应…" stays a list item.
    heading(&head).filter(|h| contains_any(h, HEADING_TOPICS))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn headings_of_the_usual_shapes() {
        for h in [
            "一、计划指标",
            "（三）土地供应布局",
            "(2) 年度土地储备结构",
            "第三章 计划指标",
            "3.供应结构",
        ] {
            assert!(heading(&landplan_core::text::normalize(h)).is_some(), "{h}");
        }
        for t in [
            "1.巴楚镇（39.52公顷）：集中在城区及公路沿线，以商服用地和住宅用地为主。",
            "计划期限为一年，即2025年1月1日至12月31日。",
            "2025年度供应总量为120公顷",
        ] {
            assert!(heading(&landplan_core::text::normalize(t)).is_none(), "{t}");
        }
    }
}
