//! Blocks: the items are walked in text order, a prose line or a run of table rows at a time;
//! each block is read by [`super::prose`] or [`super::table`].

use super::builder::Builder;
use super::classify::ItemKind;
use super::{prose, table};

/// Pass `blocks`: read every block of items.
///
/// Reads `items`, `kinds` (and, in the blocks, `share_of`, `section`, `year_totals`,
/// `m.total`); writes breakdowns, `townships`, `layout_section`, `singles`.
pub fn walk(b: &mut Builder) {
    let lx = b.lx;
    let mut k = 0;
    while k < b.items.len() {
        let (items, kinds, m) = (&b.items, &b.kinds, &b.m);
        let line_no = m.quantities[items[k]].place.line;
        let is_table = lx.lines[line_no - 1].is_row();
        let mut e = k;
        // Lines from `line_no` up to `rows_to` are all table rows or empty (checked once each,
        // not again for every item of a long table).
        let mut rows_to = line_no;
        while e < items.len() {
            let l2 = m.quantities[items[e]].place.line;
            let same = if is_table {
                while rows_to < l2
                    && (lx.lines[rows_to].is_row() || lx.lines[rows_to].norm.is_empty())
                {
                    rows_to += 1;
                }
                rows_to >= l2
            } else {
                l2 == line_no
            };
            if !same {
                break;
            }
            e += 1;
        }
        let block: Vec<(usize, ItemKind)> = (k..e).map(|x| (items[x], kinds[x].clone())).collect();
        if is_table {
            table::block(b, &block);
        } else {
            prose::block(b, &block);
        }
        k = e;
    }
}
