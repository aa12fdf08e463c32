//! A small SVG writer for charts and maps: shapes and text written as SVG elements, with no font
//! loaded. Text stays `<text>` (the font family list on the root element names CJK faces first,
//! so a viewer picks a local CJK face); where the layout needs a label's width (label columns,
//! whether axis labels must turn, whether a figure fits beside its bar), [`text_width`]
//! estimates it from character classes: CJK and full-width characters one em, digits and
//! Latin letters about half an em.

use std::fmt::Write as _;

/// The font family list written on every picture's root element: CJK faces first (mainland
/// Chinese variants), then the generic family.
pub(crate) const FAMILY: &str = "'Noto Sans CJK SC', 'Source Han Sans SC', 'WenQuanYi Micro Hei', 'Microsoft YaHei', 'PingFang SC', SimHei, sans-serif";

/// A palette that stays apart in print and for colour-blind readers (Okabe–Ito, extended).
pub(crate) const PALETTE: [&str; 10] = [
    "#0072b2", "#e69f00", "#009e73", "#d55e00", "#56b4e9", "#cc79a7", "#f0e442", "#787878",
    "#8c564b", "#17becf",
];

/// Dark text and axes.
pub(crate) const INK: &str = "#222222";
/// Grid lines.
pub(crate) const GRID: &str = "#dddddd";

/// The estimated advance of one character, in ems.
fn char_em(c: char) -> f64 {
    use unicode_width::UnicodeWidthChar;
    if c.width() == Some(2) {
        return 1.0; // CJK ideographs, kana, full-width punctuation (，（）％)
    }
    match c {
        ' ' => 0.25,
        '.' | ',' | ':' | ';' | '\'' | '!' | '|' | 'i' | 'j' | 'l' | 'I' => 0.3,
        '(' | ')' | '[' | ']' | '-' | 'f' | 'r' | 't' => 0.38,
        '0'..='9' => 0.56,
        '%' => 0.9,
        'm' | 'w' | 'M' | 'W' => 0.85,
        'A'..='Z' => 0.66,
        _ if c.is_ascii() => 0.55,
        _ => 0.6,
    }
}

/// Estimated width in pixels of `s` set at `size` pixels: CJK and full-width characters one
/// em, digits and Latin letters about half an em (a little generous, so that a label laid out
/// by this estimate does not run into its neighbour in the usual CJK sans faces).
pub(crate) fn text_width(s: &str, size: f64) -> f64 {
    s.chars().map(char_em).sum::<f64>() * size
}

/// The largest font size up to `size` at which `s` fits into `width` pixels.
pub(crate) fn fit_size(s: &str, size: f64, width: f64) -> f64 {
    let w = text_width(s, size);
    if w <= width || w <= 0.0 {
        size
    } else {
        (size * width / w).floor().max(8.0)
    }
}

/// Escape text for XML content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' => {}
            c => o.push(c),
        }
    }
    o
}

/// A coordinate as written: one decimal, no trailing ".0", no "-0".
pub(crate) fn n(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r == 0.0 || !r.is_finite() {
        "0".into()
    } else if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.1}")
    }
}

/// Horizontal anchor of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    fn attr(self) -> &'static str {
        match self {
            Anchor::Start => "",
            Anchor::Middle => " text-anchor=\"middle\"",
            Anchor::End => " text-anchor=\"end\"",
        }
    }
}

/// How a text is drawn: size in pixels, anchor, colour, rotation (degrees, about the anchor
/// point) and an optional white halo (for names over a map).
#[derive(Debug, Clone, Copy)]
pub(crate) struct TextStyle<'a> {
    pub size: f64,
    pub anchor: Anchor,
    pub fill: &'a str,
    pub rotate: f64,
    pub halo: bool,
}

impl TextStyle<'static> {
    /// Dark text of `size` pixels, anchored at its start.
    pub(crate) fn new(size: f64) -> TextStyle<'static> {
        TextStyle {
            size,
            anchor: Anchor::Start,
            fill: INK,
            rotate: 0.0,
            halo: false,
        }
    }
}

impl<'a> TextStyle<'a> {
    pub(crate) fn anchor(self, anchor: Anchor) -> Self {
        TextStyle { anchor, ..self }
    }
    pub(crate) fn fill(self, fill: &'a str) -> TextStyle<'a> {
        TextStyle { fill, ..self }
    }
    pub(crate) fn rotate(self, rotate: f64) -> Self {
        TextStyle { rotate, ..self }
    }
    pub(crate) fn halo(self) -> Self {
        TextStyle { halo: true, ..self }
    }
}

/// An SVG document being written.
pub(crate) struct Svg {
    width: u32,
    height: u32,
    family: String,
    body: String,
}

impl Svg {
    /// A `width` × `height` pixel picture on a white ground; text in the `family` list.
    pub(crate) fn new(width: u32, height: u32, family: &str) -> Svg {
        let mut s = Svg {
            width,
            height,
            family: family.to_string(),
            body: String::new(),
        };
        s.rect(0.0, 0.0, width as f64, height as f64, "#ffffff", None);
        s
    }

    /// A rectangle; `stroke` is (colour, width).
    pub(crate) fn rect(
        &mut self,
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        fill: &str,
        stroke: Option<(&str, f64)>,
    ) {
        let _ = write!(
            self.body,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\"",
            n(x),
            n(y),
            n(w.max(0.0)),
            n(h.max(0.0))
        );
        if let Some((c, sw)) = stroke {
            let _ = write!(self.body, " stroke=\"{c}\" stroke-width=\"{}\"", n(sw));
        }
        self.body.push_str("/>\n");
    }

    /// A straight line.
    pub(crate) fn line(
        &mut self,
        (x1, y1): (f64, f64),
        (x2, y2): (f64, f64),
        stroke: &str,
        width: f64,
    ) {
        let _ = writeln!(
            self.body,
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{stroke}\" stroke-width=\"{}\"/>",
            n(x1),
            n(y1),
            n(x2),
            n(y2),
            n(width)
        );
    }

    /// An open polyline.
    pub(crate) fn polyline(&mut self, pts: &[(f64, f64)], stroke: &str, width: f64) {
        let _ = writeln!(
            self.body,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"{}\" stroke-linejoin=\"round\" stroke-linecap=\"round\"/>",
            points(pts),
            n(width)
        );
    }

    /// A closed polygon; `fill` may carry an opacity (`"#hex"`, opacity); `stroke` is (colour,
    /// width).
    pub(crate) fn polygon(
        &mut self,
        pts: &[(f64, f64)],
        fill: Option<(&str, f64)>,
        stroke: Option<(&str, f64)>,
    ) {
        let _ = write!(self.body, "<polygon points=\"{}\"", points(pts));
        paint(&mut self.body, fill, stroke);
        self.body.push_str("/>\n");
    }

    /// A shape of several rings filled even-odd (a polygon with holes).
    pub(crate) fn rings(
        &mut self,
        rings: &[Vec<(f64, f64)>],
        fill: Option<(&str, f64)>,
        stroke: Option<(&str, f64)>,
    ) {
        let mut d = String::new();
        for r in rings {
            for (i, (x, y)) in r.iter().enumerate() {
                let _ = write!(d, "{}{} {}", if i == 0 { "M" } else { "L" }, n(*x), n(*y));
            }
            d.push('Z');
        }
        let _ = write!(self.body, "<path d=\"{d}\" fill-rule=\"evenodd\"");
        paint(&mut self.body, fill, stroke);
        self.body.push_str("/>\n");
    }

    /// Open a group carrying a `data-NAME` attribute (the map marks each parcel's shapes
    /// with its id, so that a page can find them); close it with [`Svg::end_group`].
    pub(crate) fn begin_group(&mut self, name: &str, value: &str) {
        let _ = writeln!(self.body, "<g data-{name}=\"{}\">", esc(value));
    }

    /// Open a group carrying a `data-NAME` attribute that takes no pointer events (a layer
    /// drawn over the parcels leaves them to the page's pointer); close it with
    /// [`Svg::end_group`].
    pub(crate) fn begin_overlay(&mut self, name: &str, value: &str) {
        let _ = writeln!(
            self.body,
            "<g data-{name}=\"{}\" pointer-events=\"none\">",
            esc(value)
        );
    }

    /// Define a hatching `id` (diagonal lines of `color` over a faint wash of it), for a fill
    /// of `url(#id)`: what it covers shows through between the lines.
    pub(crate) fn hatch(&mut self, id: &str, color: &str) {
        let _ = writeln!(
            self.body,
            "<defs><pattern id=\"{id}\" patternUnits=\"userSpaceOnUse\" width=\"9\" height=\"9\" patternTransform=\"rotate(45)\"><rect width=\"9\" height=\"9\" fill=\"{color}\" fill-opacity=\"0.15\"/><rect width=\"3\" height=\"9\" fill=\"{color}\"/></pattern></defs>"
        );
    }

    /// Close the group [`Svg::begin_group`] opened.
    pub(crate) fn end_group(&mut self) {
        self.body.push_str("</g>\n");
    }

    /// A filled circle.
    pub(crate) fn circle(&mut self, cx: f64, cy: f64, r: f64, fill: &str) {
        let _ = writeln!(
            self.body,
            "<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{fill}\" stroke=\"#ffffff\" stroke-width=\"1.5\"/>",
            n(cx),
            n(cy),
            n(r)
        );
    }

    /// A text whose baseline starts (or is centred, or ends) at `(x, y)`.
    pub(crate) fn text(&mut self, x: f64, y: f64, style: TextStyle, s: &str) {
        let _ = write!(
            self.body,
            "<text x=\"{}\" y=\"{}\" font-size=\"{}\"{}",
            n(x),
            n(y),
            n(style.size),
            style.anchor.attr()
        );
        if style.fill != INK {
            let _ = write!(self.body, " fill=\"{}\"", style.fill);
        }
        if style.rotate != 0.0 {
            let _ = write!(
                self.body,
                " transform=\"rotate({} {} {})\"",
                n(style.rotate),
                n(x),
                n(y)
            );
        }
        if style.halo {
            self.body.push_str(
                " stroke=\"#ffffff\" stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\"",
            );
        }
        let _ = writeln!(self.body, ">{}</text>", esc(s));
    }

    /// A text vertically centred on `y` (the baseline set a third of an em below the centre,
    /// where CJK glyphs sit in the usual faces).
    pub(crate) fn text_mid(&mut self, x: f64, y: f64, style: TextStyle, s: &str) {
        self.text(x, y + style.size * 0.35, style, s);
    }

    /// The SVG document.
    pub(crate) fn finish(self) -> String {
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"{f}\" fill=\"{INK}\">\n{b}</svg>\n",
            w = self.width,
            h = self.height,
            f = self.family.replace('&', "&amp;").replace('<', "&lt;").replace('"', "&quot;"),
            b = self.body
        )
    }
}

fn points(pts: &[(f64, f64)]) -> String {
    let mut s = String::new();
    for (i, (x, y)) in pts.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        let _ = write!(s, "{},{}", n(*x), n(*y));
    }
    s
}

fn paint(out: &mut String, fill: Option<(&str, f64)>, stroke: Option<(&str, f64)>) {
    match fill {
        Some((c, o)) => {
            let _ = write!(out, " fill=\"{c}\"");
            if o < 1.0 {
                let _ = write!(out, " fill-opacity=\"{o}\"");
            }
        }
        None => out.push_str(" fill=\"none\""),
    }
    if let Some((c, w)) = stroke {
        let _ = write!(
            out,
            " stroke=\"{c}\" stroke-width=\"{}\" stroke-linejoin=\"round\"",
            n(w)
        );
    }
}

/// A "nice" step (1, 2 or 5 × 10^k) for about `count` intervals up to `max`.
pub(crate) fn nice_step(max: f64, count: f64) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let raw = max / count;
    let base = 10f64.powf(raw.log10().floor());
    let m = raw / base;
    let step = if m <= 1.0 {
        1.0
    } else if m <= 2.0 {
        2.0
    } else if m <= 5.0 {
        5.0
    } else {
        10.0
    };
    step * base
}

/// A tick value as written: no decimals for whole numbers, else as few as the step needs.
pub(crate) fn tick_label(v: f64, step: f64) -> String {
    let dp = if step >= 1.0 {
        0
    } else {
        (-step.log10().floor()) as usize
    };
    format!("{v:.dp$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_are_estimated_by_character_class() {
        // CJK full width, digits about half an em.
        assert_eq!(text_width("城关镇", 10.0), 30.0);
        assert_eq!(text_width("公顷，占比", 14.0), 70.0);
        let digits = text_width("2025", 10.0);
        assert!((20.0..24.0).contains(&digits), "{digits}");
        // A mixed label is wider than its CJK part and narrower than all-CJK of its length.
        let mixed = text_width("24.15公顷", 14.0);
        assert!(mixed > 28.0 && mixed < 7.0 * 14.0, "{mixed}");
    }

    #[test]
    fn text_is_escaped_and_stays_text() {
        let mut s = Svg::new(100, 50, FAMILY);
        s.text(1.0, 2.0, TextStyle::new(12.0), "A&B<城关镇>");
        let out = s.finish();
        assert!(out.contains(">A&amp;B&lt;城关镇&gt;</text>"), "{out}");
        assert!(out.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"100\""));
        assert!(out.contains("font-family=\"'Noto Sans CJK SC', "), "{out}");
    }

    #[test]
    fn long_titles_shrink_to_fit() {
        assert_eq!(fit_size("示例县", 24.0, 500.0), 24.0);
        let s = fit_size(&"地".repeat(40), 24.0, 800.0);
        assert!(s <= 20.0 && text_width(&"地".repeat(40), s) <= 800.0);
    }

    #[test]
    fn steps_are_round_and_ticks_short() {
        assert_eq!(nice_step(70.0, 7.0), 10.0);
        assert_eq!(nice_step(600.0, 6.0), 100.0);
        assert_eq!(nice_step(13.0, 6.0), 5.0);
        assert_eq!(tick_label(20.0, 10.0), "20");
        assert_eq!(tick_label(0.5, 0.5), "0.5");
        assert_eq!(n(-0.04), "0");
        assert_eq!(n(12.25), "12.3");
    }
}
