//! One feed entry to one storable article (fetch the page, extract), and
//! one stored article to its enrichment.

use chrono::{DateTime, Utc};
use extract::Extracted;
use feed::FeedEntry;
use fetch::Fetcher;
use model::{Category, NewArticle, Source, Tag, TagKind, TagName, WebUrl};

/// Card excerpts are cut to about this many characters.
const EXCERPT_CHARS: usize = 300;

/// Headlines are cut to about this many characters.
const TITLE_CHARS: usize = 400;

/// Fetches and extracts the entry's page and its lead image, then builds
/// the article (from the feed alone if the page cannot be had).
pub(crate) async fn prepare(
    fetcher: &Fetcher,
    src: &Source,
    entry: FeedEntry,
    now: DateTime<Utc>,
) -> Result<(NewArticle, Vec<String>), String> {
    let mut warnings = Vec::new();
    let link = entry_link(src, &entry)?;
    let page = match fetcher.get_page(&link).await {
        Ok(p) => Some(p),
        Err(e) => {
            warnings.push(format!("{}: {e}; using the feed's text", src.name));
            None
        }
    };
    // Extraction is CPU work: off the async workers, so that fetches keep
    // flowing and both cores are used.
    let owned = src.clone();
    let (mut article, extract_warning) = crate::cpu(move || {
        let mut warning = None;
        let extracted = page.and_then(|page| {
            extract::extract_with(
                &page.body,
                Some(page.final_url.as_str()),
                page.content_type.as_deref(),
                &owned.extract_rules,
            )
            .map_err(|e| warning = Some(format!("{}: {link}: {e}; using the feed's text", owned.name)))
            .ok()
        });
        (build_article(&owned, entry, link.as_str(), extracted, now), warning)
    })
    .await
    .ok_or_else(|| format!("{}: preparing an article failed", src.name))?;
    warnings.extend(extract_warning);
    article.image_data = fetch_image(fetcher, article.image.as_deref()).await;
    Ok((article, warnings))
}

/// Builds the article of a feed entry from the feed alone (no page fetch).
pub(crate) fn from_feed(
    src: &Source,
    entry: FeedEntry,
    now: DateTime<Utc>,
) -> Result<(NewArticle, Vec<String>), String> {
    let link = entry_link(src, &entry)?;
    Ok((build_article(src, entry, link.as_str(), None, now), Vec::new()))
}

/// The entry's link, resolved against the feed's URL: an absolute http(s)
/// URL, or the entry is skipped (a `javascript:` or `data:` link is never
/// stored, so never rendered).
fn entry_link(src: &Source, entry: &FeedEntry) -> Result<url::Url, String> {
    let name = || entry.title.clone().or(entry.guid()).unwrap_or_default();
    let joined = entry
        .link
        .as_deref()
        .and_then(|u| src.feed_url.as_url().join(u).ok())
        .ok_or_else(|| format!("{}: entry {:?} has no link; skipped", src.name, name()))?;
    WebUrl::from_url(joined)
        .map(|u| u.as_url().clone())
        .map_err(|e| format!("{}: entry {:?} has an unusable link ({e}); skipped", src.name, name()))
}

/// Fetches the lead image through the same guarded client, keeping it only
/// when it is a raster image of acceptable size. Failure is not an error:
/// the card simply shows no image.
async fn fetch_image(fetcher: &Fetcher, url: Option<&str>) -> Option<model::ImageData> {
    let url = url::Url::parse(url?).ok()?;
    let fetched = fetcher.get_page(&url).await.ok()?;
    model::ImageData::parse(fetched.content_type.as_deref(), fetched.body.to_vec())
}

/// Builds the article from the feed entry and, if the page was fetched, what
/// extraction found, as it is stored before enrichment: its category only
/// if the feed or page gave one, its language as declared, and the feed's
/// own tags. Pure: no IO.
pub fn build_article(
    src: &Source,
    entry: FeedEntry,
    link: &str,
    extracted: Option<Extracted>,
    now: DateTime<Utc>,
) -> NewArticle {
    let feed_html = entry.content.clone().or_else(|| entry.summary.clone()).unwrap_or_default();
    let feed_text = extract::html_to_text(&feed_html);
    let summary_text = entry.summary.as_deref().map(extract::html_to_text).unwrap_or_default();

    // The sanity check: the page's text wins unless the feed carried more.
    let (text, html) = match &extracted {
        Some(x) if x.text.chars().count() >= feed_text.chars().count() => (x.text.clone(), x.html.clone()),
        _ => (feed_text.clone(), extract::sanitize(&feed_html, url::Url::parse(link).ok().as_ref())),
    };
    let (text, html) = bounded_body(text, html);
    let title = entry
        .title
        .clone()
        .filter(|t| !t.trim().is_empty())
        .or_else(|| extracted.as_ref().and_then(|x| x.title.clone()))
        .unwrap_or_else(|| link.to_string());
    // A headline longer than this is not one (a hostile feed's megabyte
    // token); it would fill every card it appears on.
    let title = truncate(&extract::html_to_text(&title), TITLE_CHARS);
    let published = entry.published.or_else(|| extracted.as_ref().and_then(|x| x.published)).unwrap_or(now);
    // A date far in the future would pin the article to the top of every list.
    let published = if published > now + chrono::Duration::hours(1) { now } else { published };

    // Category: the feed's own label when it maps onto the taxonomy, then the
    // page's declared section; enrichment falls back on the classifier.
    let category = entry
        .categories
        .iter()
        .find_map(|c| Category::from_publisher_label(c))
        .or_else(|| extracted.as_ref().and_then(|x| x.section.as_deref()).and_then(Category::from_publisher_label));

    let mut tags: Vec<Tag> = Vec::new();
    for c in &entry.categories {
        // A category is a tag only when it is words (never markup, a URL
        // or code) naming a subject (not "News" or "Latest").
        if Category::from_publisher_label(c).is_some()
            || enrich::generic::is_generic_section(c)
            || c.contains(['<', '>'])
            || c.split_whitespace().any(enrich::plain::is_code_like)
        {
            continue;
        }
        if let Ok(name) = TagName::parse(c) {
            if !tags.iter().any(|t| t.name.key() == name.key()) {
                tags.push(Tag { name, kind: TagKind::Feed, score: 0.5 });
            }
        }
    }

    // The declared language; enrichment checks it against the text.
    let lang = extracted.as_ref().and_then(|x| x.lang.clone()).or_else(|| src.lang.clone());
    let excerpt_source =
        if summary_text.is_empty() { text.split("\n\n").next().unwrap_or("").to_string() } else { summary_text };
    let url = extracted
        .as_ref()
        .and_then(|x| x.canonical_url.clone())
        .filter(|c| same_site(c, link))
        .unwrap_or_else(|| link.to_string());
    NewArticle {
        source_id: src.id,
        url,
        guid: entry.guid().unwrap_or_else(|| link.to_string()),
        title,
        author: entry.author_name().or_else(|| extracted.as_ref().and_then(|x| x.byline.clone())),
        published,
        updated: entry.updated.or_else(|| extracted.as_ref().and_then(|x| x.updated)),
        lang,
        category,
        tags,
        text,
        html,
        excerpt: truncate(&excerpt_source, EXCERPT_CHARS),
        image: extracted.as_ref().and_then(|x| x.image.clone()).or(entry.image.clone()).filter(|i| WebUrl::is_valid(i)),
        image_data: None,
        fetched: now,
    }
}

/// The enrichment of a stored article: its language (the declared one as a
/// hint), its category (the feed's or page's, else the classifier's), its
/// derived tags and the operator's rule tags. Pure: no IO.
pub fn enrich_article(a: &model::Article, rules: &[model::TagRule]) -> store::Enrichment {
    let category = a.category.or_else(|| enrich::classify(&a.title, &a.text).map(|(c, _)| c));
    let mut tags = enrich::tag_article(&a.title, &a.text, &enrich::TagOptions::default());
    crate::apply_tag_rules(a.source.id, &a.title, &a.text, &mut tags, rules);
    let lang = enrich::detect_language(&a.text, a.lang.as_deref());
    store::Enrichment { id: a.id, lang, category, tags }
}

/// What a stored article keeps when its enrichment failed (a panic in a
/// stage): what it was stored with, so that it still joins a story and
/// leaves the queue.
pub(crate) fn unenriched(a: &model::Article) -> store::Enrichment {
    store::Enrichment { id: a.id, lang: a.lang.clone(), category: a.category, tags: Vec::new() }
}

/// An article's text is cut to about this many bytes: a long read is a
/// tenth of it, and a hostile page's megabytes of one token would otherwise
/// be stored, indexed and served whole.
const TEXT_BYTES: usize = 256 * 1024;

/// The text within [`TEXT_BYTES`], cut at a paragraph (else a word), and
/// HTML that says the same: when the text is cut, or the HTML alone is
/// larger than twice the bound, the HTML becomes the text's paragraphs.
fn bounded_body(text: String, html: String) -> (String, String) {
    if text.len() <= TEXT_BYTES && html.len() <= 2 * TEXT_BYTES {
        return (text, html);
    }
    let text = if text.len() > TEXT_BYTES {
        let mut end = TEXT_BYTES;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let head = &text[..end];
        let cut = head.rfind("\n\n").or_else(|| head.rfind(' ')).filter(|&c| c > TEXT_BYTES / 2).unwrap_or(end);
        format!("{}…", head[..cut].trim_end())
    } else {
        text
    };
    let html = text
        .split("\n\n")
        .map(|p| format!("<p>{}</p>", p.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")))
        .collect();
    (text, html)
}

/// A canonical URL on another host is more often a mistake or syndication
/// than the article's real address; trust it only on the same host, and
/// only as an http(s) URL.
fn same_site(a: &str, b: &str) -> bool {
    match (WebUrl::parse(a), url::Url::parse(b)) {
        (Ok(a), Ok(b)) => a.as_url().host_str() == b.host_str(),
        _ => false,
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head).trim_end_matches([',', ';', ':']);
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_16_generic_feed_sections_are_not_tags_but_subjects_are() {
        let src = Source::new(1, "s", "S", model::FeedUrl::parse("https://s.example/feed").unwrap());
        let entry = FeedEntry {
            title: Some("Minerals talks".into()),
            link: Some("https://s.example/a".into()),
            categories: ["News", "Latest", "Top Stories", "Uncategorized", "Critical Minerals"]
                .map(String::from)
                .to_vec(),
            ..Default::default()
        };
        let a = build_article(&src, entry, "https://s.example/a", None, chrono::Utc::now());
        let names: Vec<String> = a.tags.iter().map(|t| t.name.to_string()).collect();
        assert_eq!(names, ["CriticalMinerals"]);
    }

    #[test]
    fn issue_14_a_huge_body_is_cut_at_a_paragraph_and_its_html_follows() {
        let para = "word ".repeat(2000);
        let text = vec![para.trim(); 100].join("\n\n");
        let (t, h) = bounded_body(text, "<p>x</p>".repeat(100_000));
        assert!(t.len() <= TEXT_BYTES + 4 && t.ends_with('…'), "{}", t.len());
        assert_eq!(h.matches("<p>").count(), t.split("\n\n").count());
        let (t, h) = bounded_body("short".into(), "<p>short</p>".into());
        assert_eq!((t.as_str(), h.as_str()), ("short", "<p>short</p>"));
    }
}
