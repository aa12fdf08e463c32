//! Charts (SVG/PNG with Chinese labels) and the single-file HTML report.
mod common;
use common::*;
use landplan_report::{
    render_chart, render_plan, ChartKind, Checkpoint, FontSet, ImageFormat, ReportFormat,
    ReportOptions,
};

/// True when a CJK font is installed (PNG needs one; SVG does not); otherwise prints that the
/// test skips (fails under CI).
fn font_present(test: &str) -> bool {
    match FontSet::load(&[]) {
        Ok(_) => true,
        Err(e) if std::env::var_os("CI").is_none() => {
            println!("{test}: skipped, {e}");
            false
        }
        Err(e) => panic!("{test}: {e} (apt fonts-noto-cjk) and CI is set"),
    }
}

/// Zhengzhou's checkpoints (seed 004: 6月底50%、9月底75%、年底100%), as a plan would give them.
fn zhengzhou() -> Vec<Checkpoint> {
    ["06-30=50", "09-30=75", "12-31=100"]
        .iter()
        .map(|s| Checkpoint::parse(s).unwrap())
        .collect()
}

fn chart_svg(
    plan: &landplan_core::compile::CompiledPlan,
    kind: ChartKind,
    cps: &[Checkpoint],
) -> String {
    String::from_utf8(render_chart(plan, kind, cps, ImageFormat::Svg).unwrap()).unwrap()
}

#[test]
fn svg_charts_carry_the_chinese_labels_and_figures() {
    let plan = demo_supply();
    let svg = chart_svg(&plan, ChartKind::Structure, &[]);
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
    assert!(svg.contains("<text"), "text stays text");
    let svg = chart_svg(&plan, ChartKind::Layout, &[]);
    for town in ["城关镇", "东河乡", "西山镇", "南湖街道"] {
        assert!(svg.contains(town), "{town}");
    }
    let svg = chart_svg(&plan, ChartKind::Timing, &[]);
    assert!(svg.contains("71.07%"), "cumulative share at the end of Q2");
}

#[test]
fn the_timing_chart_shows_checkpoints_only_when_the_plan_gives_them() {
    let plan = demo_supply();
    let none = chart_svg(&plan, ChartKind::Timing, &[]);
    assert!(none.contains("计划累计供应") && none.contains("71.07%"));
    for absent in ["完成率节点", "6月底", "9月底", "年底", "<polygon"] {
        assert!(
            !none.contains(absent),
            "no checkpoint given, yet {absent} drawn"
        );
    }
    let given = chart_svg(&plan, ChartKind::Timing, &zhengzhou());
    for present in ["完成率节点", "6月底50%", "9月底75%", "年底100%"] {
        assert!(given.contains(present), "{present}");
    }
    // One triangle per checkpoint, plus the legend's.
    assert_eq!(given.matches("<polygon").count(), 4);
    // A county's own single checkpoint is drawn as given.
    let own = chart_svg(
        &plan,
        ChartKind::Timing,
        &[Checkpoint::parse("07-31=60").unwrap()],
    );
    assert!(own.contains("7月底60%") && !own.contains("6月底50%"));
}

#[test]
fn png_charts_are_valid_images_with_drawn_content() {
    if !font_present("png_charts") {
        return;
    }
    for kind in [ChartKind::Structure, ChartKind::Layout, ChartKind::Timing] {
        let png = render_chart(&demo_supply(), kind, &zhengzhou(), ImageFormat::Png).unwrap();
        let dec = png::Decoder::new(std::io::Cursor::new(&png));
        let mut reader = dec.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
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
    let err = render_chart(&demo_reserve(), ChartKind::Timing, &[], ImageFormat::Svg).unwrap_err();
    assert!(err.to_string().contains("储备计划没有供应时序"));
    assert!(render_chart(&demo_reserve(), ChartKind::Layout, &[], ImageFormat::Svg).is_ok());
    if font_present("reserve_layout_png") {
        assert!(render_chart(&demo_reserve(), ChartKind::Layout, &[], ImageFormat::Png).is_ok());
    }
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
    assert_eq!(
        html.matches("<svg").count(),
        3,
        "structure, layout and timing charts inline"
    );
}

#[test]
fn the_html_page_says_nothing_about_checkpoints_unless_the_plan_gives_them() {
    let page = |checkpoints: Vec<Checkpoint>| {
        let opts = ReportOptions {
            checkpoints,
            ..Default::default()
        };
        String::from_utf8(render_plan(&demo_supply(), ReportFormat::Html, &opts).unwrap()).unwrap()
    };
    let html = page(Vec::new());
    for absent in ["完成率", "节点", "6月底", "9月底"] {
        assert!(!html.contains(absent), "{absent}");
    }
    let html = page(zhengzhou());
    assert!(html.contains("完成率节点") && html.contains("6月底50%") && html.contains("9月底75%"));
}
