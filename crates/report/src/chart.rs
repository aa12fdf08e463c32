//! Charts (SVG and PNG) with Chinese labels, drawn with plotters.
//!
//! - [`ChartKind::Structure`]: share by class (horizontal bars with 公顷 and 占比);
//! - [`ChartKind::Layout`]: township × class stacked bars;
//! - [`ChartKind::Timing`]: planned cumulative share by quarter against the completion
//!   checkpoints in `data/templates/timing_checkpoints.toml`.
//!
//! Text is laid out with a CJK font loaded at run time from the usual system paths (or the
//! file named by `LANDPLAN_CJK_FONT`); without one the chart fails with a Chinese message
//! saying which package to install. SVG text names CJK font families so viewers pick a local
//! CJK face.

use crate::plan_doc::{plan_subject, quarter_label, year_text};
use crate::ReportError;
use landplan_core::compile::{
    ClassLine, CompiledPlan, PlanKind, PlanParts, SupplyParts, TownshipLine,
};
use plotters::coord::Shift;
use plotters::prelude::*;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::sync::OnceLock;

/// Which chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChartKind {
    /// 结构: share by class.
    Structure,
    /// 布局: township × class stacked bars.
    Layout,
    /// 时序: planned cumulative share by quarter, with checkpoints (supply plans).
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

/// The image format of a chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageFormat {
    /// SVG (text as text).
    Svg,
    /// PNG (text rasterised with the CJK font).
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

/// The font family written into SVG text: CJK faces first, then the generic family.
pub(crate) const FAMILY: &str =
    "Noto Sans CJK SC, WenQuanYi Micro Hei, Microsoft YaHei, PingFang SC, SimHei, sans-serif";

/// Where CJK fonts usually are (Debian/Ubuntu, Fedora, macOS, Windows).
const FONT_PATHS: &[&str] = &[
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Light.ttc",
    "C:\\Windows\\Fonts\\msyh.ttc",
    "C:\\Windows\\Fonts\\simhei.ttf",
];

/// Load and register a CJK font once. Returns the path used.
pub fn cjk_font() -> Result<&'static str, ReportError> {
    static FONT: OnceLock<Result<String, String>> = OnceLock::new();
    let r = FONT.get_or_init(|| {
        let mut candidates: Vec<String> = Vec::new();
        if let Some(p) = std::env::var_os("LANDPLAN_CJK_FONT") {
            candidates.push(p.to_string_lossy().to_string());
        }
        candidates.extend(FONT_PATHS.iter().map(|s| s.to_string()));
        for path in &candidates {
            if let Ok(bytes) = std::fs::read(path) {
                let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
                if plotters::style::register_font(FAMILY, FontStyle::Normal, bytes).is_ok() {
                    return Ok(path.clone());
                }
            }
        }
        Err(candidates.join("、"))
    });
    match r {
        Ok(p) => Ok(p.as_str()),
        Err(searched) => Err(ReportError::NoCjkFont {
            searched: searched.clone(),
        }),
    }
}

#[derive(serde::Deserialize)]
struct CheckpointFile {
    checkpoint: Vec<Checkpoint>,
}

/// A completion checkpoint on the timing chart.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Checkpoint {
    /// The quarter by whose end the share is due (1–4).
    pub quarter: u8,
    /// The cumulative share due, in percent.
    pub percent: f64,
    /// The label drawn beside the point.
    pub label: String,
}

/// The completion checkpoints shipped in `data/templates/timing_checkpoints.toml`.
pub fn checkpoints() -> Vec<Checkpoint> {
    toml::from_str::<CheckpointFile>(include_str!(
        "../../../data/templates/timing_checkpoints.toml"
    ))
    .map(|f| f.checkpoint)
    .unwrap_or_default()
}

/// A palette that stays apart in print and for colour-blind readers (Okabe–Ito, extended).
pub(crate) const PALETTE: [RGBColor; 10] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(213, 94, 0),
    RGBColor(86, 180, 233),
    RGBColor(204, 121, 167),
    RGBColor(240, 228, 66),
    RGBColor(120, 120, 120),
    RGBColor(140, 86, 75),
    RGBColor(23, 190, 207),
];

fn f(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

struct View<'a> {
    title: String,
    structure: &'a [ClassLine],
    layout: &'a [TownshipLine],
    dp: u32,
}

fn view(p: &CompiledPlan) -> View<'_> {
    View {
        title: format!(
            "{}{}年度{}",
            p.region,
            year_text(p.year),
            plan_subject(p.kind())
        ),
        structure: &p.structure,
        layout: &p.layout,
        dp: p.display_dp,
    }
}

/// Chart size in pixels.
pub fn chart_size(plan: &CompiledPlan, chart: ChartKind) -> (u32, u32) {
    let v = view(plan);
    match chart {
        ChartKind::Structure => (900, 160 + 48 * v.structure.len().max(1) as u32),
        ChartKind::Layout => ((300 + 70 * v.layout.len().max(1) as u32).max(900), 620),
        ChartKind::Timing => (900, 560),
    }
}

fn err<E: std::fmt::Display>(e: E) -> ReportError {
    ReportError::Chart(e.to_string())
}

/// Draw a chart of a compiled plan as SVG or PNG bytes.
pub fn render_chart(
    plan: &CompiledPlan,
    chart: ChartKind,
    image: ImageFormat,
) -> Result<Vec<u8>, ReportError> {
    cjk_font()?;
    if chart == ChartKind::Timing && plan.kind() == PlanKind::Reserve {
        return Err(ReportError::NotApplicable(
            "储备计划没有供应时序，无法绘制时序图；请选择结构图（structure）或布局图（layout）"
                .into(),
        ));
    }
    let size = chart_size(plan, chart);
    render_picture(&ChartPicture(plan, chart), image, size)
}

/// Something drawn on any plotters backend: a chart or a map.
pub(crate) trait Picture {
    /// Draw on `root`.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ReportError>
    where
        DB::ErrorType: 'static;
}

struct ChartPicture<'a>(&'a CompiledPlan, ChartKind);

impl Picture for ChartPicture<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ReportError>
    where
        DB::ErrorType: 'static,
    {
        draw(root, self.0, self.1)
    }
}

/// A picture of `size` pixels as SVG text or PNG bytes (RGB, 8 bits).
pub(crate) fn render_picture(
    picture: &impl Picture,
    image: ImageFormat,
    size: (u32, u32),
) -> Result<Vec<u8>, ReportError> {
    match image {
        ImageFormat::Svg => {
            let mut s = String::new();
            {
                let root = SVGBackend::with_string(&mut s, size).into_drawing_area();
                picture.draw(&root)?;
                root.present().map_err(err)?;
            }
            Ok(s.into_bytes())
        }
        ImageFormat::Png => {
            let mut buf = vec![0u8; (size.0 * size.1 * 3) as usize];
            {
                let root = BitMapBackend::with_buffer(&mut buf, size).into_drawing_area();
                picture.draw(&root)?;
                root.present().map_err(err)?;
            }
            let mut out = Vec::new();
            {
                let mut enc = png::Encoder::new(&mut out, size.0, size.1);
                enc.set_color(png::ColorType::Rgb);
                enc.set_depth(png::BitDepth::Eight);
                let mut w = enc.write_header().map_err(err)?;
                w.write_image_data(&buf).map_err(err)?;
            }
            Ok(out)
        }
    }
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    plan: &CompiledPlan,
    chart: ChartKind,
) -> Result<(), ReportError>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(err)?;
    let v = view(plan);
    match chart {
        ChartKind::Structure => structure(root, &v),
        ChartKind::Layout => layout(root, &v),
        ChartKind::Timing => match &plan.parts {
            PlanParts::Supply(s) => timing(root, &v, s),
            PlanParts::Reserve(_) => Ok(()),
        },
    }
}

fn font(size: f64) -> TextStyle<'static> {
    (FAMILY, size).into_font().into()
}

fn structure<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, v: &View) -> Result<(), ReportError>
where
    DB::ErrorType: 'static,
{
    let n = v.structure.len().max(1);
    let max = v
        .structure
        .iter()
        .map(|c| f(c.share.raw))
        .fold(0.0, f64::max)
        .max(1.0);
    let mut ch = ChartBuilder::on(root)
        .caption(format!("{}结构：各用地类型面积与占比", v.title), font(24.0))
        .margin(20)
        .x_label_area_size(40)
        .y_label_area_size(200)
        .build_cartesian_2d(0.0..(max * 1.3), (0..n - 1).into_segmented())
        .map_err(err)?;
    let names: Vec<String> = v.structure.iter().map(|c| c.name.clone()).collect();
    ch.configure_mesh()
        .disable_y_mesh()
        .x_desc("占比（%）")
        .label_style(font(15.0))
        .axis_desc_style(font(15.0))
        .y_label_formatter(&|seg| match seg {
            SegmentValue::CenterOf(i) => names.get(*i).cloned().unwrap_or_default(),
            _ => String::new(),
        })
        .y_labels(n)
        .draw()
        .map_err(err)?;
    for (i, c) in v.structure.iter().enumerate() {
        let share = f(c.share.raw);
        let color = PALETTE[i % PALETTE.len()];
        let mut bar = Rectangle::new(
            [
                (0.0, SegmentValue::Exact(i)),
                (share, SegmentValue::Exact(i + 1)),
            ],
            color.filled(),
        );
        bar.set_margin(6, 6, 0, 0);
        ch.draw_series(std::iter::once(bar)).map_err(err)?;
        ch.draw_series(std::iter::once(Text::new(
            format!(
                "{}公顷，{}%",
                landplan_core::units::fmt_dp(c.area.ha(), v.dp),
                landplan_core::units::fmt_dp(c.share.display, 2)
            ),
            (share + max * 0.01, SegmentValue::CenterOf(i)),
            font(14.0),
        )))
        .map_err(err)?;
    }
    Ok(())
}

fn layout<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, v: &View) -> Result<(), ReportError>
where
    DB::ErrorType: 'static,
{
    let n = v.layout.len().max(1);
    let max = v
        .layout
        .iter()
        .map(|t| f(t.area.ha()))
        .fold(0.0, f64::max)
        .max(1.0);
    let mut ch = ChartBuilder::on(root)
        .caption(format!("{}布局：各乡镇分用地类型面积", v.title), font(24.0))
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d((0..n - 1).into_segmented(), 0.0..(max * 1.15))
        .map_err(err)?;
    let names: Vec<String> = v.layout.iter().map(|t| t.name.clone()).collect();
    ch.configure_mesh()
        .disable_x_mesh()
        .y_desc("面积（公顷）")
        .label_style(font(14.0))
        .axis_desc_style(font(15.0))
        .x_label_formatter(&|seg| match seg {
            SegmentValue::CenterOf(i) => names.get(*i).cloned().unwrap_or_default(),
            _ => String::new(),
        })
        .x_labels(n)
        .draw()
        .map_err(err)?;
    for (k, c) in v.structure.iter().enumerate() {
        let color = PALETTE[k % PALETTE.len()];
        let bars: Vec<Rectangle<(SegmentValue<usize>, f64)>> = v
            .layout
            .iter()
            .enumerate()
            .filter_map(|(i, t)| {
                let below: f64 = v.structure[..k]
                    .iter()
                    .map(|cc| f(t.class_area(&cc.code).ha()))
                    .sum();
                let a = f(t.class_area(&c.code).ha());
                (a > 0.0).then(|| {
                    let mut bar = Rectangle::new(
                        [
                            (SegmentValue::Exact(i), below),
                            (SegmentValue::Exact(i + 1), below + a),
                        ],
                        color.filled(),
                    );
                    bar.set_margin(0, 0, 10, 10);
                    bar
                })
            })
            .collect();
        ch.draw_series(bars)
            .map_err(err)?
            .label(c.name.clone())
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], color.filled()));
    }
    ch.configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(font(14.0))
        .draw()
        .map_err(err)?;
    Ok(())
}

fn timing<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    v: &View,
    p: &SupplyParts,
) -> Result<(), ReportError>
where
    DB::ErrorType: 'static,
{
    let mut ch = ChartBuilder::on(root)
        .caption(format!("{}时序：计划累计供应占比", v.title), font(24.0))
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..4.2f64, 0.0..110.0f64)
        .map_err(err)?;
    ch.configure_mesh()
        .y_desc("累计占比（%）")
        .label_style(font(14.0))
        .axis_desc_style(font(15.0))
        .x_labels(5)
        .x_label_formatter(&|x| {
            let q = x.round() as u8;
            if q == 0 {
                "年初".to_string()
            } else {
                format!("{}末", quarter_label(q))
            }
        })
        .draw()
        .map_err(err)?;
    let mut pts = vec![(0.0, 0.0)];
    pts.extend(
        p.timing
            .iter()
            .map(|q| (q.quarter as f64, f(q.cumulative_share.raw))),
    );
    let blue = PALETTE[0];
    ch.draw_series(LineSeries::new(pts.clone(), blue.stroke_width(3)))
        .map_err(err)?
        .label("计划累计供应")
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], blue.stroke_width(3)));
    ch.draw_series(pts.iter().skip(1).map(|&(x, y)| {
        EmptyElement::at((x, y))
            + Circle::new((0, 0), 5, blue.filled())
            + Text::new(format!("{y:.2}%"), (-20, -24), font(14.0))
    }))
    .map_err(err)?;
    let orange = PALETTE[3];
    let cps = checkpoints();
    ch.draw_series(cps.iter().map(|c| {
        EmptyElement::at((c.quarter as f64, c.percent))
            + TriangleMarker::new((0, 0), 8, orange.filled())
            + Text::new(c.label.clone(), (8, 6), font(13.0).color(&orange))
    }))
    .map_err(err)?
    .label("完成率节点")
    .legend(move |(x, y)| TriangleMarker::new((x + 10, y), 6, orange.filled()));
    ch.configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(font(14.0))
        .draw()
        .map_err(err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoints_come_from_the_data_file() {
        let c = checkpoints();
        assert_eq!(c.len(), 3);
        assert_eq!((c[0].quarter, c[0].percent), (2, 50.0));
        assert_eq!((c[2].quarter, c[2].percent), (4, 100.0));
    }

    #[test]
    fn kinds_parse() {
        assert_eq!(ChartKind::parse("布局"), Some(ChartKind::Layout));
        assert_eq!(ImageFormat::parse("PNG"), Some(ImageFormat::Png));
        assert_eq!(ChartKind::parse("pie"), None);
    }
}
