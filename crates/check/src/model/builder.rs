//! The builder the passes share: the model being built and what each pass found that later
//! passes read (which figures are restatements, outside the plan, shares of which part …).
//!
//! Every per-figure vector is indexed like [`PlanModel::quantities`]; every per-line vector by
//! line number (1-based).

use super::classify::{class_match, ItemKind};
use super::{Part, PlanModel, TownshipPart};
use crate::lex::{Lexed, Line, Quantity};

/// The model under construction.
#[derive(Debug)]
pub struct Builder<'a> {
    /// The lexed document.
    pub lx: &'a Lexed,
    /// The model built so far.
    pub m: PlanModel,
    /// The headings in force on each line, as "top|sub" (`sections`).
    pub section: Vec<String>,
    /// For a figure in a "分别" list: (list, position in it) (`lists`).
    pub list_of: Vec<Option<(usize, usize)>>,
    /// A figure of a "分别" list whose names could not be paired one to one with its figures:
    /// kept out of the breakdowns rather than tied to the wrong part (`lists`).
    pub unpaired: Vec<bool>,
    /// A figure that restates the one before it in another unit (`unit_pairs`).
    pub secondary: Vec<bool>,
    /// A figure outside the plan's breakdowns: history, background, 浮动, unpaired list
    /// figures (`exclusions`).
    pub excluded: Vec<bool>,
    /// The share (a % figure) stated for a figure (`shares`).
    pub share_of: Vec<Option<usize>>,
    /// The area figure of the parcel list's own 合计 row (`parcels`).
    pub parcel_table_total: Option<usize>,
    /// The items: primary area figures that are neither restatements, excluded, nor a
    /// parcel's own area, in text order (`items`).
    pub items: Vec<usize>,
    /// What each item is, beside `items` (`items`).
    pub kinds: Vec<ItemKind>,
    /// Totals stated for one year ("2026年计划储备土地500公顷"): (year, figure) (`total`).
    pub year_totals: Vec<(i32, usize)>,
    /// The townships of the layout section being read, with their totals and class parts
    /// (`blocks`, then `layout`).
    pub townships: Vec<TownshipPart>,
    /// The section the townships were read in: a new layout section starts a new list.
    pub layout_section: Option<String>,
    /// Class parts stated one per line, with their section, to be gathered into a structure
    /// (`blocks`, then `structure`).
    pub singles: Vec<(String, Part)>,
}

impl<'a> Builder<'a> {
    /// A builder over a lexed document: the model starts with its figures and years.
    pub fn new(lx: &'a Lexed) -> Builder<'a> {
        // `on_line` relies on the lexer's text order.
        debug_assert!(lx
            .quantities
            .windows(2)
            .all(|w| w[0].place.line <= w[1].place.line));
        let n = lx.quantities.len();
        Builder {
            lx,
            m: PlanModel {
                quantities: lx.quantities.clone(),
                years: lx.years.clone(),
                ..PlanModel::default()
            },
            section: vec![String::new(); lx.lines.len() + 2],
            list_of: vec![None; n],
            unpaired: vec![false; n],
            secondary: vec![false; n],
            excluded: vec![false; n],
            share_of: vec![None; n],
            parcel_table_total: None,
            items: Vec::new(),
            kinds: Vec::new(),
            year_totals: Vec::new(),
            townships: Vec::new(),
            layout_section: None,
            singles: Vec::new(),
        }
    }

    /// The number of figures.
    pub fn figure_count(&self) -> usize {
        self.m.quantities.len()
    }

    /// Figure `i`.
    pub fn q(&self, i: usize) -> &Quantity {
        &self.m.quantities[i]
    }

    /// Line `n` (1-based) of the document.
    pub fn line(&self, n: usize) -> &'a Line {
        &self.lx.lines[n - 1]
    }

    /// Figure `i` as a part, with its class (`key`: the label is then the words that name the
    /// class) and its stated share.
    pub fn part(&self, i: usize, key: Option<String>) -> Part {
        let label = &self.m.quantities[i].label;
        Part {
            label: match key {
                Some(_) => class_match(label)
                    .map(|(_, s)| s)
                    .unwrap_or_else(|| label.clone()),
                None => label.clone(),
            },
            class_code: key,
            quantity: i,
            share: self.share_of[i],
        }
    }

    /// The finished model.
    pub fn finish(self) -> PlanModel {
        self.m
    }
}

/// Indices of the figures on `line`: the lexer emits figures in text order, so this is a
/// binary search rather than a scan (a list of 50,000 parcels looks up a line per row).
pub fn on_line(qs: &[Quantity], line: usize) -> std::ops::Range<usize> {
    let start = qs.partition_point(|q| q.place.line < line);
    start..start + qs[start..].partition_point(|q| q.place.line == line)
}

/// Parts labelled by their figures' own labels, without class or share.
pub fn plain_parts(m: &PlanModel, idx: impl IntoIterator<Item = usize>) -> Vec<Part> {
    idx.into_iter()
        .map(|j| Part {
            label: m.quantities[j].label.clone(),
            class_code: None,
            quantity: j,
            share: None,
        })
        .collect()
}
