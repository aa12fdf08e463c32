//! Charts of a compiled plan, written as SVG (no font needed) and rasterised to PNG on demand.
//!
//! - [`ChartKind::Structure`]: share by class (horizontal bars with 公顷 and 占比);
//! - [`ChartKind::Layout`]: township × class stacked bars;
//! - [`ChartKind::Timing`]: the plan's cumulative share by quarter, and the plan's own
//!   completion checkpoints when it has any ([`Checkpoint`], `--checkpoint MM-DD=PCT`).
//!
//! The SVG is written directly (module `svg`): text stays text, in a CJK-first font family
//! list, and the layout estimates label widths from character classes, so no font is loaded to
//! make an SVG. A PNG is that SVG drawn by resvg with a CJK face from the system's font
//! database or a named file ([`crate::fonts`]).

use crate::fonts::{svg_family, FontSet};
use crate::plan_doc::{pct, plan_subject, quarter_label, year_text};
use crate::svg::{
    fit_size, nice_step, text_width, tick_label, Anchor, Svg, TextStyle, GRID, INK, PALETTE,
};
use crate::ReportError;
use landplan_core::compile::{
    ClassLine, CompiledPlan, PlanKind, PlanParts, SupplyParts, TownshipLine,
};
use landplan_core::units::fmt_dp;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::path::PathBuf;

/// Which chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChartKind {
    /// 结构: share by class.
    Structure,
    /// 布局: township × class stacked bars.
    Layout,
    /// 时序: planned cumulative share by quarter, with the plan's checkpoints (supply plans).
    Timing,
}

impl ChartKind {
    /// Parse `structure` / `layout` / `timing` (or 结构 / 布局 / 时序).
    pub fn parse(s: &str) -> Option<ChartKind> {
        match s.trim() {
            "structure" | "结构" => Some(ChartKind::Structure),
            "layout" | "布局" => Some(ChartKind::Layout),
            "timing" | "时序" => Some(ChartKind::Timing),
            _ => None,
        }
    }

    /// Stable id.
    pub fn id(self) -> &'static str {
        match self {
            ChartKind::Structure => "structure",
            ChartKind::Layout => "layout",
            ChartKind::Timing => "timing",
        }
    }
}

/// The image format of a chart or map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageFormat {
    /// SVG (text as text; no font needed).
    Svg,
    /// PNG (text drawn with a CJK face of the system's fonts or a named font file).
    Png,
}

impl ImageFormat {
    /// Parse `svg` / `png`.
    pub fn parse(s: &str) -> Option<ImageFormat> {
        match s.trim().to_ascii_lowercase().as_str() {
            "svg" => Some(ImageFormat::Svg),
            "png" => Some(ImageFormat::Png),
            _ => None,
        }
    }

    /// File extension.
    pub fn extension(self) -> &'static str {
        match self {
            ImageFormat::Svg => "svg",
            ImageFormat::Png => "png",
        }
    }
}

/// How a picture is written: its format and the font files named by the user (`--font`).
///
/// An SVG names the files' families first in its font list (and reads only those files); a PNG
/// is drawn with the first of them that has CJK glyphs, else with an installed CJK face.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageOptions {
    /// SVG or PNG.
    pub format: ImageFormat,
    /// Font files to use besides (and before) the system's fonts.
    pub fonts: Vec<PathBuf>,
    /// How the figures on a chart are rounded (`--precision`), as in the plan's documents.
    pub precision: landplan_core::view::Precision,
}

impl From<ImageFormat> for ImageOptions {
    fn from(format: ImageFormat) -> ImageOptions {
        ImageOptions {
            format,
            fonts: Vec::new(),
            precision: Default::default(),
        }
    }
}

impl From<&ImageOptions> for ImageOptions {
    fn from(o: &ImageOptions) -> ImageOptions {
        o.clone()
    }
}

/// A completion checkpoint of a plan (`06-30=50`: by the end of June, 50 % of the year's plan
/// supplied): the one type of the monitoring engine, parsed by `Checkpoint::parse` there, so that
/// `render`, `compile` and `monitor` read `--checkpoint` alike. Charts show a plan's checkpoints
/// only when they are given; none is built in.
pub use landplan_core::monitor::Checkpoint;

/// Days in a month, February counted with its 29th (a checkpoint names no year).
fn month_days(month: u8) -> u8 {
    landplan_core::date::days_in_month(2024, month)
}

/// The label drawn beside a checkpoint: "6月底50%", "6月15日50%", "年底100%".
pub fn checkpoint_label(c: &Checkpoint) -> String {
    let when = match (c.month, c.day) {
        (12, 31) => "年底".to_string(),
        (m, d) if d == month_days(m) || (m == 2 && d == 28) => format!("{m}月底"),
        (m, d) => format!("{m}月{d}日"),
    };
    format!("{when}{}%", c.pct.normalize())
}

/// Where a checkpoint falls, in quarters from the start of the year (end of June = 2.0).
fn checkpoint_position(c: &Checkpoint) -> f64 {
    let month = c.month.clamp(1, 12);
    let within = f64::from(c.day) / f64::from(month_days(month).max(1));
    (f64::from(month) - 1.0 + within.min(1.0)) / 3.0
}

fn f(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

struct View<'a> {
    title: String,
    structure: &'a [ClassLine],
    layout: &'a [TownshipLine],
    dp: u32,
}

fn view(p: &CompiledPlan, pr: landplan_core::view::Precision) -> View<'_> {
    View {
        title: format!(
            "{}{}年度{}",
            p.region,
            year_text(p.year),
            plan_subject(p.kind())
        ),
        structure: &p.structure,
        layout: &p.layout,
        dp: pr.area_dp,
    }
}

/// Outer margin in pixels.
const MARGIN: f64 = 20.0;
/// Legend text size.
const LEGEND_TEXT: f64 = 14.0;

/// Width of the layout chart's legend column.
fn legend_width(v: &View) -> f64 {
    v.structure
        .iter()
        .map(|c| text_width(&c.name, LEGEND_TEXT))
        .fold(0.0, f64::max)
        + 48.0
}

/// Chart size in pixels.
pub fn chart_size(plan: &CompiledPlan, chart: ChartKind) -> (u32, u32) {
    let v = view(plan, Default::default());
    match chart {
        ChartKind::Structure => (900, 160 + 48 * v.structure.len().max(1) as u32),
        ChartKind::Layout => {
            let n = v.layout.len().max(1) as f64;
            let w = (130.0 + 70.0 * n + legend_width(&v) + 20.0).max(900.0);
            (w.ceil() as u32, 620)
        }
        ChartKind::Timing => (900, 560),
    }
}

/// Draw a chart of a compiled plan as SVG or PNG bytes. `checkpoints` are the plan's own
/// completion checkpoints, drawn on the timing chart (none: the plan's curve alone).
pub fn render_chart(
    plan: &CompiledPlan,
    chart: ChartKind,
    checkpoints: &[Checkpoint],
    image: impl Into<ImageOptions>,
) -> Result<Vec<u8>, ReportError> {
    let image = image.into();
    if chart == ChartKind::Timing && plan.kind() == PlanKind::Reserve {
        return Err(ReportError::NotApplicable(
            "储备计划没有供应时序，无法绘制时序图；请选择结构图（structure）或布局图（layout）"
                .into(),
        ));
    }
    let family = svg_family(&image.fonts)?;
    let svg = chart_svg(plan, chart, checkpoints, &family, image.precision);
    picture_bytes(svg, &image)
}

/// SVG text as bytes, or rasterised to PNG with the system's fonts and the named files.
pub(crate) fn picture_bytes(svg: String, image: &ImageOptions) -> Result<Vec<u8>, ReportError> {
    match image.format {
        ImageFormat::Svg => Ok(svg.into_bytes()),
        ImageFormat::Png => FontSet::load(&image.fonts)?.png(&svg),
    }
}

/// The chart as SVG text, its text in the `family` list.
pub(crate) fn chart_svg(
    plan: &CompiledPlan,
    chart: ChartKind,
    checkpoints: &[Checkpoint],
    family: &str,
    precision: landplan_core::view::Precision,
) -> String {
    let (w, h) = chart_size(plan, chart);
    let mut s = Svg::new(w, h, family);
    let v = view(plan, precision);
    match chart {
        ChartKind::Structure => structure(&mut s, (w, h), &v),
        ChartKind::Layout => layout(&mut s, (w, h), &v),
        ChartKind::Timing => {
            if let PlanParts::Supply(p) = &plan.parts {
                timing(&mut s, (w, h), &v, p, checkpoints);
            }
        }
    }
    s.finish()
}

/// The caption, centred at the top, shrunk to fit the width.
fn caption(s: &mut Svg, w: u32, text: &str) {
    let w = f64::from(w);
    let size = fit_size(text, 24.0, w - 2.0 * MARGIN);
    s.text(
        w / 2.0,
        42.0,
        TextStyle::new(size).anchor(Anchor::Middle),
        text,
    );
}

fn structure(s: &mut Svg, (w, h): (u32, u32), v: &View) {
    caption(s, w, &format!("{}结构：各用地类型面积与占比", v.title));
    let (w, h) = (f64::from(w), f64::from(h));
    let n = v.structure.len().max(1);
    let name_w = v
        .structure
        .iter()
        .map(|c| text_width(&c.name, 15.0))
        .fold(0.0, f64::max);
    let left = MARGIN + (name_w + 16.0).max(60.0);
    let right = w - MARGIN;
    let (top, bottom) = (70.0, h - 64.0);
    let plot_w = right - left;
    let labels: Vec<String> = v
        .structure
        .iter()
        .map(|c| format!("{}公顷，{}%", fmt_dp(c.area.ha(), v.dp), pct(&c.share)))
        .collect();
    // Pixels per per cent: the longest bar and every label fit into the plot (the whole
    // width up to 100 % when there is no bar).
    let mut k = f64::INFINITY;
    for (c, l) in v.structure.iter().zip(&labels) {
        let share = f(c.share.raw);
        if share > 0.0 {
            k = k.min((plot_w - 10.0 - text_width(l, 14.0)) / share);
        }
    }
    let k = if k.is_finite() {
        k.max(plot_w / 1000.0)
    } else {
        plot_w / 100.0
    };
    let axis_max = plot_w / k;
    let step = nice_step(axis_max, 7.0);
    let mut t = 0.0;
    while t <= axis_max + 1e-9 {
        let x = left + t * k;
        if t > 0.0 {
            s.line((x, top), (x, bottom), GRID, 1.0);
        }
        s.line((x, bottom), (x, bottom + 5.0), INK, 1.0);
        s.text(
            x,
            bottom + 22.0,
            TextStyle::new(13.0).anchor(Anchor::Middle),
            &tick_label(t, step),
        );
        t += step;
    }
    s.text(
        left + plot_w / 2.0,
        bottom + 48.0,
        TextStyle::new(15.0).anchor(Anchor::Middle),
        "占比（%）",
    );
    let row = (bottom - top) / n as f64;
    let bar_h = (row - 12.0).clamp(4.0, 40.0);
    for (i, (c, label)) in v.structure.iter().zip(&labels).enumerate() {
        let yc = top + row * (i as f64 + 0.5);
        let len = f(c.share.raw).max(0.0) * k;
        s.rect(
            left,
            yc - bar_h / 2.0,
            len,
            bar_h,
            PALETTE[i % PALETTE.len()],
            None,
        );
        s.line((left - 5.0, yc), (left, yc), INK, 1.0);
        s.text_mid(
            left - 9.0,
            yc,
            TextStyle::new(15.0).anchor(Anchor::End),
            &c.name,
        );
        s.text_mid(left + len + 6.0, yc, TextStyle::new(14.0), label);
    }
    s.line((left, top), (left, bottom), INK, 1.0);
    s.line((left, bottom), (right, bottom), INK, 1.0);
}

fn layout(s: &mut Svg, (w, h): (u32, u32), v: &View) {
    caption(s, w, &format!("{}布局：各乡镇分用地类型面积", v.title));
    let (w, h) = (f64::from(w), f64::from(h));
    let n = v.layout.len().max(1);
    let legend_w = legend_width(v);
    let left = MARGIN + 72.0;
    let right = w - MARGIN - legend_w - 16.0;
    let top = 70.0;
    let slot = (right - left) / n as f64;
    let name_w = v
        .layout
        .iter()
        .map(|t| text_width(&t.name, 14.0))
        .fold(0.0, f64::max);
    // Names that do not fit under their bar are turned by 40°.
    let turn = name_w > slot - 6.0;
    let below = if turn {
        (name_w * 40f64.to_radians().sin() + 30.0).min(h * 0.35)
    } else {
        40.0
    };
    let bottom = h - MARGIN - below;
    let max = v.layout.iter().map(|t| f(t.area.ha())).fold(0.0, f64::max);
    let step = nice_step(max * 1.1, 6.0);
    let y_max = ((max * 1.1 / step).ceil() * step).max(step);
    let ky = (bottom - top) / y_max;
    let mut t = 0.0;
    while t <= y_max + 1e-9 {
        let y = bottom - t * ky;
        if t > 0.0 {
            s.line((left, y), (right, y), GRID, 1.0);
        }
        s.line((left - 5.0, y), (left, y), INK, 1.0);
        s.text_mid(
            left - 9.0,
            y,
            TextStyle::new(13.0).anchor(Anchor::End),
            &tick_label(t, step),
        );
        t += step;
    }
    let yc = (top + bottom) / 2.0;
    s.text(
        MARGIN + 12.0,
        yc,
        TextStyle::new(15.0).anchor(Anchor::Middle).rotate(-90.0),
        "面积（公顷）",
    );
    let bar_w = (slot * 0.7).min(64.0);
    for (i, town) in v.layout.iter().enumerate() {
        let cx = left + slot * (i as f64 + 0.5);
        let mut below = 0.0;
        for (k, c) in v.structure.iter().enumerate() {
            let a = f(town.class_area(&c.code).ha());
            if a > 0.0 {
                s.rect(
                    cx - bar_w / 2.0,
                    bottom - (below + a) * ky,
                    bar_w,
                    a * ky,
                    PALETTE[k % PALETTE.len()],
                    None,
                );
                below += a;
            }
        }
        let total = fmt_dp(town.area.ha(), v.dp);
        if text_width(&total, 12.0) <= slot - 4.0 {
            s.text(
                cx,
                bottom - f(town.area.ha()) * ky - 6.0,
                TextStyle::new(12.0).anchor(Anchor::Middle),
                &total,
            );
        }
        s.line((cx, bottom), (cx, bottom + 5.0), INK, 1.0);
        if turn {
            s.text(
                cx + 4.0,
                bottom + 16.0,
                TextStyle::new(14.0).anchor(Anchor::End).rotate(-40.0),
                &town.name,
            );
        } else {
            s.text(
                cx,
                bottom + 22.0,
                TextStyle::new(14.0).anchor(Anchor::Middle),
                &town.name,
            );
        }
    }
    s.line((left, top), (left, bottom), INK, 1.0);
    s.line((left, bottom), (right, bottom), INK, 1.0);
    // Legend: one swatch per class, in structure order.
    let lx = right + 16.0;
    let row = 24.0;
    let lh = 16.0 + row * v.structure.len() as f64;
    s.rect(lx, top, legend_w, lh, "#ffffff", Some(("#888888", 1.0)));
    for (k, c) in v.structure.iter().enumerate() {
        let y = top + 8.0 + row * k as f64;
        s.rect(
            lx + 10.0,
            y + 4.0,
            16.0,
            16.0,
            PALETTE[k % PALETTE.len()],
            None,
        );
        s.text_mid(lx + 34.0, y + 12.0, TextStyle::new(LEGEND_TEXT), &c.name);
    }
}

/// The axes of a cumulative chart by quarter inside `(left, right, top, bottom)` scaled to
/// `(x_max, y_max)`: percent gridlines and labels every 20 up to `y_top`, the quarter ends (年初,
/// 第一季度末 …) along the bottom, and the y-axis title at `title.0`. Shared by the plan's
/// timing chart and the execution report's completion chart.
pub(crate) fn quarter_axes(
    s: &mut Svg,
    (left, right, top, bottom): (f64, f64, f64, f64),
    (x_max, y_max): (f64, f64),
    y_top: u32,
    title: (f64, &str),
) {
    let x = |q: f64| left + q / x_max * (right - left);
    let y = |pct: f64| bottom - pct / y_max * (bottom - top);
    for t in (0..=y_top).step_by(20) {
        let yy = y(f64::from(t));
        if t > 0 {
            s.line((left, yy), (right, yy), GRID, 1.0);
        }
        s.line((left - 5.0, yy), (left, yy), INK, 1.0);
        s.text_mid(
            left - 9.0,
            yy,
            TextStyle::new(13.0).anchor(Anchor::End),
            &t.to_string(),
        );
    }
    for q in 0..=4u8 {
        let xx = x(f64::from(q));
        if q > 0 {
            s.line((xx, top), (xx, bottom), GRID, 1.0);
        }
        s.line((xx, bottom), (xx, bottom + 5.0), INK, 1.0);
        let label = if q == 0 {
            "年初".to_string()
        } else {
            format!("{}末", quarter_label(q))
        };
        s.text(
            xx,
            bottom + 24.0,
            TextStyle::new(14.0).anchor(Anchor::Middle),
            &label,
        );
    }
    s.text(
        title.0,
        (top + bottom) / 2.0,
        TextStyle::new(15.0).anchor(Anchor::Middle).rotate(-90.0),
        title.1,
    );
}

fn timing(s: &mut Svg, (w, h): (u32, u32), v: &View, p: &SupplyParts, checkpoints: &[Checkpoint]) {
    caption(s, w, &format!("{}时序：计划累计供应占比", v.title));
    let (w, h) = (f64::from(w), f64::from(h));
    let (left, right, top, bottom) = (MARGIN + 72.0, w - MARGIN - 20.0, 70.0, h - 70.0);
    const X_MAX: f64 = 4.3;
    const Y_MAX: f64 = 110.0;
    let x = |q: f64| left + q / X_MAX * (right - left);
    let y = |pct: f64| bottom - pct / Y_MAX * (bottom - top);
    quarter_axes(
        s,
        (left, right, top, bottom),
        (X_MAX, Y_MAX),
        100,
        (MARGIN + 12.0, "累计占比（%）"),
    );
    s.line((left, top), (left, bottom), INK, 1.0);
    s.line((left, bottom), (right, bottom), INK, 1.0);
    // The plan's own cumulative curve.
    let blue = PALETTE[0];
    let mut pts = vec![(x(0.0), y(0.0))];
    pts.extend(
        p.timing
            .iter()
            .map(|q| (x(f64::from(q.quarter)), y(f(q.cumulative_share.raw)))),
    );
    s.polyline(&pts, blue, 3.0);
    for q in &p.timing {
        let (px, py) = (x(f64::from(q.quarter)), y(f(q.cumulative_share.raw)));
        s.circle(px, py, 5.5, blue);
        s.text(
            px - 8.0,
            py - 10.0,
            TextStyle::new(14.0).anchor(Anchor::End).halo(),
            &format!("{}%", pct(&q.cumulative_share)),
        );
    }
    // The plan's checkpoints, when it sets any.
    let orange = PALETTE[3];
    for c in checkpoints {
        let (cx, cy) = (x(checkpoint_position(c)), y(f(c.pct)));
        s.polygon(
            &[(cx, cy - 9.0), (cx - 8.0, cy + 6.0), (cx + 8.0, cy + 6.0)],
            Some((orange, 1.0)),
            None,
        );
        let label = checkpoint_label(c);
        let style = TextStyle::new(13.0).fill(orange).halo();
        if cx + 12.0 + text_width(&label, 13.0) <= w - 6.0 {
            s.text(cx + 12.0, cy + 5.0, style, &label);
        } else {
            s.text(cx - 12.0, cy + 20.0, style.anchor(Anchor::End), &label);
        }
    }
    // Legend, lower right (the curve rises from lower left to upper right).
    let mut items: Vec<(&str, bool)> = vec![("计划累计供应", false)];
    if !checkpoints.is_empty() {
        items.push(("完成率节点", true));
    }
    let lw = items
        .iter()
        .map(|(t, _)| text_width(t, LEGEND_TEXT))
        .fold(0.0, f64::max)
        + 60.0;
    let lh = 14.0 + 24.0 * items.len() as f64;
    let (lx, ly) = (right - lw - 12.0, bottom - lh - 12.0);
    s.rect(lx, ly, lw, lh, "#ffffff", Some(("#888888", 1.0)));
    for (i, (label, marker)) in items.iter().enumerate() {
        let yc = ly + 19.0 + 24.0 * i as f64;
        if *marker {
            let cx = lx + 22.0;
            s.polygon(
                &[(cx, yc - 7.0), (cx - 6.0, yc + 5.0), (cx + 6.0, yc + 5.0)],
                Some((orange, 1.0)),
                None,
            );
        } else {
            s.line((lx + 10.0, yc), (lx + 34.0, yc), blue, 3.0);
        }
        s.text_mid(lx + 44.0, yc, TextStyle::new(LEGEND_TEXT), label);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoints_are_labelled_and_placed_as_a_reader_expects() {
        let cp = |s: &str| Checkpoint::parse(s).unwrap();
        assert_eq!(checkpoint_label(&cp("06-30=50")), "6月底50%");
        assert_eq!(checkpoint_position(&cp("06-30=50")), 2.0);
        assert_eq!(checkpoint_label(&cp("9-30=75%")), "9月底75%");
        assert_eq!(checkpoint_label(&cp("12-31=100")), "年底100%");
        assert_eq!(checkpoint_position(&cp("12-31=100")), 4.0);
        assert_eq!(checkpoint_label(&cp("05-15=37.50")), "5月15日37.5%");
        assert_eq!(checkpoint_label(&cp("02-29=10")), "2月底10%");
        assert_eq!(checkpoint_label(&cp("02-28=10")), "2月底10%");
        let mid_may = checkpoint_position(&cp("05-15=37.5"));
        assert!(mid_may > 1.0 && mid_may < 2.0, "{mid_may}");
    }

    #[test]
    fn kinds_parse() {
        assert_eq!(ChartKind::parse("布局"), Some(ChartKind::Layout));
        assert_eq!(ImageFormat::parse("PNG"), Some(ImageFormat::Png));
        assert_eq!(ChartKind::parse("pie"), None);
    }
}
