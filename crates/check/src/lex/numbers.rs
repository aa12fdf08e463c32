//! Numbers as written: digit runs with decimal points, thousands separators and the stray
//! spaces PDF extraction leaves, parsed exactly; a damaged number says why.

use super::units::unit_at;
use rust_decimal::Decimal;
use std::str::FromStr;

/// A dash or word between the ends of a range (3240-3660, 3240至3660).
pub(crate) fn is_range_sep(ch: char) -> bool {
    matches!(ch, '-' | '~' | '～' | '—' | '–' | '至' | '到' | '－' | '〜')
}

/// A scanned number run.
pub(crate) struct Run {
    /// First character.
    pub start: usize,
    /// One past the last character.
    pub end: usize,
    /// The characters, stray spaces removed.
    pub raw: String,
}

/// Scan the run of a number starting at `i`: digits, '.', ',', a stray space next to '.', and
/// ASCII letters between digits (which make it damaged).
pub(crate) fn scan_run(c: &[char], i: usize) -> Run {
    let mut j = i;
    let n = c.len();
    while j < n {
        let ch = c[j];
        let prev = if j > i { Some(c[j - 1]) } else { None };
        let next = c.get(j + 1).copied();
        let ok = match ch {
            '0'..='9' | '.' => true,
            ',' => matches!(prev, Some('0'..='9')) && matches!(next, Some('0'..='9')),
            ' ' => {
                (matches!(prev, Some('0'..='9')) && next == Some('.'))
                    || (prev == Some('.') && matches!(next, Some('0'..='9')))
            }
            'A'..='Z' | 'a'..='z' => {
                matches!(prev, Some('0'..='9'))
                    && matches!(next, Some('0'..='9') | Some('.'))
                    && unit_at(c, j).is_none()
            }
            _ => false,
        };
        if !ok {
            break;
        }
        j += 1;
    }
    Run {
        start: i,
        end: j,
        raw: c[i..j].iter().filter(|&&ch| ch != ' ').collect(),
    }
}

/// Parse a number as written; `Err` says why it is damaged.
pub(crate) fn parse_number(raw: &str) -> Result<Decimal, String> {
    if raw.chars().any(|ch| ch.is_ascii_alphabetic()) {
        return Err("数字中夹有字母".to_string());
    }
    if raw.starts_with('.') {
        return Err("小数点前缺少数字".to_string());
    }
    if raw.ends_with('.') {
        return Err("小数点后缺少数字".to_string());
    }
    if raw.contains("..") {
        return Err("连续的小数点".to_string());
    }
    if raw.matches('.').count() > 1 {
        return Err("多个小数点".to_string());
    }
    let (int, frac) = match raw.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (raw, None),
    };
    if frac.is_some_and(|f| f.contains(',')) {
        return Err("小数部分有分隔符".to_string());
    }
    let int = if int.contains(',') {
        let groups: Vec<&str> = int.split(',').collect();
        let ok = (1..=3).contains(&groups[0].len()) && groups[1..].iter().all(|g| g.len() == 3);
        if !ok {
            return Err("千位分隔符位置不对".to_string());
        }
        groups.concat()
    } else {
        int.to_string()
    };
    // Twelve digits either side cover every real area and amount; the bound keeps all later
    // arithmetic (sums, ×15, ratios) far from the range of `Decimal`.
    if int.is_empty() || int.len() > 12 || frac.is_some_and(|f| f.len() > 12) {
        return Err("数字过长".to_string());
    }
    let s = match frac {
        Some(f) => format!("{int}.{f}"),
        None => int,
    };
    Decimal::from_str(&s).map_err(|_| "无法识别的数字".to_string())
}

/// A cell or token that is only a number (digits, separators, a decimal point).
pub(crate) fn is_bare_number(t: &str) -> bool {
    let t = t.trim();
    !t.is_empty()
        && t.chars().any(|c| c.is_ascii_digit())
        && t.chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
}
