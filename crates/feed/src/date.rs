//! Feed dates in the formats publishers actually write: RFC 822 and its many
//! variants, W3CDTF/ISO 8601 (partial dates included), asctime, SQL-style
//! timestamps. Times without a zone are taken as UTC, as feedparser does.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

/// Parses a date; `None` when nothing sensible can be read.
pub fn parse(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    iso(s).or_else(|| short_iso(s)).or_else(|| hungarian(s)).or_else(|| korean(s)).or_else(|| rfc822ish(s))
}

/// The two forms of Korean blog software, in Korea's time (UTC+9):
/// "2004년 05월 28일  01:31:15" (OnBlog) and "2004-05-25 오후 11:23:17"
/// (Nate, with 오전/오후 for a.m./p.m.).
fn korean(s: &str) -> Option<DateTime<Utc>> {
    const KST: i32 = 9 * 3600;
    let hms = |t: &str| -> Option<(u32, u32, u32)> {
        let mut p = t.split(':');
        Some((num(p.next()?)?, num(p.next()?)?, num(p.next()?)?))
    };
    let words: Vec<&str> = s.split_whitespace().collect();
    match words.as_slice() {
        [y, m, d, t] if y.ends_with('년') && m.ends_with('월') && d.ends_with('일') => {
            let (h, mi, sec) = hms(t)?;
            let n = |w: &str, suffix: char| num(w.strip_suffix(suffix)?);
            build(n(y, '년')? as i32, n(m, '월')?, n(d, '일')?, h, mi, sec, KST)
        }
        [date, half @ ("오전" | "오후"), t] => {
            let mut p = date.split('-');
            let (y, m, d) = (num(p.next()?)?, num(p.next()?)?, num(p.next()?)?);
            let (h, mi, sec) = hms(t)?;
            let h = match (*half, h) {
                ("오후", h) if h < 12 => h + 12,
                ("오전", 12) => 0,
                (_, h) => h,
            };
            build(y as i32, m, d, h, mi, sec, KST)
        }
        _ => None,
    }
}

/// ISO 8601's two-digit-year and ordinal forms: "-0312", "-03-12",
/// "03-12-31", "031231", "03335", "2003-335".
fn short_iso(s: &str) -> Option<DateTime<Utc>> {
    if !s.is_ascii() {
        return None;
    }
    let yy = |t: &str| num(t).map(|n| 2000 + n as i32);
    let ordinal =
        |y: i32, doy: u32| NaiveDate::from_yo_opt(y, doy).and_then(|d| build(y, d.month(), d.day(), 0, 0, 0, 0));
    use chrono::Datelike;
    if let Some(rest) = s.strip_prefix('-') {
        let digits: String = rest.chars().filter(|c| *c != '-').collect();
        return match digits.len() {
            4 => build(yy(&digits[..2])?, num(&digits[2..])?, 1, 0, 0, 0, 0),
            _ => None,
        };
    }
    let parts: Vec<&str> = s.split('-').collect();
    match (parts.as_slice(), s.len()) {
        ([y, m, d], _) if y.len() == 2 => build(yy(y)?, num(m)?, num(d)?, 0, 0, 0, 0),
        ([y, doy], _) if y.len() == 4 && doy.len() == 3 => ordinal(num(y)? as i32, num(doy)?),
        ([one], 6) => build(yy(&one[..2])?, num(&one[2..4])?, num(&one[4..])?, 0, 0, 0, 0),
        ([one], 5) => ordinal(yy(&one[..2])?, num(&one[2..])?),
        ([one], 7) => ordinal(num(&one[..4])? as i32, num(&one[4..])?),
        _ => None,
    }
}

/// "2004-július-13T9:15-05:00": ISO 8601 with a Hungarian month name.
fn hungarian(s: &str) -> Option<DateTime<Utc>> {
    let mut parts = s.splitn(3, '-');
    let (y, m, rest) = (parts.next()?, parts.next()?, parts.next()?);
    let m = foreign_month(m)?;
    iso(&format!("{y}-{m:02}-{rest}"))
}

/// Month names of languages seen in feeds' dates (Greek, Hungarian).
fn foreign_month(name: &str) -> Option<u32> {
    let n = name.to_lowercase();
    let n = n.trim_end_matches('.');
    const GREEK: [&[&str]; 12] = [
        &["ιαν"],
        &["φεβ"],
        &["μάρ", "μαρ"],
        &["απρ"],
        &["μάι", "μαϊ", "μαι"],
        &["ιούν", "ιον", "ιουν"],
        &["ιούλ", "ιολ", "ιουλ"],
        &["αύγ", "αυγ"],
        &["σεπ"],
        &["οκτ"],
        &["νοέ", "νοε"],
        &["δεκ"],
    ];
    const HUNGARIAN: [&str; 12] = [
        "január",
        "február",
        "március",
        "április",
        "május",
        "június",
        "július",
        "augusztus",
        "szeptember",
        "október",
        "november",
        "december",
    ];
    GREEK
        .iter()
        .position(|names| names.contains(&n))
        .or_else(|| HUNGARIAN.iter().position(|m| *m == n))
        .map(|i| i as u32 + 1)
}

fn month(name: &str) -> Option<u32> {
    if let Some(m) = foreign_month(name) {
        return Some(m);
    }
    let n = name.to_ascii_lowercase();
    let n = n.trim_end_matches('.');
    Some(match n.get(..3)? {
        "jan" => 1,
        "feb" => 2,
        "mar" => 3,
        "apr" => 4,
        "may" => 5,
        "jun" => 6,
        "jul" => 7,
        "aug" => 8,
        "sep" => 9,
        "oct" => 10,
        "nov" => 11,
        "dec" => 12,
        _ => return None,
    })
}

fn zone(z: &str) -> Option<i32> {
    let u = z.to_ascii_uppercase();
    let named = match u.as_str() {
        "Z" | "UT" | "UTC" | "GMT" => Some(0),
        "EST" => Some(-5),
        "EDT" => Some(-4),
        "CST" => Some(-6),
        "CDT" => Some(-5),
        "MST" => Some(-7),
        "MDT" => Some(-6),
        "PST" => Some(-8),
        "PDT" => Some(-7),
        "AST" => Some(-4),
        "ADT" => Some(-3),
        "HST" => Some(-10),
        "AKST" => Some(-9),
        "ET" => Some(-5),
        "CT" => Some(-6),
        "MT" => Some(-7),
        "PT" => Some(-8),
        "AT" => Some(-4),
        "AKDT" => Some(-8),
        "BST" => Some(1),
        "CET" => Some(1),
        "CEST" => Some(2),
        "EET" => Some(2),
        "EEST" => Some(3),
        "JST" => Some(9),
        "KST" => Some(9),
        "IST" => Some(5),
        _ => None,
    };
    if let Some(h) = named {
        return Some(h * 3600);
    }
    // Military single letters other than Z: A..I = -1..-9? RFC 822 had the
    // signs backwards; feedparser treats them as unknown, so do we.
    let (sign, digits) = match u.as_bytes().first()? {
        b'+' => (1, &u[1..]),
        b'-' => (-1, &u[1..]),
        _ => return None,
    };
    let digits: String = digits.chars().filter(|c| *c != ':').collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (h, m) = match digits.len() {
        1 | 2 => (digits.parse::<i32>().ok()?, 0),
        3 => (digits[..1].parse::<i32>().ok()?, digits[1..].parse::<i32>().ok()?),
        4 => (digits[..2].parse::<i32>().ok()?, digits[2..].parse::<i32>().ok()?),
        _ => return None,
    };
    Some(sign * (h * 3600 + m * 60))
}

fn build(y: i32, mo: u32, d: u32, h: u32, mi: u32, sec: u32, offset: i32) -> Option<DateTime<Utc>> {
    let date = NaiveDate::from_ymd_opt(y, mo, d)?;
    // 24:00 and leap seconds appear in the wild; clamp rather than reject.
    let (h, mi, sec) = if h == 24 { (23, 59, 59) } else { (h, mi, sec.min(61)) };
    // Seconds past 59 roll over into the next minute, as time libraries do.
    let naive = date.and_hms_opt(h, mi, 0)? + chrono::Duration::seconds(sec as i64);
    let utc = Utc.from_utc_datetime(&naive) - chrono::Duration::seconds(offset as i64);
    Some(utc)
}

fn num(s: &str) -> Option<u32> {
    if s.is_empty() || !s.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// W3CDTF / ISO 8601: 2003-12-31T10:14:55.5-08:00, 20031231T101455Z,
/// 2003-12-31, 2003-12, 2003, "2004-07-08 23:56:58.0".
fn iso(s: &str) -> Option<DateTime<Utc>> {
    let b = s.as_bytes();
    if b.len() < 4 || !b[..4].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let (date_part, time_part) = match s.find(['T', 't', ' ']) {
        Some(i) => (&s[..i], Some(s[i + 1..].trim())),
        None => (s, None),
    };
    if !date_part.is_ascii() {
        return None;
    }
    let (y, mo, d) = if date_part.contains('-') {
        let mut it = date_part.split('-');
        let y = num(it.next()?)? as i32;
        let mo = it.next().map_or(Some(1), num)?;
        let d = it.next().map_or(Some(1), num)?;
        if it.next().is_some() {
            return None;
        }
        (y, mo, d)
    } else {
        match date_part.len() {
            4 => (num(date_part)? as i32, 1, 1),
            8 => (num(&date_part[..4])? as i32, num(&date_part[4..6])?, num(&date_part[6..8])?),
            _ => return None,
        }
    };
    let Some(t) = time_part.filter(|t| !t.is_empty()) else {
        return build(y, mo, d, 0, 0, 0, 0);
    };
    // Split off the zone: Z, +hh:mm, -hhmm, or a name after a space.
    let (clock, offset) = if let Some(c) = t.strip_suffix(['Z', 'z']) {
        (c, 0)
    } else if let Some(i) = t.rfind(['+', '-']).filter(|&i| i > 0) {
        (&t[..i], zone(&t[i..])?)
    } else if let Some((c, z)) = t.split_once(' ') {
        (c, zone(z.trim())?)
    } else {
        (t, 0)
    };
    let clock = clock.trim();
    let (hms, _frac) = clock.split_once(['.', ',']).unwrap_or((clock, ""));
    let parts: Vec<&str> = if hms.contains(':') {
        hms.split(':').collect()
    } else {
        hms.as_bytes().chunks(2).map(|c| std::str::from_utf8(c).unwrap_or("")).collect()
    };
    let h = num(parts.first()?)?;
    let mi = parts.get(1).map_or(Some(0), |p| num(p))?;
    let sec = parts.get(2).map_or(Some(0), |p| num(p))?;
    build(y, mo, d, h, mi, sec, offset)
}

/// RFC 822 and relatives: "Sat, 28 Jun 2025 01:00:00 +0000", "28 Jun 03
/// 1:00 GMT", asctime "Sun Jan  4 16:29:06 2004", "Fri, 2006/09/15 08:19:53 EDT".
fn rfc822ish(s: &str) -> Option<DateTime<Utc>> {
    let tokens: Vec<&str> = s.split(|c: char| c.is_whitespace() || c == ',').filter(|t| !t.is_empty()).collect();
    let (mut y, mut mo, mut d) = (None, None, None);
    let (mut h, mut mi, mut sec) = (0, 0, 0);
    let mut offset = 0;
    for tok in tokens {
        if let Some(m) = month(tok).filter(|_| tok.chars().all(|c| c.is_alphabetic() || c == '.')) {
            if mo.is_none() && tok.len() >= 3 {
                mo = Some(m);
                continue;
            }
        }
        if tok.contains(':') && tok.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            let parts: Vec<&str> = tok.split(':').collect();
            h = num(parts[0])?;
            mi = parts.get(1).map_or(Some(0), |p| num(p))?;
            sec = parts.get(2).map_or(Some(0), |p| num(p.split('.').next().unwrap_or("0")))?;
            continue;
        }
        if tok.contains('/') {
            let p: Vec<&str> = tok.split('/').collect();
            if p.len() == 3 && p[0].len() == 4 {
                y = Some(num(p[0])? as i32);
                mo = Some(num(p[1])?);
                d = Some(num(p[2])?);
                continue;
            }
        }
        if let Some(n) = num(tok) {
            if d.is_none() && tok.len() <= 2 && (1..=31).contains(&n) {
                d = Some(n);
            } else if y.is_none() {
                y = Some(match tok.len() {
                    2 => (if n < 50 { 2000 } else { 1900 }) + n as i32,
                    _ => n as i32,
                });
            }
            continue;
        }
        if let Some(z) = zone(tok) {
            offset = z;
        }
    }
    build(y?, mo?, d?, h, mi, sec, offset)
}

#[cfg(test)]
mod tests {
    use super::parse;

    fn p(s: &str) -> String {
        parse(s).map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)).unwrap_or_default()
    }

    #[test]
    fn the_common_formats_parse() {
        assert_eq!(p("Sat, 28 Jun 2025 01:00:00 +0000"), "2025-06-28T01:00:00Z");
        assert_eq!(p("Thu, 01 Jan 2004 19:48:21 GMT"), "2004-01-01T19:48:21Z");
        assert_eq!(p("Thu, 01 Jan 04 19:48 EST"), "2004-01-02T00:48:00Z");
        assert_eq!(p("2003-12-31T10:14:55Z"), "2003-12-31T10:14:55Z");
        assert_eq!(p("2003-12-31T10:14:55.123-08:00"), "2003-12-31T18:14:55Z");
        assert_eq!(p("2003-12-31T10:14-0800"), "2003-12-31T18:14:00Z");
        assert_eq!(p("2003-12-31"), "2003-12-31T00:00:00Z");
        assert_eq!(p("2003-12"), "2003-12-01T00:00:00Z");
        assert_eq!(p("20031231T101455Z"), "2003-12-31T10:14:55Z");
        assert_eq!(p("Sun Jan  4 16:29:06 2004"), "2004-01-04T16:29:06Z");
        assert_eq!(p("2004-07-08 23:56:58.0"), "2004-07-08T23:56:58Z");
        assert_eq!(p("Fri, 2006/09/15 08:19:53 EDT"), "2006-09-15T12:19:53Z");
    }

    #[test]
    fn multibyte_characters_in_dates_do_not_panic() {
        assert_eq!(p("2003\u{e9}12345"), "");
        assert_eq!(p("20031231T1\u{e9}"), "");
    }

    #[test]
    fn short_ordinal_and_foreign_forms_parse() {
        assert_eq!(p("-0312"), "2003-12-01T00:00:00Z");
        assert_eq!(p("03335"), "2003-12-01T00:00:00Z");
        assert_eq!(p("031231"), "2003-12-31T00:00:00Z");
        assert_eq!(p("03-12-31"), "2003-12-31T00:00:00Z");
        assert_eq!(p("2003-12-31T10:14:61Z"), "2003-12-31T10:15:01Z");
        assert_eq!(p("Κυρ, 11 Ιούλ 2004 12:00:00 EST"), "2004-07-11T17:00:00Z");
        assert_eq!(p("2004-július-13T9:15-05:00"), "2004-07-13T14:15:00Z");
    }

    #[test]
    fn korean_blog_dates_parse_in_korean_time() {
        assert_eq!(p("2004년 05월 28일  01:31:15"), "2004-05-27T16:31:15Z");
        assert_eq!(p("2004-05-25 오후 11:23:17"), "2004-05-25T14:23:17Z");
        assert_eq!(p("2004-05-25 오전 12:05:00"), "2004-05-24T15:05:00Z");
    }

    #[test]
    fn nonsense_is_none() {
        assert_eq!(p("yesterday-ish"), "");
        assert_eq!(p(""), "");
    }
}
