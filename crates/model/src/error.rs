//! The error type for building domain values from untrusted input.

/// Why a value could not be built from its textual form.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ModelError {
    /// The text is not an absolute URL at all.
    #[error("not a valid URL: {0}")]
    InvalidUrl(String),
    /// The URL uses a scheme other than http or https.
    #[error("unsupported URL scheme {scheme:?} (only http and https are crawled)")]
    UnsupportedScheme {
        /// The scheme that was given.
        scheme: String,
    },
    /// A tag name with no letters or digits in it.
    #[error("a tag name needs at least one letter or digit: {0:?}")]
    EmptyTag(String),
    /// A category label or slug outside Tagline's taxonomy.
    #[error("unknown category {0:?}")]
    UnknownCategory(String),
}
