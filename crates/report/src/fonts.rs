//! Fonts for PNG pictures, found through the system's font database.
//!
//! SVG pictures need no font: their text stays text. A PNG is the SVG rasterised with resvg
//! (usvg + tiny-skia), whose text is laid out with the faces of a `fontdb` database holding
//! the system's fonts (fontconfig's directories on Linux, the usual folders on macOS and
//! Windows) and every font file the user names (`--font FILE`). The picture's text is set in
//! one CJK face chosen from that database: a named file's face first, then the first installed
//! face of [`PREFERRED`], then any face that has CJK glyphs. Without one, drawing a PNG fails
//! with [`ReportError::NoCjkFont`], which names `--font FILE` and the Debian packages.
//!
//! Two environment variables: [`FONT_ENV`] names one more font file (as `--font` does), and
//! [`NO_SYSTEM_FONTS_ENV`] set to anything but `0` or empty leaves the system's fonts out (tests
//! use it to stand for a machine without fonts; an empty fontconfig configuration is not enough,
//! since fontdb then falls back to scanning `/usr/share/fonts`).

use crate::ReportError;
use resvg::usvg::fontdb::{Database, Source, Style, ID};
use resvg::{tiny_skia, usvg};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The environment variable naming one more font file (besides `--font`).
pub const FONT_ENV: &str = "LANDPLAN_CJK_FONT";

/// The environment variable that leaves the system's fonts out (for tests of a machine
/// without fonts): set to anything but empty or `0`.
pub const NO_SYSTEM_FONTS_ENV: &str = "LANDPLAN_NO_SYSTEM_FONTS";

/// CJK families in the order a chart prefers them (mainland sans faces first).
pub const PREFERRED: &[&str] = &[
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "SimHei",
    "Noto Sans SC",
    "Droid Sans Fallback",
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "AR PL UMing CN",
    "SimSun",
];

/// Characters a face must have to set a chart's text.
const PROBE: [char; 4] = ['中', '国', '地', '镇'];

/// The fonts a PNG is drawn with: a database (system fonts and named files) and the CJK family
/// chosen from it.
#[derive(Clone)]
pub struct FontSet {
    db: Arc<Database>,
    id: ID,
    family: String,
}

impl std::fmt::Debug for FontSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FontSet")
            .field("faces", &self.db.len())
            .field("family", &self.family)
            .finish()
    }
}

fn system_fonts_wanted() -> bool {
    match std::env::var_os(NO_SYSTEM_FONTS_ENV) {
        None => true,
        Some(v) => v.is_empty() || v == "0",
    }
}

/// The files named by `files` and [`FONT_ENV`], in that order.
fn named_files(files: &[PathBuf]) -> Vec<PathBuf> {
    let mut all = files.to_vec();
    if let Some(p) = std::env::var_os(FONT_ENV).filter(|p| !p.is_empty()) {
        all.push(PathBuf::from(p));
    }
    all
}

/// Load one font file into `db`; the ids of its faces, or a Chinese error (missing file, not a
/// font).
fn load_file(db: &mut Database, path: &Path) -> Result<Vec<ID>, ReportError> {
    let bad = |reason: String| ReportError::FontFile {
        path: path.display().to_string(),
        reason,
    };
    let meta = std::fs::metadata(path).map_err(|e| bad(landplan_core::text::io_reason(&e)))?;
    if !meta.is_file() {
        return Err(bad("这是一个目录，不是字体文件".into()));
    }
    let before: Vec<ID> = db.faces().map(|f| f.id).collect();
    db.load_font_file(path)
        .map_err(|e| bad(landplan_core::text::io_reason(&e)))?;
    let added: Vec<ID> = db
        .faces()
        .map(|f| f.id)
        .filter(|id| !before.contains(id))
        .collect();
    if added.is_empty() {
        return Err(bad(
            "不是可用的字体文件（应为 TrueType/OpenType 字体：.ttf、.otf、.ttc）".into(),
        ));
    }
    Ok(added)
}

/// True when the face has glyphs for Chinese text.
fn is_cjk(db: &Database, id: ID) -> bool {
    use skrifa::MetadataProvider;
    db.with_face_data(id, |data, index| {
        skrifa::FontRef::from_index(data, index)
            .map(|f| {
                let map = f.charmap();
                PROBE.iter().all(|c| map.map(*c).is_some())
            })
            .unwrap_or(false)
    })
    .unwrap_or(false)
}

/// The face's family name (the English one when it has several).
fn family_of(db: &Database, id: ID) -> Option<String> {
    let face = db.face(id)?;
    face.families
        .iter()
        .find(|f| f.1 == usvg::fontdb::Language::English_UnitedStates)
        .or(face.families.first())
        .map(|f| f.0.clone())
}

/// How well a face suits a chart (lower is better): upright regular mainland faces first.
fn rank(db: &Database, id: ID) -> (u8, u16) {
    let Some(face) = db.face(id) else {
        return (u8::MAX, u16::MAX);
    };
    let name = family_of(db, id).unwrap_or_default();
    let mainland = [" SC", " CN", " GB", "Hei", "YaHei", "SimSun"]
        .iter()
        .any(|m| name.contains(m));
    let upright = face.style == Style::Normal;
    let class = match (mainland, upright) {
        (true, true) => 0,
        (false, true) => 1,
        (true, false) => 2,
        (false, false) => 3,
    };
    (class, face.weight.0.abs_diff(400))
}

/// The best CJK face among `ids`.
fn best(db: &Database, ids: impl Iterator<Item = ID>) -> Option<ID> {
    ids.filter(|id| is_cjk(db, *id))
        .min_by_key(|id| rank(db, *id))
}

/// The family names of the faces in font files (to name them first in SVG text). Reads only
/// the named files, never the system's fonts.
pub fn font_families(files: &[PathBuf]) -> Result<Vec<String>, ReportError> {
    let mut db = Database::new();
    let mut names = Vec::new();
    for path in named_files(files) {
        let ids = load_file(&mut db, &path)?;
        let id = best(&db, ids.iter().copied()).unwrap_or(ids[0]);
        if let Some(name) = family_of(&db, id) {
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    Ok(names)
}

impl FontSet {
    /// The system's fonts (unless [`NO_SYSTEM_FONTS_ENV`] is set) and the named files, with
    /// a CJK face chosen. Errors: a named file that cannot be read or holds no CJK face, or no
    /// CJK face anywhere ([`ReportError::NoCjkFont`]).
    pub fn load(files: &[PathBuf]) -> Result<FontSet, ReportError> {
        let mut db = Database::new();
        let mut chosen: Option<ID> = None;
        for path in named_files(files) {
            let ids = load_file(&mut db, &path)?;
            match best(&db, ids.into_iter()) {
                Some(id) => {
                    chosen.get_or_insert(id);
                }
                None => {
                    return Err(ReportError::FontFile {
                        path: path.display().to_string(),
                        reason: "字体中没有中文字形，无法显示图中的中文".into(),
                    })
                }
            }
        }
        let system = system_fonts_wanted();
        if system {
            db.load_system_fonts();
        }
        let chosen = chosen
            .or_else(|| {
                PREFERRED.iter().find_map(|want| {
                    let ids: Vec<ID> = db
                        .faces()
                        .filter(|f| f.families.iter().any(|n| n.0.eq_ignore_ascii_case(want)))
                        .map(|f| f.id)
                        .collect();
                    best(&db, ids.into_iter())
                })
            })
            .or_else(|| {
                let ids: Vec<ID> = db.faces().map(|f| f.id).collect();
                best(&db, ids.into_iter())
            });
        let Some(id) = chosen else {
            return Err(ReportError::NoCjkFont {
                searched: if !system {
                    format!("已按 {NO_SYSTEM_FONTS_ENV} 不读取系统字体")
                } else if db.is_empty() {
                    "系统中没有安装任何字体".to_string()
                } else {
                    format!("系统字体 {} 个，均无中文字形", db.len())
                },
            });
        };
        let family = family_of(&db, id).unwrap_or_default();
        // Generic families resolve to the chosen face too, so that nothing falls back to a
        // face without CJK glyphs.
        db.set_sans_serif_family(family.clone());
        db.set_serif_family(family.clone());
        Ok(FontSet {
            db: Arc::new(db),
            id,
            family,
        })
    }

    /// The CJK family the text is set in.
    pub fn family(&self) -> &str {
        &self.family
    }

    /// The file the chosen face comes from, when it is a file.
    pub fn file(&self) -> Option<PathBuf> {
        self.db.face(self.id).and_then(|f| match &f.source {
            Source::File(p) | Source::SharedFile(p, _) => Some(p.clone()),
            Source::Binary(_) => None,
        })
    }

    /// The advance of `s` set at `size` pixels in the chosen face (glyph advances summed, no
    /// kerning), for checking the layout's width estimates.
    #[cfg(test)]
    fn advance(&self, s: &str, size: f32) -> Option<f64> {
        use skrifa::instance::{LocationRef, Size};
        use skrifa::MetadataProvider;
        self.db
            .with_face_data(self.id, |data, index| {
                let font = skrifa::FontRef::from_index(data, index).ok()?;
                let map = font.charmap();
                let metrics = font.glyph_metrics(Size::new(size), LocationRef::default());
                s.chars()
                    .map(|c| map.map(c).and_then(|g| metrics.advance_width(g)))
                    .sum::<Option<f32>>()
                    .map(f64::from)
            })
            .flatten()
    }

    /// Rasterise an SVG picture (as written by this crate) to PNG (RGB, 8 bits, white ground),
    /// its text set in the chosen CJK face.
    pub fn png(&self, svg: &str) -> Result<Vec<u8>, ReportError> {
        let quoted = format!("'{}'", self.family.replace(['\'', '"', '<', '&'], ""));
        let svg = with_family(svg, &quoted);
        let opt = usvg::Options {
            font_family: self.family.clone(),
            fontdb: self.db.clone(),
            ..Default::default()
        };
        let tree =
            usvg::Tree::from_str(&svg, &opt).map_err(|e| ReportError::Chart(e.to_string()))?;
        let size = tree.size().to_int_size();
        let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())
            .ok_or_else(|| ReportError::Chart("图片尺寸无效".into()))?;
        pixmap.fill(tiny_skia::Color::WHITE);
        resvg::render(
            &tree,
            tiny_skia::Transform::identity(),
            &mut pixmap.as_mut(),
        );
        // Opaque everywhere (white ground), so premultiplied RGBA is plain RGB.
        let rgb: Vec<u8> = pixmap
            .data()
            .chunks_exact(4)
            .flat_map(|p| [p[0], p[1], p[2]])
            .collect();
        let mut out = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut out, size.width(), size.height());
            enc.set_color(png::ColorType::Rgb);
            enc.set_depth(png::BitDepth::Eight);
            let err = |e: png::EncodingError| ReportError::Chart(e.to_string());
            let mut w = enc.write_header().map_err(err)?;
            w.write_image_data(&rgb).map_err(err)?;
        }
        Ok(out)
    }
}

/// The SVG with the root element's font family replaced by `family` (the chosen face alone).
fn with_family(svg: &str, family: &str) -> String {
    const KEY: &str = " font-family=\"";
    match svg.find(KEY) {
        Some(i) => {
            let start = i + KEY.len();
            match svg[start..].find('"') {
                Some(len) => format!("{}{family}{}", &svg[..start], &svg[start + len..]),
                None => svg.to_string(),
            }
        }
        None => svg.to_string(),
    }
}

/// The family list for SVG text: the named files' families first (when fonts are named), then
/// the usual CJK families.
pub(crate) fn svg_family(files: &[PathBuf]) -> Result<String, ReportError> {
    let named = font_families(files)?;
    if named.is_empty() {
        return Ok(crate::svg::FAMILY.to_string());
    }
    let mut s = String::new();
    for name in named {
        s.push('\'');
        s.push_str(&name.replace(['\'', '"', '<', '&'], ""));
        s.push_str("', ");
    }
    s.push_str(crate::svg::FAMILY);
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_family_is_replaced_on_the_root_element_only() {
        let svg = "<svg font-family=\"a, b\"><text font-family=\"x\">中</text></svg>";
        assert_eq!(
            with_family(svg, "'C'"),
            "<svg font-family=\"'C'\"><text font-family=\"x\">中</text></svg>"
        );
    }

    /// The layout's estimate of a label's width is never short of the real width in the
    /// installed CJK face (so labels laid out by it do not run into their neighbours), and not
    /// far over it.
    #[test]
    fn width_estimates_cover_the_real_glyphs() {
        let fonts = match FontSet::load(&[]) {
            Ok(f) => f,
            Err(e) if std::env::var_os("CI").is_none() => {
                println!("width_estimates: skipped, {e}");
                return;
            }
            Err(e) => panic!("{e} and CI is set"),
        };
        for s in [
            "1076.2225公顷，56.15%",
            "公共管理与公共服务用地",
            "示例经济开发区",
            "第四季度末",
            "100.00%",
            "0123456789",
            "CGCS2000 3度带高斯-克吕格投影 第39带（中央经线东经117°），单位：米",
            "SL-001 Zone A",
        ] {
            let real = fonts.advance(s, 14.0).expect("glyphs for every character");
            let est = crate::svg::text_width(s, 14.0);
            assert!(
                est >= real && est <= real * 1.25 + 4.0,
                "{s}: estimated {est:.1}px, drawn {real:.1}px in {}",
                fonts.family()
            );
        }
    }

    #[test]
    fn a_missing_or_non_font_file_is_named_in_chinese() {
        let err = font_families(&[PathBuf::from("/nonexistent/字体.ttf")])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("/nonexistent/字体.ttf") && err.contains("不存在"),
            "{err}"
        );
        let dir = std::env::temp_dir().join(format!("landplan-font-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("not-a-font.ttf");
        std::fs::write(&f, b"this is text, not a font").unwrap();
        let err = font_families(std::slice::from_ref(&f))
            .unwrap_err()
            .to_string();
        assert!(err.contains("不是可用的字体文件"), "{err}");
        let err = font_families(std::slice::from_ref(&dir))
            .unwrap_err()
            .to_string();
        assert!(err.contains("目录"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
