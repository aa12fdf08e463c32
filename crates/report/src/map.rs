//! Maps (SVG and PNG): parcels coloured by class over township boundaries and control lines,
//! with a legend, a scale bar and a north arrow.
//!
//! Coordinates are planar metres (a Gauss–Krüger projection such as CGCS2000 3° zones, as
//! parcel files carry them; X east, Y north). The caller reads the geometry (landplan-geoio)
//! and hands over plain `geo` multipolygons, so this crate does no geometry IO.

use crate::chart::{cjk_font, render_picture, ImageFormat, Picture, PALETTE};
use crate::ReportError;
use landplan_geo::geo::{BoundingRect, MultiPolygon, Polygon as GeoPolygon};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One feature to draw: a label (parcel id, township name, control line name), an optional
/// class (parcels are coloured by it) and its geometry in planar metres.
#[derive(Debug, Clone)]
pub struct MapFeature {
    /// Label.
    pub label: String,
    /// Class name (parcels), e.g. 工矿仓储用地.
    pub class: Option<String>,
    /// Geometry (planar metres).
    pub geometry: MultiPolygon<f64>,
}

/// What a map shows.
#[derive(Debug, Clone, Default)]
pub struct MapInput {
    /// Title, e.g. 示例县2025年度国有建设用地供应地块分布图.
    pub title: String,
    /// Parcels, coloured by class.
    pub parcels: Vec<MapFeature>,
    /// Township boundaries, outlined and named.
    pub townships: Vec<MapFeature>,
    /// Control lines (永久基本农田, 生态保护红线, 城镇开发边界 …), shaded by their label.
    pub control_lines: Vec<MapFeature>,
}

/// Colour of a control line by its name (farmland yellow, ecology green, development boundary
/// purple, anything else grey).
fn control_color(label: &str) -> RGBColor {
    if label.contains("农田") || label.contains("耕地") {
        RGBColor(235, 200, 60)
    } else if label.contains("生态") {
        RGBColor(60, 170, 90)
    } else if label.contains("开发边界") || label.contains("城镇") {
        RGBColor(150, 90, 200)
    } else {
        RGBColor(150, 150, 150)
    }
}

const WIDTH: u32 = 1000;
const HEIGHT: u32 = 800;
/// Width of the legend panel on the right.
const LEGEND_W: u32 = 230;

fn err<E: std::fmt::Display>(e: E) -> ReportError {
    ReportError::Chart(e.to_string())
}

/// A "nice" scale bar length (1, 2 or 5 × 10^k metres) close to `target` metres.
pub fn nice_length(target: f64) -> f64 {
    if target <= 0.0 || !target.is_finite() {
        return 1.0;
    }
    let k = target.log10().floor();
    let base = 10f64.powf(k);
    let m = target / base;
    let step = if m < 1.5 {
        1.0
    } else if m < 3.5 {
        2.0
    } else if m < 7.5 {
        5.0
    } else {
        10.0
    };
    step * base
}

/// How a length is written on the scale bar (米 below 1 km, 千米 from 1 km).
pub fn length_label(m: f64) -> String {
    if m >= 1000.0 {
        let km = m / 1000.0;
        if km.fract() == 0.0 {
            format!("{km:.0}千米")
        } else {
            format!("{km}千米")
        }
    } else {
        format!("{m:.0}米")
    }
}

/// Draw a map as SVG or PNG bytes.
pub fn render_map(input: &MapInput, image: ImageFormat) -> Result<Vec<u8>, ReportError> {
    cjk_font()?;
    let all = input
        .parcels
        .iter()
        .chain(&input.townships)
        .chain(&input.control_lines);
    let mut bbox: Option<(f64, f64, f64, f64)> = None;
    for f in all {
        if let Some(r) = f.geometry.bounding_rect() {
            let (a, b) = (r.min(), r.max());
            bbox = Some(match bbox {
                None => (a.x, a.y, b.x, b.y),
                Some((x0, y0, x1, y1)) => (x0.min(a.x), y0.min(a.y), x1.max(b.x), y1.max(b.y)),
            });
        }
    }
    let Some(bbox) = bbox else {
        return Err(ReportError::NotApplicable(
            "没有可绘制的地块几何图形：请提供含坐标的地块文件（国土TXT、Shapefile、GeoJSON 或 GeoPackage）".into(),
        ));
    };
    render_picture(&MapPicture(input, bbox), image, (WIDTH, HEIGHT))
}

struct MapPicture<'a>(&'a MapInput, (f64, f64, f64, f64));

impl Picture for MapPicture<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ReportError>
    where
        DB::ErrorType: 'static,
    {
        draw(root, self.0, self.1)
    }
}

fn font(size: f64) -> TextStyle<'static> {
    (crate::chart::FAMILY, size).into_font().into()
}

fn ring(poly: &GeoPolygon<f64>) -> Vec<(f64, f64)> {
    poly.exterior().coords().map(|c| (c.x, c.y)).collect()
}

fn holes(poly: &GeoPolygon<f64>) -> Vec<Vec<(f64, f64)>> {
    poly.interiors()
        .iter()
        .map(|r| r.coords().map(|c| (c.x, c.y)).collect())
        .collect()
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    input: &MapInput,
    (x0, y0, x1, y1): (f64, f64, f64, f64),
) -> Result<(), ReportError>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(err)?;
    let (map_area, legend_area) = root.split_horizontally(WIDTH - LEGEND_W);
    let title_h = 50u32;
    let margin = 20u32;
    map_area
        .draw(&Text::new(
            input.title.clone(),
            (margin as i32, 12),
            font(24.0),
        ))
        .map_err(err)?;
    // Equal scale on both axes: fit the bounding box (5 % padding) into the plot area.
    let pw = (WIDTH - LEGEND_W - 2 * margin) as f64;
    let ph = (HEIGHT - title_h - 2 * margin) as f64;
    let (dx, dy) = ((x1 - x0).max(1.0), (y1 - y0).max(1.0));
    let scale = (pw / (dx * 1.1)).min(ph / (dy * 1.1));
    let (cx, cy) = ((x0 + x1) / 2.0, (y0 + y1) / 2.0);
    let (hw, hh) = (pw / scale / 2.0, ph / scale / 2.0);
    let plot = map_area.margin(title_h + margin, margin, margin, margin);
    let mut ch = ChartBuilder::on(&plot)
        .build_cartesian_2d((cx - hw)..(cx + hw), (cy - hh)..(cy + hh))
        .map_err(err)?;
    ch.plotting_area()
        .fill(&RGBColor(250, 250, 246))
        .map_err(err)?;
    let bg = RGBColor(250, 250, 246);
    // Control lines, shaded.
    let mut controls: Vec<String> = Vec::new();
    for f in &input.control_lines {
        let c = control_color(&f.label);
        if !controls.contains(&f.label) {
            controls.push(f.label.clone());
        }
        for p in &f.geometry.0 {
            ch.draw_series(std::iter::once(Polygon::new(ring(p), c.mix(0.35).filled())))
                .map_err(err)?;
            ch.draw_series(std::iter::once(PathElement::new(
                ring(p),
                c.stroke_width(2),
            )))
            .map_err(err)?;
        }
    }
    // Parcels, by class.
    let mut classes: Vec<String> = Vec::new();
    for f in &input.parcels {
        let class = f.class.clone().unwrap_or_else(|| "未注明用途".into());
        let i = match classes.iter().position(|c| *c == class) {
            Some(i) => i,
            None => {
                classes.push(class);
                classes.len() - 1
            }
        };
        let color = PALETTE[i % PALETTE.len()];
        for p in &f.geometry.0 {
            ch.draw_series(std::iter::once(Polygon::new(ring(p), color.filled())))
                .map_err(err)?;
            for h in holes(p) {
                ch.draw_series(std::iter::once(Polygon::new(h, bg.filled())))
                    .map_err(err)?;
            }
            ch.draw_series(std::iter::once(PathElement::new(
                ring(p),
                BLACK.stroke_width(1),
            )))
            .map_err(err)?;
        }
    }
    // Township boundaries and names.
    for f in &input.townships {
        for p in &f.geometry.0 {
            ch.draw_series(std::iter::once(PathElement::new(
                ring(p),
                RGBColor(60, 60, 60).stroke_width(2),
            )))
            .map_err(err)?;
        }
        if let Some(r) = f.geometry.bounding_rect() {
            let c = r.center();
            ch.draw_series(std::iter::once(Text::new(
                f.label.clone(),
                (c.x, c.y),
                font(16.0).pos(Pos::new(HPos::Center, VPos::Center)),
            )))
            .map_err(err)?;
        }
    }
    // Scale bar (bottom left) and north arrow (top right), in pixels of the plot area.
    let (plot_w, plot_h) = plot.dim_in_pixel();
    let bar_m = nice_length(plot_w as f64 / scale / 5.0);
    let bar_px = (bar_m * scale).round() as i32;
    let (bx, by) = (16, plot_h as i32 - 24);
    plot.draw(&Rectangle::new(
        [(bx, by), (bx + bar_px, by + 8)],
        BLACK.filled(),
    ))
    .map_err(err)?;
    plot.draw(&Rectangle::new(
        [(bx + bar_px / 2, by + 1), (bx + bar_px, by + 7)],
        WHITE.filled(),
    ))
    .map_err(err)?;
    plot.draw(&Text::new("0", (bx - 3, by - 18), font(13.0)))
        .map_err(err)?;
    plot.draw(&Text::new(
        length_label(bar_m),
        (bx + bar_px - 10, by - 18),
        font(13.0),
    ))
    .map_err(err)?;
    let (nx, ny) = (plot_w as i32 - 40, 20);
    plot.draw(&Polygon::new(
        vec![
            (nx, ny),
            (nx - 12, ny + 34),
            (nx, ny + 26),
            (nx + 12, ny + 34),
        ],
        BLACK.filled(),
    ))
    .map_err(err)?;
    plot.draw(&Text::new("北", (nx - 8, ny + 38), font(16.0)))
        .map_err(err)?;
    // Legend.
    let mut y = title_h as i32 + margin as i32;
    legend_area
        .draw(&Text::new("图例", (10, y), font(18.0)))
        .map_err(err)?;
    y += 30;
    for (i, c) in classes.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        legend_area
            .draw(&Rectangle::new([(10, y), (34, y + 16)], color.filled()))
            .map_err(err)?;
        legend_area
            .draw(&Text::new(c.clone(), (42, y), font(14.0)))
            .map_err(err)?;
        y += 24;
    }
    for c in &controls {
        let color = control_color(c);
        legend_area
            .draw(&Rectangle::new(
                [(10, y), (34, y + 16)],
                color.mix(0.35).filled(),
            ))
            .map_err(err)?;
        legend_area
            .draw(&Rectangle::new(
                [(10, y), (34, y + 16)],
                color.stroke_width(2),
            ))
            .map_err(err)?;
        legend_area
            .draw(&Text::new(c.clone(), (42, y), font(14.0)))
            .map_err(err)?;
        y += 24;
    }
    if !input.townships.is_empty() {
        legend_area
            .draw(&PathElement::new(
                vec![(10, y + 8), (34, y + 8)],
                RGBColor(60, 60, 60).stroke_width(2),
            ))
            .map_err(err)?;
        legend_area
            .draw(&Text::new("乡镇界", (42, y), font(14.0)))
            .map_err(err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_bar_lengths_are_round() {
        assert_eq!(nice_length(1234.0), 1000.0);
        assert_eq!(nice_length(2600.0), 2000.0);
        assert_eq!(nice_length(420.0), 500.0);
        assert_eq!(nice_length(80.0), 100.0);
        assert_eq!(length_label(500.0), "500米");
        assert_eq!(length_label(2000.0), "2千米");
    }
}
