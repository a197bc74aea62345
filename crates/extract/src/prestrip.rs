//! A byte-level pass before parsing that drops scripts, styles, SVG,
//! comments, navigation and `data-*` attributes. More than half of a typical
//! news page's bytes are in them, and none of it is article text; skipping
//! them halves the HTML parser's work. JSON-LD scripts are kept: they carry
//! metadata.

/// Returns the HTML without scripts (except JSON-LD), styles, SVG, noscript,
/// comments, navigation-like elements that hold no article, and `data-*`
/// attributes outside images. Never fails: unterminated constructs drop the
/// rest of the input, as a browser would treat it as script or comment text.
pub fn prestrip(html: &str) -> String {
    let bytes = html.as_bytes();
    let mut out = String::with_capacity(html.len() / 2);
    // Looking for where a skipped element ends scans ahead; unclosed ones
    // ("<select>" a million times) would scan to the end each time. Past
    // this budget they are left to the parser, which keeps the pass linear.
    let mut scan_budget = html.len() * 4 + 65_536;
    let mut copied = 0;
    let mut i = 0;
    while let Some(off) = memchr(b'<', &bytes[i..]) {
        let start = i + off;
        let rest = &bytes[start + 1..];
        let next = if rest.starts_with(b"!--") {
            Next::Drop(find(bytes, start + 4, b"-->").map_or(bytes.len(), |e| e + 3))
        } else if let Some(name) = element_named(rest, SKIPPED) {
            skip_element(bytes, start, name, &mut scan_budget).map_or(Next::Scan, Next::Drop)
        } else if let Some(name) = raw_element(rest) {
            let tag_end = memchr(b'>', &bytes[start..]).map_or(bytes.len(), |e| start + e + 1);
            let end = raw_end(bytes, tag_end, name);
            // JSON-LD is kept verbatim: it is read as metadata.
            if name == "script" && contains_ci(&bytes[start..tag_end], b"ld+json") {
                Next::Keep(end)
            } else {
                Next::Drop(end)
            }
        } else if let Some(name) = element_named(rest, VERBATIM) {
            let tag_end = memchr(b'>', &bytes[start..]).map_or(bytes.len(), |e| start + e + 1);
            Next::Keep(raw_end(bytes, tag_end, name))
        } else if let Some((end, tag)) = without_data_attrs(&html[start..]) {
            out.push_str(&html[copied..start]);
            out.push_str(&tag);
            copied = start + end;
            Next::Keep(start + end)
        } else {
            Next::Scan
        };
        match next {
            Next::Drop(end) => {
                out.push_str(&html[copied..start]);
                copied = end;
                i = end;
            }
            Next::Keep(end) => i = end,
            Next::Scan => i = start + 1,
        }
        if i >= bytes.len() {
            break;
        }
    }
    if copied < html.len() {
        out.push_str(&html[copied..]);
    }
    out
}

/// What to do after a `<` at `start`.
enum Next {
    /// Drop the input from `start` up to this offset.
    Drop(usize),
    /// Keep the input as it is up to this offset, and look on from there.
    Keep(usize),
    /// Nothing here: look on from the next byte.
    Scan,
}

/// Ordinary elements the extractor always removes. Unlike scripts they can
/// nest and be left unclosed, so they are skipped only when their end tag is
/// found at the same depth and they hold no article or main element.
const SKIPPED: &[&str] = &["nav", "footer", "aside", "select", "button", "iframe"];

/// Where the element opened at `start` ends, or `None` to keep it (also
/// when finding out would scan more than `budget` bytes, which it spends).
fn skip_element(bytes: &[u8], start: usize, name: &'static str, budget: &mut usize) -> Option<usize> {
    if *budget == 0 {
        return None;
    }
    let open = format!("<{name}");
    let close = format!("</{name}");
    // The element itself is depth 1; each nested opening adds one, each
    // closing tag takes one away.
    let mut depth = 1usize;
    let mut pos = start + 1;
    loop {
        let Some(next_close) = find_ci(bytes, pos, close.as_bytes()) else {
            *budget = budget.saturating_sub(bytes.len() - pos);
            return None;
        };
        *budget = budget.saturating_sub(next_close - pos);
        if *budget == 0 {
            return None;
        }
        let mut j = pos;
        while let Some(o) = find_ci(&bytes[..next_close], j, open.as_bytes()) {
            if element_named(&bytes[o + 1..], &[name]).is_some() {
                depth += 1;
            }
            j = o + 1;
        }
        depth -= 1;
        if depth == 0 {
            let end = memchr(b'>', &bytes[next_close..]).map(|g| next_close + g + 1)?;
            let inner = &bytes[start..end];
            if contains_ci(inner, b"<article") || contains_ci(inner, b"<main") {
                return None;
            }
            return Some(end);
        }
        pos = next_close + 1;
    }
}

/// The element name if `rest` (the bytes after `<`) opens one of `names`.
fn element_named(rest: &[u8], names: &[&'static str]) -> Option<&'static str> {
    names.iter().copied().find(|name| {
        let n = name.len();
        rest.len() > n
            && rest[..n].eq_ignore_ascii_case(name.as_bytes())
            && matches!(rest[n], b' ' | b'>' | b'\t' | b'\n' | b'\r' | b'/')
    })
}

/// The element name if `rest` (the bytes after `<`) opens a script, style,
/// svg or noscript element.
fn raw_element(rest: &[u8]) -> Option<&'static str> {
    for name in ["script", "style", "svg", "noscript"] {
        let n = name.len();
        if rest.len() > n
            && rest[..n].eq_ignore_ascii_case(name.as_bytes())
            && matches!(rest[n], b' ' | b'>' | b'\t' | b'\n' | b'\r' | b'/')
        {
            return Some(name);
        }
    }
    None
}

/// Where the raw-text element `name`, whose start tag ends at `tag_end`,
/// ends: after its end tag, or at the end of the input.
fn raw_end(bytes: &[u8], tag_end: usize, name: &str) -> usize {
    let close = format!("</{name}");
    find_ci(bytes, tag_end, close.as_bytes())
        .map_or(bytes.len(), |e| memchr(b'>', &bytes[e..]).map_or(bytes.len(), |g| e + g + 1))
}

/// Elements whose text is not markup, kept as they are: what looks like a
/// tag inside them is text.
const VERBATIM: &[&str] = &["title", "textarea", "xmp", "plaintext"];

/// Elements whose every attribute may matter: readability finds lazy-loaded
/// images' real addresses in attributes of any name.
const ALL_ATTRS: &[&str] = &["img", "picture", "source", "figure", "video", "audio"];

/// `data-*` attributes that mark ads and players for the boilerplate pass.
const KEPT_DATA_ATTRS: &[&str] = &["data-ad-unit", "data-ad-slot", "data-slot", "data-player"];

/// The start tag at the head of `html` without its `data-*` attributes,
/// and where the tag ends; `None` when it has none to drop (or is not a
/// well-formed start tag, which is left to the parser). Scripts' state lives
/// in these attributes; the extractor never reads them, and they are a tenth
/// of a typical page's bytes after scripts are gone.
fn without_data_attrs(html: &str) -> Option<(usize, String)> {
    let b = html.as_bytes();
    let name_len = b.get(1..)?.iter().take_while(|c| c.is_ascii_alphanumeric()).count();
    if name_len == 0 || !b[1].is_ascii_alphabetic() {
        return None;
    }
    if ALL_ATTRS.iter().any(|n| n.as_bytes().eq_ignore_ascii_case(&b[1..1 + name_len])) {
        return None;
    }
    // Spans of the attributes to drop, each with the whitespace before it.
    let mut drops: Vec<(usize, usize)> = Vec::new();
    let mut i = 1 + name_len;
    loop {
        let ws = i;
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        match b.get(i)? {
            b'>' => break,
            b'<' | b'"' | b'\'' => return None,
            _ => {}
        }
        let name_start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'/' | b'>' | b'=') {
            i += 1;
        }
        let name = &b[name_start..i];
        let mut j = i;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        if b.get(j) == Some(&b'=') {
            j += 1;
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            match *b.get(j)? {
                q @ (b'"' | b'\'') => j += 1 + memchr(q, &b[j + 1..])? + 1,
                _ => {
                    while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                        j += 1;
                    }
                }
            }
            i = j;
        }
        let is_data = name.len() > 5 && name[..5].eq_ignore_ascii_case(b"data-");
        if is_data && !KEPT_DATA_ATTRS.iter().any(|k| k.as_bytes().eq_ignore_ascii_case(name)) {
            drops.push((ws, i));
        }
    }
    let end = i + 1;
    if drops.is_empty() {
        return None;
    }
    let mut tag = String::with_capacity(end);
    let mut from = 0;
    for (a, z) in drops {
        tag.push_str(&html[from..a]);
        from = z;
    }
    tag.push_str(&html[from..end]);
    Some((end, tag))
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    memchr::memchr(needle, hay)
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from >= hay.len() {
        return None;
    }
    memchr::memmem::find(&hay[from..], needle).map(|p| from + p)
}

/// Case-insensitive search for a needle starting with `<` (a tag).
fn find_ci(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from >= hay.len() {
        return None;
    }
    memchr::memchr_iter(needle[0], &hay[from..])
        .map(|off| from + off)
        .find(|&at| hay.len() - at >= needle.len() && hay[at..at + needle.len()].eq_ignore_ascii_case(needle))
}

fn contains_ci(hay: &[u8], needle: &[u8]) -> bool {
    find_ci(hay, 0, needle).is_some()
}

#[cfg(test)]
mod tests {
    use super::prestrip;

    #[test]
    fn data_attributes_are_dropped_from_tags_but_not_from_images_or_text() {
        let html = r#"<div class="a" data-x='1>2' data-ad-slot=top data-y=z id=b><img data-src="i.jpg"><title><b data-t=1></title><p data-q="">t</p>"#;
        assert_eq!(
            prestrip(html),
            r#"<div class="a" data-ad-slot=top id=b><img data-src="i.jpg"><title><b data-t=1></title><p>t</p>"#
        );
    }

    #[test]
    fn json_ld_is_kept_verbatim() {
        let html = r#"<script type="application/ld+json">{"articleBody": "<p data-x=\"1\">a</p>"}</script><p>b</p>"#;
        assert_eq!(prestrip(html), html);
    }

    #[test]
    fn a_malformed_tag_is_left_to_the_parser() {
        for html in [r#"<div data-x="unterminated>text"#, "<div data-x=1", "<div a=\"b\"c data-x=1>"] {
            let out = prestrip(html);
            assert!(out.len() <= html.len(), "{out}");
        }
    }

    #[test]
    fn scripts_styles_and_comments_are_dropped() {
        let html = "<p>a</p><script>var x = '<p>no</p>';</script><STYLE>p{}</STYLE><!-- <p>no</p> --><svg><text>no</text></svg><p>b</p>";
        assert_eq!(prestrip(html), "<p>a</p><p>b</p>");
    }

    #[test]
    fn nested_navigation_is_skipped_whole() {
        let html = "<p>a</p><nav><ul><li><nav>x</nav></li></ul>y</nav><p>b</p>";
        assert_eq!(prestrip(html), "<p>a</p><p>b</p>");
    }

    #[test]
    fn an_unclosed_or_content_holding_aside_is_kept() {
        assert_eq!(prestrip("<aside><p>a</p>"), "<aside><p>a</p>");
        let holds = "<aside><article><p>a</p></article></aside>";
        assert_eq!(prestrip(holds), holds);
        assert_eq!(prestrip("<navigation>x</navigation>"), "<navigation>x</navigation>");
    }

    #[test]
    fn json_ld_is_kept() {
        let html = r#"<script type="application/ld+json">{"a":1}</script><p>x</p>"#;
        assert_eq!(prestrip(html), html);
    }

    #[test]
    fn unterminated_constructs_drop_the_rest_without_panicking() {
        assert_eq!(prestrip("<p>a</p><script>never closed"), "<p>a</p>");
        assert_eq!(prestrip("<p>a</p><!-- open"), "<p>a</p>");
        assert_eq!(prestrip("<scriptx>kept</scriptx><"), "<scriptx>kept</scriptx><");
    }

    #[test]
    fn multibyte_text_is_preserved() {
        assert_eq!(prestrip("<p>谷歌</p><script>x</script><p>✕</p>"), "<p>谷歌</p><p>✕</p>");
    }
}
