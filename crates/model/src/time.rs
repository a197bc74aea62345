//! The clock: the real one, or a fixed instant for tests and demos.
//! (Relative times such as "11 hours ago" are worded by the web's message
//! catalogue: `web::i18n::relative`.)

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
