//! The 融资与收益平衡 tables: in Excel every derived figure is a live formula whose cached
//! result is the core's exact figure (revenue = 面积 × 单价, 合计, interest, 本息合计, coverage,
//! sensitivity), and the 汇总 sheet refers to the project sheets; in Word the same figures at
//! display precision.

use calamine::{Data, Reader, Xlsx};
use landplan_core::reserve::bond::{
    sensitivity, BondProject, PriceAssumption, PriceUnit, RepaymentMode, Sensitivity,
};
use landplan_core::reserve::{ReserveParcel, ReserveState, Step};
use landplan_core::units::{AreaUnit, StatedArea};
use landplan_core::{Date, Money, Parcel, ResolvedClass, RuleContext};
use landplan_report::bond::{bond_doc, bond_xlsx, BondTable};
use rust_decimal::Decimal;
use std::io::Cursor;
use std::str::FromStr;

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn parcel(id: &str, v: &str, unit: AreaUnit, use_text: &str) -> ReserveParcel {
    let p = Parcel::new(
        id,
        StatedArea::new(dec(v), unit),
        use_text,
        ResolvedClass::default(),
    )
    .at_row(2);
    ReserveParcel::register(
        p,
        Step::new(ReserveState::Proposed, Date::new(2025, 1, 2).unwrap()),
    )
    .unwrap()
}

fn project(
    id: &str,
    amount_wan: &str,
    term: u32,
    mode: RepaymentMode,
    parcels: &[&str],
) -> BondProject {
    BondProject {
        id: id.into(),
        name: format!("{id}项目"),
        region: "示例县".into(),
        amount: Money(dec(amount_wan) * dec("10000")),
        issue_date: Date::new(2025, 4, 20).unwrap(),
        term_years: term,
        rate: dec("0.0245"),
        repayment: mode,
        drawdowns: vec![],
        repayments: vec![],
        parcels: parcels.iter().map(|s| s.to_string()).collect(),
        prices: vec![
            PriceAssumption {
                use_key: "城镇住宅用地".into(),
                price: Money(dec("600000")),
                per: PriceUnit::Mu,
                source: "成交均价".into(),
            },
            PriceAssumption {
                use_key: "工业用地".into(),
                price: Money(dec("240")),
                per: PriceUnit::SquareMetre,
                source: "最低价标准".into(),
            },
        ],
        required_ratio: None,
    }
}

fn fixture() -> (Vec<BondProject>, Vec<Sensitivity>) {
    let parcels = vec![
        parcel("CB-1", "9.3423", AreaUnit::Hectare, "城镇住宅用地"),
        parcel("CB-2", "12000", AreaUnit::SquareMetre, "工业用地"),
        parcel("CB-3", "30", AreaUnit::Mu, "城镇住宅用地"),
    ];
    let projects = vec![
        project(
            "ZX-A",
            "7500",
            5,
            RepaymentMode::AnnualInterest,
            &["CB-1", "CB-2"],
        ),
        project("ZX-B", "2000", 10, RepaymentMode::Amortising, &["CB-3"]),
    ];
    let ctx = RuleContext::builtin();
    let drops = [dec("10"), dec("20"), dec("30")];
    let sens = projects
        .iter()
        .map(|p| sensitivity(p, &parcels, &drops, &ctx))
        .collect();
    (projects, sens)
}

fn float(d: &Data) -> f64 {
    match d {
        Data::Float(v) => *v,
        Data::Int(v) => *v as f64,
        other => panic!("not a number: {other:?}"),
    }
}

fn close(d: &Data, want: Decimal) {
    let got = float(d);
    let want: f64 = want.to_string().parse().unwrap();
    assert!(
        (got - want).abs() <= 1e-9 * want.abs().max(1.0),
        "{got} ≠ {want}"
    );
}

#[test]
fn every_derived_figure_is_a_formula_cached_at_the_cores_exact_value() {
    let (projects, sens) = fixture();
    let tables: Vec<BondTable> = projects
        .iter()
        .zip(&sens)
        .map(|(project, sensitivity)| BondTable {
            project,
            sensitivity,
        })
        .collect();
    let bytes = bond_xlsx("示例县", &tables).unwrap();
    assert_eq!(
        bytes,
        bond_xlsx("示例县", &tables).unwrap(),
        "same bytes every run"
    );
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    assert_eq!(book.sheet_names(), ["汇总", "ZX-A", "ZX-B"]);

    // ZX-A by hand: 9.3423 ha = 140.1345 亩 × 60 万元; 12000 ㎡ × 0.024 万元.
    let a = book.worksheet_range("ZX-A").unwrap();
    let fa = book.worksheet_formula("ZX-A").unwrap();
    let cell = |r: u32, c: u32| a.get_value((r, c)).cloned().unwrap_or(Data::Empty);
    let formula = |r: u32, c: u32| fa.get_value((r, c)).cloned().unwrap_or_default();
    assert_eq!(formula(4, 6), "D5*F5");
    assert_eq!(formula(5, 6), "D6*F6/10000", "元/平方米");
    close(&cell(4, 3), dec("140.1345"));
    close(&cell(4, 6), dec("140.1345") * dec("60"));
    close(&cell(5, 5), dec("240"));
    close(&cell(5, 6), dec("12000") * dec("240") / dec("10000"));
    assert_eq!(formula(6, 6), "SUM(G5:G6)");
    let revenue = dec("140.1345") * dec("60") + dec("12000") * dec("240") / dec("10000");
    close(&cell(6, 6), revenue);
    // The balance block: find the rows by their labels.
    let row_of = |label: &str| {
        (0..a.height() as u32)
            .find(|&r| cell(r, 0) == Data::String(label.into()))
            .unwrap_or_else(|| panic!("no row {label}"))
    };
    let interest = dec("7500") * dec("0.0245") * dec("5");
    let debt = dec("7500") + interest;
    let r = row_of("存续期利息（万元）");
    close(&cell(r, 6), interest);
    assert!(formula(r, 6).contains('*'), "{}", formula(r, 6));
    close(&cell(row_of("本息合计（万元）"), 6), debt);
    let r = row_of("本息覆盖倍数");
    close(&cell(r, 6), revenue / debt);
    assert!(formula(r, 6).contains('/'));
    // 1.03 < 1.1: below, and prices would have to rise (a negative drop).
    assert_eq!(cell(row_of("是否达到要求"), 6), Data::String("否".into()));
    let be = dec("100") * (dec("1") - dec("1.1") * debt / revenue);
    assert!(be < Decimal::ZERO);
    close(&cell(row_of("覆盖倍数降至要求时的地价降幅（%）"), 6), be);
    // Sensitivity: −30 % by hand.
    let r = (0..a.height() as u32)
        .find(|&r| cell(r, 1) == Data::Float(30.0))
        .expect("the −30 % row");
    close(&cell(r, 2), revenue * dec("0.7"));
    close(&cell(r, 3), revenue * dec("0.7") / debt);
    assert_eq!(cell(r, 4), Data::String("否".into()));

    // ZX-B amortises: interest = 2000 × 2.45 % × (10 + 1) / 2; 30 亩 × 60 万元.
    let b = book.worksheet_range("ZX-B").unwrap();
    let fb = book.worksheet_formula("ZX-B").unwrap();
    let interest_b = dec("2000") * dec("0.0245") * dec("11") / dec("2");
    let rb = (0..b.height() as u32)
        .find(|&r| b.get_value((r, 0)) == Some(&Data::String("存续期利息（万元）".into())))
        .unwrap();
    close(b.get_value((rb, 6)).unwrap(), interest_b);
    assert!(fb.get_value((rb, 6)).unwrap().contains("+1)/2"));

    // 汇总 refers to the project sheets.
    let s = book.worksheet_range("汇总").unwrap();
    let fs = book.worksheet_formula("汇总").unwrap();
    assert!(fs.get_value((4, 5)).unwrap().starts_with("'ZX-A'!G"));
    close(s.get_value((4, 5)).unwrap(), revenue / debt);
    close(
        s.get_value((5, 5)).unwrap(),
        dec("1800") / (dec("2000") + interest_b),
    );
    assert_eq!(s.get_value((5, 7)), Some(&Data::String("否".into())));
}

#[test]
fn the_word_tables_state_the_figures_at_display_precision() {
    let (projects, sens) = fixture();
    let tables: Vec<BondTable> = projects
        .iter()
        .zip(&sens)
        .map(|(project, sensitivity)| BondTable {
            project,
            sensitivity,
        })
        .collect();
    let doc = bond_doc("示例县", &tables);
    let text = doc.plain_text();
    // ZX-A: revenue 8408.07 + 288.00 = 8696.07; debt 7500 × 1.1225 = 8418.75; 1.0329 → 1.03.
    assert!(text.contains("一、ZX-A项目（ZX-A）"), "{text}");
    assert!(
        text.contains("12000.0000\t元/平方米\t240.00\t288.00"),
        "{text}"
    );
    assert!(text.contains("140.1345\t万元/亩\t60.00\t8408.07"), "{text}");
    assert!(text.contains("预期土地出让收入\t8696.07"), "{text}");
    assert!(text.contains("本息合计\t8418.75"), "{text}");
    assert!(text.contains("本息覆盖倍数\t1.03"), "{text}");
    assert!(text.contains("是否达到要求\t否"), "{text}");
    assert!(text.contains("地价须上涨"), "{text}");
    assert!(text.contains("二、ZX-B项目（ZX-B）"), "{text}");
    let bytes = landplan_report::bond::bond_docx("示例县", &tables).unwrap();
    assert!(bytes.starts_with(b"PK"));
}
