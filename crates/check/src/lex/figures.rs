//! Figures on one line: each number with its unit (written after it, given by the "分别" list
//! it is in, or by its table column's header), as a range, a year, a count of parcels or a
//! damaged number, with its qualifiers, label and place.

use super::counts::{count_word_at, says_total};
use super::labels::{label_before, row_label};
use super::lists::{respective_lists, ListScan};
use super::numbers::{is_bare_number, is_range_sep, parse_number, scan_run, Run};
use super::qualifiers::qualifiers;
use super::tables::TableHeader;
use super::units::unit_at;
use super::{
    CountMention, Damaged, Lexed, Line, Qualifier, Quantity, QuantityPlace, RespectiveList, Unit,
    YearMention,
};
use rust_decimal::Decimal;

/// Lex the figures of one line into `out`; `header` is the header of the table the line is a
/// row of, when its columns match the row's cells.
pub(crate) fn lex_line(line: &Line, header: Option<&TableHeader>, out: &mut Lexed) {
    let c = &line.norm;
    let n = c.len();
    let cells = if line.is_row() {
        line.cells()
    } else {
        Vec::new()
    };
    let scans = if cells.is_empty() {
        respective_lists(c)
    } else {
        Vec::new()
    };
    let first_list = out.lists.len();
    for l in &scans {
        out.lists.push(RespectiveList {
            line: line.number,
            names: l.names.clone(),
            len: l.items.len(),
            figures: Vec::new(),
            unit: l.unit,
        });
    }
    let list_items = scans
        .iter()
        .enumerate()
        .flat_map(|(li, l)| l.items.iter().map(move |&(start, own)| (start, (li, own))))
        .rev()
        .collect();
    let mut lexer = LineLexer {
        line,
        c,
        header,
        cells,
        scans,
        list_items,
        first_list,
        sentence: 0,
        last_end: 0,
    };
    let mut i = 0;
    while i < n {
        let ch = c[i];
        if ch == '。' {
            lexer.sentence += 1;
        }
        let starts_number = ch.is_ascii_digit()
            || (ch == '.'
                && i + 1 < n
                && c[i + 1].is_ascii_digit()
                && (i == 0 || !c[i - 1].is_ascii_alphanumeric()));
        if !starts_number {
            i += 1;
            continue;
        }
        // Part of an identifier (BC2025CB011, GB/T21010-2017): skip the alphanumeric run.
        if i > 0 && (c[i - 1].is_ascii_alphabetic() || c[i - 1] == '_') {
            while i < n && (c[i].is_ascii_alphanumeric() || c[i] == '-' || c[i] == '_') {
                i += 1;
            }
            continue;
        }
        // Every step moves on: a figure that reads nothing at `i` leaves the character behind
        // (a hang the PDF fuzz target found).
        i = lexer.figure(i, out).max(i + 1);
    }
}

/// One line being lexed.
struct LineLexer<'a> {
    line: &'a Line,
    c: &'a [char],
    header: Option<&'a TableHeader>,
    /// The cells of a table row (empty for prose).
    cells: Vec<(usize, usize)>,
    /// The "分别" lists of the line (prose only).
    scans: Vec<ListScan>,
    /// The start of each number in a list → (list, whether it has its own unit).
    list_items: std::collections::HashMap<usize, (usize, bool)>,
    /// Index in [`Lexed::lists`] of the line's first list.
    first_list: usize,
    /// Sentences ended so far on the line (counted by 。).
    sentence: usize,
    /// End of the previous figure: a label does not run back past it.
    last_end: usize,
}

/// The unit a number takes, and where it came from.
struct Unitised {
    /// The unit and the index after it.
    unit: Option<(Unit, usize)>,
    /// The upper end of a range: its run and where its unit starts.
    high: Option<(Run, usize)>,
    /// The header of the column that gave the unit.
    from_header: Option<String>,
    /// The "分别" list the number is in, and whether it has its own unit.
    in_list: Option<(usize, bool)>,
}

impl LineLexer<'_> {
    fn cell_of(&self, pos: usize) -> Option<usize> {
        // Cells are in order and do not overlap: the one starting last at or before `pos`.
        let k = self.cells.partition_point(|&(a, _)| a <= pos);
        k.checked_sub(1).filter(|&k| pos < self.cells[k].1)
    }

    /// Start of a number in a list → (list, whether it has its own unit).
    fn list_item(&self, pos: usize) -> Option<(usize, bool)> {
        self.list_items.get(&pos).copied()
    }

    /// The figure, year, count or damaged number starting at `i`; returns where to go on.
    fn figure(&mut self, i: usize, out: &mut Lexed) -> usize {
        let (c, n) = (self.c, self.c.len());
        let mut run = scan_run(c, i);
        // Trailing '.' or ',' is sentence punctuation unless a unit follows it directly.
        while run.end > run.start + 1 && matches!(c[run.end - 1], '.' | ',' | ' ') {
            if c[run.end - 1] == '.' && unit_at(c, run.end).is_some() {
                break;
            }
            run.end -= 1;
            run.raw.pop();
        }
        let mut k = run.end;
        while k < n && c[k] == ' ' {
            k += 1;
        }
        if let Some(next) = self.year(&run, k, out) {
            return next;
        }
        let u = self.unit_of(&run, k);
        if u.unit.is_none() {
            self.count(&run, k, out);
            return run.end.max(i + 1);
        }
        self.quantity(i, run, u, out)
    }

    /// Years: "2025年", "2021 年", "2020-2024年"; returns where to go on after one.
    fn year(&self, run: &Run, k: usize, out: &mut Lexed) -> Option<usize> {
        let (c, n) = (self.c, self.c.len());
        if run.raw.len() != 4 || !run.raw.chars().all(|d| d.is_ascii_digit()) {
            return None;
        }
        let y: i32 = run.raw.parse().unwrap_or(0);
        if !(1900..=2100).contains(&y) {
            return None;
        }
        if k < n && c[k] == '年' {
            out.years.push(YearMention {
                year: y,
                to: None,
                line: self.line.number,
                chars: (run.start, k + 1),
                annual: c.get(k + 1) == Some(&'度'),
            });
            return Some(k + 1);
        }
        if k < n && is_range_sep(c[k]) {
            let mut m = k + 1;
            while m < n && c[m] == ' ' {
                m += 1;
            }
            let r2 = scan_run(c, m);
            let mut e = r2.end;
            while e < n && c[e] == ' ' {
                e += 1;
            }
            if r2.raw.len() == 4 && e < n && c[e] == '年' {
                if let Ok(y2) = r2.raw.parse::<i32>() {
                    out.years.push(YearMention {
                        year: y,
                        to: Some(y2),
                        line: self.line.number,
                        chars: (run.start, e + 1),
                        annual: c.get(e + 1) == Some(&'度'),
                    });
                    return Some(e + 1);
                }
            }
        }
        None
    }

    /// The unit: written after the number (or after the upper end of a range), given by the
    /// "分别" list, or given by the table column.
    fn unit_of(&self, run: &Run, k: usize) -> Unitised {
        let (c, n) = (self.c, self.c.len());
        let mut unit = unit_at(c, k);
        let mut high: Option<(Run, usize)> = None;
        if unit.is_none() && k < n && is_range_sep(c[k]) {
            let mut m = k + 1;
            while m < n && c[m] == ' ' {
                m += 1;
            }
            if m < n && c[m].is_ascii_digit() {
                let r2 = scan_run(c, m);
                let mut e = r2.end;
                while e < n && c[e] == ' ' {
                    e += 1;
                }
                if let Some(u) = unit_at(c, e) {
                    unit = Some(u);
                    high = Some((r2, e));
                }
            }
        }
        let mut from_header = None;
        let in_list = self.list_item(run.start);
        if let (None, Some((li, false))) = (unit, in_list) {
            // A bare number in a "分别" list takes the list's unit ("10、20公顷").
            unit = Some((self.scans[li].unit, run.end));
        }
        if unit.is_none() {
            if let Some((u, name)) = self.column_unit(self.cell_of(run.start)) {
                unit = Some((u, run.end));
                from_header = name;
            }
        }
        Unitised {
            unit,
            high,
            from_header,
            in_list,
        }
    }

    /// The unit of a bare number in a table cell from its column's header, with the header.
    fn column_unit(&self, cell: Option<usize>) -> Option<(Unit, Option<String>)> {
        let (h, ci) = (self.header?, cell?);
        let (a, b) = self.cells[ci];
        let cell_text = self.line.slice(a, b);
        // "-10.00" in an 增减 column is a bare number with its sign.
        let signed = cell_text
            .trim()
            .strip_prefix(['-', '−'])
            .is_some_and(|r| !r.starts_with(' ') && is_bare_number(r));
        if !((is_bare_number(&cell_text) || signed) && a <= b) {
            return None;
        }
        match h.units.get(ci) {
            Some(Some(u)) => Some((*u, h.names.get(ci).cloned())),
            _ => None,
        }
    }

    /// A number without a unit: a count of parcels when a measure word follows it.
    fn count(&self, run: &Run, k: usize, out: &mut Lexed) {
        let c = self.c;
        let ordinal = run.start > 0 && c[run.start - 1] == '第';
        if let (Some(end), Ok(v), false) = (count_word_at(c, k), run.raw.parse::<u32>(), ordinal) {
            out.counts.push(CountMention {
                value: v,
                line: self.line.number,
                chars: (run.start, end),
                label: label_before(c, run.start, self.last_end),
                text: self.line.source(run.start, end),
                total: says_total(c, run.start),
            });
        }
    }

    /// A number with a unit: a figure, or a damaged number; returns where to go on.
    fn quantity(&mut self, i: usize, run: Run, u: Unitised, out: &mut Lexed) -> usize {
        let (c, n) = (self.c, self.c.len());
        let Unitised {
            unit: Some((unit, mut end)),
            mut high,
            from_header,
            in_list,
        } = u
        else {
            return run.end.max(i + 1);
        };
        // "N1公顷-N2公顷": a range written with the unit twice.
        if high.is_none() && end < n && is_range_sep(c[end]) {
            let mut m = end + 1;
            while m < n && c[m] == ' ' {
                m += 1;
            }
            if m < n && c[m].is_ascii_digit() {
                let r2 = scan_run(c, m);
                let mut e = r2.end;
                while e < n && c[e] == ' ' {
                    e += 1;
                }
                if let Some((u2, e2)) = unit_at(c, e) {
                    if u2 == unit {
                        high = Some((r2, e));
                        end = e2;
                    }
                }
            }
        }
        let (hi_val, end) = match &high {
            Some((r2, e)) => {
                let e_end = if end > *e {
                    end
                } else {
                    unit_at(c, *e).map(|x| x.1).unwrap_or(*e)
                };
                (Some(parse_number(&r2.raw)), e_end)
            }
            None => (None, end),
        };
        let value = parse_number(&run.raw);
        let damaged = match (&value, &hi_val) {
            (Err(w), _) => Some(w.clone()),
            (_, Some(Err(w))) => Some(w.clone()),
            _ => None,
        };
        if let Some(why) = damaged {
            out.damaged.push(Damaged {
                line: self.line.number,
                chars: (run.start, end),
                text: self.line.source(run.start, end),
                why,
            });
            self.last_end = end;
            return end.max(i + 1);
        }
        let value = self.signed(value.unwrap_or_default(), &run, high.is_some());
        let high = hi_val.and_then(|r| r.ok());
        self.push(
            Figure {
                run,
                value,
                high,
                unit,
                end,
                from_header,
                in_list,
            },
            out,
        );
        self.last_end = end;
        end.max(i + 1)
    }

    /// A table cell holding "-10.00" (an 增减 column): the sign is part of the figure. In
    /// prose a dash is a range or a code, never a sign.
    fn signed(&self, value: Decimal, run: &Run, range: bool) -> Decimal {
        if let Some(ci) = self.cell_of(run.start) {
            // The sign written against the number: "- 20.00" may be an empty-cell dash.
            if !range
                && matches!(
                    self.line.slice(self.cells[ci].0, run.start).trim_start(),
                    "-" | "−"
                )
            {
                return -value;
            }
        }
        value
    }

    /// Record a figure with its qualifiers, label and place.
    fn push(&self, f: Figure, out: &mut Lexed) {
        let (c, n, line) = (self.c, self.c.len(), self.line);
        let Figure {
            run,
            value,
            high,
            unit,
            end,
            from_header,
            in_list,
        } = f;
        let cell = self.cell_of(run.start);
        let mut quals = qualifiers(c, run.start, end);
        if high.is_some() {
            quals.push(Qualifier::Range);
        }
        let label = match (self.header, cell) {
            (Some(_), Some(ci)) => {
                let (a, _) = self.cells[ci];
                match row_label(line) {
                    Some(label) if ci > 0 => label,
                    _ => label_before(c, run.start, a),
                }
            }
            _ => label_before(c, run.start, self.last_end),
        };
        let display = match high {
            Some(h) => format!("{value}-{h}{}", unit.label()),
            None => format!("{value}{}", unit.label()),
        };
        if let Some((li, _)) = in_list {
            out.lists[self.first_list + li]
                .figures
                .push(out.quantities.len());
        }
        out.quantities.push(Quantity {
            value,
            high,
            unit,
            display,
            qualifiers: quals,
            place: QuantityPlace {
                line: line.number,
                column: run.start + 1,
                span: (line.offsets[run.start], line.offsets[end.min(n)]),
                text: line.source(run.start, end),
            },
            label,
            header: from_header,
            chars: (run.start, end),
            sentence: self.sentence,
            cell,
        });
    }
}

/// A figure read, before its qualifiers, label and place.
struct Figure {
    run: Run,
    value: Decimal,
    high: Option<Decimal>,
    unit: Unit,
    end: usize,
    from_header: Option<String>,
    in_list: Option<(usize, bool)>,
}
