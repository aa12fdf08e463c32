//! The title: the first lines up to one naming a 计划/规划/报告/方案 (or a plan's table caption);
//! the kind of document from its words (储备, 供应, 住房/住宅用地, 执行/实施情况, 调整), the year
//! (the first "NNNN年" in it) and the region (its prefix before the year, without the issuing
//! office).

use super::builder::Builder;
use super::words::{
    contains_any, EXECUTION_TITLE_WORDS, HOUSING_PLAN_TITLES, ISSUING_OFFICES, NOTICE_VERBS,
    PLAN_TABLE_WORDS, REGION_ENDS, TITLE_WORDS,
};
use super::{DocKind, PlanModel};
use crate::lex::Lexed;

/// Pass `title`: title, kind, year and region.
///
/// Reads the lines and years; writes `m.title`, `m.title_line`, `m.kind`, `m.year`, `m.region`.
pub fn read(b: &mut Builder) {
    read_title(b.lx, &mut b.m);
}

/// A plan's table caption without the word 计划, as an Excel 附表 has it
/// ("某县2026年度土地储备规模与结构表", "…国有建设用地供应布局表").
fn plan_table_caption(t: &str) -> bool {
    t.ends_with('表') && contains_any(t, PLAN_TABLE_WORDS)
}

fn read_title(lx: &Lexed, m: &mut PlanModel) {
    let mut title = String::new();
    let mut first_line = None;
    let mut last_line = 0;
    let mut count = 0;
    for line in &lx.lines {
        let t = line.norm_string();
        let t = t.trim().trim_start_matches('#').trim();
        if t.is_empty() {
            continue;
        }
        // "附表1" alone above a table's title (an Excel 附表) labels it, like "附件".
        let skip = t.starts_with("附件")
            || (t.starts_with("附表") && t.chars().count() <= 6)
            || t.starts_with("(征求意见稿")
            || t.starts_with("(草案")
            || t.starts_with("(送审稿")
            || t.starts_with("[bookmark");
        if skip && title.is_empty() {
            continue;
        }
        if t.chars().count() > 50 || t.contains('。') {
            break;
        }
        first_line.get_or_insert(line.number);
        last_line = line.number;
        title.push_str(t);
        count += 1;
        if contains_any(t, TITLE_WORDS) || plan_table_caption(t) || count >= 3 {
            break;
        }
    }
    // "关于印发《某市2025年度…计划》的通知": the plan is the title in the book-title marks.
    if let (Some(a), Some(b)) = (title.find('《'), title.find('》')) {
        if a < b {
            title = title[a + '《'.len_utf8()..b].to_string();
        }
    }
    let caption = plan_table_caption(&title);
    if title.is_empty() || !(caption || contains_any(&title, TITLE_WORDS)) {
        return;
    }
    m.title_line = first_line;
    m.kind = kind_of(&title, caption);
    // Year: the first "NNNN年" in the title lines.
    if let Some(fl) = first_line {
        if let Some(y) = lx
            .years
            .iter()
            .find(|y| y.line >= fl && y.line <= last_line && y.to.is_none())
        {
            m.year = Some(y.year);
        }
    }
    if let Some(region) = region_of(&title) {
        m.region = Some(region);
    }
    m.title = Some(title);
}

/// The kind of document its title names (`caption`: the title is a plan's table caption).
fn kind_of(title: &str, caption: bool) -> DocKind {
    if contains_any(title, EXECUTION_TITLE_WORDS) {
        DocKind::ExecutionReport
    } else if title.contains("调整") {
        DocKind::Adjustment
    } else if title.contains("储备计划") || title.contains("收储计划") {
        DocKind::Reserve
    } else if contains_any(title, HOUSING_PLAN_TITLES) {
        DocKind::HousingLand
    } else if title.contains("供应计划") || title.contains("供地计划") {
        DocKind::Supply
    } else if title.contains("储备") && title.contains("计划") {
        // "土地储备三年滚动计划".
        DocKind::Reserve
    } else if title.contains("供应") && title.contains("计划") {
        DocKind::Supply
    } else if caption && title.contains("储备") {
        DocKind::Reserve
    } else if caption && title.contains("供应") {
        DocKind::Supply
    } else {
        DocKind::Other
    }
}

/// The region a title names: its prefix before the year or the subject, without a notice's
/// verb or the issuing office; `None` when shorter than two characters.
fn region_of(title: &str) -> Option<String> {
    // Region: the title's prefix before the year or the subject.
    let c: Vec<char> = title.chars().collect();
    let mut end = c.len();
    for (i, ch) in c.iter().enumerate() {
        if ch.is_ascii_digit() || *ch == '“' || *ch == '"' {
            end = i;
            break;
        }
    }
    let prefix: String = c[..end].iter().collect();
    let mut region = prefix.clone();
    // "关于调整未市2025年度…的公告": the notice's verb comes before the region.
    if let Some(rest) = region.strip_prefix("关于") {
        region = NOTICE_VERBS
            .iter()
            .find_map(|v| rest.strip_prefix(v))
            .unwrap_or(rest)
            .to_string();
    }
    for w in REGION_ENDS {
        if let Some(p) = region.find(w) {
            region.truncate(p);
        }
    }
    // The issuing office is not the region: "酉县人民政府关于…", "某市自然资源局关于…".
    for office in ISSUING_OFFICES {
        if let Some(p) = region.find(office) {
            if p > 0 {
                region.truncate(p);
            }
        }
    }
    let region = region.trim().trim_end_matches("本级").to_string();
    let region =
        if prefix.contains("本级") && !region.ends_with("本级") && prefix.starts_with(&region) {
            let p = prefix
                .find("本级")
                .map(|p| p + "本级".len())
                .unwrap_or(prefix.len());
            prefix[..p].to_string()
        } else {
            region
        };
    (region.chars().count() >= 2).then_some(region)
}
