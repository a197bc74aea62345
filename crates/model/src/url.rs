//! URLs Tagline is willing to fetch, and slugs derived from names.

use crate::ModelError;
use std::fmt;

/// An absolute http(s) URL: the only kind of address a source may have.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FeedUrl(url::Url);

impl FeedUrl {
    /// Parses and validates a URL; fragments are dropped because they never
    /// reach the server and would make one feed look like two.
    pub fn parse(input: &str) -> Result<Self, ModelError> {
        let mut url = url::Url::parse(input.trim()).map_err(|e| ModelError::InvalidUrl(format!("{input}: {e}")))?;
        match url.scheme() {
            "http" | "https" => {}
            other => return Err(ModelError::UnsupportedScheme { scheme: other.to_string() }),
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(ModelError::InvalidUrl(format!("{input}: no host")));
        }
        url.set_fragment(None);
        Ok(Self(url))
    }

    /// The URL as parsed.
    pub fn as_url(&self) -> &url::Url {
        &self.0
    }

    /// The URL as text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl TryFrom<String> for FeedUrl {
    type Error = ModelError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<FeedUrl> for String {
    fn from(value: FeedUrl) -> Self {
        value.0.into()
    }
}

impl fmt::Display for FeedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

/// An absolute http(s) URL with a host, as every URL Tagline stores or
/// renders must be (article links, canonical URLs, images): never
/// `javascript:`, `data:` or a relative reference. Unlike [`FeedUrl`] it
/// keeps its fragment, which may tell two live-blog posts apart.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct WebUrl(url::Url);

impl WebUrl {
    /// Parses and validates an absolute URL.
    pub fn parse(input: &str) -> Result<Self, ModelError> {
        let url = url::Url::parse(input.trim()).map_err(|e| ModelError::InvalidUrl(format!("{input}: {e}")))?;
        Self::from_url(url)
    }

    /// Validates a parsed URL (one resolved against a base, say).
    pub fn from_url(url: url::Url) -> Result<Self, ModelError> {
        match url.scheme() {
            "http" | "https" => {}
            other => return Err(ModelError::UnsupportedScheme { scheme: other.to_string() }),
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(ModelError::InvalidUrl(format!("{url}: no host")));
        }
        Ok(Self(url))
    }

    /// Whether `input` is such a URL.
    pub fn is_valid(input: &str) -> bool {
        Self::parse(input).is_ok()
    }

    /// The URL as parsed.
    pub fn as_url(&self) -> &url::Url {
        &self.0
    }

    /// The URL as text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl From<WebUrl> for String {
    fn from(value: WebUrl) -> Self {
        value.0.into()
    }
}

impl fmt::Display for WebUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str())
    }
}

/// Lower-case ASCII words joined by "-", for URLs such as `/source/the-star`.
pub fn slugify(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_https_url_is_accepted() {
        assert_eq!(FeedUrl::parse("https://example.com/feed.xml").unwrap().as_str(), "https://example.com/feed.xml");
    }

    #[test]
    fn a_fragment_is_dropped() {
        assert_eq!(FeedUrl::parse("http://example.com/feed#top").unwrap().as_str(), "http://example.com/feed");
    }

    #[test]
    fn a_file_url_is_refused() {
        assert!(matches!(FeedUrl::parse("file:///etc/passwd"), Err(ModelError::UnsupportedScheme { .. })));
    }

    #[test]
    fn garbage_is_refused() {
        assert!(matches!(FeedUrl::parse("not a url"), Err(ModelError::InvalidUrl(_))));
    }

    #[test]
    fn slugs_are_lower_case_words_joined_by_hyphens() {
        assert_eq!(slugify("The Star"), "the-star");
        assert_eq!(slugify("  IOL News!! "), "iol-news");
    }

    #[test]
    fn issue_14_script_and_data_urls_are_not_web_urls() {
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "data:text/html,<script>x</script>",
            "vbscript:x",
            "/relative",
            "http://",
        ] {
            assert!(!WebUrl::is_valid(bad), "{bad}");
        }
        assert_eq!(WebUrl::parse(" https://e.com/a#p2 ").unwrap().as_str(), "https://e.com/a#p2");
    }
}
