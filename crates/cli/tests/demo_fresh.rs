//! `scripts/demo.sh` on a fresh machine finishes every step.
//!
//! How the machine is made "fresh" (without changing this one): fontconfig is given a
//! configuration with no font directory (`FONTCONFIG_FILE`, so `fc-list :lang=zh` finds nothing),
//! landplan's font database loads no system font (`LANDPLAN_NO_SYSTEM_FONTS=1`;
//! `LANDPLAN_CJK_FONT` removed), and the script may install nothing (`LANDPLAN_NO_INSTALL=1`, as
//! on a machine without root or sudo). The script runs with the binary this test was built with
//! (`LANDPLAN_BIN`, so its build step is skipped) and writes into a temporary folder
//! (`LANDPLAN_DEMO_OUT`).

use std::path::Path;
use std::process::Command;

#[test]
fn the_demo_finishes_every_step_without_fonts_and_says_so_about_png() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("empty-fonts.conf");
    std::fs::write(
        &conf,
        "<?xml version=\"1.0\"?>\n<fontconfig></fontconfig>\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = Command::new("bash")
        .arg(repo.join("scripts/demo.sh"))
        .env("LANDPLAN_BIN", env!("CARGO_BIN_EXE_landplan"))
        .env("LANDPLAN_DEMO_OUT", &out)
        .env("LANDPLAN_NO_INSTALL", "1")
        .env("LANDPLAN_NO_SYSTEM_FONTS", "1")
        .env("FONTCONFIG_FILE", &conf)
        .env_remove("LANDPLAN_CJK_FONT")
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&o.stdout);
    let stderr = String::from_utf8_lossy(&o.stderr);
    let all = format!("{stdout}{stderr}");
    assert!(o.status.success(), "demo failed:\n{all}");
    for step in 1..=8 {
        assert!(
            all.contains(&format!("[{step}/8]")),
            "step {step} missing:\n{all}"
        );
    }
    assert!(all.contains("全部 8 步已完成"), "{all}");
    // Set-up said what is missing instead of installing it.
    assert!(all.contains("未找到中文字体，也无法自动安装"), "{all}");
    // Charts: SVG written, PNG left out with landplan's message and the note.
    for chart in [
        "supply-structure",
        "supply-layout",
        "supply-timing",
        "reserve-structure",
        "reserve-layout",
    ] {
        let svg = std::fs::read_to_string(out.join("charts").join(format!("{chart}.svg")))
            .unwrap_or_else(|e| panic!("{chart}.svg: {e}"));
        assert!(svg.contains("<text"), "{chart}");
        assert!(!out.join("charts").join(format!("{chart}.png")).exists());
    }
    assert!(
        all.contains("--font FILE") && all.contains("fonts-noto-cjk"),
        "{all}"
    );
    assert!(all.contains("未绘制 PNG 图表"), "{all}");
    // The documents, the check of them, and the store through the plan's life.
    for file in [
        "supply-2025.json",
        "supply-2025.md",
        "supply-2025.html",
        "示例县2025年度国有建设用地供应计划.docx",
        "示例县2025年度国有建设用地供应计划附表.xlsx",
        "reserve-2025.json",
        "示例县2025年度土地储备计划.docx",
        "landplan.gpkg",
    ] {
        assert!(out.join(file).is_file(), "{file} not written");
    }
    assert_eq!(all.matches("发现错误0个").count(), 2, "{all}");
    assert!(
        all.contains("已公布") && all.contains("审计日志完好"),
        "{all}"
    );
}
