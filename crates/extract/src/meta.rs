//! Page metadata: JSON-LD, OpenGraph and other meta tags, `<time>`, URL dates.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use dom_query::{Document, NodeRef};
use serde_json::Value;

/// Metadata found in the page, before any body extraction.
#[derive(Debug, Default, Clone)]
pub struct PageMeta {
    pub title: Option<String>,
    pub byline: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    pub lang: Option<String>,
    pub site_name: Option<String>,
    pub image: Option<String>,
    pub canonical: Option<String>,
    pub description: Option<String>,
    pub article_body: Option<String>,
    pub section: Option<String>,
}

/// The fields of the first schema.org article object in the page's JSON-LD.
#[derive(Debug, Default)]
struct JsonLd {
    headline: Option<String>,
    published: Option<String>,
    modified: Option<String>,
    author: Option<String>,
    image: Option<String>,
    publisher: Option<String>,
    body: Option<String>,
    lang: Option<String>,
    section: Option<String>,
}

fn clean(s: impl AsRef<str>) -> Option<String> {
    let s = crate::text::normalize_ws(s.as_ref());
    (!s.is_empty()).then_some(s)
}

/// The elements metadata is read from, gathered in one walk over the page
/// rather than a query (a walk) each.
#[derive(Default)]
struct Scan<'a> {
    metas: Vec<NodeRef<'a>>,
    json_ld: Vec<NodeRef<'a>>,
    /// The first `<time>` with a `datetime`, `pubdate` or `itemprop=datePublished`.
    time: Option<NodeRef<'a>>,
    html_lang: Option<String>,
    canonical: Option<NodeRef<'a>>,
    title: Option<NodeRef<'a>>,
    /// `h1` and `h2` elements in document order.
    headings: Vec<NodeRef<'a>>,
}

impl<'a> Scan<'a> {
    fn new(doc: &'a Document) -> Self {
        let mut scan = Scan::default();
        for node in doc.root().descendants_it() {
            let Some(name) = node.node_name() else { continue };
            match name.as_ref() {
                "meta" if node.has_attr("content") => scan.metas.push(node),
                "script" if node.attr("type").is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json")) => {
                    scan.json_ld.push(node)
                }
                "time"
                    if scan.time.is_none()
                        && (node.has_attr("datetime")
                            || node.has_attr("pubdate")
                            || node.attr("itemprop").as_deref() == Some("datePublished")) =>
                {
                    scan.time = Some(node)
                }
                "html" if scan.html_lang.is_none() => scan.html_lang = node.attr("lang").map(|l| l.to_string()),
                "link" if scan.canonical.is_none() && node.attr("rel").as_deref() == Some("canonical") => {
                    scan.canonical = Some(node)
                }
                "title" if scan.title.is_none() => scan.title = Some(node),
                "h1" | "h2" => scan.headings.push(node),
                _ => {}
            }
        }
        scan
    }

    fn h1s(&self) -> impl Iterator<Item = &NodeRef<'a>> {
        self.headings.iter().filter(|h| h.node_name().as_deref() == Some("h1"))
    }

    /// The `<title>` text.
    fn document_title(&self) -> String {
        self.title.map(|t| crate::text::normalize_ws(&t.text())).unwrap_or_default()
    }
}

/// The page's `<meta>` tags by lower-cased property, name or itemprop; the
/// first non-empty value of each wins. One pass instead of a query per key.
struct Metas(std::collections::HashMap<String, String>);

impl Metas {
    fn new(scan: &Scan) -> Self {
        let mut map = std::collections::HashMap::new();
        for m in &scan.metas {
            let Some(content) = m.attr("content").and_then(clean) else { continue };
            for attr in ["property", "name", "itemprop"] {
                if let Some(k) = m.attr(attr) {
                    for key in k.split_whitespace() {
                        map.entry(normalize_key(key)).or_insert_with(|| content.clone());
                    }
                }
            }
        }
        Self(map)
    }

    fn get(&self, keys: &[&str]) -> Option<String> {
        keys.iter().find_map(|k| self.0.get(&normalize_key(k)).cloned())
    }
}

/// Meta names compare case-insensitively with "." and ":" equivalent
/// (`DC.date` is `dc:date`).
fn normalize_key(k: &str) -> String {
    k.trim().to_lowercase().replace('.', ":")
}

fn word_count(s: &str) -> usize {
    s.split_whitespace().count()
}

/// Readability.js's text similarity: the share of `b`'s tokens found in `a`,
/// weighted by length.
fn similarity(a: &str, b: &str) -> f32 {
    let tok = |s: &str| -> Vec<String> {
        s.to_lowercase().split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_string).collect()
    };
    let ta = tok(a);
    let tb = tok(b);
    if ta.is_empty() || tb.is_empty() {
        return 0.0;
    }
    let unique: Vec<&str> = tb.iter().filter(|t| !ta.contains(t)).map(String::as_str).collect();
    let joined_b = tb.join(" ").chars().count() as f32;
    let joined_u = unique.join(" ").chars().count() as f32;
    1.0 - joined_u / joined_b
}

const SEPARATORS: &[char] = &['|', '-', '\\', '/', '>', '»'];

/// Readability.js's title heuristic over `<title>`: drop a site name after a
/// separator, or before a colon, unless that leaves too little.
fn article_title(scan: &Scan) -> String {
    let orig = scan.document_title();
    let mut cur = orig.clone();
    let mut hierarchical = false;
    // " | ", " - ", " / ", " > ", " » " separate a site name.
    let seps: Vec<usize> = orig
        .char_indices()
        .filter(|(i, c)| SEPARATORS.contains(c) && orig[*i + c.len_utf8()..].starts_with(' '))
        .map(|(i, _)| i)
        .collect();
    if let Some(&last) = seps.last() {
        hierarchical = seps.iter().any(|&i| matches!(orig[i..].chars().next(), Some('\\' | '/' | '>' | '»')));
        cur = orig[..last].to_string();
        if word_count(&cur) < 3 {
            let first = orig.find(SEPARATORS).unwrap_or(0);
            let c = orig[first..].chars().next().map_or(1, char::len_utf8);
            cur = orig[first + c..].to_string();
        }
    } else if orig.contains(": ") {
        let trimmed = cur.trim().to_string();
        let matches_heading = scan.headings.iter().any(|h| crate::text::normalize_ws(&h.text()) == trimmed);
        if !matches_heading {
            cur = orig[orig.rfind(':').map_or(0, |i| i + 1)..].to_string();
            if word_count(&cur) < 3 {
                cur = orig[orig.find(':').map_or(0, |i| i + 1)..].to_string();
            } else if word_count(&orig[..orig.find(':').unwrap_or(0)]) > 5 {
                cur = orig.clone();
            }
        }
    } else if orig.chars().count() > 150 || orig.chars().count() < 15 {
        let mut h1s = scan.h1s();
        if let (Some(h1), None) = (h1s.next(), h1s.next()) {
            cur = crate::text::normalize_ws(&h1.text());
        }
    }
    let cur = crate::text::normalize_ws(&cur);
    let wc = word_count(&cur);
    let orig_without_seps: String = orig.chars().filter(|c| !SEPARATORS.contains(c)).collect();
    if wc <= 4 && (!hierarchical || wc != word_count(&orig_without_seps).saturating_sub(1)) {
        return orig;
    }
    cur
}

/// Readability.js's byline check: the first element, in document order,
/// marked as the author (rel=author, itemprop=author, or a byline/author
/// class or id) with a short text; its `itemprop=name` child if it has one.
fn dom_byline(doc: &Document) -> Option<String> {
    for node in doc.root().descendants_it().filter(|n| n.is_element()) {
        let rel = node.attr("rel");
        let itemprop = node.attr("itemprop");
        let marked = rel.as_deref() == Some("author")
            || itemprop.as_deref().is_some_and(|i| i.contains("author"))
            || node.class().is_some_and(|c| names_author(&c))
            || node.id_attr().is_some_and(|i| names_author(&i));
        if !marked || node.has_attr("hidden") || node.attr("aria-hidden").as_deref() == Some("true") {
            continue;
        }
        let text = node.text();
        let trimmed = text.trim();
        if trimmed.is_empty() || trimmed.chars().count() >= 100 {
            continue;
        }
        let name = node
            .descendants_it()
            .find(|d| d.attr("itemprop").is_some_and(|i| i.contains("name")))
            .map(|d| d.text().trim().to_string())
            .filter(|n| !n.is_empty());
        return clean(name.unwrap_or_else(|| trimmed.to_string()));
    }
    None
}

/// Whether a class or id names an author block.
fn names_author(v: &str) -> bool {
    ["byline", "author", "dateline", "writtenby", "p-author"].iter().any(|k| contains_ignore_case(v, k))
}

/// Whether `hay` contains the lower-case ASCII `needle`, ignoring ASCII case;
/// class names are checked on every element, so nothing is allocated.
fn contains_ignore_case(hay: &str, needle: &str) -> bool {
    hay.as_bytes().windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Reads every metadata source of the page.
pub fn read(doc: &Document, url: Option<&str>) -> PageMeta {
    let scan = Scan::new(doc);
    let metas = Metas::new(&scan);
    let ld = json_ld(&scan);
    let time_el = scan.time.and_then(|t| t.attr("datetime")).and_then(|t| parse_date(&t));
    // Precedence follows Readability.js (JSON-LD, then Dublin Core,
    // OpenGraph and Twitter tags), then Tagline's own fallbacks.
    let published = ld
        .published
        .as_deref()
        .and_then(parse_date)
        .or_else(|| {
            metas
                .get(&[
                    "article:published_time",
                    "parsely-pub-date",
                    "og:article:published_time",
                    "datePublished",
                    "pubdate",
                    "publishdate",
                    "dc:date",
                    "dc:date:issued",
                    "dcterms:created",
                    "date",
                    "sailthru:date",
                ])
                .and_then(|d| parse_date(&d))
        })
        .or(time_el)
        .or_else(|| url.and_then(date_from_url));
    let updated = ld.modified.as_deref().and_then(parse_date).or_else(|| {
        metas
            .get(&["article:modified_time", "og:updated_time", "dateModified", "dcterms:modified"])
            .and_then(|d| parse_date(&d))
    });
    let title = ld
        .headline
        .clone()
        .or_else(|| {
            metas.get(&[
                "dc:title",
                "dcterm:title",
                "og:title",
                "weibo:article:title",
                "weibo:webpage:title",
                "title",
                "twitter:title",
                "parsely-title",
            ])
        })
        .or_else(|| clean(article_title(&scan)))
        .or_else(|| scan.h1s().next().and_then(|h| clean(h.text())));
    let byline = ld
        .author
        .clone()
        .or_else(|| metas.get(&["dc:creator", "dcterm:creator", "author", "parsely-author"]))
        .or_else(|| metas.get(&["article:author"]).filter(|a| !a.starts_with("http")))
        .or_else(|| dom_byline(doc));
    PageMeta {
        title,
        byline,
        published,
        updated,
        lang: scan
            .html_lang
            .and_then(clean)
            .or(ld.lang)
            .or_else(|| metas.get(&["og:locale", "language", "content-language"])),
        site_name: metas.get(&["og:site_name", "application-name"]).or(ld.publisher),
        image: metas.get(&["og:image", "og:image:url", "twitter:image", "twitter:image:src"]).or(ld.image),
        canonical: scan.canonical.and_then(|l| l.attr("href")).and_then(clean).or_else(|| metas.get(&["og:url"])),
        description: metas.get(&["og:description", "description", "twitter:description"]),
        article_body: ld.body,
        section: metas.get(&["article:section"]).or(ld.section),
    }
}

/// JSON-LD blocks larger than this are not read.
const MAX_JSON_LD: usize = 1024 * 1024;

fn json_ld(scan: &Scan) -> JsonLd {
    let mut out = JsonLd::default();
    for script in &scan.json_ld {
        let raw = script.text();
        let raw = raw.trim();
        let raw = raw.strip_prefix("<![CDATA[").unwrap_or(raw);
        let raw = raw.strip_suffix("]]>").unwrap_or(raw).trim();
        // Real JSON-LD is a few kilobytes; a larger block would cost many
        // times its size as a JSON tree.
        if raw.len() > MAX_JSON_LD {
            continue;
        }
        let Ok(value) = serde_json::from_str::<Value>(raw) else {
            continue;
        };
        let mut objects = Vec::new();
        collect_objects(&value, &mut objects, 0);
        if let Some(article) = objects.into_iter().find(|o| is_article(o)) {
            let name = str_field(article, "name");
            let headline = str_field(article, "headline");
            out.headline = match (name, headline) {
                // Readability.js: when both differ, prefer the one that
                // matches the document title.
                (Some(n), Some(h)) if n != h => {
                    let title = scan.document_title();
                    if similarity(&h, &title) > 0.75 && similarity(&n, &title) <= 0.75 {
                        Some(h)
                    } else {
                        Some(n)
                    }
                }
                (n, h) => n.or(h),
            };
            out.published = str_field(article, "datePublished").or_else(|| str_field(article, "dateCreated"));
            out.modified = str_field(article, "dateModified");
            out.author = article.get("author").and_then(names);
            out.image = article.get("image").and_then(url_of);
            out.publisher = article.get("publisher").and_then(names);
            out.body = str_field(article, "articleBody");
            out.lang = str_field(article, "inLanguage");
            out.section = str_field(article, "articleSection");
            break;
        }
    }
    out
}

fn collect_objects<'a>(v: &'a Value, out: &mut Vec<&'a Value>, depth: usize) {
    if depth > 8 {
        return;
    }
    match v {
        Value::Array(items) => items.iter().for_each(|i| collect_objects(i, out, depth + 1)),
        Value::Object(map) => {
            out.push(v);
            if let Some(graph) = map.get("@graph") {
                collect_objects(graph, out, depth + 1);
            }
            if let Some(main) = map.get("mainEntity") {
                collect_objects(main, out, depth + 1);
            }
        }
        _ => {}
    }
}

fn is_article(v: &Value) -> bool {
    let is = |t: &str| {
        t.ends_with("Article")
            || matches!(
                t,
                "BlogPosting"
                    | "Report"
                    | "LiveBlogPosting"
                    | "SocialMediaPosting"
                    | "DiscussionForumPosting"
                    | "APIReference"
            )
    };
    match v.get("@type") {
        Some(Value::String(t)) => is(t),
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).any(is),
        _ => false,
    }
}

fn str_field(v: &Value, key: &str) -> Option<String> {
    match v.get(key)? {
        Value::String(s) => clean(s),
        Value::Array(a) => a.iter().find_map(Value::as_str).and_then(clean),
        _ => None,
    }
}

fn names(v: &Value) -> Option<String> {
    let list: Vec<String> = match v {
        Value::String(s) => vec![s.clone()],
        Value::Object(_) => v.get("name").and_then(Value::as_str).map(str::to_string).into_iter().collect(),
        Value::Array(a) => a
            .iter()
            .filter_map(|x| match x {
                Value::String(s) => Some(s.clone()),
                Value::Object(_) => x.get("name").and_then(Value::as_str).map(str::to_string),
                _ => None,
            })
            .collect(),
        _ => vec![],
    };
    let list: Vec<String> = list.into_iter().filter_map(clean).collect();
    (!list.is_empty()).then(|| list.join(", "))
}

fn url_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => clean(s),
        Value::Object(_) => v.get("url").or_else(|| v.get("contentUrl")).and_then(url_of),
        Value::Array(a) => a.iter().find_map(url_of),
        _ => None,
    }
}

/// Parses the date formats publishers put in metadata.
pub fn parse_date(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return Some(d.with_timezone(&Utc));
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z", "%Y-%m-%d %H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S %z"] {
        if let Ok(d) = DateTime::parse_from_str(s, fmt) {
            return Some(d.with_timezone(&Utc));
        }
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M", "%Y%m%dT%H%M%S"] {
        if let Ok(d) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(Utc.from_utc_datetime(&d));
        }
    }
    let date_part = s.get(..10).unwrap_or(s);
    for fmt in ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(date_part, fmt) {
            return d.and_hms_opt(0, 0, 0).map(|d| Utc.from_utc_datetime(&d));
        }
    }
    for fmt in ["%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%d %b %Y"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, fmt) {
            return d.and_hms_opt(0, 0, 0).map(|d| Utc.from_utc_datetime(&d));
        }
    }
    None
}

/// A date in the URL path, as in `/2025/06/22/slug` (day optional).
pub fn date_from_url(url: &str) -> Option<DateTime<Utc>> {
    let path = url::Url::parse(url).ok()?.path().to_string();
    let parts: Vec<&str> = path.split('/').collect();
    for w in parts.windows(3) {
        let (y, m, d) = (w[0], w[1], w[2]);
        if y.len() == 4 && m.len() == 2 {
            let (Ok(y), Ok(m)) = (y.parse::<i32>(), m.parse::<u32>()) else { continue };
            if !(1990..=2100).contains(&y) {
                continue;
            }
            let day = if d.len() == 2 { d.parse::<u32>().unwrap_or(1) } else { 1 };
            return NaiveDate::from_ymd_opt(y, m, day)
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|d| Utc.from_utc_datetime(&d));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_with_an_offset_is_converted_to_utc() {
        assert_eq!(parse_date("2025-06-22T16:40:00+08:00").unwrap().to_rfc3339(), "2025-06-22T08:40:00+00:00");
    }

    #[test]
    fn a_bare_date_is_midnight_utc() {
        assert_eq!(parse_date("2025-06-18").unwrap().to_rfc3339(), "2025-06-18T00:00:00+00:00");
    }

    #[test]
    fn a_url_with_year_month_day_gives_a_date() {
        let d = date_from_url("https://e.com/business/2025/06/22/story.html").unwrap();
        assert_eq!(d.to_rfc3339(), "2025-06-22T00:00:00+00:00");
    }

    #[test]
    fn json_ld_article_fields_are_read_through_a_graph() {
        let doc = Document::from(
            r#"<html><head><script type="application/ld+json">{"@graph":[{"@type":"WebSite","name":"X"},{"@type":"NewsArticle","headline":"H","datePublished":"2025-06-28T01:00:00+00:00","author":[{"@type":"Person","name":"A B"}]}]}</script></head><body></body></html>"#,
        );
        let m = read(&doc, None);
        assert_eq!(m.title.as_deref(), Some("H"));
        assert_eq!(m.byline.as_deref(), Some("A B"));
        assert_eq!(m.published.unwrap().to_rfc3339(), "2025-06-28T01:00:00+00:00");
    }
}
