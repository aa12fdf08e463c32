//! Fuzz targets for the tabular reader (issue 11): random bytes, valid ledgers mutated and cut
//! in every encoding, random workbooks (hidden sheets, far cells) and cut ones. Whatever the
//! input: no panic, bounded time, and every failure is a finding or an error in Chinese that
//! names the file (and the row, for a row). `LANDPLAN_FUZZ_CASES` sets the cases per target
//! (default 48; CI runs the default, a longer run sets more).

use landplan_core::Finding;
use landplan_io::{ledger_from_reader, open_ledger, LedgerFormatHint, LedgerOptions};
use proptest::prelude::*;
use std::io::Cursor;
use std::time::{Duration, Instant};

fn cases() -> u32 {
    std::env::var("LANDPLAN_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(48)
}

/// The longest one case may take (debug build, loaded machine).
const CASE_TIME: Duration = Duration::from_secs(20);

const FILE: &str = "清单.csv";

fn chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

fn opts() -> LedgerOptions {
    LedgerOptions {
        file_label: Some(FILE.to_string()),
        ..LedgerOptions::default()
    }
}

/// A rejected row's findings: each in Chinese, naming the file and the row.
fn assert_row_findings(fs: &[Finding]) -> Result<(), TestCaseError> {
    prop_assert!(!fs.is_empty());
    for f in fs {
        prop_assert!(chinese(&f.message), "{}", f.message);
        let p = f.places.first();
        prop_assert_eq!(p.and_then(|p| p.file.as_deref()), Some(FILE));
        prop_assert!(p.and_then(|p| p.row).is_some(), "{f:?}");
    }
    Ok(())
}

/// Read every row of `bytes` as a ledger, from memory or (`threaded`) from a file on the
/// reading thread, and check what came out.
fn read(bytes: Vec<u8>, threaded: bool) -> Result<(), TestCaseError> {
    let start = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let reader = if threaded {
        let path = dir.path().join(FILE);
        std::fs::write(&path, &bytes).unwrap();
        open_ledger(&path, &opts())
    } else {
        ledger_from_reader(Cursor::new(bytes), LedgerFormatHint::Auto, &opts())
    };
    match reader {
        Err(e) => {
            let msg = e.to_string();
            prop_assert!(chinese(&msg), "{msg}");
            prop_assert!(
                msg.contains(FILE) || msg.starts_with("无法读取文件"),
                "{msg}"
            );
        }
        Ok(reader) => {
            for note in reader.notes() {
                prop_assert!(chinese(&note.message));
            }
            for item in reader {
                if let Err(fs) = item {
                    assert_row_findings(&fs)?;
                }
            }
        }
    }
    prop_assert!(start.elapsed() < CASE_TIME, "{:?}", start.elapsed());
    Ok(())
}

const LEDGER: &str = "示例县2025年度地块清单\n单位：公顷\n地块编号,坐落,乡镇,面积（公顷）,用途,土地来源,供应方式,计划供应时间\nDK01,城关镇光明路西侧,城关镇,13.7095,城镇住宅用地,存量,挂牌出让,2025-09-07\nDK02,\"石桥镇人民路, 北侧\",石桥镇,1.5,工业用地,新增,划拨,第三季度\n合计,,,15.2095,,,,\nDK03,东湖片区,,0.75,商服用地,,,\n";

const PIECES: &[&str] = &[
    ",",
    "\"",
    "\n",
    "\r\n",
    "\t",
    ";",
    "合计",
    "0",
    "1.5",
    "-3",
    "亩",
    "公顷",
    "地块编号",
    "面积",
    "用途",
    "城镇住宅用地",
    "0701",
    "\u{FFFD}",
    "\0",
    "𠀀",
    "１２．５",
    "1e400",
    "NaN",
    "99999999999999999999999999999",
    "",
    " ",
];

fn mutate(text: &str, ops: &[(u8, usize, usize)]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for &(kind, pos, arg) in ops {
        let at = pos % (chars.len() + 1);
        match kind % 3 {
            0 => {
                let piece: Vec<char> = PIECES[arg % PIECES.len()].chars().collect();
                chars.splice(at..at, piece);
            }
            1 => {
                let end = (at + arg % 6).min(chars.len());
                chars.drain(at..end);
            }
            _ => {
                if at < chars.len() {
                    chars[at] = PIECES[arg % PIECES.len()].chars().next().unwrap_or('x');
                }
            }
        }
    }
    chars.into_iter().collect()
}

/// `text` in one of the encodings a bureau's ledger comes in.
fn encode(text: &str, enc: u8) -> Vec<u8> {
    match enc % 6 {
        0 => text.as_bytes().to_vec(),
        1 => [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
        2 => encoding_rs::GB18030.encode(text).0.into_owned(),
        3 => [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect(),
        4 => text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        _ => text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
    }
}

fn workbook(cells: &[(u32, u16, u8, i32)], sheets: u8, hidden: u8, far: bool) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    for s in 0..sheets.max(1) {
        let ws = wb.add_worksheet();
        for (r, c, kind, v) in cells {
            let _ = match kind % 4 {
                0 => ws.write_number(*r, *c, f64::from(*v) / 100.0),
                1 => ws.write_string(*r, *c, PIECES[*v as usize % PIECES.len()]),
                2 => ws.write_string(
                    *r,
                    *c,
                    ["地块编号", "面积（公顷）", "用途", "合计"][*v as usize % 4],
                ),
                _ => ws.write_boolean(*r, *c, v % 2 == 0),
            };
        }
        if far && s == 0 {
            let _ = ws.write_string(1_048_575, 16_383, "x");
        }
        if hidden & (1 << s) != 0 {
            ws.set_hidden(true);
        } else {
            ws.set_active(true);
        }
    }
    wb.save_to_buffer().unwrap_or_default()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_as_a_ledger(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        read(bytes, false)?;
    }

    #[test]
    fn ledgers_mutated_and_cut_in_every_encoding(
        ops in proptest::collection::vec((any::<u8>(), any::<usize>(), any::<usize>()), 0..24),
        enc in any::<u8>(),
        cut in any::<usize>(),
        threaded in any::<bool>(),
    ) {
        let bytes = encode(&mutate(LEDGER, &ops), enc);
        let cut = cut % (bytes.len() + 1);
        read(bytes[..cut].to_vec(), threaded)?;
        read(bytes, threaded)?;
    }

    #[test]
    fn random_workbooks_and_cut_ones(
        cells in proptest::collection::vec((0u32..40, 0u16..10, any::<u8>(), any::<i32>()), 0..120),
        sheets in 1u8..4,
        hidden in any::<u8>(),
        far in any::<bool>(),
        cut in any::<usize>(),
    ) {
        let bytes = workbook(&cells, sheets, hidden, far);
        read(bytes.clone(), false)?;
        let cut = cut % (bytes.len() + 1);
        read(bytes[..cut].to_vec(), false)?;
    }
}
