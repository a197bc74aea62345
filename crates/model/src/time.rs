//! The clock and the relative times cards show ("11 hours ago", "18-06-2025").

use chrono::{DateTime, Utc};

/// The time source: the real clock, or a fixed instant for tests and demos.
#[derive(Clone, Copy, Debug, Default)]
pub enum Clock {
    /// The system clock.
    #[default]
    System,
    /// Always this instant.
    Fixed(DateTime<Utc>),
}

impl Clock {
    /// The current time by this clock.
    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Fixed(t) => *t,
        }
    }
}

/// Formats the age of `then` as seen at `now`, as the topic page shows it.
///
/// The cut-off from days to a date is seven days, matching the seed page.
/// A time in the future (clock skew between publisher and us) reads "just now"
/// rather than a negative age.
pub fn format_relative(then: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - then).num_seconds();
    if secs < 60 {
        return "just now".to_string();
    }
    let plural = |n: i64, unit: &str| {
        if n == 1 {
            format!("1 {unit} ago")
        } else {
            format!("{n} {unit}s ago")
        }
    };
    match secs {
        s if s < 3600 => plural(s / 60, "minute"),
        s if s < 86_400 => plural(s / 3600, "hour"),
        s if s < 7 * 86_400 => plural(s / 86_400, "day"),
        _ => then.format("%d-%m-%Y").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    const NOW: &str = "2025-06-28T12:00:00Z";

    #[test]
    fn the_seed_pages_times_are_reproduced() {
        let now = at(NOW);
        assert_eq!(format_relative(at("2025-06-28T01:00:00Z"), now), "11 hours ago");
        assert_eq!(format_relative(at("2025-06-22T08:40:00Z"), now), "6 days ago");
        assert_eq!(format_relative(at("2025-06-22T08:00:00Z"), now), "6 days ago");
        assert_eq!(format_relative(at("2025-06-18T10:00:00Z"), now), "18-06-2025");
    }

    #[test]
    fn under_a_minute_is_just_now() {
        assert_eq!(format_relative(at("2025-06-28T11:59:30Z"), at(NOW)), "just now");
    }

    #[test]
    fn a_future_time_is_just_now() {
        assert_eq!(format_relative(at("2025-06-28T13:00:00Z"), at(NOW)), "just now");
    }

    #[test]
    fn singular_units_have_no_s() {
        assert_eq!(format_relative(at("2025-06-28T11:00:00Z"), at(NOW)), "1 hour ago");
        assert_eq!(format_relative(at("2025-06-28T11:59:00Z"), at(NOW)), "1 minute ago");
        assert_eq!(format_relative(at("2025-06-27T12:00:00Z"), at(NOW)), "1 day ago");
    }

    #[test]
    fn seven_days_switches_to_a_date() {
        assert_eq!(format_relative(at("2025-06-21T12:00:00Z"), at(NOW)), "21-06-2025");
    }
}
