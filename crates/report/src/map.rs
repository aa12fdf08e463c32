//! Maps (SVG and PNG): parcels coloured by class, control lines hatched over them, township
//! boundaries, a legend, a scale bar, a north arrow and the coordinate system, all in Chinese.
//!
//! Coordinates are planar metres (a Gauss–Krüger projection such as CGCS2000 3° zones, as
//! parcel files carry them; X east, Y north). The caller reads the geometry (landplan-geoio)
//! and hands over plain `geo` multipolygons, so this crate does no geometry IO. The map is
//! written as SVG like the charts (module `svg`): no font is needed unless it is drawn as PNG.

use crate::chart::{picture_bytes, ImageOptions};
use crate::fonts::svg_family;
use crate::svg::{fit_size, text_width, Anchor, Svg, TextStyle, INK, PALETTE};
use crate::ReportError;
use landplan_geo::geo::{BoundingRect, InteriorPoint, MultiPolygon, Polygon as GeoPolygon};
use landplan_geo::Crs;

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
    /// The coordinate system of the geometry, when the files state it; else it is inferred
    /// from the eastings (an eight-digit easting carries its 3° zone).
    pub crs: Option<Crs>,
}

/// Colour of a control line by its name (farmland yellow, ecology green, development boundary
/// purple, anything else grey).
fn control_color(label: &str) -> &'static str {
    if label.contains("农田") || label.contains("耕地") {
        "#ebc83c"
    } else if label.contains("生态") {
        "#3caa5a"
    } else if label.contains("开发边界") || label.contains("城镇") {
        "#965ac8"
    } else {
        "#969696"
    }
}

/// The id of the hatching of the `i`th control layer (unique enough for a page that shows
/// one map).
fn hatch_id(i: usize) -> String {
    format!("landplan-control-{i}")
}

/// Colour of a reserve parcel by its state when the class is a state's label (the console's
/// reserve maps: 拟收储 light blue, 入库 blue, 前期开发 orange, 临时管护 brown, 已供应 grey,
/// 退出 pink), so that a state has one colour on every map; None for any other class.
fn state_color(class: &str) -> Option<&'static str> {
    use landplan_core::reserve::ReserveState;
    let s = ReserveState::ALL.into_iter().find(|s| s.label() == class)?;
    Some(match s {
        ReserveState::Proposed => "#56b4e9",
        ReserveState::Held => "#0072b2",
        ReserveState::Preparing => "#e69f00",
        ReserveState::Custody => "#8c564b",
        ReserveState::Supplied => "#787878",
        ReserveState::Exited => "#cc79a7",
    })
}

/// The fill of the `i`th class of a map.
fn class_color(class: &str, i: usize) -> &'static str {
    state_color(class).unwrap_or(PALETTE[i % PALETTE.len()])
}

const WIDTH: u32 = 1000;
const HEIGHT: u32 = 800;
/// Width of the legend panel on the right.
const LEGEND_W: f64 = 230.0;
const MARGIN: f64 = 20.0;
/// The map's ground colour.
const GROUND: &str = "#fafaf6";
const TOWN_LINE: &str = "#3c3c3c";

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

/// The coordinate system as the map's note states it.
pub fn crs_note(crs: Option<Crs>, min_easting: f64) -> String {
    let zone = match crs {
        Some(c) if c.zone().is_some() => Some(c),
        Some(_) => None,
        None => Crs::from_prefixed_easting(min_easting),
    };
    match zone {
        Some(c) => format!(
            "坐标系：CGCS2000 {}度带高斯-克吕格投影 第{}带（中央经线东经{}°），单位：米",
            if matches!(c, Crs::GaussKruger6 { .. }) {
                6
            } else {
                3
            },
            c.zone().map_or(0, |z| z.0),
            c.central_meridian().unwrap_or(0.0) as u32
        ),
        None => "坐标系：平面直角坐标（高斯-克吕格投影，带号未注明），单位：米".to_string(),
    }
}

/// Draw a map as SVG or PNG bytes.
pub fn render_map(
    input: &MapInput,
    image: impl Into<ImageOptions>,
) -> Result<Vec<u8>, ReportError> {
    let image = image.into();
    if input.crs == Some(Crs::Geographic) {
        return Err(ReportError::NotApplicable(
            "地块几何为经纬度坐标；地块分布图需要平面坐标（高斯-克吕格投影），请先投影后再绘制"
                .into(),
        ));
    }
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
    let family = svg_family(&image.fonts)?;
    picture_bytes(map_svg(input, bbox, &family), &image)
}

/// Ground coordinates to picture pixels: equal scale on both axes, Y up.
struct Frame {
    scale: f64,
    cx: f64,
    cy: f64,
    px: f64,
    py: f64,
}

impl Frame {
    fn at(&self, x: f64, y: f64) -> (f64, f64) {
        (
            self.px + (x - self.cx) * self.scale,
            self.py - (y - self.cy) * self.scale,
        )
    }

    fn ring<'a>(
        &self,
        coords: impl Iterator<Item = &'a landplan_geo::geo::Coord<f64>>,
    ) -> Vec<(f64, f64)> {
        let mut out: Vec<(f64, f64)> = coords.map(|c| self.at(c.x, c.y)).collect();
        // The closing point repeats the first: SVG closes polygons itself.
        if out.len() > 1 && out.first() == out.last() {
            out.pop();
        }
        out
    }

    /// Draw a polygon (its holes left open).
    fn polygon(
        &self,
        s: &mut Svg,
        p: &GeoPolygon<f64>,
        fill: Option<(&str, f64)>,
        stroke: Option<(&str, f64)>,
    ) {
        let outer = self.ring(p.exterior().coords());
        if outer.len() < 3 {
            return;
        }
        if p.interiors().is_empty() {
            s.polygon(&outer, fill, stroke);
        } else {
            let mut rings = vec![outer];
            rings.extend(p.interiors().iter().map(|r| self.ring(r.coords())));
            s.rings(&rings, fill, stroke);
        }
    }
}

fn map_svg(input: &MapInput, (x0, y0, x1, y1): (f64, f64, f64, f64), family: &str) -> String {
    let (w, h) = (f64::from(WIDTH), f64::from(HEIGHT));
    let mut s = Svg::new(WIDTH, HEIGHT, family);
    let size = fit_size(&input.title, 24.0, w - 2.0 * MARGIN);
    s.text(MARGIN, 40.0, TextStyle::new(size), &input.title);
    // The plot: left of the legend, above the coordinate system note.
    let (left, top) = (MARGIN, 62.0);
    let (right, bottom) = (w - LEGEND_W - 10.0, h - 44.0);
    let (pw, ph) = (right - left, bottom - top);
    s.rect(left, top, pw, ph, GROUND, Some(("#999999", 1.0)));
    // Equal scale on both axes: fit the bounding box (5 % padding) into the plot.
    let (dx, dy) = ((x1 - x0).max(1.0), (y1 - y0).max(1.0));
    let scale = (pw / (dx * 1.1)).min(ph / (dy * 1.1));
    let fr = Frame {
        scale,
        cx: (x0 + x1) / 2.0,
        cy: (y0 + y1) / 2.0,
        px: left + pw / 2.0,
        py: top + ph / 2.0,
    };
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
        let color = class_color(&classes[i], i);
        s.begin_group("parcel", &f.label);
        for p in &f.geometry.0 {
            fr.polygon(&mut s, p, Some((color, 1.0)), Some((INK, 0.8)));
        }
        s.end_group();
    }
    // Control lines over the parcels (where they overlap is what the reader must see):
    // hatched in the layer's colour with its outline, the parcels' colours showing between
    // the hatching.
    let mut controls: Vec<String> = Vec::new();
    for f in &input.control_lines {
        let c = control_color(&f.label);
        let i = match controls.iter().position(|l| *l == f.label) {
            Some(i) => i,
            None => {
                controls.push(f.label.clone());
                s.hatch(&hatch_id(controls.len() - 1), c);
                controls.len() - 1
            }
        };
        let fill = format!("url(#{})", hatch_id(i));
        s.begin_overlay("control", &f.label);
        for p in &f.geometry.0 {
            fr.polygon(&mut s, p, Some((&fill, 1.0)), Some((c, 2.0)));
        }
        s.end_group();
    }
    // Township boundaries, then their names over everything.
    for f in &input.townships {
        for p in &f.geometry.0 {
            fr.polygon(&mut s, p, None, Some((TOWN_LINE, 2.0)));
        }
    }
    for f in &input.townships {
        if let Some(c) = f.geometry.interior_point() {
            let (x, y) = fr.at(c.x(), c.y());
            s.text_mid(
                x,
                y,
                TextStyle::new(16.0).anchor(Anchor::Middle).halo(),
                &f.label,
            );
        }
    }
    // Scale bar (bottom left of the plot): two halves, black and white.
    let bar_m = nice_length(pw / scale / 5.0);
    let bar_px = bar_m * scale;
    let (bx, by) = (left + 18.0, bottom - 26.0);
    s.rect(
        bx - 8.0,
        by - 24.0,
        bar_px + 16.0 + text_width(&length_label(bar_m), 13.0) / 2.0,
        40.0,
        "#ffffff",
        None,
    );
    s.rect(bx, by, bar_px / 2.0, 7.0, INK, Some((INK, 1.0)));
    s.rect(
        bx + bar_px / 2.0,
        by,
        bar_px / 2.0,
        7.0,
        "#ffffff",
        Some((INK, 1.0)),
    );
    let small = TextStyle::new(13.0).anchor(Anchor::Middle);
    s.text(bx, by - 6.0, small, "0");
    s.text(bx + bar_px, by - 6.0, small, &length_label(bar_m));
    // North arrow (top right of the plot).
    let (nx, ny) = (right - 36.0, top + 34.0);
    s.text(nx, ny, TextStyle::new(16.0).anchor(Anchor::Middle), "北");
    s.polygon(
        &[(nx, ny + 6.0), (nx + 11.0, ny + 40.0), (nx, ny + 32.0)],
        Some((INK, 1.0)),
        Some((INK, 1.0)),
    );
    s.polygon(
        &[(nx, ny + 6.0), (nx - 11.0, ny + 40.0), (nx, ny + 32.0)],
        Some(("#ffffff", 1.0)),
        Some((INK, 1.0)),
    );
    // The coordinate system, under the plot.
    s.text(
        left,
        bottom + 26.0,
        TextStyle::new(fit_size(&crs_note(input.crs, x0), 13.0, pw)),
        &crs_note(input.crs, x0),
    );
    // Legend panel.
    let lx = w - LEGEND_W;
    let text_w = LEGEND_W - 42.0 - MARGIN;
    let mut y = top + 22.0;
    s.text(lx, y, TextStyle::new(18.0), "图例");
    y += 16.0;
    let entry = |s: &mut Svg, y: f64, label: &str| {
        s.text_mid(
            lx + 32.0,
            y + 8.0,
            TextStyle::new(fit_size(label, 14.0, text_w)),
            label,
        );
    };
    for (i, c) in classes.iter().enumerate() {
        s.rect(lx, y, 24.0, 16.0, class_color(c, i), Some((INK, 0.8)));
        entry(&mut s, y, c);
        y += 26.0;
    }
    for (i, c) in controls.iter().enumerate() {
        let color = control_color(c);
        let fill = format!("url(#{})", hatch_id(i));
        s.polygon(
            &[
                (lx, y),
                (lx + 24.0, y),
                (lx + 24.0, y + 16.0),
                (lx, y + 16.0),
            ],
            Some((&fill, 1.0)),
            Some((color, 2.0)),
        );
        entry(&mut s, y, c);
        y += 26.0;
    }
    if !input.townships.is_empty() {
        s.line((lx, y + 8.0), (lx + 24.0, y + 8.0), TOWN_LINE, 2.0);
        entry(&mut s, y, "乡镇界");
    }
    s.finish()
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

    #[test]
    fn reserve_states_keep_their_colour_whatever_their_order() {
        use landplan_core::reserve::ReserveState;
        let colours: Vec<&str> = ReserveState::ALL
            .iter()
            .enumerate()
            .map(|(i, s)| class_color(s.label(), 5 - i))
            .collect();
        let distinct: std::collections::BTreeSet<&&str> = colours.iter().collect();
        assert_eq!(distinct.len(), ReserveState::ALL.len(), "{colours:?}");
        assert_eq!(class_color("入库", 0), class_color("入库", 7));
        // A land-use class keeps the palette's order.
        assert_eq!(class_color("城镇住宅用地", 1), PALETTE[1]);
    }

    #[test]
    fn the_crs_note_names_the_zone() {
        let prefixed = crs_note(None, 39_500_000.0);
        assert!(
            prefixed.contains("CGCS2000 3度带高斯-克吕格投影 第39带") && prefixed.contains("117°"),
            "{prefixed}"
        );
        let stated = crs_note(
            Some(Crs::GaussKruger3 {
                zone: 38,
                prefixed: false,
            }),
            500_000.0,
        );
        assert!(stated.contains("第38带"), "{stated}");
        assert!(crs_note(None, 500_000.0).contains("带号未注明"));
    }
}
