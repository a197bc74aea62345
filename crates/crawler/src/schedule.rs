//! When to fetch a feed again: as often as it publishes, within bounds, and
//! less often while it fails.

use chrono::{DateTime, Duration, Utc};

/// The shortest and longest time between two fetches of one feed.
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    /// Never sooner than this (politeness).
    pub min: Duration,
    /// Never later than this (freshness).
    pub max: Duration,
}

impl Default for Bounds {
    fn default() -> Self {
        Self { min: Duration::minutes(5), max: Duration::hours(24) }
    }
}

/// The interval after a successful fetch: half the median gap between the
/// feed's recent items (so a new item waits half a gap on average), within
/// bounds. A feed with fewer than two dated items is fetched hourly.
pub fn after_success(published: &[DateTime<Utc>], bounds: Bounds) -> Duration {
    let mut times: Vec<DateTime<Utc>> = published.to_vec();
    times.sort_unstable_by(|a, b| b.cmp(a));
    times.truncate(20);
    let mut gaps: Vec<i64> = times.windows(2).map(|w| (w[0] - w[1]).num_seconds()).filter(|g| *g > 0).collect();
    if gaps.is_empty() {
        return Duration::hours(1).clamp(bounds.min, bounds.max);
    }
    gaps.sort_unstable();
    let median = gaps[gaps.len() / 2];
    Duration::seconds(median / 2).clamp(bounds.min, bounds.max)
}

/// The interval after the `failures`-th failure in a row: the minimum,
/// doubled each time, at least what Retry-After asked, at most the maximum.
pub fn after_failure(failures: i64, retry_after_secs: Option<u64>, bounds: Bounds) -> Duration {
    let exp = failures.clamp(1, 20) as u32 - 1;
    let backoff = bounds.min * 2i32.saturating_pow(exp);
    let asked = Duration::seconds(retry_after_secs.unwrap_or(0).min(7 * 24 * 3600) as i64);
    backoff.max(asked).clamp(bounds.min, bounds.max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_750_000_000 + h * 3600, 0).unwrap()
    }

    #[test]
    fn a_feed_publishing_every_four_hours_is_fetched_every_two() {
        let published: Vec<_> = (0..10).map(|i| t(i * 4)).collect();
        assert_eq!(after_success(&published, Bounds::default()), Duration::hours(2));
    }

    #[test]
    fn a_very_busy_feed_is_not_fetched_more_often_than_the_minimum() {
        let published: Vec<_> = (0..10).map(|i| t(0) + Duration::seconds(i * 30)).collect();
        assert_eq!(after_success(&published, Bounds::default()), Duration::minutes(5));
    }

    #[test]
    fn an_undated_feed_is_fetched_hourly() {
        assert_eq!(after_success(&[], Bounds::default()), Duration::hours(1));
    }

    #[test]
    fn failures_back_off_exponentially_up_to_a_day_and_honour_retry_after() {
        let b = Bounds::default();
        assert_eq!(after_failure(1, None, b), Duration::minutes(5));
        assert_eq!(after_failure(3, None, b), Duration::minutes(20));
        assert_eq!(after_failure(30, None, b), Duration::hours(24));
        assert_eq!(after_failure(1, Some(3600), b), Duration::hours(1));
    }
}
