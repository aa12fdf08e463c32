//! A machine without fonts: SVG charts and maps need none; PNG fails with a Chinese message that
//! names `--font FILE` and the Debian packages; PNG with a font file given works.
//!
//! How the machine is made "fresh": this test binary holds this one test, which sets
//! `LANDPLAN_NO_SYSTEM_FONTS=1` (landplan's font database then loads no system font) and points
//! `FONTCONFIG_FILE` at a configuration with no font directory, before anything is drawn.
//! `LANDPLAN_CJK_FONT` is removed. The CJK font file for the last part is looked up through the
//! system's fonts first, before the switch (skipped without one, unless CI is set).
mod common;
use common::*;
use landplan_report::fonts::NO_SYSTEM_FONTS_ENV;
use landplan_report::{
    render_chart, render_map, ChartKind, FontSet, ImageFormat, ImageOptions, MapFeature, MapInput,
};

fn square(e: f64, n: f64, side: f64) -> landplan_geo::geo::MultiPolygon<f64> {
    use landplan_geo::geo::polygon;
    landplan_geo::geo::MultiPolygon(vec![polygon![
        (x: e, y: n), (x: e + side, y: n), (x: e + side, y: n + side), (x: e, y: n + side), (x: e, y: n)
    ]])
}

fn map() -> MapInput {
    MapInput {
        title: "示例县地块分布图".into(),
        parcels: vec![MapFeature {
            label: "SL-001".into(),
            class: Some("工矿仓储用地".into()),
            geometry: square(39_500_000.0, 4_400_000.0, 300.0),
        }],
        ..Default::default()
    }
}

/// Dark pixels (text, axes) in an RGB PNG.
fn dark_pixels(png: &[u8]) -> usize {
    let mut reader = png::Decoder::new(std::io::Cursor::new(png))
        .read_info()
        .unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    reader.next_frame(&mut buf).unwrap();
    buf.chunks(3).filter(|p| p.iter().all(|c| *c < 80)).count()
}

#[test]
fn without_fonts_svg_works_png_says_what_to_do_and_a_named_font_draws() {
    // A CJK font file, found while the system's fonts are still visible.
    let cjk_file = FontSet::load(&[]).ok().and_then(|f| f.file());
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("fonts.conf");
    std::fs::write(
        &conf,
        "<?xml version=\"1.0\"?>\n<fontconfig></fontconfig>\n",
    )
    .unwrap();
    std::env::set_var("FONTCONFIG_FILE", &conf);
    std::env::set_var(NO_SYSTEM_FONTS_ENV, "1");
    std::env::remove_var("LANDPLAN_CJK_FONT");

    // SVG: every chart and the map, text as text.
    let plan = demo_supply();
    for kind in [ChartKind::Structure, ChartKind::Layout, ChartKind::Timing] {
        let svg =
            String::from_utf8(render_chart(&plan, kind, &[], ImageFormat::Svg).unwrap()).unwrap();
        assert!(
            svg.contains("<text") && svg.contains("示例县2025年度"),
            "{kind:?}"
        );
    }
    let svg = String::from_utf8(render_map(&map(), ImageFormat::Svg).unwrap()).unwrap();
    assert!(svg.contains("图例") && svg.contains("工矿仓储用地"));

    // PNG without a font: refused, saying what to do.
    let err = render_chart(&plan, ChartKind::Structure, &[], ImageFormat::Png)
        .unwrap_err()
        .to_string();
    for s in [
        "未找到中文字体",
        "--font",
        "fonts-noto-cjk",
        "fonts-wqy-microhei",
        "SVG",
    ] {
        assert!(err.contains(s), "{s} missing from: {err}");
    }
    assert!(render_map(&map(), ImageFormat::Png).is_err());

    // PNG with a font file named (`--font`).
    let Some(file) = cjk_file else {
        if std::env::var_os("CI").is_some() {
            panic!("no CJK font installed (apt fonts-noto-cjk) and CI is set");
        }
        println!("png with --font: skipped, no CJK font installed");
        return;
    };
    let image = ImageOptions {
        format: ImageFormat::Png,
        fonts: vec![file.clone()],
    };
    let fonts = FontSet::load(std::slice::from_ref(&file)).unwrap();
    assert_eq!(fonts.file().as_deref(), Some(file.as_path()));
    let png = render_chart(&plan, ChartKind::Structure, &[], &image).unwrap();
    assert!(dark_pixels(&png) > 2000, "text drawn with the named font");
    let png = render_map(&map(), &image).unwrap();
    assert!(
        dark_pixels(&png) > 500,
        "map text drawn with the named font"
    );
}
