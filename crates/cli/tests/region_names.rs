//! `--region` takes a 行政区划代码, 代码=名称, or a name the store's region table knows, in every
//! store command (issue 12: it was a code in some commands, a name in others).

use std::path::Path;
use std::process::Command;

fn landplan(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_landplan"))
        .current_dir(dir)
        .args(args)
        .env("USER", "测试员")
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn regions_by_code_code_and_name_or_name() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ledger = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/demo/example-county-supply-2025.csv")
        .canonicalize()
        .unwrap();
    let ledger = ledger.to_str().unwrap();
    let db = ["--db", "s.gpkg"];
    let ok = |args: &[&str]| {
        let (code, out, err) = landplan(d, args);
        assert_eq!(code, 0, "{args:?}: {err}");
        out
    };
    ok(&[
        "init",
        db[0],
        db[1],
        "--region",
        "990000=示例省",
        "--region",
        "990100=示例市",
    ]);
    ok(&[
        "import",
        db[0],
        db[1],
        ledger,
        "--region",
        "990101",
        "--region-name",
        "示例县",
        "--year",
        "2025",
    ]);
    // By name, by code and by 代码=名称: the same plan.
    let created = ok(&[
        "plan",
        "create",
        db[0],
        db[1],
        "--region",
        "示例县",
        "--year",
        "2025",
    ]);
    assert!(created.contains("示例县（990101）"), "{created}");
    for region in ["990101", "990101=示例县", "示例县"] {
        let shown = ok(&[
            "plan", "show", db[0], db[1], "--region", region, "--year", "2025",
        ]);
        assert!(
            shown.contains("示例县（990101） 2025 年国有建设用地供应计划　第 1 版　草稿"),
            "{region}: {shown}"
        );
    }
    let rolled = ok(&[
        "rollup",
        db[0],
        db[1],
        "--region",
        "示例市",
        "--year",
        "2025",
        "--include-drafts",
    ]);
    assert!(rolled.contains("示例市（990100）"), "{rolled}");
    // A name the store does not know is told in Chinese.
    let (code, _, err) = landplan(
        d,
        &[
            "plan", "show", db[0], db[1], "--region", "乙县", "--year", "2025",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("数据库中没有名为“乙县”的行政区"), "{err}");
}
