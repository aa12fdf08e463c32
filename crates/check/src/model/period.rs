//! The period: stated (计划期限为2025年1月1日至12月31日), implied by the title ("十四五"), or a
//! plan for several years named in its title ("（2026—2028年）").

use super::builder::Builder;
use super::words::{FIVE_YEAR_PLANS, PERIOD_WORDS};
use super::PlanModel;
use crate::lex::{Lexed, YearMention};

/// Pass `period`: the plan's period and where it is stated.
///
/// Reads the title and the years; writes `m.period`, `m.period_place`.
pub fn read(b: &mut Builder) {
    read_period(b.lx, &mut b.m);
}

fn read_period(lx: &Lexed, m: &mut PlanModel) {
    read_stated_period(lx, m);
    // A plan for several years named in its title ("（2026—2028年）").
    if m.period.is_none() {
        if let Some(fl) = m.title_line {
            if let Some(y) = lx.years.iter().find(|y| y.line >= fl && y.line <= fl + 2) {
                if let Some(to) = y.to {
                    m.period = Some((y.year.to_string(), to.to_string()));
                }
            }
        }
    }
}

fn read_stated_period(lx: &Lexed, m: &mut PlanModel) {
    // "十四五" and friends.
    if let Some(t) = &m.title {
        for &(w, a, b) in FIVE_YEAR_PLANS {
            if t.contains(w) {
                m.period = Some((a.to_string(), b.to_string()));
                return;
            }
        }
    }
    for line in &lx.lines {
        let t = line.norm_string();
        let Some(p) = PERIOD_WORDS.iter().filter_map(|w| t.find(w)).min() else {
            continue;
        };
        let col = t[..p].chars().count();
        let ys: Vec<&YearMention> = lx
            .years
            .iter()
            .filter(|y| y.line == line.number && y.chars.0 >= col)
            .collect();
        let Some(first) = ys.first() else { continue };
        let c = &line.norm;
        let date_after = |start: usize, year: i32| -> String {
            // "2025年1月1日" → 2025-01-01; otherwise the year.
            let mut k = start;
            let mut nums = Vec::new();
            let mut cur = String::new();
            while k < c.len() && nums.len() < 2 {
                let ch = c[k];
                if ch.is_ascii_digit() {
                    cur.push(ch);
                } else if (ch == '月' || ch == '日') && !cur.is_empty() {
                    nums.push(cur.parse::<u32>().unwrap_or(0));
                    cur.clear();
                } else if ch != ' ' {
                    break;
                }
                k += 1;
            }
            match nums.as_slice() {
                [mo, d] => format!("{year:04}-{mo:02}-{d:02}"),
                _ => year.to_string(),
            }
        };
        let start = date_after(first.chars.1, first.year);
        // The end: a second year, or "至12月31日" in the same year.
        let end = if let Some(to) = first.to {
            to.to_string()
        } else if let Some(second) = ys.get(1) {
            date_after(second.chars.1, second.year)
        } else {
            let s = t.chars().skip(first.chars.1).collect::<String>();
            if let Some(pz) = s.find('至') {
                let k = first.chars.1 + s[..pz].chars().count() + 1;
                date_after(k, first.year)
            } else {
                first.year.to_string()
            }
        };
        m.period = Some((start, end));
        m.period_place = Some((line.number, first.chars.0, first.chars.1));
        return;
    }
}
