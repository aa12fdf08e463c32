//! The Word document: structure, generated sentences, GB/T 9704 layout, snapshots.
mod common;
use common::*;
use landplan_report::{render_plan, ReportFormat, ReportOptions};

fn opts() -> ReportOptions {
    ReportOptions {
        date: Some("2025年1月8日".into()),
        ..Default::default()
    }
}

#[test]
fn supply_docx_states_every_indicator_in_the_register_of_published_plans() {
    let bytes = render_plan(&demo_supply(), ReportFormat::Docx, &opts()).unwrap();
    let text = docx_text(&bytes);
    // Total 57.90 ha = 868.50 亩 (sum of the 16 parcels, worked by hand).
    assert!(
        text.contains("2025年度示例县国有建设用地供应总量控制在57.90公顷（868.50亩）以内。"),
        "{text}"
    );
    // Shares are rounded half up from the exact share, as the Excel 附表's formulas show
    // them: 3.35/57.90 = 5.7858 % is 5.79 (the largest-remainder rule once printed 5.78).
    assert!(text.contains("2025年度示例县国有建设用地供应总量中，商服用地3.35公顷，占比5.79%；工矿仓储用地24.15公顷，占比41.71%；住宅用地14.25公顷，占比24.61%；"), "{text}");
    assert!(
        text.contains("城关镇土地供应量为24.90公顷，其中："),
        "{text}"
    );
    assert!(text.contains("第一季度计划供应24.75公顷"), "{text}");
    assert!(text.contains("以划拨方式供应"), "{text}");
    assert!(text.contains("其中，新增建设用地"), "{text}");
    for h in [
        "一、指导思想和基本原则",
        "二、计划期限与范围",
        "三、计划指标",
        "四、政策导向",
        "五、保障措施",
        "（一）国有建设用地供应总量",
    ] {
        assert!(text.contains(h), "missing heading {h}");
    }
    assert!(text.contains("示例县自然资源局\n2025年1月8日\n"));
    assert!(text.contains("附表1"));
    assert!(text.contains("廉租住房\t2.35\t16.49"), "housing table");
}

#[test]
fn docx_declares_cjk_fonts_a4_margins_and_page_numbers() {
    let bytes = render_plan(&demo_supply(), ReportFormat::Docx, &opts()).unwrap();
    let styles = zip_part(&bytes, "word/styles.xml");
    assert!(styles.contains(r#"w:eastAsia="仿宋_GB2312""#));
    assert!(styles.contains(r#"w:eastAsia="黑体""#));
    assert!(styles.contains(r#"w:eastAsia="楷体_GB2312""#));
    assert!(styles.contains(r#"w:eastAsia="zh-CN""#));
    let fonts = zip_part(&bytes, "word/fontTable.xml");
    assert!(fonts.contains(
        r#"<w:font w:name="仿宋_GB2312"><w:altName w:val="仿宋"/><w:charset w:val="86"/>"#
    ));
    let doc = zip_part(&bytes, "word/document.xml");
    assert!(doc.contains(r#"<w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1587""#));
    let footer = zip_part(&bytes, "word/footer1.xml");
    assert!(footer.contains(" PAGE "));
}

#[test]
fn the_same_plan_gives_the_same_bytes() {
    let a = render_plan(&demo_supply(), ReportFormat::Docx, &opts()).unwrap();
    let b = render_plan(&demo_supply(), ReportFormat::Docx, &opts()).unwrap();
    assert_eq!(a, b);
}

#[test]
fn without_a_date_a_blank_line_is_left_and_the_default_issuing_body_is_used() {
    let bytes = render_plan(
        &demo_supply(),
        ReportFormat::Docx,
        &ReportOptions::default(),
    )
    .unwrap();
    let text = docx_text(&bytes);
    assert!(text.contains("示例县自然资源局\n\n"), "{text}");
}

#[test]
fn edited_templates_replace_the_narrative_but_not_the_figures() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("supply")).unwrap();
    std::fs::write(
        dir.path().join("supply/policy.md"),
        "# 政策导向\n本年度{region}计划供应{total_ha}公顷，优先保障民生。\n",
    )
    .unwrap();
    let o = ReportOptions {
        templates_dir: Some(dir.path().to_path_buf()),
        ..opts()
    };
    let text = docx_text(&render_plan(&demo_supply(), ReportFormat::Docx, &o).unwrap());
    assert!(text.contains("本年度示例县计划供应57.90公顷，优先保障民生。"));
    assert!(text.contains("供应总量控制在57.90公顷（868.50亩）以内"));
    std::fs::write(dir.path().join("supply/policy.md"), "{totl_ha}\n").unwrap();
    let err = render_plan(&demo_supply(), ReportFormat::Docx, &o)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("policy.md 第1行") && err.contains("{totl_ha}"),
        "{err}"
    );
}

#[test]
fn reserve_docx_states_scale_structure_layout_parcels_and_funds() {
    let bytes = render_plan(&demo_reserve(), ReportFormat::Docx, &opts()).unwrap();
    let text = docx_text(&bytes);
    assert!(text.contains("示例县2026年度土地储备计划"));
    // 20.4798 ha = 307.197 亩; stock 4.0254+1.0685+2.7330+9.1896 = 17.0165: totals at two
    // decimals (亩 from the exact hectares), parcels at four, as published plans write them.
    assert!(text.contains("2026年度示例县计划储备土地20.48公顷（307.20亩）。其中：存量土地17.02公顷（255.25亩），新增土地3.46公顷（51.95亩）。"), "{text}");
    assert!(text.contains("1.地块编号：CB-001，土地坐落：工业园区CB-001号地块，面积：4.0254公顷；"));
    assert!(text.contains("资金需求总量7500.00万元。"));
    assert!(text.contains("占计划储备土地面积的"));
}

#[test]
fn snapshot_supply_document_xml() {
    let bytes = render_plan(&demo_supply(), ReportFormat::Docx, &opts()).unwrap();
    insta::assert_snapshot!("supply_document_xml", zip_part(&bytes, "word/document.xml"));
}

#[test]
fn snapshot_reserve_document_xml() {
    let bytes = render_plan(&demo_reserve(), ReportFormat::Docx, &opts()).unwrap();
    insta::assert_snapshot!(
        "reserve_document_xml",
        zip_part(&bytes, "word/document.xml")
    );
}

#[test]
fn snapshot_styles_xml() {
    let bytes = render_plan(&demo_supply(), ReportFormat::Docx, &opts()).unwrap();
    insta::assert_snapshot!("styles_xml", zip_part(&bytes, "word/styles.xml"));
}
