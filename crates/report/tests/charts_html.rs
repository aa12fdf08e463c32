//! Charts (SVG/PNG with Chinese labels) and the single-file HTML report.
mod common;
use common::*;
use landplan_report::chart::cjk_font;
use landplan_report::{
    render_chart, render_plan, ChartKind, ImageFormat, ReportFormat, ReportOptions,
};

/// True when a CJK font is installed; otherwise prints that the test skips (fails under CI).
fn font_present(test: &str) -> bool {
    match cjk_font() {
        Ok(_) => true,
        Err(e) if std::env::var_os("CI").is_none() => {
            println!("{test}: skipped, {e}");
            false
        }
        Err(e) => panic!("{test}: {e} (apt fonts-noto-cjk) and CI is set"),
    }
}

#[test]
fn svg_charts_carry_the_chinese_labels_and_figures() {
    if !font_present("svg_charts") {
        return;
    }
    let plan = demo_supply();
    let svg =
        String::from_utf8(render_chart(&plan, ChartKind::Structure, ImageFormat::Svg).unwrap())
            .unwrap();
    assert!(svg.starts_with("<svg"));
    assert!(svg.contains("工矿仓储用地"));
    assert!(
        svg.contains("24.15公顷，41.71%"),
        "the label states area and share"
    );
    assert!(
        svg.contains("Noto Sans CJK SC"),
        "CJK font family named for viewers"
    );
    let svg = String::from_utf8(render_chart(&plan, ChartKind::Layout, ImageFormat::Svg).unwrap())
        .unwrap();
    for town in ["城关镇", "东河乡", "西山镇", "南湖街道"] {
        assert!(svg.contains(town), "{town}");
    }
    let svg = String::from_utf8(render_chart(&plan, ChartKind::Timing, ImageFormat::Svg).unwrap())
        .unwrap();
    assert!(svg.contains("71.07%"), "cumulative share at the end of Q2");
    assert!(svg.contains("6月底50%"), "checkpoint from the data file");
}

#[test]
fn png_charts_are_valid_images_with_drawn_content() {
    if !font_present("png_charts") {
        return;
    }
    for kind in [ChartKind::Structure, ChartKind::Layout, ChartKind::Timing] {
        let png = render_chart(&demo_supply(), kind, ImageFormat::Png).unwrap();
        let dec = png::Decoder::new(std::io::Cursor::new(&png));
        let mut reader = dec.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert!(info.width >= 900 && info.height >= 300);
        let dark = buf.chunks(3).filter(|p| p.iter().all(|c| *c < 80)).count();
        assert!(
            dark > 2000,
            "{kind:?}: text and axes drawn ({dark} dark pixels)"
        );
    }
}

#[test]
fn a_reserve_plan_has_no_timing_chart() {
    if !font_present("reserve_timing") {
        return;
    }
    let err = render_chart(&demo_reserve(), ChartKind::Timing, ImageFormat::Svg).unwrap_err();
    assert!(err.to_string().contains("储备计划没有供应时序"));
    assert!(render_chart(&demo_reserve(), ChartKind::Layout, ImageFormat::Png).is_ok());
}

#[test]
fn html_is_one_self_contained_chinese_page() {
    let html = String::from_utf8(
        render_plan(
            &demo_supply(),
            ReportFormat::Html,
            &ReportOptions::default(),
        )
        .unwrap(),
    )
    .unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<html lang=\"zh-CN\">"));
    assert!(html.contains("<title>示例县2025年度国有建设用地供应计划</title>"));
    assert!(
        html.contains("<p>2025年度示例县国有建设用地供应总量控制在57.90公顷（868.50亩）以内。</p>")
    );
    assert!(html.contains("<th>供应面积</th>"));
    assert!(html.contains("<td class=\"n\">24.15</td>"));
    assert!(!html.contains("src=\"http"), "no external resources");
    assert!(!html.contains("<link"), "no external stylesheet");
    if cjk_font().is_ok() {
        assert_eq!(
            html.matches("<svg").count(),
            3,
            "structure, layout and timing charts inline"
        );
    }
}
