//! Shares whose sentence names their whole: "三类住房用地合计460公顷，占住房用地供应总量的74.2%".
//! A figure with a stated share that no breakdown ties (an overlapping category such as 三类住房,
//! which includes part of 商品住房 and so is no part of any breakdown) is still checked against
//! the whole its share names, when that whole is found for certain: the plan total whose label
//! holds the named words, or an earlier figure labelled exactly with them.

use super::builder::Builder;
use super::{Breakdown, BreakdownKind, Evidence};

/// The words a share names as its whole: "占住房用地供应总量的" → 住房用地; none unless the share
/// says 占…总量 (or 总面积).
fn named_whole(share_label: &str) -> Option<String> {
    let at = share_label.find('占')?;
    let rest = &share_label[at + '占'.len_utf8()..];
    let end = rest.find("总量").or_else(|| rest.find("总面积"))?;
    let mut name = rest[..end].trim();
    for tail in ["计划供应", "供应", "计划", "储备"] {
        name = name.strip_suffix(tail).unwrap_or(name);
    }
    (name.ends_with("用地") && name.chars().count() >= 3).then(|| name.to_string())
}

/// Pass `named_whole`: each item with a share that no breakdown ties, and whose share names its
/// whole, becomes a one-part selection of that whole (only its share is judged, and an excess).
///
/// Reads `items`, `share_of`, `m.breakdowns`, `m.total`; writes `m.breakdowns`.
pub fn ties(b: &mut Builder) {
    let mut new = Vec::new();
    // Figures already tied (wholes, and parts with their share): found once, so that a long
    // document stays linear.
    let tied: std::collections::HashSet<usize> =
        b.m.breakdowns
            .iter()
            .flat_map(|bd| {
                std::iter::once(bd.whole).chain(
                    bd.parts
                        .iter()
                        .filter(|p| p.share.is_some())
                        .map(|p| p.quantity),
                )
            })
            .collect();
    for (k, &i) in b.items.iter().enumerate() {
        let Some(s) = b.share_of[i] else { continue };
        if tied.contains(&i) {
            continue;
        }
        let Some(name) = named_whole(&b.q(s).label) else {
            continue;
        };
        let total =
            b.m.total
                .filter(|&t| t != i && b.q(t).label.contains(&name));
        let whole = total.or_else(|| {
            b.items[..k]
                .iter()
                .rev()
                .take(64)
                .copied()
                .find(|&j| b.q(j).label == name)
        });
        let Some(w) = whole else { continue };
        new.push(Breakdown {
            evidence: Evidence::of("占比写明其整体（“占…总量的”）"),
            kind: BreakdownKind::SubItems,
            what: format!("{}中的{}", b.q(w).label, b.q(i).label),
            whole: w,
            parts: vec![b.part(i, None)],
            complete: false,
        });
    }
    b.m.breakdowns.extend(new);
}

#[cfg(test)]
mod tests {
    use super::named_whole;

    #[test]
    fn the_whole_a_share_names() {
        assert_eq!(
            named_whole("占住房用地供应总量的").as_deref(),
            Some("住房用地")
        );
        assert_eq!(
            named_whole("占房地产开发用地供应总量的").as_deref(),
            Some("房地产开发用地")
        );
        assert_eq!(named_whole("占"), None);
        assert_eq!(named_whole("占全市的"), None);
    }
}
