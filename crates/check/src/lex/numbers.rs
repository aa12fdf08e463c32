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
/// ASCII letters between digits or a "。" used as the decimal point (which make it damaged).
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
                    || thousands_space(c, i, j)
            }
            // "17。36平方公里": a full stop between digits, the digits after it followed by a
            // unit, is a decimal point typed as "。" (a damaged figure, never two figures).
            '。' => {
                let after = c[(j + 1).min(n)..]
                    .iter()
                    .take_while(|ch| ch.is_ascii_digit())
                    .count();
                matches!(prev, Some('0'..='9')) && after > 0 && unit_at(c, j + 1 + after).is_some()
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

/// A space at `j` separating thousands ("3 126.40公顷", a cell "1 206.50"): the number so far
/// (from `i`) is a group of one to three digits, or groups of three after such spaces, with no
/// point yet; exactly three digits follow, then the point, a unit or other text, or another
/// such group. A number preceded by a space or a digit (a space-aligned table's cells) is not
/// joined.
fn thousands_space(c: &[char], i: usize, j: usize) -> bool {
    if i == 0 || matches!(c[i - 1], ' ' | '0'..='9' | '.' | ',') {
        return false;
    }
    let run = &c[i..j];
    if run.iter().any(|&ch| ch == '.' || ch == ',') {
        return false;
    }
    let last = run
        .iter()
        .rev()
        .take_while(|ch| ch.is_ascii_digit())
        .count();
    let spaced = run.contains(&' ');
    if !(if spaced {
        last == 3
    } else {
        (1..=3).contains(&last)
    }) {
        return false;
    }
    if !(1..=3).all(|k| c.get(j + k).is_some_and(|ch| ch.is_ascii_digit())) {
        return false;
    }
    match c.get(j + 4) {
        None => true,
        Some(ch) if ch.is_ascii_digit() => false,
        Some(' ') => {
            (5..=7).all(|k| c.get(j + k).is_some_and(|ch| ch.is_ascii_digit()))
                && !c
                    .get(j + 8)
                    .is_some_and(|ch| ch.is_ascii_digit() || *ch == ' ')
        }
        Some(_) => true,
    }
}

/// Parse a number as written; `Err` says why it is damaged.
pub(crate) fn parse_number(raw: &str) -> Result<Decimal, String> {
    if raw.chars().any(|ch| ch.is_ascii_alphabetic()) {
        return Err("数字中夹有字母".to_string());
    }
    if raw.contains('。') {
        return Err("小数点写成了句号“。”".to_string());
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
    // Thousands separated by spaces ("1 206.50"): groups of three after the first.
    let spaced_ok = {
        let int = t.split('.').next().unwrap_or("");
        let mut groups = int.split(' ');
        groups
            .next()
            .is_some_and(|g| (1..=3).contains(&g.len()) || !int.contains(' '))
            && groups.all(|g| g.len() == 3)
    };
    !t.is_empty()
        && spaced_ok
        && t.chars().any(|c| c.is_ascii_digit())
        && t.chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',' || c == ' ')
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_separated_by_a_space_are_one_number() {
        let run = |t: &str| {
            let c: Vec<char> = t.chars().collect();
            let i = c.iter().position(|ch| ch.is_ascii_digit()).unwrap();
            super::scan_run(&c, i).raw
        };
        assert_eq!(run("总量为3 126.40公顷"), "3126.40");
        assert_eq!(run("合计\t1 206.50"), "1206.50");
        assert_eq!(run("为12 345 678元"), "12345678");
        // Cells of a space-aligned row, a year and a count stay apart.
        assert_eq!(run("住宅 12 345"), "12");
        assert_eq!(run("为2024 126.40公顷"), "2024");
        assert_eq!(run("为3 1264公顷"), "3");
        assert!(super::is_bare_number("1 206.50"));
        assert!(!super::is_bare_number("12 34"));
    }
}
