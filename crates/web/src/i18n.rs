//! The message catalogue: every string the public pages show, by key, from
//! `assets/messages/<lang>.toml`. English is complete; a missing key in
//! another language falls back to English, and a missing English key shows
//! the key itself (and fails the catalogue test).

use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::LazyLock;

static EN: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
    toml::from_str(include_str!("../assets/messages/en.toml")).unwrap_or_else(|e| {
        tracing::error!(error = %e, "the English message catalogue does not parse");
        HashMap::new()
    })
});

/// The message for `key`.
pub fn t(key: &'static str) -> &'static str {
    EN.get(key).map_or(key, String::as_str)
}

/// The message for `key` with `{name}` placeholders filled in.
pub fn tf(key: &'static str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
    let mut s = t(key).to_string();
    for (name, value) in args {
        s = s.replace(&format!("{{{name}}}"), &value.to_string());
    }
    s
}

/// The age of `then` at `now`, as cards show it ("11 hours ago", then a
/// date after a week), from the catalogue. The cut-off from days to a date
/// is seven days, matching the seed page; a time in the future (clock skew
/// between publisher and us) reads "just now" rather than a negative age.
pub fn relative(then: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - then).num_seconds();
    let plural = |n: i64, one: &'static str, many: &'static str| {
        if n == 1 {
            t(one).to_string()
        } else {
            tf(many, &[("n", &n)])
        }
    };
    match secs {
        s if s < 60 => t("time.just_now").to_string(),
        s if s < 3600 => plural(s / 60, "time.minute", "time.minutes"),
        s if s < 86_400 => plural(s / 3600, "time.hour", "time.hours"),
        s if s < 7 * 86_400 => plural(s / 86_400, "time.day", "time.days"),
        _ => then.format(t("time.date_format")).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_the_code_uses_is_in_the_english_catalogue() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut missing = Vec::new();
        let mut stack = vec![dir];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(d).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let src = std::fs::read_to_string(&path).unwrap();
                for call in ["t(\"", "tf(\""] {
                    for piece in src.split(call).skip(1) {
                        let key = piece.split('"').next().unwrap();
                        if key.contains('.') && !EN.contains_key(key) {
                            missing.push(format!("{}: {key}", path.display()));
                        }
                    }
                }
            }
        }
        assert!(missing.is_empty(), "keys missing from en.toml: {missing:#?}");
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    const NOW: &str = "2025-06-28T12:00:00Z";

    #[test]
    fn the_seed_pages_times_are_reproduced() {
        let now = at(NOW);
        assert_eq!(relative(at("2025-06-28T01:00:00Z"), now), "11 hours ago");
        assert_eq!(relative(at("2025-06-22T08:40:00Z"), now), "6 days ago");
        assert_eq!(relative(at("2025-06-22T08:00:00Z"), now), "6 days ago");
        assert_eq!(relative(at("2025-06-18T10:00:00Z"), now), "18-06-2025");
        assert_eq!(relative(at("2025-06-22T01:00:00Z"), now), "6 days ago");
        assert_eq!(relative(at("2025-06-18T01:00:00Z"), now), "18-06-2025");
    }

    #[test]
    fn under_a_minute_is_just_now() {
        assert_eq!(relative(at("2025-06-28T11:59:30Z"), at(NOW)), "just now");
    }

    #[test]
    fn a_future_time_is_just_now() {
        assert_eq!(relative(at("2025-06-28T13:00:00Z"), at(NOW)), "just now");
    }

    #[test]
    fn singular_units_have_no_s() {
        assert_eq!(relative(at("2025-06-28T11:00:00Z"), at(NOW)), "1 hour ago");
        assert_eq!(relative(at("2025-06-28T11:59:00Z"), at(NOW)), "1 minute ago");
        assert_eq!(relative(at("2025-06-27T12:00:00Z"), at(NOW)), "1 day ago");
    }

    #[test]
    fn seven_days_switches_to_a_date() {
        assert_eq!(relative(at("2025-06-21T12:00:00Z"), at(NOW)), "21-06-2025");
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(tf("list.tag_title", &[("name", &"China-CentralAsia")]), "Latest news with #China-CentralAsia");
    }
}
