//! The checker's time grows with the text, not with its square (issue 11, defect 13: one
//! 800 KB line took 33–49 s, a 2 MB PDF over 120 s). Each case checks an input and one eight
//! times larger: linear work takes about eight times as long, quadratic work sixty-four. The
//! bound (twenty-four times, plus a second) leaves room for a loaded machine.

use landplan_check::{check_text, read::pdf::reflow};
use std::time::{Duration, Instant};

/// The least of three timings of `f`.
fn time(f: &dyn Fn()) -> Duration {
    (0..3)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .min()
        .unwrap()
}

/// `run(make(n))` against `run(make(8n))`.
fn assert_linear(what: &str, n: usize, make: impl Fn(usize) -> String, run: impl Fn(&str)) {
    let (small, big) = (make(n), make(8 * n));
    let t1 = time(&|| run(&small));
    let start = Instant::now();
    run(&big);
    let t8 = start.elapsed();
    assert!(
        t8 <= t1 * 24 + Duration::from_secs(1),
        "{what}: {} bytes in {t1:?}, {} bytes in {t8:?}",
        small.len(),
        big.len()
    );
}

fn check(text: &str) {
    let r = check_text("scale.txt", text);
    assert!(r.readable);
}

/// A plan whose body is one line: `unit` `n` times.
fn one_line(unit: &'static str) -> impl Fn(usize) -> String {
    move |n| {
        format!(
            "示例县2025年度国有建设用地供应计划\n供应总量为100公顷。{}\n",
            unit.repeat(n)
        )
    }
}

#[test]
fn one_long_line_is_checked_in_time_linear_in_its_length() {
    assert_linear(
        "一行",
        1_000,
        one_line("城关镇工矿仓储用地1.00公顷，"),
        check,
    );
}

#[test]
fn a_long_line_of_sentences_with_years_is_linear() {
    let unit = "2024年实际供应城关镇工矿仓储用地1.00公顷。2025年计划供应住宅用地2.00公顷，";
    assert_linear("句子与年份", 500, one_line(unit), check);
}

#[test]
fn long_lines_of_sub_items_are_linear() {
    for (what, unit) in [
        ("其中", "前期开发120公顷，其中道路80公顷，场地平整40公顷，"),
        (
            "住房",
            "住宅用地中，保障性住房用地30公顷，商品住房用地20公顷，",
        ),
        ("分别", "城关镇、石桥镇分别为10公顷、20公顷，"),
        (
            "资金",
            "土地储备资金3亿元，其中征地补偿2亿元，前期开发1亿元，",
        ),
        (
            "乡镇",
            "中心城区800公顷（其中东城区300公顷、西城区500公顷），",
        ),
    ] {
        assert_linear(what, 300, one_line(unit), check);
    }
}

#[test]
fn a_pdf_paragraph_of_many_lines_is_reflowed_in_linear_time() {
    let make = |n: usize| -> String {
        let text = "城关镇工矿仓储用地1.00公顷，".repeat(n);
        let chars: Vec<char> = text.chars().collect();
        chars
            .chunks(50)
            .map(|l| l.iter().collect::<String>() + "\n")
            .collect()
    };
    assert_linear("PDF 段落", 2_000, make, |t| {
        let _ = reflow(t);
    });
}

#[test]
fn a_table_of_many_rows_and_many_duplicate_parcels_is_linear() {
    let make = |n: usize| -> String {
        let mut s = String::from(
            "示例县2025年度国有建设用地供应计划\n地块明细表\n序号\t地块编号\t乡镇\t用途\t面积（公顷）\t面积（亩）\n",
        );
        for i in 0..n {
            // Ten parcels, each listed n/10 times: pairs of duplicates grow with the square of
            // the rows, the findings must not.
            let id = i % 10;
            s.push_str(&format!("{i}\tDK{id:06}\t城关镇\t工业用地\t1.00\t15.00\n"));
        }
        s
    };
    assert_linear("表格", 500, make, check);
}

#[test]
fn many_sections_of_one_class_line_each_are_linear() {
    let make = |n: usize| -> String {
        let mut s = String::from("示例县2025年度国有建设用地供应计划\n");
        for i in 0..n {
            s.push_str(&format!(
                "（{i}）第{i}节\n住宅用地{}公顷，占10%。\n",
                i % 7 + 1
            ));
        }
        s
    };
    assert_linear("章节", 1_500, make, check);
}
