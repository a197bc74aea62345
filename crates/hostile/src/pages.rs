//! Hostile article pages, one per class of attack; sizes are in bytes.

use crate::{fill, BAD_URLS};

fn page(head: &str, body: &str) -> String {
    format!("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Hostile</title>{head}</head><body>{body}</body></html>")
}

/// Divs nested `bytes / 5` deep, never closed.
pub fn deep_divs(bytes: usize) -> String {
    page("", &format!("{}<p>deep text</p>", fill("<div>", bytes)))
}

/// Tables nested in cells, the structure the parser repairs deepest.
pub fn nested_tables(bytes: usize) -> String {
    page("", &fill("<table><tr><td>", bytes))
}

/// Formatting elements misnested with blocks (the adoption agency's work).
pub fn misnested(bytes: usize) -> String {
    page("", &fill("<b><p><i><div>", bytes))
}

/// Implied closes: paragraphs and list items without end tags.
pub fn paragraph_soup(bytes: usize) -> String {
    page("", &fill("<p>x<li>y", bytes))
}

/// One paragraph with attributes adding up to about `bytes`, behind a
/// quoted `>` so that a naive scan misses them.
pub fn many_attributes(bytes: usize) -> String {
    let attrs = crate::attributes(bytes, "");
    page("", &format!("<p title=\">\"{attrs}>Attributes.</p>"))
}

/// One text of `bytes` that is mostly character references (each an `&` or
/// a no-break space once decoded), which every HTML serialiser escapes
/// again.
pub fn entity_text(bytes: usize) -> String {
    page("", &format!("<article><p>{}</p></article>", fill("&amp;&nbsp;&eacute;&#x1F600; ", bytes)))
}

/// One word of `bytes` letters.
pub fn long_token(bytes: usize) -> String {
    page("", &format!("<article><p>{}</p></article>", "A".repeat(bytes)))
}

/// A JSON-LD block of `bytes` of tiny values.
pub fn json_ld_bomb(bytes: usize) -> String {
    page(
        &format!("<script type=\"application/ld+json\">{{\"@graph\":[{}0]}}</script>", fill("0,", bytes)),
        "<article><p>Text.</p></article>",
    )
}

/// Unclosed elements the pre-parse pass skips whole when closed (nav,
/// select): finding their end must not rescan the page each time.
pub fn unclosed_skipped(bytes: usize) -> String {
    page("", &fill("<select><option>", bytes))
}

/// An article page putting every bad URL in every URL field: canonical,
/// OpenGraph and Twitter images and URLs, JSON-LD, links and images in the
/// body, and `<base href>`.
pub fn script_urls(title: &str) -> String {
    let mut head = String::new();
    let mut body = String::new();
    for bad in BAD_URLS {
        let bad = bad.replace('"', "&quot;");
        head.push_str(&format!(
            "<link rel=\"canonical\" href=\"{bad}\"><meta property=\"og:image\" content=\"{bad}\">\
             <meta property=\"og:url\" content=\"{bad}\"><meta name=\"twitter:image\" content=\"{bad}\">"
        ));
        body.push_str(&format!(
            "<p>Paragraph with <a href=\"{bad}\">a link</a> and <img src=\"{bad}\" alt=\"\"> an image, \
             long enough to be read as article text by any extractor.</p>"
        ));
    }
    head.push_str(&format!(
        "<script type=\"application/ld+json\">{{\"@type\":\"NewsArticle\",\"headline\":\"{title}\",\
         \"image\":\"{}\",\"url\":\"{}\",\"datePublished\":\"2025-06-28T00:00:00Z\"}}</script><base href=\"{}\">",
        BAD_URLS[0], BAD_URLS[4], BAD_URLS[0]
    ));
    page(&head, &format!("<article><h1>{title}</h1>{body}</article>"))
}
