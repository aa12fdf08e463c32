//! 国土TXT: the 勘测定界 coordinate text exchanged with land bureaus.
//!
//! ```text
//! [属性描述]
//! 坐标系=2000国家大地坐标系
//! 几度分带=3
//! 投影类型=高斯克吕格
//! 计量单位=米
//! 带号=39
//! [地块坐标]
//! 5,1.6000,DK001,示例地块,面,J50G001001,建设用地,0702,@
//! J1,1,4420000.000,39500000.000
//! ...
//! ```
//!
//! Each parcel: a header `界址点数,地块面积(公顷),地块编号,地块名称,面,图幅号,地块用途,地类编码,@`,
//! then point lines `点号,圈号,X,Y` with X the northing and Y the easting (with the zone prefix
//! or not). 圈号 1 is the outer ring; higher numbers are holes, or further parts when they lie
//! outside. The closing point may be repeated or not. GBK (GB18030) or UTF-8, with or without
//! BOM. Full-width commas and digits are accepted.

use crate::{file_label, read_error, Feature, FeatureBuilder, FeatureSet, GeoIoError};
use landplan_core::text;
use landplan_geo::check::{self, CheckContext, Orientation, RawPoint, RawRing, RingRole};
use landplan_geo::geo::LineString;
use landplan_geo::Crs;
use std::fmt::Write as _;
use std::path::Path;

/// The header fields after 界址点数, in order, as attribute names.
pub const HEADER_FIELDS: &[&str] = &[
    "地块面积",
    "地块编号",
    "地块名称",
    "图形属性",
    "图幅号",
    "地块用途",
    "地类编码",
];

/// Read a 国土TXT file.
pub fn read(path: &Path) -> Result<FeatureSet, GeoIoError> {
    read_with(path, true)
}

/// Read a 国土TXT file, with or without geometry checks.
pub fn read_with(path: &Path, checked: bool) -> Result<FeatureSet, GeoIoError> {
    let bytes = std::fs::read(path).map_err(|e| GeoIoError::io(path, e))?;
    let mut set = parse_with(&bytes, &file_label(path), checked);
    set.name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(set)
}

struct PendingParcel {
    line: usize,
    stated_points: Option<usize>,
    attrs: Vec<(String, String)>,
    points: Vec<(u32, RawPoint)>,
}

/// Parse 国土TXT bytes; `file` names the file in findings. Never fails: problems are findings.
pub fn parse(bytes: &[u8], file: &str) -> FeatureSet {
    parse_with(bytes, file, true)
}

/// [`parse`], with or without geometry checks.
pub fn parse_with(bytes: &[u8], file: &str, checked: bool) -> FeatureSet {
    let (decoded, _enc, had_errors) = text::decode(bytes);
    let mut set = FeatureSet::default();
    if had_errors {
        set.findings.push(read_error(
            file,
            None,
            "文件含有无法按 UTF-8 或 GBK 解码的字节，已替换为 �",
        ));
    }
    #[derive(PartialEq)]
    enum Section {
        None,
        Meta,
        Coords,
    }
    let mut section = Section::None;
    let mut parcels: Vec<PendingParcel> = Vec::new();
    for (i, raw_line) in decoded.lines().enumerate() {
        let line_no = i + 1;
        let line = text::normalize(raw_line.trim());
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if line.starts_with('[') && line.ends_with(']') {
            section = match &line[1..line.len() - 1] {
                "属性描述" => Section::Meta,
                "地块坐标" => Section::Coords,
                other => {
                    set.findings.push(read_error(
                        file,
                        Some(line_no),
                        format!("第{line_no}行：未知的节“{other}”，已跳过"),
                    ));
                    Section::None
                }
            };
            continue;
        }
        match section {
            Section::Meta => match line.split_once('=') {
                Some((k, v)) => set.meta.push((k.trim().to_string(), v.trim().to_string())),
                None => set.findings.push(read_error(
                    file,
                    Some(line_no),
                    format!("第{line_no}行：属性描述应为“名称=值”，读到“{line}”"),
                )),
            },
            Section::Coords => {
                // Fields are separated by commas, half- or full-width (，) as typed in Chinese.
                let fields: Vec<&str> = line.split([',', '，']).map(str::trim).collect();
                if line.ends_with('@') || fields.len() >= 8 {
                    let stated_points = fields[0].parse::<usize>().ok();
                    if stated_points.is_none() {
                        set.findings.push(read_error(
                            file,
                            Some(line_no),
                            format!("第{line_no}行：界址点数“{}”不是整数", fields[0]),
                        ));
                    }
                    let mut attrs = Vec::new();
                    for (k, name) in HEADER_FIELDS.iter().enumerate() {
                        let v = fields.get(k + 1).copied().unwrap_or("");
                        let v = if v == "@" { "" } else { v };
                        attrs.push((name.to_string(), v.to_string()));
                    }
                    parcels.push(PendingParcel {
                        line: line_no,
                        stated_points,
                        attrs,
                        points: Vec::new(),
                    });
                } else if fields.len() == 4 {
                    let Some(p) = parcels.last_mut() else {
                        set.findings.push(read_error(
                            file,
                            Some(line_no),
                            format!("第{line_no}行：坐标点出现在任何地块头行之前，已跳过"),
                        ));
                        continue;
                    };
                    let ring = fields[1].parse::<u32>();
                    let x = fields[2].parse::<f64>();
                    let y = fields[3].parse::<f64>();
                    match (ring, x, y) {
                        (Ok(ring), Ok(x), Ok(y)) if x.is_finite() && y.is_finite() => {
                            // X is the northing, Y the easting.
                            p.points.push((
                                ring,
                                RawPoint {
                                    x: y,
                                    y: x,
                                    name: fields[0].to_string(),
                                    line: Some(line_no),
                                },
                            ))
                        }
                        _ => set.findings.push(read_error(
                            file,
                            Some(line_no),
                            format!("第{line_no}行：坐标点应为“点号,圈号,X,Y”，读到“{line}”"),
                        )),
                    }
                } else {
                    set.findings.push(read_error(
                        file,
                        Some(line_no),
                        format!(
                            "第{line_no}行：既不是地块头行（以 @ 结尾）也不是坐标点（点号,圈号,X,Y），读到“{line}”"
                        ),
                    ));
                }
            }
            Section::None => set.findings.push(read_error(
                file,
                Some(line_no),
                format!("第{line_no}行：不在 [属性描述] 或 [地块坐标] 节内，已跳过"),
            )),
        }
    }
    if parcels.is_empty() {
        set.findings.push(read_error(
            file,
            None,
            "文件中没有 [地块坐标] 节或没有任何地块",
        ));
    }

    let meta = |k: &str| {
        set.meta
            .iter()
            .find(|(mk, _)| mk == k)
            .map(|(_, v)| v.clone())
    };
    let declared_zone = meta("带号").and_then(|v| v.parse::<u8>().ok());
    let strip = meta("几度分带").and_then(|v| v.parse::<u8>().ok());
    let datum = meta("坐标系").unwrap_or_default();
    let first_easting = parcels
        .iter()
        .flat_map(|p| p.points.first())
        .map(|(_, p)| p.x)
        .next();

    // X/Y swapped: decide on all points of the file.
    let all: Vec<(f64, f64)> = parcels
        .iter()
        .flat_map(|p| p.points.iter().map(|(_, q)| (q.x, q.y)))
        .collect();
    let swapped = check::looks_swapped(None, &all);
    let first_easting = if swapped {
        parcels
            .iter()
            .flat_map(|p| p.points.first())
            .map(|(_, p)| p.y)
            .next()
    } else {
        first_easting
    };

    set.crs = detect_crs(
        &datum,
        strip,
        declared_zone,
        first_easting,
        file,
        &mut set.findings,
    );
    let ctx = CheckContext {
        file: Some(file.to_string()),
        format: "国土TXT".to_string(),
        closure_required: false,
        outer_orientation: Some(Orientation::Clockwise),
    };
    for (k, mut p) in parcels.into_iter().enumerate() {
        let id = crate::pick_id(&p.attrs, k);
        if swapped {
            set.findings.push(
                check::rule_finding("geometry.xy_swapped", &[("parcel", id.clone())])
                    .at(ctx.place(&id, p.points.first().map(|(_, q)| q))),
            );
            for (_, q) in &mut p.points {
                std::mem::swap(&mut q.x, &mut q.y);
            }
        }
        if let Some(n) = p.stated_points {
            if n != p.points.len() {
                set.findings.push(
                    check::rule_finding(
                        "geometry.point_count_mismatch",
                        &[
                            ("parcel", id.clone()),
                            ("stated", n.to_string()),
                            ("found", p.points.len().to_string()),
                        ],
                    )
                    .at(landplan_core::Place {
                        file: Some(file.to_string()),
                        line: Some(p.line),
                        parcel: Some(id.clone()),
                        ..Default::default()
                    }),
                );
            }
        }
        let mut rings: Vec<RawRing> = Vec::new();
        for (ring, q) in p.points {
            match rings.last_mut() {
                Some(r) if r.number == ring => r.points.push(q),
                _ => rings.push(RawRing {
                    number: ring,
                    role: if rings.is_empty() {
                        RingRole::Outer
                    } else {
                        RingRole::Unknown
                    },
                    points: vec![q],
                }),
            }
        }
        let geometry = FeatureBuilder {
            checked,
            ctx: &ctx,
            crs: set.crs,
            declared_zone,
        }
        .finish(&id, &p.attrs, &rings, &mut set.findings);
        set.features.push(Feature {
            id,
            attrs: p.attrs,
            geometry,
        });
    }
    set
}

fn detect_crs(
    datum: &str,
    strip: Option<u8>,
    declared_zone: Option<u8>,
    first_easting: Option<f64>,
    file: &str,
    findings: &mut Vec<landplan_core::Finding>,
) -> Option<Crs> {
    let unknown = |findings: &mut Vec<landplan_core::Finding>, reason: String| {
        findings.push(
            check::rule_finding("geometry.crs_unknown", &[("reason", reason)]).at(
                landplan_core::Place {
                    file: Some(file.to_string()),
                    ..Default::default()
                },
            ),
        );
    };
    if !datum.is_empty() && !datum.contains("2000") {
        unknown(
            findings,
            format!("坐标系为“{datum}”，本工具只支持 2000 国家大地坐标系（CGCS2000），按 CGCS2000 近似处理"),
        );
    }
    if strip.is_some_and(|s| s != 3 && s != 6) {
        unknown(
            findings,
            format!(
                "几度分带为 {}，本工具只支持 3 度带和 6 度带",
                strip.unwrap_or(0)
            ),
        );
        return None;
    }
    let six = strip == Some(6);
    let prefix_crs = first_easting.and_then(Crs::from_prefixed_easting);
    match (prefix_crs, declared_zone) {
        (Some(c), _) => Some(c),
        (None, Some(z)) if six && landplan_geo::crs::ZONES6.contains(&z) => {
            Some(Crs::GaussKruger6 {
                zone: z,
                prefixed: false,
            })
        }
        (None, Some(z)) if !six && landplan_geo::crs::ZONES.contains(&z) => {
            Some(Crs::GaussKruger3 {
                zone: z,
                prefixed: false,
            })
        }
        (None, Some(z)) => {
            unknown(
                findings,
                if six {
                    format!("带号 {z} 不是中国范围内的 6 度带（13～23）")
                } else {
                    format!("带号 {z} 不是中国范围内的 3 度带（25～45）")
                },
            );
            None
        }
        (None, None) => {
            unknown(
                findings,
                "横坐标不含带号，[属性描述] 中也没有“带号”".to_string(),
            );
            None
        }
    }
}

fn fmt_coord(v: f64) -> String {
    // Shortest text that reads back to the same f64, with at least three decimals.
    let s = format!("{v}");
    match s.split_once('.') {
        Some((_, frac)) if frac.len() >= 3 => s,
        Some((int, frac)) => format!("{int}.{frac:0<3}"),
        None => format!("{s}.000"),
    }
}

/// Write a feature set as 国土TXT (UTF-8): metadata from the set (坐标系, 几度分带, 投影类型,
/// 计量单位 and 带号 set from its CRS), then per feature the header and its points, outer
/// rings clockwise, holes counter-clockwise, each ring closed, points named J1, J2, … per
/// parcel. Attributes other than the header fields are not written (the format has no place
/// for them).
pub fn write(path: &Path, set: &FeatureSet) -> Result<(), GeoIoError> {
    let text = to_text(set).map_err(|reason| GeoIoError::Invalid {
        path: path.display().to_string(),
        reason,
    })?;
    std::fs::write(path, text).map_err(|e| GeoIoError::io(path, e))
}

/// The 国土TXT text of a feature set; `Err` (in Chinese) when its CRS is geographic.
pub fn to_text(set: &FeatureSet) -> Result<String, String> {
    let mut meta = set.meta.clone();
    let mut put = |k: &str, v: String| match meta.iter_mut().find(|(mk, _)| mk == k) {
        Some(e) => e.1 = v,
        None => meta.push((k.to_string(), v)),
    };
    match set.crs {
        Some(Crs::Geographic) => {
            return Err("国土TXT 只能保存高斯-克吕格投影坐标，请先转换到 3 度带".to_string())
        }
        Some(c @ (Crs::GaussKruger3 { zone, .. } | Crs::GaussKruger6 { zone, .. })) => {
            put("坐标系", "2000国家大地坐标系".to_string());
            put(
                "几度分带",
                if matches!(c, Crs::GaussKruger6 { .. }) {
                    "6"
                } else {
                    "3"
                }
                .to_string(),
            );
            put("投影类型", "高斯克吕格".to_string());
            put("计量单位", "米".to_string());
            put("带号", zone.to_string());
        }
        None => {}
    }
    let mut out = String::new();
    out.push_str("[属性描述]\n");
    for (k, v) in &meta {
        let _ = writeln!(out, "{k}={v}");
    }
    out.push_str("[地块坐标]\n");
    for f in &set.features {
        let mut lines = String::new();
        let mut count = 0usize;
        let mut ring_no = 0u32;
        let mut point_no = 0usize;
        let mut ring = |ls: &LineString<f64>, clockwise: bool, lines: &mut String| {
            ring_no += 1;
            let mut pts: Vec<_> = ls.0.clone();
            if pts.len() > 1 && pts.first() == pts.last() {
                pts.pop();
            }
            let ccw = landplan_geo::area::ring_signed_area(ls) > 0.0;
            if ccw == clockwise && pts.len() > 1 {
                pts[1..].reverse();
            }
            let first = point_no + 1;
            for c in &pts {
                point_no += 1;
                count += 1;
                let _ = writeln!(
                    lines,
                    "J{point_no},{ring_no},{},{}",
                    fmt_coord(c.y),
                    fmt_coord(c.x)
                );
            }
            if let Some(c) = pts.first() {
                count += 1;
                let _ = writeln!(
                    lines,
                    "J{first},{ring_no},{},{}",
                    fmt_coord(c.y),
                    fmt_coord(c.x)
                );
            }
        };
        for p in &f.geometry.0 {
            ring(p.exterior(), true, &mut lines);
            for h in p.interiors() {
                ring(h, false, &mut lines);
            }
        }
        let mut header = vec![count.to_string()];
        for name in HEADER_FIELDS {
            let v = match *name {
                "地块编号" => f.attr(name).unwrap_or(&f.id).to_string(),
                "图形属性" => f.attr(name).unwrap_or("面").to_string(),
                _ => f.attr(name).unwrap_or("").to_string(),
            };
            header.push(v.replace(',', "，"));
        }
        header.push("@".to_string());
        out.push_str(&header.join(","));
        out.push('\n');
        out.push_str(&lines);
    }
    Ok(out)
}
