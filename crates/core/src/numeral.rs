//! Chinese numerals as plans write counts and quantities: 十二宗, 两个地块, 一百零五, 二〇二五.
//!
//! Two notations: the positional one (十, 百, 千 multiply the digit before them: 一百二十三 =
//! 123, 十五 = 15, 两百 = 200, 零 or 〇 marks a skipped place: 一百零五 = 105), and digits
//! written one by one with 〇 for zero (二〇二五 = 2025). Two digits side by side without 〇 or a
//! multiplier (三五) are an approximation ("three or five"), not a number.

/// The characters of Chinese numerals: the digits (〇, 零 … 九, 两) and the multipliers 十百千.
pub const NUMERAL_CHARS: &str = "〇零一二三四五六七八九十百千两";

/// True for a character of a Chinese numeral ([`NUMERAL_CHARS`]).
pub fn is_numeral(c: char) -> bool {
    NUMERAL_CHARS.contains(c)
}

/// The value of a Chinese digit: 〇/零 → 0, 一 → 1 … 九 → 9, 两 → 2.
pub fn digit(c: char) -> Option<u32> {
    match c {
        '〇' | '零' => Some(0),
        '两' => Some(2),
        _ => "一二三四五六七八九"
            .chars()
            .position(|d| d == c)
            .map(|p| p as u32 + 1),
    }
}

/// A whole number written in Chinese numerals; `None` for anything else (an empty string,
/// other characters, two digits side by side such as 三五, a number past `u32`).
pub fn parse_chars(s: &[char]) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    let positional = s.iter().any(|c| matches!(c, '十' | '百' | '千'));
    if !positional && s.len() > 1 && s.contains(&'〇') {
        // Digit by digit: 二〇二五.
        return s
            .iter()
            .try_fold(0u32, |acc, &c| acc.checked_mul(10)?.checked_add(digit(c)?));
    }
    let mut total = 0u32;
    let mut current: Option<u32> = None;
    for &c in s {
        let place = match c {
            '十' => {
                total = total.checked_add(current.unwrap_or(1) * 10)?;
                current = None;
                continue;
            }
            '百' => 100,
            '千' => 1000,
            _ => {
                match digit(c)? {
                    0 => current = None,
                    _ if current.is_some() => return None,
                    d => current = Some(d),
                }
                continue;
            }
        };
        total = total.checked_add(current?.checked_mul(place)?)?;
        current = None;
    }
    total.checked_add(current.unwrap_or(0))
}

/// [`parse_chars`] of a string.
pub fn parse(s: &str) -> Option<u32> {
    parse_chars(&s.chars().collect::<Vec<_>>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positional_numerals() {
        for (t, n) in [
            ("十", 10),
            ("十五", 15),
            ("二十三", 23),
            ("一百二十三", 123),
            ("一百零五", 105),
            ("一百〇五", 105),
            ("两百", 200),
            ("三千零二十", 3020),
            ("两", 2),
            ("〇", 0),
        ] {
            assert_eq!(parse(t), Some(n), "{t}");
        }
    }

    #[test]
    fn digits_one_by_one_with_a_zero() {
        assert_eq!(parse("二〇二五"), Some(2025));
        assert_eq!(parse("一〇五"), Some(105));
    }

    #[test]
    fn approximations_and_other_text_are_not_numbers() {
        assert_eq!(parse("三五"), None);
        assert_eq!(parse(""), None);
        assert_eq!(parse("百"), None);
        assert_eq!(parse("十二块"), None);
        assert!(is_numeral('两') && is_numeral('〇') && !is_numeral('块'));
    }
}
