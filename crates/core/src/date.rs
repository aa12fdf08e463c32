//! Dates: one civil date type ([`Date`]) and one instant type ([`Timestamp`]) for the whole
//! project — rule effective periods, plan years, contract and deadline dates, store times.
//!
//! The calendar is the proleptic Gregorian one. Periods counted in years or months follow
//! 《中华人民共和国民法典》第二百零一条、第二百零二条: a period of N years from a date ends on the
//! same calendar day N years later, and when that month has no such day, on its last day
//! (29 February + 1 year = 28 February), never "365 days".
//!
//! This module does no IO: the clock belongs to the adapters, which turn
//! `std::time::SystemTime::now()` into a [`Timestamp`] with [`Timestamp::from_system_time`].

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// A calendar date (year, month, day), ordered chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

/// Why a text is not a date.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("“{text}”不是有效日期（应为 2025-07-08、2025/7/8 或 2025年7月8日）")]
pub struct DateError {
    /// The text as given.
    pub text: String,
}

/// True in a leap year.
pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Days in a month (1–12) of a year.
pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// The date, when it exists (years 1–9999).
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        ((1..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month))
        .then_some(Date { year, month, day })
    }

    /// 1 January of a year.
    pub fn first_of_year(year: i32) -> Option<Date> {
        Date::new(year, 1, 1)
    }

    /// 31 December of a year.
    pub fn last_of_year(year: i32) -> Option<Date> {
        Date::new(year, 12, 31)
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1–12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, 1–31.
    pub fn day(self) -> u8 {
        self.day
    }

    /// The quarter, 1–4.
    pub fn quarter(self) -> u8 {
        (self.month - 1) / 3 + 1
    }

    /// Days since 1970-01-01 (negative before).
    pub fn to_days(self) -> i64 {
        // H. Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01, when it is within years 1–9999.
    pub fn from_days(days: i64) -> Option<Date> {
        // H. Hinnant's civil_from_days.
        let z = days.checked_add(719_468)?;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date::new(i32::try_from(year).ok()?, month, day)
    }

    /// The date `n` days later (earlier for negative `n`).
    pub fn add_days(self, n: i64) -> Option<Date> {
        Date::from_days(self.to_days().checked_add(n)?)
    }

    /// Days from `self` to `other` (positive when `other` is later).
    pub fn days_until(self, other: Date) -> i64 {
        other.to_days() - self.to_days()
    }

    /// The end of a period of `n` months from this date, as the law counts it: the same day
    /// `n` months later, or that month's last day when it has no such day.
    pub fn add_months(self, n: i32) -> Option<Date> {
        let index = i64::from(self.year) * 12 + i64::from(self.month) - 1 + i64::from(n);
        let year = i32::try_from(index.div_euclid(12)).ok()?;
        let month = (index.rem_euclid(12) + 1) as u8;
        let day = self.day.min(days_in_month(year, month));
        Date::new(year, month, day)
    }

    /// The end of a period of `n` years from this date, as the law counts it
    /// (29 February → 28 February in a common year).
    pub fn add_years(self, n: i32) -> Option<Date> {
        self.add_months(n.checked_mul(12)?)
    }

    /// Parse an ISO date, exactly `YYYY-MM-DD`.
    pub fn parse_iso(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            s.get(r)
                .filter(|t| t.bytes().all(|c| c.is_ascii_digit()))?
                .parse()
                .ok()
        };
        Date::new(num(0..4)? as i32, num(5..7)? as u8, num(8..10)? as u8)
    }

    /// Parse a date as Chinese documents and spreadsheets write it: `2025-07-08`, `2025-7-8`,
    /// `2025/7/8`, `2025.7.8`, `2025年7月8日`, `20250708`, full-width digits, optionally
    /// followed by a time of day (`2025-07-08 00:00:00`, `2025-07-08T00:00:00`).
    pub fn parse(s: &str) -> Option<Date> {
        if let Some(d) = Date::parse_iso(s) {
            return Some(d);
        }
        let t: String = s
            .trim()
            .chars()
            .map(|c| match c {
                '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
                '－' | '／' | '．' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                _ => c,
            })
            .collect();
        // Drop a time of day.
        let t = t.split([' ', 'T', '\u{3000}']).next().unwrap_or("");
        if t.len() == 8 && t.bytes().all(|c| c.is_ascii_digit()) {
            return Date::new(
                t[0..4].parse().ok()?,
                t[4..6].parse().ok()?,
                t[6..8].parse().ok()?,
            );
        }
        let t = t.strip_suffix('日').or(t.strip_suffix('号')).unwrap_or(t);
        let mut parts = t.split(['-', '/', '.', '年', '月']);
        let y: &str = parts.next()?;
        let m: &str = parts.next()?;
        let d: &str = parts.next()?;
        if parts.next().is_some()
            || y.len() != 4
            || !(1..=2).contains(&m.len())
            || !(1..=2).contains(&d.len())
            || ![y, m, d]
                .iter()
                .all(|p| p.bytes().all(|c| c.is_ascii_digit()))
        {
            return None;
        }
        Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
    }

    /// The date of an Excel serial number in the 1900 date system (1 = 1900-01-01; Excel's
    /// nonexistent 1900-02-29 = 60 is refused). A fraction (time of day) is dropped.
    pub fn from_excel_serial(serial: f64) -> Option<Date> {
        if !serial.is_finite() || !(1.0..2_958_466.0).contains(&serial) {
            return None;
        }
        let n = serial.floor() as i64;
        let base = Date::new(1899, 12, 31)?.to_days();
        match n {
            60 => None,
            1..=59 => Date::from_days(base + n),
            _ => Date::from_days(base + n - 1),
        }
    }

    /// `2025年7月8日`, as Chinese documents write a date.
    pub fn chinese(self) -> String {
        format!("{}年{}月{}日", self.year, self.month, self.day)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for Date {
    type Err = DateError;
    /// Any form [`Date::parse`] reads.
    fn from_str(s: &str) -> Result<Date, DateError> {
        Date::parse(s).ok_or_else(|| DateError {
            text: s.to_string(),
        })
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = String::deserialize(d)?;
        Date::parse_iso(&s).ok_or_else(|| serde::de::Error::custom(DateError { text: s }))
    }
}

/// Serde helpers for an optional date written as `""` when absent (rule files, their JSON).
pub mod empty_as_none {
    use super::Date;
    use serde::{Deserialize, Deserializer, Serializer};

    /// `None` as `""`.
    pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.collect_str(d),
            None => s.serialize_str(""),
        }
    }

    /// `""` (or absent, with `#[serde(default)]`) as `None`; otherwise an ISO date.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        let s = String::deserialize(d)?;
        if s.trim().is_empty() {
            return Ok(None);
        }
        Date::parse_iso(s.trim())
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(super::DateError { text: s }))
    }
}

/// An instant, in milliseconds since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    millis: i64,
}

/// 北京时间 is UTC+8 all year.
const BEIJING_OFFSET_MS: i64 = 8 * 3600 * 1000;

impl Timestamp {
    /// From milliseconds since the Unix epoch.
    pub fn from_unix_millis(millis: i64) -> Timestamp {
        Timestamp { millis }
    }

    /// From a system time (the caller reads the clock).
    pub fn from_system_time(t: std::time::SystemTime) -> Timestamp {
        let millis = match t.duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_millis()).unwrap_or(i64::MAX),
            Err(e) => -i64::try_from(e.duration().as_millis()).unwrap_or(i64::MAX),
        };
        Timestamp { millis }
    }

    /// Milliseconds since the Unix epoch.
    pub fn unix_millis(self) -> i64 {
        self.millis
    }

    fn parts(ms: i64) -> (Option<Date>, i64, i64) {
        let days = ms.div_euclid(86_400_000);
        let rem = ms.rem_euclid(86_400_000);
        (Date::from_days(days), rem / 1000, rem % 1000)
    }

    /// The UTC date.
    pub fn date_utc(self) -> Option<Date> {
        Timestamp::parts(self.millis).0
    }

    /// The date in 北京时间.
    pub fn date_beijing(self) -> Option<Date> {
        Timestamp::parts(self.millis + BEIJING_OFFSET_MS).0
    }

    /// RFC 3339 in UTC with milliseconds: `2026-11-24T05:30:00.123Z` (how the store records
    /// times).
    pub fn rfc3339(self) -> String {
        let (date, secs, ms) = Timestamp::parts(self.millis);
        let date = date.map(|d| d.to_string()).unwrap_or_default();
        format!(
            "{date}T{:02}:{:02}:{:02}.{ms:03}Z",
            secs / 3600,
            secs % 3600 / 60,
            secs % 60
        )
    }

    /// In 北京时间, to the second: `2026-11-24 13:30:00` (how people read times).
    pub fn beijing(self) -> String {
        let (date, secs, _) = Timestamp::parts(self.millis + BEIJING_OFFSET_MS);
        let date = date.map(|d| d.to_string()).unwrap_or_default();
        format!(
            "{date} {:02}:{:02}:{:02}",
            secs / 3600,
            secs % 3600 / 60,
            secs % 60
        )
    }

    /// Parse what [`Timestamp::rfc3339`] writes (also without milliseconds, or with an offset
    /// such as `+08:00`).
    pub fn parse_rfc3339(s: &str) -> Option<Timestamp> {
        let s = s.trim();
        let date = Date::parse_iso(s.get(0..10)?)?;
        let rest = s.get(10..)?.strip_prefix(['T', ' '])?;
        let num = |r: std::ops::Range<usize>| -> Option<i64> {
            rest.get(r)
                .filter(|t| t.bytes().all(|c| c.is_ascii_digit()))?
                .parse()
                .ok()
        };
        if rest.as_bytes().get(2) != Some(&b':') || rest.as_bytes().get(5) != Some(&b':') {
            return None;
        }
        let (h, mi, sec) = (num(0..2)?, num(3..5)?, num(6..8)?);
        if h > 23 || mi > 59 || sec > 60 {
            return None;
        }
        let mut tail = rest.get(8..)?;
        let mut ms = 0;
        if let Some(frac) = tail.strip_prefix('.') {
            let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return None;
            }
            let f = &frac[..digits];
            ms = format!("{:0<3}", &f[..digits.min(3)]).parse().ok()?;
            tail = &frac[digits..];
        }
        let offset_ms = match tail {
            "Z" | "z" | "" => 0,
            t if t.len() == 6 && (t.starts_with('+') || t.starts_with('-')) => {
                let oh: i64 = t.get(1..3)?.parse().ok()?;
                let om: i64 = t.get(4..6)?.parse().ok()?;
                let sign = if t.starts_with('-') { -1 } else { 1 };
                sign * (oh * 3600 + om * 60) * 1000
            }
            _ => return None,
        };
        let millis = date.to_days() * 86_400_000 + (h * 3600 + mi * 60 + sec) * 1000 + ms;
        Some(Timestamp {
            millis: millis - offset_ms,
        })
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rfc3339())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse_iso(s).unwrap()
    }

    #[test]
    fn days_round_trip_across_four_centuries() {
        let mut date = d("1899-12-31");
        let start = date.to_days();
        assert_eq!(d("1970-01-01").to_days(), 0);
        for days in start + 1..start + 400 * 366 {
            let next = date.add_days(1).unwrap();
            assert!(next > date);
            assert_eq!(next.to_days(), days);
            assert_eq!(Date::from_days(days), Some(next));
            date = next;
        }
    }

    #[test]
    fn periods_end_as_the_civil_code_counts_them() {
        assert_eq!(d("2024-02-29").add_years(1), Some(d("2025-02-28")));
        assert_eq!(d("2024-02-29").add_years(4), Some(d("2028-02-29")));
        assert_eq!(d("2025-01-31").add_months(1), Some(d("2025-02-28")));
        assert_eq!(d("2025-03-31").add_months(-1), Some(d("2025-02-28")));
        assert_eq!(d("2025-07-08").add_years(2), Some(d("2027-07-08")));
        assert_eq!(d("2025-12-15").add_months(1), Some(d("2026-01-15")));
        // A year is not 365 days across a leap day.
        assert_ne!(d("2023-06-01").add_years(1), d("2023-06-01").add_days(365));
    }

    #[test]
    fn reads_the_forms_spreadsheets_write() {
        for s in [
            "2025-07-08",
            "2025-7-8",
            "2025/7/8",
            "2025.07.08",
            "2025年7月8日",
            "2025年07月08日",
            "20250708",
            "２０２５－０７－０８",
            "2025-07-08 00:00:00",
            "2025-07-08T09:30:00",
            " 2025/07/08 ",
        ] {
            assert_eq!(Date::parse(s), Some(d("2025-07-08")), "{s}");
        }
        for s in [
            "2025-02-29",
            "2025-13-01",
            "25-7-8",
            "2025-7",
            "七月八日",
            "",
            "2025-07-08-1",
        ] {
            assert_eq!(Date::parse(s), None, "{s}");
        }
        assert!("2025-02-29"
            .parse::<Date>()
            .unwrap_err()
            .to_string()
            .contains("2025-02-29"));
    }

    #[test]
    fn excel_serials_follow_the_1900_system() {
        assert_eq!(Date::from_excel_serial(1.0), Some(d("1900-01-01")));
        assert_eq!(Date::from_excel_serial(59.0), Some(d("1900-02-28")));
        assert_eq!(Date::from_excel_serial(60.0), None);
        assert_eq!(Date::from_excel_serial(61.0), Some(d("1900-03-01")));
        assert_eq!(Date::from_excel_serial(45846.0), Some(d("2025-07-08")));
        assert_eq!(Date::from_excel_serial(45846.75), Some(d("2025-07-08")));
        assert_eq!(Date::from_excel_serial(0.0), None);
        assert_eq!(Date::from_excel_serial(f64::NAN), None);
    }

    #[test]
    fn quarters_and_display() {
        assert_eq!(d("2025-03-31").quarter(), 1);
        assert_eq!(d("2025-04-01").quarter(), 2);
        assert_eq!(d("2025-12-31").quarter(), 4);
        assert_eq!(d("2025-07-08").to_string(), "2025-07-08");
        assert_eq!(d("2025-07-08").chinese(), "2025年7月8日");
        let json = serde_json::to_string(&d("2025-07-08")).unwrap();
        assert_eq!(json, "\"2025-07-08\"");
        assert_eq!(
            serde_json::from_str::<Date>(&json).unwrap(),
            d("2025-07-08")
        );
    }

    #[test]
    fn timestamps_in_utc_and_beijing_time() {
        let t = Timestamp::parse_rfc3339("2026-11-24T20:30:05.123Z").unwrap();
        assert_eq!(t.rfc3339(), "2026-11-24T20:30:05.123Z");
        assert_eq!(t.beijing(), "2026-11-25 04:30:05");
        assert_eq!(t.date_utc(), Some(d("2026-11-24")));
        assert_eq!(t.date_beijing(), Some(d("2026-11-25")));
        let same = Timestamp::parse_rfc3339("2026-11-25T04:30:05.123+08:00").unwrap();
        assert_eq!(same, t);
        assert_eq!(
            Timestamp::parse_rfc3339("2026-11-24T20:30:05Z")
                .unwrap()
                .unix_millis()
                + 123,
            t.unix_millis()
        );
        let epoch = Timestamp::from_system_time(std::time::UNIX_EPOCH);
        assert_eq!(epoch.rfc3339(), "1970-01-01T00:00:00.000Z");
        assert_eq!(Timestamp::parse_rfc3339("2026-11-24"), None);
    }
}
