//! The store through the `landplan` binary: the end-to-end story (create region, import a ledger
//! with geometry, compile, submit, approve, publish, adjust, diff, roll up, audit verify) on
//! both backends; crash safety under SIGKILL; concurrent writers and readers; `ogrinfo`.

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The story, on one store.
fn story(db: &str, dir: &Path) {
    ok(&[
        "init",
        "--db",
        db,
        "--srid",
        "4527",
        "--region",
        "330000=示例省",
        "--region",
        "330100=示例市",
    ]);
    let l1 = write(dir, "v1.csv", &ledger_v1());
    let g1 = write(
        dir,
        "v1.geojson",
        &geojson(&["A-001", "A-002", "A-003", "A-004"]),
    );
    let county = CountyPlan::new(db, "330102", "2025");
    let out = county
        .import(&[&l1, &g1], &["--region-name", "示例县"])
        .ok()
        .stdout();
    assert!(
        out.contains("地块 4 个（其中带几何 4 个），合计 8.5 公顷"),
        "{out}"
    );
    let l3 = write(dir, "other.csv", &ledger_v2());
    let other = CountyPlan::new(db, "330103", "2025");
    other.import(&[&l3], &["--region-name", "另一县"]).ok();

    let run = |cmd: &[&str], extra: &[&str]| ok(&county.args(cmd, extra));
    let run_fail = |cmd: &[&str], extra: &[&str]| fails(&county.args(cmd, extra));

    let out = run(&["plan", "create"], &[]);
    assert!(out.contains("第 1 版　草稿　8.5000 公顷"), "{out}");
    let err = run_fail(&["plan", "approve"], &[]);
    assert!(err.contains("当前状态为“草稿”，不能批准"), "{err}");
    run(
        &["plan", "submit"],
        &["--reason", "报请县政府审批", "--user", "经办人甲"],
    );
    run(&["plan", "approve"], &["--user", "县长乙"]);
    run(&["plan", "publish"], &[]);
    let err = run_fail(&["plan", "adjust"], &["--reason", ""]);
    assert!(err.contains("--reason"), "{err}");

    let l2 = write(dir, "v2.csv", &ledger_v2());
    let g2 = write(
        dir,
        "v2.geojson",
        &geojson(&["A-001", "A-003", "A-004", "A-005"]),
    );
    county.import(&[&l2, &g2], &[]).ok();
    let out = run(
        &["plan", "adjust"],
        &["--reason", "年中调整：增加保障性租赁住房用地"],
    );
    assert!(out.contains("第 2 版　调整中　10.7500 公顷"), "{out}");
    let diff = run(&["plan", "diff"], &[]);
    assert!(
        diff.contains("第 1 版（已公布）→ 第 2 版（调整中）"),
        "{diff}"
    );
    assert!(diff.contains("总量：8.5000 → 10.7500（+2.2500）"), "{diff}");
    assert!(
        diff.contains("+ A-005") && diff.contains("- A-002"),
        "{diff}"
    );
    assert!(
        diff.contains("* A-003　面积：4.0000公顷 → 4.5000公顷"),
        "{diff}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&run(&["plan", "diff"], &["--format", "json"])).unwrap();
    assert_eq!(json["added"][0]["id"], "A-005");
    assert_eq!(json["removed"][0]["id"], "A-002");
    run(&["plan", "submit"], &[]);
    run(&["plan", "approve"], &[]);
    run(&["plan", "publish"], &[]);
    let show = run(&["plan", "show"], &[]);
    assert!(
        show.contains("经办人：经办人甲　理由：报请县政府审批"),
        "{show}"
    );
    assert!(show.contains("经办人：县长乙"), "{show}");

    // The other county is approved too; roll up to the prefecture and the province.
    other.steps(&["create", "submit", "approve"]);
    let r = ok(&["rollup", "--db", db, "--region", "330100", "--year", "2025"]);
    assert!(r.contains("2 个县级计划"), "{r}");
    assert!(r.contains("总量：21.5"), "{r}");
    let j = common::run(&[
        "rollup", "--db", db, "--region", "330000", "--year", "2025", "--json",
    ])
    .ok()
    .json();
    assert_eq!(j["members"].as_array().unwrap().len(), 2);

    let v = ok(&["audit", "verify", "--db", db]);
    assert!(v.contains("审计日志完好"), "{v}");
    let log = ok(&["audit", "log", "--db", db, "--limit", "3"]);
    // Actions and objects by their Chinese names, times in 北京时间, no internal ids.
    assert!(
        log.contains("　批准　另一县（330103） 2025 年国有建设用地供应计划"),
        "{log}"
    );
    assert!(log.contains("时间（北京时间）"), "{log}");
    assert!(!log.contains("plan.") && !log.contains("supply"), "{log}");

    // Backup of one region, and restore of the whole store.
    let part = dir.join("part.gpkg");
    ok(&["export", "--db", db, "--region", "330102", p(&part)]);
    let v = ok(&["audit", "verify", "--db", p(&part)]);
    assert!(v.contains("审计日志完好"), "{v}");
    let whole = dir.join("whole.gpkg");
    ok(&["export", "--db", db, p(&whole)]);
    let restored = dir.join("restored.gpkg");
    let out = ok(&["restore", "--db", p(&restored), p(&whole)]);
    assert!(out.contains("地块 12 个"), "{out}");
    let list = ok(&["plan", "list", "--db", p(&restored)]);
    assert!(
        list.contains("示例县（330102） 2025 年国有建设用地供应计划　第 2 版　已公布"),
        "{list}"
    );
    ok(&["audit", "verify", "--db", p(&restored)]);
}

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn ogrinfo_check(gpkg: &Path, features: usize) {
    if !have("ogrinfo") {
        if std::env::var_os("CI").is_some() {
            panic!("CI 环境缺少 ogrinfo（gdal-bin）");
        }
        println!("skipping ogrinfo check: ogrinfo (gdal-bin) not installed");
        return;
    }
    let out = Command::new("ogrinfo")
        .args(["-ro", "-so", p(gpkg), "parcel"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "ogrinfo failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("Geometry: Multi Polygon"), "{text}");
    assert!(
        text.contains(&format!("Feature Count: {features}")),
        "{text}"
    );
    assert!(text.contains("zone 39") && text.contains("4527"), "{text}");
    let layers = Command::new("ogrinfo")
        .args(["-ro", "-q", p(gpkg)])
        .output()
        .unwrap();
    let warnings = String::from_utf8_lossy(&layers.stderr);
    assert!(!warnings.contains("Warning"), "{warnings}");
    let list = String::from_utf8_lossy(&layers.stdout);
    assert!(list.contains("parcel (Multi Polygon)"), "{list}");
}

#[test]
fn story_gpkg() {
    let store = TestStore::gpkg("store.gpkg");
    story(store.db(), store.dir());
    ogrinfo_check(Path::new(store.db()), 12);
}

#[test]
fn story_postgres() {
    on_postgres(story);
}

#[test]
fn clear_errors() {
    let store = TestStore::gpkg("none.gpkg");
    let db = store.db();
    let err = fails(&["plan", "list", "--db", db]);
    assert!(
        err.contains("尚未初始化") && err.contains("landplan init"),
        "{err}"
    );
    let err = fails(&["plan", "list", "--db", "mysql://x"]);
    assert!(err.contains("无法识别的数据库地址"), "{err}");
    ok(&["init", "--db", db]);
    let county = CountyPlan::new(db, "330102", "2025");
    let err = county.step("submit", &[]).failed().stderr();
    assert!(
        err.contains("没有找到") && err.contains("plan create"),
        "{err}"
    );
    let err = county.step("create", &[]).failed().stderr();
    assert!(
        err.contains("还没有导入台账") && err.contains("landplan import --region 330102"),
        "{err}"
    );
    let err = fails(&[
        "import", "--db", db, "--region", "3301", "--year", "2025", "x.csv",
    ]);
    assert!(err.contains("x.csv") || err.contains("6 位"), "{err}");
}

/// Once the store has accounts, `--user` must name one of them, and each acts with its roles.
#[test]
fn accounts_through_the_cli() {
    let store = TestStore::gpkg("accounts.gpkg").init(&[
        "--srid",
        "4527",
        "--region",
        "330000=示例省",
        "--region",
        "330100=示例市",
    ]);
    let db = store.db();
    // The local operator ($USER here) adds the first account, an admin of the province.
    let out = add_account(db, "省管理员", "admin=330000", None);
    assert!(
        out.contains("已添加账户：省管理员　角色：管理 示例省（330000）"),
        "{out}"
    );
    let err = refused(&["plan", "list", "--db", db]);
    assert!(
        err.contains("数据库已启用账户") && err.contains("--user"),
        "{err}"
    );
    let err = refused(&["plan", "list", "--db", db, "--user", "无名氏"]);
    assert!(err.contains("没有名为“无名氏”的账户"), "{err}");
    let err = refused(&["audit", "verify", "--db", db]);
    assert!(err.contains("--user"), "{err}");
    for (name, grant) in [
        ("甲县编制员", "editor=330102"),
        ("乙县编制员", "编制=330103"),
        ("市审核员", "reviewer=330100"),
    ] {
        add_account(db, name, grant, Some("省管理员"));
    }
    let l1 = write(store.dir(), "v1.csv", &ledger_v1());
    let county = CountyPlan::new(db, "330102", "2025");
    let run = |cmd: &[&str], user: &str| ok(&county.by(user).args(cmd, &[]));
    let run_refused = |cmd: &[&str], user: &str| refused(&county.by(user).args(cmd, &[]));
    let err = run_refused(&["import", p(&l1)], "乙县编制员");
    assert!(err.contains("账户“乙县编制员”无权导入"), "{err}");
    run(&["import", p(&l1)], "甲县编制员");
    run(&["plan", "create"], "甲县编制员");
    run(&["plan", "submit"], "甲县编制员");
    let err = run_refused(&["plan", "approve"], "甲县编制员");
    assert!(
        err.contains("账户“甲县编制员”无权批准") && err.contains("“审核”角色"),
        "{err}"
    );
    // Another county's draft does not exist for its editor.
    let err = run_refused(&["plan", "show"], "乙县编制员");
    assert!(err.contains("没有找到"), "{err}");
    let out = run(&["plan", "approve"], "市审核员");
    assert!(
        out.contains("已批准") && out.contains("经办人：市审核员"),
        "{out}"
    );
    let list = ok(&["user", "list", "--db", db, "--user", "省管理员"]);
    assert!(
        list.contains("市审核员　角色：审核 示例市（330100）"),
        "{list}"
    );
    ok(&[
        "user",
        "disable",
        "甲县编制员",
        "--db",
        db,
        "--user",
        "省管理员",
    ]);
    let err = run_refused(&["plan", "show"], "甲县编制员");
    assert!(err.contains("账户“甲县编制员”已停用"), "{err}");
    let log = ok(&["audit", "log", "--db", db, "--user", "省管理员", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&log).unwrap();
    let who: Vec<(&str, &str)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["user"].as_str().unwrap()))
        .filter(|(a, _)| a.starts_with("account.") || a.starts_with("plan."))
        .collect();
    assert_eq!(
        who,
        [
            ("account.create", "测试员"),
            ("account.create", "省管理员"),
            ("account.create", "省管理员"),
            ("account.create", "省管理员"),
            ("plan.create", "甲县编制员"),
            ("plan.submit", "甲县编制员"),
            ("plan.approve", "市审核员"),
            ("account.disable", "省管理员"),
        ]
    );
}

// ---------------------------------------------------------------- large imports, kills, races

/// A generated ledger of `n` parcels and a GeoJSON sequence with a square for each.
fn big_ledger(dir: &Path, n: u64, seed: u64) -> (PathBuf, PathBuf) {
    let ledger = dir.join(format!("big{seed}.csv"));
    let f = std::fs::File::create(&ledger).unwrap();
    landplan_io::generate_csv(
        f,
        &landplan_io::GenOptions {
            parcels: n,
            seed,
            ..Default::default()
        },
    )
    .unwrap();
    let width = n.to_string().len().max(4);
    let mut g = String::new();
    for i in 1..=n {
        let id = format!("SLX2025-{i:0width$}");
        let x = 39_500_000.0 + (i % 1000) as f64 * 200.0;
        let y = 3_400_000.0 + (i / 1000) as f64 * 200.0;
        g.push_str(&square(&id, x, y, 120.0));
        g.push('\n');
    }
    let geo = dir.join(format!("big{seed}.geojsonl"));
    std::fs::write(&geo, g).unwrap();
    (ledger, geo)
}

fn spawn(args: &[&str]) -> Child {
    Cli::new()
        .command()
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Parcel counts per import, as the JSON of `plan list` cannot show them: read the audit log.
fn imports(db: &str) -> Vec<i64> {
    let out = ok(&["audit", "log", "--db", db, "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "import")
        .map(|e| {
            let a: serde_json::Value = serde_json::from_str(e["after"].as_str().unwrap()).unwrap();
            a["parcel_count"].as_i64().unwrap()
        })
        .collect()
}

/// A cheap pseudo-random sequence (no dependency needed for picking kill times).
struct Lcg(u64);
impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

fn crash(db: &str, dir: &Path) {
    ok(&["init", "--db", db, "--srid", "4527"]);
    let n = 20_000;
    let (ledger, geo) = big_ledger(dir, n, 7);
    let args = CountyPlan::new(db, "330102", "2025").args(&["import", p(&ledger), p(&geo)], &[]);
    // How long a whole import takes, to spread the kills across it.
    let t = Instant::now();
    ok(&args);
    let full = t.elapsed();
    let mut rng = Lcg(std::process::id() as u64 ^ 0x5eed);
    let mut committed = 1;
    let mut killed_mid_import = 0;
    for round in 0..12 {
        let mut child = spawn(&args);
        let wait = Duration::from_millis(rng.below(full.as_millis() as u64 + 50));
        std::thread::sleep(wait);
        let _ = child.kill(); // SIGKILL
        let status = child.wait().unwrap();
        let v = run(&["audit", "verify", "--db", db]);
        assert!(
            v.success(),
            "round {round}: audit verify failed: {}",
            v.stdout()
        );
        let counts = imports(db);
        assert!(
            counts.iter().all(|c| *c == n as i64),
            "round {round}: partial import {counts:?}"
        );
        // All of the import or none of it: a kill after the commit keeps it whole.
        if status.success() {
            assert_eq!(counts.len(), committed + 1, "round {round}: {counts:?}");
        } else {
            assert!(
                counts.len() == committed || counts.len() == committed + 1,
                "round {round}: {counts:?}"
            );
            if counts.len() == committed {
                killed_mid_import += 1;
            }
        }
        committed = counts.len();
    }
    assert!(killed_mid_import > 0, "no kill landed inside an import");
    // The store still takes work after all the kills.
    ok(&args);
    assert_eq!(imports(db).len(), committed + 1);
}

#[test]
fn crash_safety_gpkg() {
    on_gpkg("crash.gpkg", crash);
}

#[test]
fn crash_safety_postgres() {
    on_postgres(crash);
}

fn concurrent(db: &str, dir: &Path) {
    ok(&["init", "--db", db, "--srid", "4527"]);
    let n = 3000;
    let files: Vec<(PathBuf, PathBuf)> = (1..=4).map(|s| big_ledger(dir, n, s)).collect();
    let regions = ["330102", "330103", "330104", "330105"];
    let mut children = Vec::new();
    for ((l, g), r) in files.iter().zip(regions) {
        children.push(spawn(
            &CountyPlan::new(db, r, "2025").args(&["import", p(l), p(g)], &[]),
        ));
    }
    // Readers at the same time.
    let mut readers = Vec::new();
    for _ in 0..4 {
        readers.push(spawn(&["audit", "verify", "--db", db]));
        readers.push(spawn(&["plan", "list", "--db", db]));
    }
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "writer failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for c in readers {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "reader failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(imports(db), vec![n as i64; 4]);
    // Plans created concurrently for the four counties, then a roll-up sees all four.
    let mut children = Vec::new();
    for r in regions {
        children.push(spawn(
            &CountyPlan::new(db, r, "2025").args(&["plan", "create"], &[]),
        ));
    }
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let r = ok(&[
        "rollup",
        "--db",
        db,
        "--region",
        "330100",
        "--year",
        "2025",
        "--include-drafts",
        "--json",
    ]);
    let j: serde_json::Value = serde_json::from_str(&r).unwrap();
    assert_eq!(j["members"].as_array().unwrap().len(), 4);
    assert_eq!(j["parcel_count"], 4 * n);
    ok(&["audit", "verify", "--db", db]);
}

#[test]
fn concurrency_gpkg() {
    on_gpkg("conc.gpkg", concurrent);
}

#[test]
fn concurrency_postgres() {
    on_postgres(concurrent);
}

// ---------------------------------------------------------------- fault campaign, issue 11

/// SHA-256 of a file, as hex (through the store's own helper).
fn sha(path: &Path) -> String {
    landplan_store::audit::sha256_hex(&std::fs::read(path).unwrap())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Run the binary as a user who cannot write `dir` (`nobody` when the tests run as root,
/// whom no permission stops).
fn landplan_without_write_access(args: &[&str]) -> Output {
    let mut c = if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "nobody", "--", BIN]);
        c
    } else {
        Command::new(BIN)
    };
    c.args(args)
        .env("USER", "测试员")
        .output()
        .expect("run landplan")
}

/// A store with a published plan and a draft, in `dir`.
fn small_store(dir: &Path) -> PathBuf {
    let db = dir.join("store.gpkg");
    let db_s = p(&db);
    ok(&[
        "init",
        "--db",
        db_s,
        "--srid",
        "4527",
        "--region",
        "330000=示例省",
    ]);
    let l1 = write(dir, "v1.csv", &ledger_v1());
    for (r, n) in [("330102", "甲县"), ("330103", "乙县")] {
        let county = CountyPlan::new(db_s, r, "2025");
        county.import(&[&l1], &["--region-name", n]).ok();
        county.steps(&["create"]);
    }
    CountyPlan::new(db_s, "330102", "2025").steps(&["submit", "approve", "publish"]);
    db
}

/// Defect 12: verifying and listing a backup leave it byte-for-byte as it was, and work on a
/// store in a read-only directory (no WAL switch, no migration, no -shm needed).
#[test]
fn reading_commands_leave_backups_unchanged_and_work_on_read_only_stores() {
    let d = tempfile::tempdir().unwrap();
    let db = small_store(d.path());
    let backup = d.path().join("备份.gpkg");
    ok(&["export", "--db", p(&db), p(&backup)]);
    let before = sha(&backup);
    let reads: [&[&str]; 6] = [
        &["audit", "verify"],
        &["audit", "log", "--limit", "3"],
        &["plan", "list"],
        &["plan", "show", "--region", "330102", "--year", "2025"],
        &["rollup", "--region", "330000", "--year", "2025"],
        &["user", "list"],
    ];
    for args in reads {
        let mut a = args.to_vec();
        a.extend(["--db", p(&backup)]);
        let out = run(&a);
        // `user list` needs an admin account; the store has none: refused, still unchanged.
        if args[0] != "user" {
            assert!(out.success(), "{a:?}: {}", out.stderr());
        }
        assert_eq!(sha(&backup), before, "`landplan {a:?}` changed the backup");
    }
    assert!(!d.path().join("备份.gpkg-wal").exists());

    // A store (WAL mode) copied into a directory nobody may write.
    let ro_dir = d.path().join("只读");
    std::fs::create_dir(&ro_dir).unwrap();
    let ro = ro_dir.join("只读库.gpkg");
    std::fs::copy(&db, &ro).unwrap();
    let before = sha(&ro);
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o444)).unwrap();
    std::fs::set_permissions(&ro_dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let checks: [(&[&str], &str); 3] = [
        (&["audit", "verify"], "审计日志完好"),
        (&["plan", "list"], "第 1 版　已公布"),
        (
            &["plan", "show", "--region", "330102", "--year", "2025"],
            "流转记录",
        ),
    ];
    for (args, expect) in checks {
        let mut a = args.to_vec();
        a.extend(["--db", p(&ro)]);
        let out = landplan_without_write_access(&a);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && text.contains(expect),
            "{a:?} on a read-only store: {text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // A write is refused in Chinese, naming the file.
    let out = landplan_without_write_access(&[
        "plan",
        "submit",
        "--db",
        p(&ro),
        "--region",
        "330103",
        "--year",
        "2025",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("只读库.gpkg"), "{err}");
    std::fs::set_permissions(&ro_dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(sha(&ro), before);
}

/// Whether a message is Chinese with nothing of SQLite's English in it and no sentence said
/// twice.
fn clear_chinese(msg: &str) {
    assert!(
        msg.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "not Chinese: {msg}"
    );
    for english in [
        "file is not",
        "database",
        "error",
        "Error",
        "no such",
        "CREATE",
    ] {
        assert!(!msg.contains(english), "English in the message: {msg}");
    }
    let parts: Vec<&str> = msg.split(['：', ':']).map(str::trim).collect();
    for (i, a) in parts.iter().enumerate() {
        assert!(
            a.chars().count() < 8 || !parts[i + 1..].contains(a),
            "said twice: {msg}"
        );
    }
}

/// Defect 18: an SQLite failure is one Chinese sentence with the file, said once.
#[test]
fn store_errors_are_one_chinese_sentence_with_the_file() {
    let d = tempfile::tempdir().unwrap();
    let junk = d.path().join("乱码.gpkg");
    let bytes: Vec<u8> = (0..40_000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    std::fs::write(&junk, bytes).unwrap();
    for args in [
        &["audit", "verify", "--db", p(&junk)][..],
        &["plan", "list", "--db", p(&junk)],
        &[
            "import",
            "--db",
            p(&junk),
            "x.csv",
            "--region",
            "330102",
            "--year",
            "2025",
        ],
    ] {
        let err = refused(args);
        assert!(
            err.contains("乱码.gpkg") && err.contains("不是 GeoPackage"),
            "{err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
        clear_chinese(&err);
    }
}

/// Defect 18: `init` on a GeoPackage someone else made (with its own `parcel` layer) is refused
/// briefly, and the file is left exactly as it was (no stray table).
#[test]
fn init_on_a_foreign_geopackage_is_refused_and_leaves_it_untouched() {
    use landplan_geo::geo::{LineString, MultiPolygon, Polygon};
    let d = tempfile::tempdir().unwrap();
    let foreign = d.path().join("别人的.gpkg");
    let set = landplan_geoio::FeatureSet {
        name: "parcel".into(),
        crs: landplan_geo::Crs::from_epsg(4527),
        features: vec![landplan_geoio::Feature {
            id: "A".into(),
            attrs: vec![("名称".into(), "A".into())],
            geometry: MultiPolygon(vec![Polygon::new(
                LineString::from(vec![
                    (39_500_000.0, 3_400_000.0),
                    (39_500_100.0, 3_400_000.0),
                    (39_500_100.0, 3_400_100.0),
                    (39_500_000.0, 3_400_000.0),
                ]),
                vec![],
            )]),
        }],
        ..Default::default()
    };
    landplan_geoio::gpkg::write(&foreign, &set).unwrap();
    let before = sha(&foreign);
    let err = refused(&["init", "--db", p(&foreign)]);
    assert!(
        err.contains("别人的.gpkg")
            && err.contains("不是 landplan 数据库")
            && err.contains("parcel"),
        "{err}"
    );
    assert!(err.len() < 400, "{} bytes: {err}", err.len());
    clear_chinese(&err);
    assert_eq!(sha(&foreign), before, "init changed the foreign file");
    assert!(!d.path().join("别人的.gpkg-wal").exists());
    // Reading it is refused the same way.
    let err = refused(&["plan", "list", "--db", p(&foreign)]);
    assert!(err.contains("不是 landplan 数据库"), "{err}");
}

/// Temporary files of landplan left in `dir`.
fn temporaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".landplan-"))
        .collect()
}

/// Kill `args` after a moment drawn from `0..=full + 50 ms`; whether the kill landed before the
/// command finished.
fn kill_during(args: &[&str], rng: &mut Lcg, full: Duration) -> bool {
    let mut child = spawn(args);
    std::thread::sleep(Duration::from_millis(
        rng.below(full.as_millis() as u64 + 50),
    ));
    let _ = child.kill(); // SIGKILL
    !child.wait().unwrap().success()
}

/// The parcel counts of the imports of a store (through its audit log, as `imports` does)
/// and whether it verifies.
fn store_state(db: &str) -> (bool, Vec<i64>) {
    let v = run(&["audit", "verify", "--db", db]);
    (v.success(), imports(db))
}

/// Defect 5: a killed export never leaves a file under the backup's name that is not the
/// whole backup, and the retry works and removes what the killed one left; a killed restore
/// never leaves a store that is not the whole backup, and its retry works.
fn killed_exports_and_restores(db: &str, dir: &Path, restore_url: &dyn Fn(usize) -> String) {
    ok(&["init", "--db", db, "--srid", "4527"]);
    let n = 5_000;
    let (ledger, geo) = big_ledger(dir, n, 3);
    let county = CountyPlan::new(db, "330102", "2025");
    county.import(&[&ledger, &geo], &[]).ok();
    county.steps(&["create"]);
    let whole = dir.join("完整备份.gpkg");
    let t = Instant::now();
    ok(&["export", "--db", db, p(&whole)]);
    let full = t.elapsed();
    let mut rng = Lcg(std::process::id() as u64 ^ 0xe4b0);
    let mut mid_export = 0;
    let target = dir.join("备份.gpkg");
    for round in 0..6 {
        let killed = kill_during(&["export", "--db", db, p(&target)], &mut rng, full);
        if target.exists() {
            // Only a whole backup is ever under the target's name.
            let copy = dir.join("副本.gpkg");
            std::fs::copy(&target, &copy).unwrap();
            assert_eq!(
                store_state(p(&copy)),
                (true, vec![n as i64]),
                "round {round}"
            );
            std::fs::remove_file(&copy).unwrap();
            std::fs::remove_file(&target).unwrap();
        } else {
            assert!(
                killed,
                "round {round}: the export finished without its file"
            );
            mid_export += 1;
        }
        // The retry works and removes what the killed export left behind.
        let out = run(&["export", "--db", db, p(&target)]);
        let err = out.stderr();
        assert!(out.success(), "round {round}: {err}");
        if !err.is_empty() {
            assert!(err.contains("中断"), "round {round}: {err}");
        }
        assert_eq!(temporaries(dir), Vec::<String>::new(), "round {round}");
        std::fs::remove_file(&target).unwrap();
    }
    assert!(mid_export > 0, "no kill landed inside an export");
    // The source is untouched by all of it.
    assert_eq!(store_state(db), (true, vec![n as i64]));

    let t = Instant::now();
    ok(&["restore", "--db", &restore_url(100), p(&whole)]);
    let full = t.elapsed();
    let mut mid_restore = 0;
    for round in 0..6 {
        let url = restore_url(round);
        let killed = kill_during(&["restore", "--db", &url, p(&whole)], &mut rng, full);
        let v = run(&["audit", "verify", "--db", &url]);
        if v.success() {
            assert_eq!(imports(&url), vec![n as i64], "round {round}");
            continue;
        }
        // Nothing of it is a store: verify says so, and the retry works.
        let err = v.stderr();
        assert!(
            killed,
            "round {round}: the restore finished, the store does not verify"
        );
        assert!(err.contains("尚未初始化"), "round {round}: {err}");
        mid_restore += 1;
        let out = run(&["restore", "--db", &url, p(&whole)]);
        assert!(out.success(), "round {round}: {}", out.stderr());
        assert_eq!(store_state(&url), (true, vec![n as i64]), "round {round}");
    }
    assert!(mid_restore > 0, "no kill landed inside a restore");
    assert_eq!(temporaries(dir), Vec::<String>::new());
}

#[test]
fn killed_export_or_restore_leaves_nothing_that_looks_valid_gpkg() {
    let store = TestStore::gpkg("s.gpkg");
    let dir = store.dir();
    killed_exports_and_restores(store.db(), dir, &|i| {
        p(&dir.join(format!("恢复{i}.gpkg"))).to_string()
    });
}

#[test]
fn killed_export_or_restore_leaves_nothing_that_looks_valid_postgres() {
    let Some(store) = TestStore::postgres() else {
        return;
    };
    let urls: Vec<String> = (0..7).map(|_| store.pg().fresh_db()).collect();
    killed_exports_and_restores(store.db(), store.dir(), &|i| urls[i.min(6)].clone());
}

/// Defect 5, the leftovers of an older landplan: a backup file that a killed export left (a
/// landplan file without any entry) is named as such and replaced by the retry; a file
/// without its completion record is never restored.
#[test]
fn leftovers_of_interrupted_runs_are_named_and_never_restored() {
    let d = tempfile::tempdir().unwrap();
    let db = small_store(d.path());
    // What an older landplan's killed export left: the schema, no entries.
    let leftover = d.path().join("备份.gpkg");
    ok(&["init", "--db", p(&leftover)]);
    {
        let s = landplan_store::Store::open(p(&leftover)).unwrap();
        let mut b = s.backend().unwrap();
        b.batch("DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log; DELETE FROM landplan_meta WHERE key = 'audit_head'")
            .unwrap();
    }
    let err = refused(&[
        "restore",
        "--db",
        p(&d.path().join("新库.gpkg")),
        p(&leftover),
    ]);
    assert!(err.contains("中断"), "{err}");
    let v = run(&["audit", "verify", "--db", p(&leftover)]);
    assert_eq!(v.code(), Some(1));
    assert!(v.stdout().contains("没有任何审计记录"));
    let out = run(&["export", "--db", p(&db), p(&leftover)]);
    let err = out.stderr();
    assert!(out.success(), "{err}");
    assert!(err.contains("中断") && err.contains("备份.gpkg"), "{err}");
    ok(&[
        "restore",
        "--db",
        p(&d.path().join("新库.gpkg")),
        p(&leftover),
    ]);
    // A store file is not a backup: without a completion record it is not restored.
    let err = refused(&["restore", "--db", p(&d.path().join("另一库.gpkg")), p(&db)]);
    assert!(
        err.contains("不是完整的备份") && err.contains("导出完成标记"),
        "{err}"
    );
    // A complete backup is never replaced.
    let err = refused(&["export", "--db", p(&db), p(&leftover)]);
    assert!(err.contains("已存在"), "{err}");
}

/// Defect 6 (export): an export onto its own store, or onto another store, is refused and the
/// file is left as it was (an export once removed such a file as an "unfinished backup").
#[test]
fn export_never_replaces_its_own_store_or_another_store() {
    let d = tempfile::tempdir().unwrap();
    let db = small_store(d.path());
    let other = d.path().join("另一库.gpkg");
    ok(&["init", "--db", p(&other)]);
    for target in [&db, &other] {
        let before = std::fs::read(target).unwrap();
        let err = refused(&["export", "--db", p(&db), p(target)]);
        assert!(
            err.contains("就是正在导出的数据库本身") || err.contains("已存在"),
            "{err}"
        );
        assert!(!err.contains("已删除"), "{err}");
        assert_eq!(std::fs::read(target).unwrap(), before, "{err}");
    }
    // The same store named through another path is recognised too.
    let rel = d.path().join(".").join(db.file_name().unwrap());
    let err = refused(&["export", "--db", p(&db), p(&rel)]);
    assert!(err.contains("就是正在导出的数据库本身"), "{err}");
    ok(&["audit", "verify", "--db", p(&db)]);
}

/// Defect 4: exports taken while other processes import are consistent snapshots: each
/// verifies, restores, and holds every import whole or not at all.
fn export_during_imports(db: &str, dir: &Path) {
    ok(&["init", "--db", db, "--srid", "4527"]);
    let n = 3_000;
    let files: Vec<(PathBuf, PathBuf)> = (1..=3).map(|s| big_ledger(dir, n, 20 + s)).collect();
    CountyPlan::new(db, "330102", "2025")
        .import(&[&files[0].0], &[])
        .ok();
    let regions = ["330103", "330104", "330105"];
    let mut importers = Vec::new();
    for ((l, g), r) in files.iter().zip(regions) {
        importers.push(spawn(
            &CountyPlan::new(db, r, "2025").args(&["import", p(l), p(g)], &[]),
        ));
    }
    let mut backups = Vec::new();
    for k in 0..30 {
        let b = dir.join(format!("备份{k}.gpkg"));
        let out = run(&["export", "--db", db, p(&b)]);
        assert!(out.success(), "export {k}: {}", out.stderr());
        backups.push(b);
        if importers
            .iter_mut()
            .all(|c| c.try_wait().unwrap().is_some())
        {
            break;
        }
    }
    for c in importers {
        assert!(c.wait_with_output().unwrap().status.success());
    }
    for (k, b) in backups.iter().enumerate() {
        let (verified, counts) = store_state(p(b));
        assert!(verified, "backup {k} does not verify");
        assert!(
            counts.iter().all(|c| *c == n as i64),
            "backup {k}: {counts:?}"
        );
        let restored = dir.join(format!("恢复{k}.gpkg"));
        ok(&["restore", "--db", p(&restored), p(b)]);
        assert_eq!(store_state(p(&restored)).1, counts, "backup {k}");
    }
}

#[test]
fn export_during_imports_is_a_consistent_snapshot_gpkg() {
    on_gpkg("s.gpkg", export_during_imports);
}

#[test]
fn export_during_imports_is_a_consistent_snapshot_postgres() {
    on_postgres(export_during_imports);
}

/// Defect 8: the text output of `import` shows the geometry files' errors (they showed only
/// with --json), `--strict` refuses them, and a point is not counted as a parcel with geometry.
#[test]
fn import_shows_geometry_errors_and_strict_refuses_them() {
    let store = TestStore::gpkg("s.gpkg").init(&["--srid", "4527"]);
    let db = store.db();
    let l = write(store.dir(), "l.csv", &ledger_v1());
    let bow = r#"{"type":"Feature","properties":{"地块编号":"A-002"},"geometry":{"type":"Polygon","coordinates":[[[39501000,3400000],[39501150,3400150],[39501150,3400000],[39501000,3400150],[39501000,3400000]]]}}"#;
    let point = r#"{"type":"Feature","properties":{"地块编号":"A-003"},"geometry":{"type":"Point","coordinates":[39502000,3400000]}}"#;
    let g = write(
        store.dir(),
        "g.geojson",
        &format!(
            r#"{{"type":"FeatureCollection","crs":{{"type":"name","properties":{{"name":"urn:ogc:def:crs:EPSG::4527"}}}},"features":[{},{bow},{point}]}}"#,
            square("A-001", 39_500_000.0, 3_400_000.0, 150.0)
        ),
    );
    let args = [
        "import",
        "--db",
        db,
        p(&l),
        p(&g),
        "--region",
        "330102",
        "--year",
        "2025",
    ];
    let mut strict = args.to_vec();
    strict.push("--strict");
    let err = refused(&strict);
    assert!(
        err.contains("几何文件有") && err.contains("整批导入已撤销"),
        "{err}"
    );
    let out = run(&args);
    assert!(out.success());
    let text = out.stdout();
    let err = out.stderr();
    assert!(text.contains("地块 4 个（其中带几何 2 个）"), "{text}");
    assert!(err.contains("几何文件有 3 个错误"), "{err}");
    assert!(err.contains("地块 A-002") && err.contains("相交"), "{err}");
    assert!(
        err.contains("地块 A-003") && err.contains("没有可用的面状边界"),
        "{err}"
    );
}

/// Defect 20: a prefecture's code given with a county's name (`--region 330100 --region-name
/// 某某县`) is refused in Chinese before anything is stored; the prefecture's own plan (a code
/// of its level, or no name) is still accepted.
#[test]
fn a_prefecture_code_with_a_county_name_is_refused() {
    let store = TestStore::gpkg("s.gpkg").init(&[]);
    let db = store.db();
    let l = write(store.dir(), "l.csv", &ledger_v1());
    let err = refused(&[
        "import",
        "--db",
        db,
        p(&l),
        "--region",
        "330100",
        "--region-name",
        "某某县",
        "--year",
        "2025",
    ]);
    assert!(
        err.contains("330100 是地级") && err.contains("“某某县”却是县级"),
        "{err}"
    );
    let err = refused(&["init", "--db", db, "--region", "330000=甲县"]);
    assert!(err.contains("330000 是省级"), "{err}");
    // Without a name, a prefecture's or a province's code is no county's.
    for code in ["330100", "330000"] {
        let err = refused(&[
            "import",
            "--db",
            db,
            p(&l),
            "--region",
            code,
            "--year",
            "2025",
        ]);
        assert!(
            err.contains(&format!("{code} 是")) && err.contains("县级代码"),
            "{err}"
        );
    }
    let v = ok(&["audit", "verify", "--db", db]);
    assert!(v.contains("共 1 条"), "nothing was stored: {v}");
    ok(&[
        "import",
        "--db",
        db,
        p(&l),
        "--region",
        "330100",
        "--region-name",
        "示例市",
        "--year",
        "2025",
    ]);
}

/// Defect 18 on PostgreSQL: a database that does not exist and a server that does not answer
/// are said in Chinese, naming the database or the server.
#[test]
fn postgres_connection_errors_name_the_database_and_the_server() {
    let Some(pg) = Pg::start() else { return };
    let url = pg.fresh_db();
    let base = url.rsplit_once('/').unwrap().0;
    let err = refused(&["init", "--db", &format!("{base}/没有这个库")]);
    assert!(err.contains("没有名为“没有这个库”的数据库"), "{err}");
    clear_chinese(&err);
    let err = refused(&[
        "plan",
        "list",
        "--db",
        "postgres://postgres@127.0.0.1:1/landplan",
    ]);
    assert!(
        err.contains("127.0.0.1:1") && err.contains("拒绝连接"),
        "{err}"
    );
    clear_chinese(&err);
}

/// Defect 7 through the binary: `--user ""` or `--user "   "` is refused, naming --user (it
/// was taken for $USER and the change logged under another name than the one given).
#[test]
fn a_blank_user_is_refused() {
    let store = TestStore::gpkg("s.gpkg").init(&[]);
    let db = store.db();
    let l = write(store.dir(), "l.csv", &ledger_v1());
    for blank in ["", "   "] {
        let err = refused(&[
            "import",
            "--db",
            db,
            p(&l),
            "--region",
            "330102",
            "--region-name",
            "甲县",
            "--year",
            "2025",
            "--user",
            blank,
        ]);
        assert!(err.contains("--user") && err.contains("空"), "{err}");
        let err = refused(&[
            "init",
            "--db",
            p(&store.dir().join("x.gpkg")),
            "--user",
            blank,
        ]);
        assert!(err.contains("--user"), "{err}");
    }
    let v = ok(&["audit", "verify", "--db", db]);
    assert!(v.contains("共 1 条"), "{v}");
}

/// Defect 18: an import that finds no parcel at all names the file.
#[test]
fn an_import_without_parcels_names_the_file() {
    let store = TestStore::gpkg("s.gpkg").init(&[]);
    let db = store.db();
    let l = write(
        store.dir(),
        "表头.csv",
        "地块编号,坐落,乡镇,面积（公顷）,用途,土地来源,供应方式,计划供应时间\n",
    );
    let err = refused(&[
        "import",
        "--db",
        db,
        p(&l),
        "--region",
        "330102",
        "--region-name",
        "甲县",
        "--year",
        "2025",
    ]);
    assert!(
        err.contains("表头.csv") && err.contains("没有可导入的地块"),
        "{err}"
    );
}
