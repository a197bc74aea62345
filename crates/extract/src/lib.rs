//! Article extraction: HTML bytes in, clean text and metadata out. No IO.
//!
//! The pipeline is: decode the charset, read metadata (JSON-LD, OpenGraph,
//! meta tags, `<time>`, URL), strip boilerplate that readability scoring
//! misses, pick the main content with dom_smoothie, then render plain text and
//! sanitised HTML from it.

mod boilerplate;
mod bound;
pub use boilerplate::is_boilerplate_line;
mod charset;
mod meta;
mod prestrip;
mod text;

pub use charset::{charset_param, decode_html};
pub use meta::parse_date;

use chrono::{DateTime, Utc};
use dom_query::{Document, NodeRef};

/// Why a page could not be extracted at all.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// There were no bytes, or only whitespace.
    #[error("the page is empty")]
    Empty,
    /// The bytes are not text (an image, a PDF, compressed data).
    #[error("the page is not HTML (binary content)")]
    Binary,
    /// The page is larger than the extractor accepts.
    #[error("the page is {0} bytes, more than the {MAX_INPUT} accepted")]
    TooLarge(usize),
    /// A source's extraction rule is not a CSS selector this parser reads.
    #[error("not a valid CSS selector: {0:?}")]
    InvalidSelector(String),
}

/// Pages larger than this are refused rather than parsed.
pub const MAX_INPUT: usize = 16 * 1024 * 1024;

/// What extraction found.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Extracted {
    /// Headline.
    pub title: Option<String>,
    /// Author names as written.
    pub byline: Option<String>,
    /// Publication time.
    pub published: Option<DateTime<Utc>>,
    /// Last update.
    pub updated: Option<DateTime<Utc>>,
    /// Declared language.
    pub lang: Option<String>,
    /// Publisher name.
    pub site_name: Option<String>,
    /// Lead image, absolute.
    pub image: Option<String>,
    /// Canonical URL, absolute.
    pub canonical_url: Option<String>,
    /// Summary from the page's metadata.
    pub description: Option<String>,
    /// Section name from the page's metadata, e.g. "Business".
    pub section: Option<String>,
    /// Plain text, paragraphs separated by blank lines.
    pub text: String,
    /// Sanitised HTML of the main content.
    pub html: String,
    /// Things that went wrong but did not stop extraction.
    pub warnings: Vec<String>,
    /// The character encoding used to decode the page.
    pub encoding: String,
}

/// A source's own extraction rules (see [`model::ExtractRules`]).
pub use model::ExtractRules as Rules;

/// Checks that every selector of `rules` parses; the error names the first bad one.
pub fn validate_rules(rules: &Rules) -> Result<(), ExtractError> {
    for sel in rules.keep.iter().chain(&rules.drop) {
        if !is_valid_selector(sel) {
            return Err(ExtractError::InvalidSelector(sel.clone()));
        }
    }
    Ok(())
}

fn is_valid_selector(sel: &str) -> bool {
    dom_query::Matcher::new(sel).is_ok()
}

/// Extracts the article from a page. `url` is the page's address (for
/// resolving links), `content_type` the HTTP header (for the charset).
pub fn extract(bytes: &[u8], url: Option<&str>, content_type: Option<&str>) -> Result<Extracted, ExtractError> {
    extract_with(bytes, url, content_type, &Rules::default())
}

/// [`extract`] with a source's own rules.
pub fn extract_with(
    bytes: &[u8],
    url: Option<&str>,
    content_type: Option<&str>,
    rules: &Rules,
) -> Result<Extracted, ExtractError> {
    if bytes.len() > MAX_INPUT {
        return Err(ExtractError::TooLarge(bytes.len()));
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ExtractError::Empty);
    }
    if looks_binary(bytes) {
        return Err(ExtractError::Binary);
    }
    let base = url.and_then(|u| url::Url::parse(u).ok());
    let url = base.as_ref().map(url::Url::as_str);
    let (html, encoding) = decode_html(bytes, content_type);
    let html = prestrip::prestrip(&html);
    let bounded = bound::bound(&html);
    let mut warnings = bounded.warnings;
    // Every later parse (readability's fresh copies too) reads the bounded page.
    let html = match bounded.html {
        std::borrow::Cow::Borrowed(_) => html,
        std::borrow::Cow::Owned(b) => b,
    };
    let doc = Document::from(html.as_str());
    let meta = meta::read(&doc, url);
    for sel in apply_drop_rules(&doc, rules) {
        warnings.push(format!("ignored the invalid drop rule {sel:?}"));
    }
    let kept = rules.keep.as_deref().and_then(|sel| {
        let found = doc.try_select(sel);
        if found.is_none() && !is_valid_selector(sel) {
            warnings.push(format!("ignored the invalid keep rule {sel:?}"));
        }
        found.map(|s| s.iter().map(|n| n.html().to_string()).collect::<String>())
    });
    if rules.keep.is_some() && kept.is_none() {
        warnings.push("the keep rule matched nothing; using the automatic extraction".into());
    }
    if kept.is_none() {
        narrow_to_article(&doc);
    }
    boilerplate::strip(&doc);
    // A page that marks its body with schema.org microdata and puts real
    // prose in it has told us where the article is; readability's scoring
    // would only confirm it, at a third of the extraction's cost.
    let kept = kept.or_else(|| marked_body(&doc));

    // Readability's own document is used as it is, not serialised and
    // parsed again.
    let content_doc = match kept {
        Some(html) => Document::from(html),
        None => {
            let readable = readable(doc, url, || readability_input(&html, rules));
            readable.unwrap_or_else(|e| {
                warnings.push(format!("readability found no main content ({e}); using the whole body"));
                let doc = Document::from(html.as_str());
                boilerplate::strip(&doc);
                doc
            })
        }
    };
    let content = content_root(&content_doc);
    boilerplate::strip_link_lists(&content);
    let title_norm = meta.title.as_deref().map(text::normalize_ws);
    let mut paragraphs: Vec<String> =
        text::paragraphs(&content).into_iter().filter(|p| !boilerplate::is_boilerplate_line(p)).collect();
    // Readability often keeps the headline as the first block; the reader sees
    // it above the text already.
    if paragraphs.first().is_some_and(|p| Some(p) == title_norm.as_ref()) {
        paragraphs.remove(0);
    }
    let mut text = paragraphs.join("\n\n");
    if let Some(body) = meta.article_body.as_deref() {
        if text.chars().count() < 200 && body.chars().count() > text.chars().count() {
            warnings.push("the page's layout gave little text; using its JSON-LD articleBody".into());
            text = body.split('\n').map(text::normalize_ws).filter(|p| !p.is_empty()).collect::<Vec<_>>().join("\n\n");
        }
    }
    if text.is_empty() {
        warnings.push("no article text found".into());
    }
    // The stored HTML is what the text came from: without the link lists.
    let html_out = sanitize(&content.html(), base.as_ref());
    // Only absolute http(s) URLs leave extraction: a relative reference
    // with no base, or a `javascript:`/`data:` one, is dropped.
    let absolute = |u: Option<String>| -> Option<String> {
        let u = u?;
        let joined = match &base {
            Some(b) => b.join(&u).ok()?,
            None => url::Url::parse(&u).ok()?,
        };
        model::WebUrl::from_url(joined).ok().map(String::from)
    };
    Ok(Extracted {
        title: meta.title,
        byline: meta.byline,
        published: meta.published,
        updated: meta.updated,
        lang: meta.lang,
        site_name: meta.site_name,
        image: absolute(meta.image),
        canonical_url: absolute(meta.canonical),
        description: meta.description,
        section: meta.section,
        text,
        html: html_out,
        warnings,
        encoding: encoding.to_string(),
    })
}

/// The HTML after each stage of [`extract`], for the `stages` example.
#[doc(hidden)]
pub fn debug_stages(bytes: &[u8]) -> Vec<(&'static str, String)> {
    let html = debug_input(bytes);
    let doc = Document::from(html.as_str());
    let mut out = vec![("decoded", doc.html().to_string())];
    narrow_to_article(&doc);
    boilerplate::strip(&doc);
    out.push(("boilerplate stripped", doc.html().to_string()));
    let content_doc = readable(doc, None, || readability_input(&html, &Rules::default())).unwrap_or_default();
    let content = content_root(&content_doc);
    out.push(("readability", content.html().to_string()));
    boilerplate::strip_link_lists(&content);
    out.push(("link lists stripped", text::render(&content)));
    out
}

/// Time spent in each stage of [`extract`], for the `timing` example.
#[doc(hidden)]
pub fn debug_timings(bytes: &[u8]) -> Vec<(&'static str, std::time::Duration)> {
    use std::time::Instant;
    let mut out = Vec::new();
    let mut t = Instant::now();
    let mut lap = |name: &'static str, out: &mut Vec<(&'static str, std::time::Duration)>| {
        out.push((name, t.elapsed()));
        t = Instant::now();
    };
    let html = debug_input(bytes);
    lap("decode and prestrip", &mut out);
    let doc = Document::from(html.as_str());
    lap("parse", &mut out);
    let _meta = meta::read(&doc, None);
    lap("metadata", &mut out);
    narrow_to_article(&doc);
    boilerplate::strip(&doc);
    lap("boilerplate", &mut out);
    let content_doc = readable(doc, None, || readability_input(&html, &Rules::default())).unwrap_or_default();
    lap("readability", &mut out);
    let content = content_root(&content_doc);
    boilerplate::strip_link_lists(&content);
    lap("link lists", &mut out);
    let _text = text::render(&content);
    lap("render text", &mut out);
    let _html = sanitize(&content.html(), None);
    lap("sanitize", &mut out);
    out
}

/// The decoded, pre-stripped HTML the debug helpers start from.
fn debug_input(bytes: &[u8]) -> String {
    let (html, _) = decode_html(bytes, None);
    bound::bound(&prestrip::prestrip(&html)).html.into_owned()
}

/// The element holding the chosen content: readability's wrapper, else the
/// body of a kept or fallback fragment.
fn content_root(content_doc: &Document) -> NodeRef<'_> {
    ["#readability-page-1", "body"]
        .iter()
        .find_map(|sel| content_doc.select_single(sel).nodes().first().copied())
        .unwrap_or_else(|| content_doc.root())
}

/// dom_smoothie's settings: JSON-LD is already read by `meta`, and a higher
/// score threshold for link-density adjustment saves work on big pages.
fn readability_config() -> dom_smoothie::Config {
    dom_smoothie::Config {
        max_elements_to_parse: 200_000,
        disable_json_ld: true,
        min_score_to_adjust: 10.0,
        ..Default::default()
    }
}

/// Removes what the source's drop rules select; returns the rules that are
/// not valid selectors.
fn apply_drop_rules<'r>(doc: &Document, rules: &'r Rules) -> Vec<&'r str> {
    let mut invalid = Vec::new();
    for sel in &rules.drop {
        match doc.try_select(sel) {
            Some(found) => found.remove(),
            None if !is_valid_selector(sel) => invalid.push(sel.as_str()),
            None => {}
        }
    }
    invalid
}

/// The page as readability gets it: parsed, without what the drop rules
/// select, narrowed to its article, boilerplate removed. (The first pass in
/// [`extract_with`] does the same steps around its metadata and keep rule.)
fn readability_input(html: &str, rules: &Rules) -> Document {
    let doc = Document::from(html);
    apply_drop_rules(&doc, rules);
    narrow_to_article(&doc);
    boilerplate::strip(&doc);
    doc
}

/// Runs readability over `doc` as its `parse` would, one attempt per
/// policy from strict to raw, taking the first that finds enough text or else
/// the longest. Unlike `parse`, the strict attempt runs on `doc` itself:
/// it suffices for nine pages in ten, which are spared readability's copy of
/// the document. Later attempts each start from a copy of the fresh document
/// that `again` builds.
fn readable(
    doc: Document,
    url: Option<&str>,
    again: impl FnOnce() -> Document,
) -> Result<Document, dom_smoothie::ReadabilityError> {
    use dom_smoothie::{ParsePolicy, ReadabilityError};
    let cfg = readability_config();
    let fresh = std::cell::LazyCell::new(again);
    let mut first = Some(doc);
    let mut best: Option<(usize, Document)> = None;
    let mut failure = ReadabilityError::GrabFailed;
    for policy in [ParsePolicy::Strict, ParsePolicy::Moderate, ParsePolicy::Clean, ParsePolicy::Raw] {
        let doc = first.take().unwrap_or_else(|| Document::clone(&fresh));
        let mut r = dom_smoothie::Readability::with_document(doc, url, Some(cfg.clone()))?;
        match r.parse_with_policy(policy) {
            Ok(a) => {
                let n = text::normalized_len(&a.text_content);
                if n >= cfg.char_threshold {
                    return Ok(r.doc);
                }
                if best.as_ref().is_none_or(|(m, _)| n > *m) {
                    best = Some((n, r.doc));
                }
            }
            Err(e @ ReadabilityError::TooManyElements(..)) => return Err(e),
            Err(e) => failure = e,
        }
    }
    best.map(|(_, doc)| doc).ok_or(failure)
}

/// The one element `sel` selects, when it holds at least 500 characters of
/// prose and 80% of the page's.
fn holds_most_prose<'a>(doc: &'a Document, sel: &str) -> Option<NodeRef<'a>> {
    let found = doc.select(sel);
    if found.length() != 1 {
        return None;
    }
    let node = *found.nodes().first()?;
    let inside = boilerplate::prose_chars(&node);
    (inside >= 500 && inside * 10 >= boilerplate::prose_chars(&doc.root()) * 8).then_some(node)
}

/// The single `itemprop="articleBody"` element, when it holds most of the
/// page's prose.
fn marked_body(doc: &Document) -> Option<String> {
    holds_most_prose(doc, "[itemprop=articleBody]").map(|node| node.html().to_string())
}

/// When one `<article>` element holds most of the page's prose, removes
/// everything around it, so that readability scores and cleans that
/// article alone rather than the whole page.
fn narrow_to_article(doc: &Document) {
    let Some(node) = holds_most_prose(doc, "article") else { return };
    let mut cur = node;
    while let Some(parent) = cur.parent() {
        if parent.node_name().as_deref() == Some("html") {
            break;
        }
        while let Some(s) = cur.prev_sibling() {
            s.remove_from_parent();
        }
        while let Some(s) = cur.next_sibling() {
            s.remove_from_parent();
        }
        cur = parent;
    }
}

fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    let nul = head.iter().filter(|b| **b == 0).count();
    // UTF-16 text has NULs too, but always with a BOM here.
    nul > 0 && !(head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]))
}

/// Sanitises HTML for storage and display: no scripts, styles, event
/// handlers or dangerous URLs; relative links made absolute.
pub fn sanitize(html: &str, base: Option<&url::Url>) -> String {
    // Plain text (most feed summaries) is its own clean HTML: no parser.
    if is_plain_text(html) {
        return html.to_string();
    }
    let html = bound::bound(html).html;
    let mut b = ammonia::Builder::default();
    b.rm_tags(["img"]).add_tags(["img"]).add_tag_attributes("img", ["loading"]);
    // Every stored URL is http(s): mailto:, tel: and the rest are dropped.
    b.url_schemes(["http", "https"].into());
    b.link_rel(Some("noopener noreferrer nofollow"));
    if let Some(base) = base {
        b.url_relative(ammonia::UrlRelative::RewriteWithBase(base.clone()));
    } else {
        b.url_relative(ammonia::UrlRelative::Deny);
    }
    b.clean(&html).to_string()
}

/// Whether an HTML fragment is plain text that any HTML parser reads as one
/// text node and serialises back unchanged: no markup, no character
/// references, and none of the characters a parser rewrites (NUL, CR) or a
/// serialiser escapes (no-break space).
fn is_plain_text(s: &str) -> bool {
    !s.contains(['<', '>', '&', '\0', '\r', '\u{a0}'])
}

/// Plain text of an HTML fragment (a feed summary), paragraphs separated by
/// blank lines.
pub fn html_to_text(html: &str) -> String {
    // Plain text is one text node to the parser: skip building the tree.
    if is_plain_text(html) {
        return text::normalize_ws(html);
    }
    let doc = Document::from(bound::bound(html).html.as_ref());
    text::render(&doc.root())
}

/// Feed URLs announced by a page with `<link rel="alternate">`, absolute,
/// in document order.
pub fn discover_feeds(bytes: &[u8], page_url: &str, content_type: Option<&str>) -> Vec<String> {
    let (html, _) = decode_html(bytes, content_type);
    let doc = Document::from(bound::bound(&html).html.as_ref());
    let base = url::Url::parse(page_url).ok();
    let mut out = Vec::new();
    for link in doc.select("link[rel~=alternate][href]").iter() {
        let ty = link.attr("type").map(|t| t.to_lowercase()).unwrap_or_default();
        let is_feed = ["rss", "atom", "feed+json", "application/json", "rdf"].iter().any(|k| ty.contains(k));
        if !is_feed {
            continue;
        }
        let href = link.attr("href").unwrap_or_default();
        let abs = match &base {
            Some(b) => b.join(href.trim()).map(String::from).ok(),
            None => url::Url::parse(href.trim()).map(String::from).ok(),
        };
        if let Some(abs) = abs {
            if !out.contains(&abs) {
                out.push(abs);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_takes_the_short_way_with_the_same_result_as_the_parser() {
        let samples = [
            "Lithium exports rose",
            "  Two\n\nparagraphs\tand   tabs  ",
            "Кириллица, 中文, عربى and \u{2003}em spaces\u{2028}",
            "quotes \" and ' stay",
            "",
            "   ",
        ];
        let base = url::Url::parse("https://e.com/").unwrap();
        for s in samples {
            assert!(is_plain_text(s));
            let parsed = text::render(&Document::from(s).root());
            assert_eq!(html_to_text(s), parsed, "{s:?}");
            let mut b = ammonia::Builder::default();
            b.url_relative(ammonia::UrlRelative::RewriteWithBase(base.clone()));
            assert_eq!(sanitize(s, Some(&base)), b.clean(s).to_string(), "{s:?}");
        }
        for s in ["a &amp; b", "a < b", "x\u{a0}y", "a\rb", "<p>x</p>", "a > b"] {
            assert!(!is_plain_text(s), "{s:?}");
        }
    }

    #[test]
    fn an_empty_page_is_an_error() {
        assert!(matches!(extract(b"   ", None, None), Err(ExtractError::Empty)));
    }

    #[test]
    fn binary_content_is_an_error() {
        assert!(matches!(extract(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", None, None), Err(ExtractError::Binary)));
    }

    #[test]
    fn sanitising_removes_scripts_and_handlers_and_absolutises_links() {
        let base = url::Url::parse("https://e.com/a/b.html").unwrap();
        let out = sanitize("<p onclick=\"x()\">Hi <a href=\"../c\">c</a><script>alert(1)</script></p>", Some(&base));
        assert!(!out.contains("onclick"), "{out}");
        assert!(!out.contains("script"), "{out}");
        assert!(out.contains("href=\"https://e.com/c\""), "{out}");
    }

    #[test]
    fn deeply_nested_divs_do_not_overflow_the_stack() {
        let html = format!("<html><body>{}<p>deep</p>{}</body></html>", "<div>".repeat(5_000), "</div>".repeat(5_000));
        let r = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || html_to_text(&html))
            .unwrap()
            .join()
            .unwrap();
        assert!(r.contains("deep"));
    }

    #[test]
    fn a_keep_rule_selects_the_content_and_drop_rules_remove_parts_of_it() {
        let html = br#"<html><body><div class="story"><p>Kept paragraph one.</p><p class="promo">Buy now</p></div>
            <div class="other"><p>A long other paragraph that readability might have preferred to the story itself.</p></div></body></html>"#;
        let rules = Rules { keep: Some(".story".into()), drop: vec![".promo".into()] };
        let out = extract_with(html, None, None, &rules).unwrap();
        assert_eq!(out.text, "Kept paragraph one.");
    }

    #[test]
    fn an_invalid_rule_is_reported_not_fatal() {
        let rules = Rules { keep: None, drop: vec!["div[[".into()] };
        assert!(validate_rules(&rules).is_err());
        let out = extract_with(b"<p>Some text here.</p>", None, None, &rules).unwrap();
        assert!(out.warnings.iter().any(|w| w.contains("invalid drop rule")), "{:?}", out.warnings);
    }

    #[test]
    fn feeds_are_discovered_from_alternate_links() {
        let html = br#"<html><head><link rel="alternate" type="application/atom+xml" href="/thestar/atom.xml"><link rel="alternate" hreflang="fr" href="/fr/"></head></html>"#;
        assert_eq!(discover_feeds(html, "http://h/thestar/", None), vec!["http://h/thestar/atom.xml"]);
    }
}
