//! ESRI Shapefile polygons: `.shp` geometry, `.shx` index, `.dbf` attributes, `.prj` CRS and
//! `.cpg` code page (ESRI Shapefile Technical Description, July 1998; dBASE III table).
//!
//! Reading is tolerant: a truncated `.shp` or `.dbf` yields the records read so far plus a
//! finding; when `.shp` and `.dbf` counts differ, records are paired in order and the
//! difference is reported. The `.dbf` text encoding comes from `.cpg` when present, else the
//! language driver byte (0x4D = GBK), else UTF-8 when every string is valid UTF-8, else GBK
//! (GB18030), as Chinese desktop GIS writes it. Writing uses GBK with a `.cpg` saying so (field
//! names have at most 10 bytes: 地块编号 is 8 in GBK, 12 in UTF-8).

use crate::{file_label, read_error, Feature, FeatureBuilder, FeatureSet, GeoIoError};
use encoding_rs::Encoding;
use landplan_geo::check::{CheckContext, RawPoint, RawRing, RingRole};
use landplan_geo::geo::{BoundingRect, MultiPolygon};
use landplan_geo::Crs;
use std::path::{Path, PathBuf};

fn sidecar(path: &Path, ext: &str) -> Option<PathBuf> {
    for e in [ext.to_string(), ext.to_ascii_uppercase()] {
        let p = path.with_extension(e);
        if p.exists() {
            return Some(p);
        }
    }
    None
}

fn be_i32(b: &[u8], at: usize) -> Option<i32> {
    Some(i32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}
fn le_i32(b: &[u8], at: usize) -> Option<i32> {
    Some(i32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}
fn le_f64(b: &[u8], at: usize) -> Option<f64> {
    Some(f64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// Rings as (x, y) lists.
type Rings = Vec<Vec<(f64, f64)>>;

/// The rings of one polygon record's content, or why not.
fn parse_polygon(c: &[u8]) -> Result<Option<Rings>, String> {
    let t = le_i32(c, 0).ok_or("记录内容被截断")?;
    match t {
        0 => return Ok(None),
        5 | 15 | 25 => {}
        other => return Err(format!("几何类型 {other} 不是面（Polygon）")),
    }
    let nparts = le_i32(c, 36).ok_or("记录内容被截断")?;
    let npoints = le_i32(c, 40).ok_or("记录内容被截断")?;
    if nparts < 0 || npoints < 0 {
        return Err("环数或点数为负".to_string());
    }
    let (nparts, npoints) = (nparts as usize, npoints as usize);
    let pts_at = 44 + 4 * nparts;
    if c.len() < pts_at + 16 * npoints {
        return Err(format!("记录声明 {npoints} 个点，内容不足"));
    }
    let mut parts: Vec<usize> = (0..nparts)
        .map(|i| le_i32(c, 44 + 4 * i).unwrap_or(0).max(0) as usize)
        .collect();
    parts.push(npoints);
    let mut rings = Vec::with_capacity(nparts);
    for w in parts.windows(2) {
        let (a, b) = (w[0].min(npoints), w[1].min(npoints));
        let ring: Vec<(f64, f64)> = (a..b.max(a))
            .map(|k| {
                (
                    le_f64(c, pts_at + 16 * k).unwrap_or(f64::NAN),
                    le_f64(c, pts_at + 16 * k + 8).unwrap_or(f64::NAN),
                )
            })
            .collect();
        rings.push(ring);
    }
    Ok(Some(rings))
}

/// Raw rings of one record (first ring outer, the others by orientation, as the format says).
fn raw_rings(rings: Rings) -> Vec<RawRing> {
    rings
        .into_iter()
        .enumerate()
        .map(|(k, r)| RawRing {
            number: k as u32 + 1,
            role: if k == 0 {
                RingRole::Outer
            } else {
                RingRole::Unknown
            },
            points: r
                .into_iter()
                .map(|(x, y)| RawPoint {
                    x,
                    y,
                    name: String::new(),
                    line: None,
                })
                .collect(),
        })
        .collect()
}

/// The CRS of a Shapefile: from `.prj`, else guessed from its first coordinate.
pub fn crs_of(path: &Path) -> Result<Option<Crs>, GeoIoError> {
    use std::io::Read;
    if let Some(prj) = sidecar(path, "prj") {
        let text = std::fs::read(&prj).map_err(|e| GeoIoError::io(&prj, e))?;
        if let Some(c) = Crs::from_wkt(&String::from_utf8_lossy(&text)) {
            return Ok(Some(c));
        }
    }
    // The first point of the first record: header (100) + record header (8) + type, box,
    // counts (44) + one part index (4) + x, y (16).
    let mut head = vec![0u8; 172];
    let mut h = std::fs::File::open(path).map_err(|e| GeoIoError::io(path, e))?;
    let n = h.read(&mut head).map_err(|e| GeoIoError::io(path, e))?;
    head.truncate(n);
    let first = head.get(108..).and_then(|c| {
        let nparts = le_i32(c, 36)?.max(0) as usize;
        let at = 44 + 4 * nparts;
        Some((le_f64(c, at)?, le_f64(c, at + 8)?))
    });
    Ok(crate::guess_crs(first))
}

/// What [`stream`] found besides the geometries.
#[derive(Debug, Default)]
pub struct StreamedShapefile {
    /// The CRS from `.prj`, or guessed from the first coordinate.
    pub crs: Option<Crs>,
    /// Records in the index (`.shx`).
    pub features: usize,
    /// File-level findings: truncated or unreadable records, `.dbf` count differing.
    pub findings: Vec<landplan_core::Finding>,
}

/// Decode a Shapefile's polygons on `threads` threads without holding the file: the `.shx`
/// index gives each record's place, each thread reads runs of records with its own file
/// handle. `f(state, record_number, geometry)` is called for each readable, non-empty
/// polygon (record numbers from 1; rings oriented as [`crate::read_layer`] gives them);
/// attributes are not read. `Ok(None)` when there is no usable `.shx` (the caller reads the
/// file whole instead).
pub fn stream<S: Send>(
    path: &Path,
    threads: usize,
    init: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, u64, &MultiPolygon<f64>) + Sync,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Option<(StreamedShapefile, Vec<S>)>, GeoIoError> {
    use std::io::{Read, Seek, SeekFrom};
    use std::sync::atomic::{AtomicUsize, Ordering};
    let file = file_label(path);
    let Some(shx_path) = sidecar(path, "shx") else {
        return Ok(None);
    };
    let shx = std::fs::read(&shx_path).map_err(|e| GeoIoError::io(&shx_path, e))?;
    let shp_len = std::fs::metadata(path)
        .map_err(|e| GeoIoError::io(path, e))?
        .len() as usize;
    if shx.len() < 100 || be_i32(&shx, 0) != Some(9994) || (shx.len() - 100) % 8 != 0 {
        return Ok(None);
    }
    // (offset, length) of each record's content, from the index.
    let index: Vec<(usize, usize)> = (0..(shx.len() - 100) / 8)
        .map(|k| {
            let at = 100 + 8 * k;
            let off = be_i32(&shx, at).unwrap_or(0).max(0) as usize * 2;
            let len = be_i32(&shx, at + 4).unwrap_or(0).max(0) as usize * 2;
            (off + 8, len)
        })
        .collect();
    // An index that does not fit the .shp (another file's, or corrupt): read whole instead.
    if index.windows(2).any(|w| w[1].0 < w[0].0) || index.first().is_some_and(|r| r.0 < 108) {
        return Ok(None);
    }
    let mut out = StreamedShapefile {
        features: index.len(),
        ..StreamedShapefile::default()
    };
    if let Some(prj) = sidecar(path, "prj") {
        let text = std::fs::read(&prj).map_err(|e| GeoIoError::io(&prj, e))?;
        out.crs = Crs::from_wkt(&String::from_utf8_lossy(&text));
    }
    // Records the .shp does not hold in full.
    let complete = index
        .iter()
        .position(|&(off, len)| off + len > shp_len)
        .unwrap_or(index.len());
    if complete < index.len() {
        out.findings.push(read_error(
            &file,
            None,
            format!(
                ".shp 第{}条记录被截断，其后内容不读（索引中共{}条）",
                complete + 1,
                index.len()
            ),
        ));
    }
    if let Some(dbf) = sidecar(path, "dbf") {
        let mut head = [0u8; 8];
        let n = std::fs::File::open(&dbf)
            .and_then(|mut h| h.read_exact(&mut head))
            .ok()
            .map(|_| u32::from_le_bytes([head[4], head[5], head[6], head[7]]) as usize);
        if let Some(n) = n.filter(|&n| n != index.len()) {
            out.findings.push(
                landplan_geo::check::rule_finding(
                    "geometry.record_count_mismatch",
                    &[
                        ("shapes", index.len().to_string()),
                        ("records", n.to_string()),
                    ],
                )
                .at(landplan_core::Place {
                    file: Some(file.clone()),
                    ..Default::default()
                }),
            );
        }
    }
    let threads = threads.max(1);
    const RUN: usize = 2048;
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    type First = Option<(usize, (f64, f64))>;
    type ThreadResult<S> = Result<(S, Vec<(usize, String)>, First), GeoIoError>;
    let results: Vec<ThreadResult<S>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut h = std::fs::File::open(path).map_err(|e| GeoIoError::io(path, e))?;
                    let mut state = init();
                    let mut errors = Vec::new();
                    let mut first: Option<(usize, (f64, f64))> = None;
                    let mut buf: Vec<u8> = Vec::new();
                    loop {
                        let a = next.fetch_add(RUN, Ordering::Relaxed);
                        if a >= complete {
                            break;
                        }
                        let b = (a + RUN).min(complete);
                        let start = index[a].0;
                        let end = index[a..b]
                            .iter()
                            .map(|&(o, l)| o + l)
                            .max()
                            .unwrap_or(start);
                        buf.resize(end - start, 0);
                        h.seek(SeekFrom::Start(start as u64))
                            .and_then(|_| h.read_exact(&mut buf))
                            .map_err(|e| GeoIoError::io(path, e))?;
                        for (k, &(off, len)) in index.iter().enumerate().take(b).skip(a) {
                            let content = &buf[off - start..off - start + len];
                            match parse_polygon(content) {
                                Ok(Some(rings)) => {
                                    if first.is_none_or(|(r, _)| k < r) {
                                        if let Some(&p) = rings.iter().flatten().next() {
                                            first = Some((k, p));
                                        }
                                    }
                                    let mp = crate::build_unchecked(&raw_rings(rings));
                                    if !mp.0.is_empty() {
                                        f(&mut state, k as u64 + 1, &mp);
                                    }
                                }
                                Ok(None) => {}
                                Err(reason) => errors.push((k + 1, reason)),
                            }
                        }
                        let d = b - a;
                        progress(done.fetch_add(d, Ordering::Relaxed) + d, complete);
                    }
                    Ok((state, errors, first))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut states = Vec::with_capacity(threads);
    let mut errors = Vec::new();
    let mut firsts = Vec::new();
    for r in results {
        let (state, errs, first) = r?;
        states.push(state);
        errors.extend(errs);
        firsts.extend(first);
    }
    errors.sort_by_key(|e| e.0);
    out.findings.extend(
        errors
            .into_iter()
            .map(|(n, reason)| read_error(&file, None, format!(".shp 第{n}条记录：{reason}"))),
    );
    if out.crs.is_none() {
        out.crs = crate::guess_crs(firsts.iter().min_by_key(|(k, _)| *k).map(|(_, p)| *p));
    }
    Ok(Some((out, states)))
}

/// Read a Shapefile (the `.shp` path; sidecars by the same stem).
pub fn read(path: &Path) -> Result<FeatureSet, GeoIoError> {
    read_with(path, true)
}

/// Read a Shapefile, with or without geometry checks.
pub fn read_with(path: &Path, checked: bool) -> Result<FeatureSet, GeoIoError> {
    let file = file_label(path);
    let shp = std::fs::read(path).map_err(|e| GeoIoError::io(path, e))?;
    let mut set = FeatureSet {
        name: path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        ..FeatureSet::default()
    };
    // Geometry records.
    let mut shapes: Vec<Option<Rings>> = Vec::new();
    if shp.len() < 100 || be_i32(&shp, 0) != Some(9994) {
        return Err(GeoIoError::Invalid {
            path: file,
            reason: "不是 Shapefile（.shp 文件头不完整或文件代码不是 9994）".to_string(),
        });
    }
    let declared_len = be_i32(&shp, 24).unwrap_or(0).max(0) as usize * 2;
    if declared_len != shp.len() {
        set.findings.push(read_error(
            &file,
            None,
            format!(
                ".shp 文件头声明长度 {declared_len} 字节，实际 {} 字节，文件可能被截断",
                shp.len()
            ),
        ));
    }
    let mut pos = 100;
    while pos < shp.len() {
        let rec_no = shapes.len() + 1;
        let (Some(_), Some(words)) = (be_i32(&shp, pos), be_i32(&shp, pos + 4)) else {
            set.findings.push(read_error(
                &file,
                None,
                format!(".shp 第{rec_no}条记录的记录头被截断，其后内容不读"),
            ));
            break;
        };
        let len = words.max(0) as usize * 2;
        let Some(content) = shp.get(pos + 8..pos + 8 + len) else {
            set.findings.push(read_error(
                &file,
                None,
                format!(".shp 第{rec_no}条记录被截断（声明 {len} 字节），其后内容不读"),
            ));
            break;
        };
        match parse_polygon(content) {
            Ok(r) => shapes.push(r),
            Err(reason) => {
                set.findings.push(read_error(
                    &file,
                    None,
                    format!(".shp 第{rec_no}条记录：{reason}"),
                ));
                shapes.push(None);
            }
        }
        pos += 8 + len;
    }
    // CRS.
    if let Some(prj) = sidecar(path, "prj") {
        let text = std::fs::read(&prj).map_err(|e| GeoIoError::io(&prj, e))?;
        set.crs = Crs::from_wkt(&String::from_utf8_lossy(&text));
    }
    if set.crs.is_none() {
        let first = shapes.iter().flatten().flatten().flatten().next().copied();
        set.crs = crate::guess_crs(first);
        if set.crs.is_none() {
            set.findings.push(
                landplan_geo::check::rule_finding(
                    "geometry.crs_unknown",
                    &[("reason", "没有可识别的 .prj，横坐标也不含带号".to_string())],
                )
                .at(landplan_core::Place {
                    file: Some(file.clone()),
                    ..Default::default()
                }),
            );
        }
    }
    // Attributes.
    let records = match sidecar(path, "dbf") {
        Some(dbf_path) => {
            let dbf = std::fs::read(&dbf_path).map_err(|e| GeoIoError::io(&dbf_path, e))?;
            let cpg = sidecar(path, "cpg")
                .and_then(|p| std::fs::read_to_string(p).ok())
                .map(|s| s.trim().to_string());
            read_dbf(
                &dbf,
                cpg.as_deref(),
                &file_label(&dbf_path),
                &mut set.findings,
            )
        }
        None => {
            set.findings
                .push(read_error(&file, None, "缺少 .dbf 属性表，只读取图形"));
            Vec::new()
        }
    };
    if sidecar(path, "dbf").is_some() && records.len() != shapes.len() {
        set.findings.push(
            landplan_geo::check::rule_finding(
                "geometry.record_count_mismatch",
                &[
                    ("shapes", shapes.len().to_string()),
                    ("records", records.len().to_string()),
                ],
            )
            .at(landplan_core::Place {
                file: Some(file.clone()),
                ..Default::default()
            }),
        );
    }
    let ctx = CheckContext {
        file: Some(file.clone()),
        format: "Shapefile".to_string(),
        closure_required: true,
        outer_orientation: None,
    };
    let n = if records.is_empty() {
        shapes.len()
    } else {
        shapes.len().min(records.len())
    };
    for (i, shape) in shapes.into_iter().take(n).enumerate() {
        let attrs = records.get(i).cloned().unwrap_or_default();
        let id = crate::pick_id(&attrs, i);
        let rings = raw_rings(shape.unwrap_or_default());
        let geometry = FeatureBuilder {
            checked,
            ctx: &ctx,
            crs: set.crs,
            declared_zone: None,
        }
        .finish(&id, &attrs, &rings, &mut set.findings);
        set.features.push(Feature {
            id,
            attrs,
            geometry,
        });
    }
    Ok(set)
}

fn encoding_for(cpg: Option<&str>, ldid: u8, strings: &[&[u8]]) -> &'static Encoding {
    if let Some(label) = cpg {
        let label = match label.trim() {
            "936" | "CP936" | "cp936" => "gbk",
            "65001" => "utf-8",
            "1252" => "windows-1252",
            l => l,
        };
        if let Some(e) = Encoding::for_label(label.as_bytes()) {
            return if e == encoding_rs::GBK {
                encoding_rs::GB18030
            } else {
                e
            };
        }
    }
    if ldid == 0x4D {
        return encoding_rs::GB18030;
    }
    if strings.iter().all(|s| std::str::from_utf8(s).is_ok()) {
        encoding_rs::UTF_8
    } else {
        encoding_rs::GB18030
    }
}

/// Read a dBASE table: records as (field name, text) pairs, values trimmed.
pub fn read_dbf(
    dbf: &[u8],
    cpg: Option<&str>,
    file: &str,
    findings: &mut Vec<landplan_core::Finding>,
) -> Vec<Vec<(String, String)>> {
    if dbf.len() < 32 {
        findings.push(read_error(file, None, ".dbf 文件头不完整，属性不读"));
        return Vec::new();
    }
    let nrec = u32::from_le_bytes([dbf[4], dbf[5], dbf[6], dbf[7]]) as usize;
    let header_len = u16::from_le_bytes([dbf[8], dbf[9]]) as usize;
    let rec_len = u16::from_le_bytes([dbf[10], dbf[11]]) as usize;
    let ldid = dbf[29];
    let mut fields: Vec<(Vec<u8>, usize)> = Vec::new();
    let mut at = 32;
    while at + 32 <= dbf.len().min(header_len) && dbf[at] != 0x0D {
        let raw = &dbf[at..at + 11];
        let end = raw.iter().position(|&b| b == 0).unwrap_or(11);
        fields.push((raw[..end].to_vec(), dbf[at + 16] as usize));
        at += 32;
    }
    if rec_len == 0 {
        findings.push(read_error(file, None, ".dbf 记录长度为 0，属性不读"));
        return Vec::new();
    }
    let available = dbf.len().saturating_sub(header_len) / rec_len;
    if available < nrec {
        findings.push(read_error(
            file,
            None,
            format!(".dbf 文件头声明 {nrec} 条记录，文件只容纳 {available} 条，可能被截断"),
        ));
    }
    let n = nrec.min(available);
    let mut strings: Vec<&[u8]> = fields.iter().map(|f| f.0.as_slice()).collect();
    for r in 0..n {
        let start = header_len + r * rec_len;
        strings.push(&dbf[start..start + rec_len]);
    }
    let enc = encoding_for(cpg, ldid, &strings);
    let names: Vec<String> = fields
        .iter()
        .map(|(n, _)| enc.decode_without_bom_handling(n).0.trim().to_string())
        .collect();
    let mut out = Vec::with_capacity(n);
    for r in 0..n {
        let start = header_len + r * rec_len;
        if dbf[start] == b'*' {
            continue; // deleted record
        }
        let mut off = start + 1;
        let mut rec = Vec::with_capacity(fields.len());
        for (k, (_, len)) in fields.iter().enumerate() {
            let bytes = dbf.get(off..off + len).unwrap_or(&[]);
            off += len;
            let text = enc.decode_without_bom_handling(bytes).0;
            let text = text
                .trim_matches(|c: char| c == ' ' || c == '\0')
                .to_string();
            rec.push((names[k].clone(), text));
        }
        out.push(rec);
    }
    out
}

fn gbk(s: &str) -> Vec<u8> {
    encoding_rs::GBK.encode(s).0.into_owned()
}

/// Field names of at most 10 GBK bytes, unique, in column order.
fn field_names(columns: &[String]) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = Vec::new();
    for c in columns {
        let mut name = String::new();
        for ch in c.chars() {
            let mut t = name.clone();
            t.push(ch);
            if gbk(&t).len() > 10 {
                break;
            }
            name = t;
        }
        let mut bytes = gbk(&name);
        let mut k = 1;
        while out.contains(&bytes) {
            let suffix = format!("_{k}");
            let mut base = bytes.clone();
            base.truncate(10 - suffix.len());
            base.extend_from_slice(suffix.as_bytes());
            bytes = base;
            k += 1;
        }
        out.push(bytes);
    }
    out
}

/// Write a feature set as a Shapefile (`.shp`, `.shx`, `.dbf` in GBK, `.cpg`, `.prj`).
/// Outer rings are written clockwise and holes counter-clockwise, as the format requires.
pub fn write(path: &Path, set: &FeatureSet) -> Result<(), GeoIoError> {
    let mut shp: Vec<u8> = vec![0; 100];
    let mut shx: Vec<u8> = vec![0; 100];
    let mut bbox = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for (i, f) in set.features.iter().enumerate() {
        let mut rings: Vec<Vec<(f64, f64)>> = Vec::new();
        for p in &f.geometry.0 {
            for (k, r) in std::iter::once(p.exterior())
                .chain(p.interiors())
                .enumerate()
            {
                let mut pts: Vec<(f64, f64)> = r.0.iter().map(|c| (c.x, c.y)).collect();
                let ccw = landplan_geo::area::ring_signed_area(r) > 0.0;
                // Outer clockwise, holes counter-clockwise; keep the first point first.
                if (k == 0) == ccw && pts.len() > 2 {
                    let n = pts.len();
                    pts[1..n - 1].reverse();
                }
                rings.push(pts);
            }
        }
        let mut content = Vec::new();
        match f.geometry.bounding_rect() {
            None => content.extend_from_slice(&0i32.to_le_bytes()),
            Some(r) => {
                bbox = [
                    bbox[0].min(r.min().x),
                    bbox[1].min(r.min().y),
                    bbox[2].max(r.max().x),
                    bbox[3].max(r.max().y),
                ];
                content.extend_from_slice(&5i32.to_le_bytes());
                for v in [r.min().x, r.min().y, r.max().x, r.max().y] {
                    content.extend_from_slice(&v.to_le_bytes());
                }
                let npoints: usize = rings.iter().map(Vec::len).sum();
                content.extend_from_slice(&(rings.len() as i32).to_le_bytes());
                content.extend_from_slice(&(npoints as i32).to_le_bytes());
                let mut start = 0i32;
                for r in &rings {
                    content.extend_from_slice(&start.to_le_bytes());
                    start += r.len() as i32;
                }
                for r in &rings {
                    for (x, y) in r {
                        content.extend_from_slice(&x.to_le_bytes());
                        content.extend_from_slice(&y.to_le_bytes());
                    }
                }
            }
        }
        shx.extend_from_slice(&((shp.len() / 2) as i32).to_be_bytes());
        shx.extend_from_slice(&((content.len() / 2) as i32).to_be_bytes());
        shp.extend_from_slice(&((i + 1) as i32).to_be_bytes());
        shp.extend_from_slice(&((content.len() / 2) as i32).to_be_bytes());
        shp.extend_from_slice(&content);
    }
    if !bbox[0].is_finite() {
        bbox = [0.0; 4];
    }
    for (buf, len) in [(&mut shp, 0usize), (&mut shx, 0usize)] {
        let len = if len == 0 { buf.len() } else { len };
        buf[0..4].copy_from_slice(&9994i32.to_be_bytes());
        buf[24..28].copy_from_slice(&((len / 2) as i32).to_be_bytes());
        buf[28..32].copy_from_slice(&1000i32.to_le_bytes());
        buf[32..36].copy_from_slice(&5i32.to_le_bytes());
        for (k, v) in bbox.iter().enumerate() {
            buf[36 + 8 * k..44 + 8 * k].copy_from_slice(&v.to_le_bytes());
        }
    }
    let w = |ext: &str, bytes: &[u8]| {
        let p = path.with_extension(ext);
        std::fs::write(&p, bytes).map_err(|e| GeoIoError::io(&p, e))
    };
    w("shp", &shp)?;
    w("shx", &shx)?;
    w("dbf", &dbf_bytes(set))?;
    w("cpg", b"GBK")?;
    if let Some(crs) = set.crs {
        w("prj", crs.wkt().as_bytes())?;
    }
    Ok(())
}

/// The dBASE III table of a feature set's attributes (character fields, GBK).
pub fn dbf_bytes(set: &FeatureSet) -> Vec<u8> {
    let columns = set.attribute_names();
    let names = field_names(&columns);
    let values: Vec<Vec<Vec<u8>>> = set
        .features
        .iter()
        .map(|f| {
            columns
                .iter()
                .map(|c| gbk(f.attr(c).unwrap_or("")))
                .collect()
        })
        .collect();
    let widths: Vec<usize> = (0..columns.len())
        .map(|k| {
            values
                .iter()
                .map(|v| v[k].len())
                .max()
                .unwrap_or(1)
                .clamp(1, 254)
        })
        .collect();
    let header_len = 32 + 32 * columns.len() + 1;
    let rec_len = 1 + widths.iter().sum::<usize>();
    let mut out = vec![0u8; 32];
    out[0] = 0x03;
    out[1] = 126; // 2026 - 1900
    out[2] = 1;
    out[3] = 1;
    out[4..8].copy_from_slice(&(set.features.len() as u32).to_le_bytes());
    out[8..10].copy_from_slice(&(header_len as u16).to_le_bytes());
    out[10..12].copy_from_slice(&(rec_len as u16).to_le_bytes());
    out[29] = 0x4D; // language driver: GBK (code page 936)
    for (k, name) in names.iter().enumerate() {
        let mut d = [0u8; 32];
        d[..name.len()].copy_from_slice(name);
        d[11] = b'C';
        d[16] = widths[k] as u8;
        out.extend_from_slice(&d);
    }
    out.push(0x0D);
    for rec in &values {
        out.push(b' ');
        for (k, v) in rec.iter().enumerate() {
            let mut cell = v.clone();
            // Never cut a multi-byte character: values longer than 254 bytes are cut at a
            // character boundary.
            if cell.len() > widths[k] {
                let s = encoding_rs::GBK.decode(&cell).0.into_owned();
                let mut t = String::new();
                for ch in s.chars() {
                    let mut u = t.clone();
                    u.push(ch);
                    if gbk(&u).len() > widths[k] {
                        break;
                    }
                    t = u;
                }
                cell = gbk(&t);
            }
            cell.resize(widths[k], b' ');
            out.extend_from_slice(&cell);
        }
    }
    out.push(0x1A);
    out
}
