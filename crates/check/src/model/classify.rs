//! What each item is: a land class (resolved with the classification tables, groups such as
//! 其他用地 included), a township, a 新增/存量 part, a supply method, a quarter, a housing
//! sub-item, a whole, or something else. The `items` pass picks the items (primary area
//! figures) and classifies them.

use super::builder::Builder;
use super::words::{
    contains_any, AS_OF_WORDS, BATCH_WORDS, CLASS_TAILS, HOUSING_WORDS, METHOD_WORDS, PLACE_STOPS,
    PLACE_SUFFIXES, QUOTA_WORDS, RESERVE_METHOD_WORDS, SALE_WAY_WORDS, STOCK_WORDS, TIMING_WORDS,
    TOTAL_WORDS,
};
use super::DocKind;
use crate::lex::Quantity;
use landplan_core::class::Resolution;
use landplan_core::{Classifier, Scheme};

/// Pass `items`: the primary area figures (not restatements, not excluded, not a parcel's own
/// area), each with what it is.
///
/// Reads `secondary`, `excluded`, `m.parcels`, `section`, `m.region`, `m.kind`; writes
/// `items`, `kinds`.
pub fn items(b: &mut Builder) {
    let parcel_qs: std::collections::HashSet<usize> =
        b.m.parcels.iter().filter_map(|p| p.area).collect();
    let (m, secondary, excluded, section) = (&b.m, &b.secondary, &b.excluded, &b.section);
    let n = m.quantities.len();
    b.items = (0..n)
        .filter(|&i| {
            m.quantities[i].area_unit().is_some()
                && !secondary[i]
                && !excluded[i]
                && !parcel_qs.contains(&i)
        })
        .collect();
    b.kinds = b
        .items
        .iter()
        .map(|&i| {
            classify(
                &m.quantities[i],
                &section[m.quantities[i].place.line],
                &m.region,
                m.kind == DocKind::HousingLand,
            )
        })
        .collect();
}

/// What an item (a primary area figure) is, from its label and section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemKind {
    /// A land class (its key: `gb21010:07`, `group:other` …).
    Class(String),
    /// A township or other place of the layout.
    Township(String),
    /// 新增 or 存量 (or land carried over).
    NewStock,
    /// 划拨 / 出让 / 租赁 (true: a kind of 出让 such as 招拍挂, 协议).
    Method(bool),
    /// 第一季度, 上半年 …
    Timing,
    /// A kind of housing (保障性, 商品住房 …).
    Housing,
    /// A whole (总量, 规模, 合计 …).
    Total,
    /// Anything else.
    Other,
}

/// The class key for a label: the longest suffix that names a class or group.
pub fn class_key(label: &str) -> Option<String> {
    class_match(label).map(|(k, _)| k)
}

/// The class key and the words that named it (the longest suffix of the label that resolves,
/// after dropping trailing words such as 供应面积).
///
/// Each label's answer is remembered on the thread (at most `CLASS_MATCH_MEMO` labels, then
/// forgotten all at once): the answer depends on the label alone, and trying every suffix of a
/// label against the classification tables was a sixth of the instructions `landplan check`
/// spent on a plan (the same labels come back for every figure, part and document).
pub fn class_match(label: &str) -> Option<(String, String)> {
    type Memo = std::collections::HashMap<String, Option<(String, String)>>;
    thread_local! {
        static MEMO: std::cell::RefCell<Memo> = std::cell::RefCell::new(Memo::new());
    }
    if let Some(found) = MEMO.with(|m| m.borrow().get(label).cloned()) {
        return found;
    }
    let found = class_match_uncached(label);
    MEMO.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() >= CLASS_MATCH_MEMO {
            m.clear();
        }
        m.insert(label.to_string(), found.clone());
    });
    found
}

/// How many labels [`class_match`] remembers per thread.
const CLASS_MATCH_MEMO: usize = 8192;

fn class_match_uncached(label: &str) -> Option<(String, String)> {
    let mut label = label.trim();
    loop {
        if let Some(found) = class_suffix(label) {
            return Some(found);
        }
        if let Some(found) = lei_variant(label) {
            return Some(found);
        }
        let tail = CLASS_TAILS.iter().find(|t| label.ends_with(*t))?;
        label = label[..label.len() - tail.len()].trim_end();
    }
}

/// "商服类用地", "公共管理与公共服务类用地": a class name with 类 before 用地, as some plans
/// write it; the words that name it are returned as written. Not "各类用地", "三类用地" (a
/// count or all classes).
fn lei_variant(label: &str) -> Option<(String, String)> {
    let head = label.strip_suffix("类用地")?;
    let last = head.chars().last()?;
    if "各三两二四五六七八九十这此该等某本其".contains(last) {
        return None;
    }
    let (key, named) = class_suffix(&format!("{head}用地"))?;
    let named = format!("{}类用地", named.strip_suffix("用地")?);
    Some((key, named))
}

fn class_suffix(label: &str) -> Option<(String, String)> {
    let c: Vec<char> = label.chars().collect();
    let cls = Classifier::builtin();
    for i in 0..c.len().saturating_sub(1) {
        let suffix: String = c[i..].iter().collect();
        match cls.resolve(&suffix, Scheme::Gb21010) {
            Resolution::Class(r) => {
                let key = match (&r.gb21010, &r.ydyh2023) {
                    (Some(g), _) => format!("gb21010:{g}"),
                    (None, Some(y)) => format!("ydyh2023:{y}"),
                    _ => format!("name:{suffix}"),
                };
                return Some((key, suffix));
            }
            Resolution::Group { group, .. } => return Some((format!("group:{group}"), suffix)),
            Resolution::Unknown => {}
        }
    }
    None
}

/// A place name at the start of a label (巴楚镇, 工业园区, 瑶安瑶族乡, 红旗乡).
///
/// The name runs up to the first word that cannot be part of it (土地, 供应, punctuation,
/// digits …); within that, the longest head ending in a place suffix wins, so 红旗乡 is not
/// cut at 旗 and 新市镇 not at 市.
pub fn place_name(label: &str) -> Option<String> {
    let c: Vec<char> = label.chars().collect();
    let mut end = c.len().min(14);
    for (i, ch) in c.iter().enumerate().take(end) {
        if ch.is_ascii_digit() || "（(：:，,、；;。 ".contains(*ch) {
            end = i;
            break;
        }
    }
    // "全市", "本县", "我市": the plan's own area, never one of its places
    // ("其余各镇", "各县（市）" are groups of places, and stay places).
    if c.first().is_some_and(|f| "全本我该此".contains(*f)) {
        return None;
    }
    let rest: String = c[..end].iter().collect();
    for stop in PLACE_STOPS {
        if let Some(pos) = rest.find(stop) {
            end = end.min(rest[..pos].chars().count());
        }
    }
    let mut best = None;
    for j in 2..=end {
        let head: String = c[..j].iter().collect();
        if PLACE_SUFFIXES.iter().any(|s| head.ends_with(s)) {
            best = Some(head);
        }
    }
    best
}

/// Land carried over into this year's reserve: "上年度结转储备土地", "上年末储备库存土地".
/// Part of this year's scale, not last year's history.
pub fn carried_over(label: &str) -> bool {
    // "截至上年末，储备库存300公顷" is a background figure (a stock), not a part.
    label.contains("结转")
        || (label.contains("上年末")
            && contains_any(label, STOCK_WORDS)
            && !contains_any(label, AS_OF_WORDS))
}

/// What the item `q` is, in its section, in a plan of the given region (a place that is the
/// region is not a township); `housing_plan` for a housing-land plan.
pub fn classify(
    q: &Quantity,
    section: &str,
    region: &Option<String>,
    housing_plan: bool,
) -> ItemKind {
    let l = q.label.as_str();
    if let Some((key, named)) = class_match(l) {
        // In a housing-land plan, "住宅用地供应面积" is the plan's total.
        let residential = key.starts_with("gb21010:07") || key.starts_with("ydyh2023:07");
        // "商品住宅用地", "保障性住宅用地": a kind of housing, not the residential class.
        let before = l.rfind(named.as_str()).map_or("", |b| &l[..b]);
        let before = before.split(['(', '（']).next().unwrap_or("");
        let housing_kind =
            residential && (before.contains("商品") || contains_any(before, HOUSING_WORDS));
        if housing_kind {
            return ItemKind::Housing;
        }
        if !(housing_plan && residential && contains_any(l, TOTAL_WORDS)) {
            return ItemKind::Class(key);
        }
    }
    // "使用新增建设用地计划指标35公顷" is quota used, not the 新增 part of the supply.
    if (l.contains("新增") || l.contains("存量") || carried_over(l))
        && !contains_any(l, QUOTA_WORDS)
    {
        return ItemKind::NewStock;
    }
    if contains_any(l, HOUSING_WORDS) {
        return ItemKind::Housing;
    }
    if contains_any(l, TIMING_WORDS) {
        return ItemKind::Timing;
    }
    // "首批集中出让总面积52.60公顷": a batch of 出让 is a part of 出让 (its label says 出让 and
    // 总面积, but it is neither another method nor a whole); a batch of anything else is no part
    // of the methods or the quarters.
    if contains_any(l, BATCH_WORDS) {
        return if l.contains("出让") {
            ItemKind::Method(true)
        } else {
            ItemKind::Other
        };
    }
    if contains_any(l, SALE_WAY_WORDS) {
        return ItemKind::Method(true);
    }
    if contains_any(l, METHOD_WORDS) {
        return ItemKind::Method(false);
    }
    // 储备方式 of a reserve plan: 收购, 收回, 征收, 置换, 划转.
    if contains_any(l, RESERVE_METHOD_WORDS) {
        return ItemKind::Method(false);
    }
    let in_layout =
        section.contains("布局") || section.contains("分布") || section.contains("区域");
    if let Some(name) = place_name(l) {
        let is_region = region
            .as_ref()
            .is_some_and(|r| r.starts_with(&name) || name.starts_with(r.as_str()));
        if !is_region && (in_layout || !contains_any(l, TOTAL_WORDS)) {
            return ItemKind::Township(name);
        }
    }
    if contains_any(l, TOTAL_WORDS) {
        return ItemKind::Total;
    }
    ItemKind::Other
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn class_names_followed_by_supply_words_still_name_the_class() {
        assert_eq!(class_key("住宅用地供应面积").as_deref(), Some("gb21010:07"));
        assert_eq!(
            class_key("工矿仓储用地计划供应").as_deref(),
            Some("gb21010:06")
        );
        assert_eq!(class_key("商服用地的面积").as_deref(), Some("gb21010:05"));
        // A total stays a total.
        assert_eq!(class_key("住宅用地供应总量"), None);
        assert_eq!(class_key("计划供应面积"), None);
    }

    #[test]
    fn labels_name_classes_places_and_groups() {
        assert_eq!(
            class_key("巴楚县土地储备总量中工矿仓储及物流用地").as_deref(),
            Some("gb21010:06")
        );
        assert_eq!(class_key("其他用地").as_deref(), Some("group:other"));
        assert_eq!(class_key("土地供应量"), None);
        assert_eq!(
            place_name("瑶安瑶族乡土地供应量").as_deref(),
            Some("瑶安瑶族乡")
        );
        assert_eq!(place_name("工业园区").as_deref(), Some("工业园区"));
        assert_eq!(place_name("红旗乡土地供应量为").as_deref(), Some("红旗乡"));
        assert_eq!(place_name("新市镇（12.5公顷）").as_deref(), Some("新市镇"));
        assert_eq!(place_name("鄂托克旗供应量").as_deref(), Some("鄂托克旗"));
        assert_eq!(place_name("住宅用地"), None);
    }

    #[test]
    fn class_names_written_with_lei_resolve() {
        assert_eq!(
            super::class_key("商服类用地").as_deref(),
            super::class_key("商服用地").as_deref()
        );
        assert_eq!(
            super::class_key("住宅类用地").as_deref(),
            super::class_key("住宅用地").as_deref()
        );
        assert!(super::class_key("商服类用地").is_some());
        assert!(super::class_key("各类用地").is_none());
        assert!(super::class_key("三类用地").is_none());
    }
}
