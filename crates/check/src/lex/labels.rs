//! Labels: the words that say what a figure is (the words before it in its clause, or its
//! table row), cleaned of enumerators, years and filler words.

use super::Line;

/// Characters a label does not run past.
fn is_label_delim(ch: char) -> bool {
    matches!(
        ch,
        '，' | ','
            | '；'
            | ';'
            | '。'
            | '、'
            | '\t'
            | '('
            | ')'
            | '：'
            | ':'
            | '!'
            | '?'
            | '！'
            | '？'
    )
}

/// The words before a figure that say what it is: back to the previous delimiter or figure,
/// skipping a parenthetical right before it; past a colon when nothing precedes it.
pub fn label_before(c: &[char], start: usize, floor: usize) -> String {
    let mut j = start;
    let mut out: Vec<char> = Vec::new();
    let mut passed_colon = false;
    while j > floor {
        let ch = c[j - 1];
        if ch == ')' {
            // Skip "(…)" right before: "其他用地（包括：…）1945.64公顷".
            let mut depth = 0usize;
            let mut k = j;
            while k > floor {
                match c[k - 1] {
                    ')' => depth += 1,
                    '(' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                k -= 1;
            }
            if k > floor && depth == 0 {
                j = k - 1;
                continue;
            }
            break;
        }
        if is_label_delim(ch) {
            let meaningful = out
                .iter()
                .any(|c| !matches!(c, ' ' | '为' | '约' | '共' | '计'));
            // "面积：4.0254公顷", "巴楚镇（39.52公顷）": the words are before the colon/bracket.
            if matches!(ch, '：' | ':' | '(') && !meaningful && !passed_colon && j - 1 > floor {
                passed_colon = true;
                j -= 1;
                continue;
            }
            // "1.城关镇：供应30公顷": a generic word after a colon belongs to the name before it.
            let so_far: String = out.iter().rev().collect();
            let generic = [
                "供应",
                "供应量",
                "供地",
                "面积",
                "规模",
                "计划供应",
                "拟供应",
                "供应面积",
                "用地面积",
                "储备",
                "收储",
            ];
            if matches!(ch, '：' | ':')
                && !passed_colon
                && j - 1 > floor
                && generic.contains(&clean_label(&so_far).as_str())
            {
                passed_colon = true;
                j -= 1;
                continue;
            }
            // "县域9宗，面积1011亩": the area of the count before it; what both are is named
            // before the count.
            if matches!(ch, '，' | ',') && AREA_WORDS.contains(&clean_label(&so_far).as_str()) {
                if let Some(start) = count_before(c, j - 1, floor) {
                    let named = label_before(c, start, floor);
                    if !named.is_empty() {
                        return named;
                    }
                }
            }
            break;
        }
        out.push(ch);
        j -= 1;
    }
    out.reverse();
    clean_label(&out.iter().collect::<String>())
}

/// Words that only say "its area" (面积, 用地面积 …; not 总面积, which says it is a whole): the
/// label of an area written after a count of parcels is what the count names.
const AREA_WORDS: &[&str] = &["面积", "用地面积", "土地面积", "占地面积"];

/// The start of a count of parcels ("9宗", "31个地块", "十二宗") that ends at `end`, when one
/// does (and starts after `floor`).
fn count_before(c: &[char], end: usize, floor: usize) -> Option<usize> {
    let words = [
        "个地块",
        "宗地块",
        "幅地块",
        "宗地",
        "块地",
        "宗",
        "块",
        "幅",
    ];
    let w = words.iter().find(|w| super::ends_with(c, end, w))?;
    let digits_end = end - w.chars().count();
    let mut k = digits_end;
    while k > floor && (c[k - 1].is_ascii_digit() || landplan_core::numeral::is_numeral(c[k - 1])) {
        k -= 1;
    }
    (k < digits_end).then_some(k)
}

/// Strip enumerators ("1.", "(一)", "一、"), a leading year, 其中, and filler words.
pub fn clean_label(s: &str) -> String {
    let mut t = s.trim().to_string();
    loop {
        let before = t.clone();
        let c: Vec<char> = t.chars().collect();
        // Leading enumerator digits "1." / "12." / "(3)".
        let mut k = 0;
        while k < c.len() && c[k].is_ascii_digit() {
            k += 1;
        }
        if k > 0 && k < c.len() && matches!(c[k], '.' | '、' | ')') && k <= 3 {
            t = c[k + 1..].iter().collect();
        } else if k == 4 && k < c.len() && c[k] == '年' {
            // A leading year: "2025年度巴楚县…".
            let mut r = k + 1;
            if r < c.len() && c[r] == '度' {
                r += 1;
            }
            t = c[r..].iter().collect();
        }
        for p in ["其中", "包括", "即", "另有", "以及", "及", "和", " "] {
            if let Some(rest) = t.strip_prefix(p) {
                t = rest.to_string();
            }
        }
        for p in [
            "为",
            "约",
            "共",
            "达",
            "控制在",
            "是",
            "有",
            "大约",
            "近",
            " ",
        ] {
            if let Some(rest) = t.strip_suffix(p) {
                t = rest.to_string();
            }
        }
        if t == before {
            break;
        }
    }
    t.trim().to_string()
}

/// The label of a table row: its first cell with words in it (not a number or a code).
pub fn row_label(line: &Line) -> Option<String> {
    line.cells()
        .into_iter()
        .map(|(a, b)| line.slice(a, b))
        .find(|t| t.chars().any(|c| !c.is_ascii() && !c.is_whitespace()))
        .map(|t| clean_label(&t))
}
