//! HTML values in feeds, written out as feedparser writes them: one
//! canonical serialisation that readers and tests can compare.
//!
//! feedparser runs every HTML value through an SGML-style tokenizer and
//! writes it back: tag names in lower case, attributes sorted, double-quoted
//! and escaped, void elements as `<br />`, a bare `&` or `<` as text
//! escaped, and relative URIs made absolute. SVG and MathML keep their
//! case and gain the namespace declarations a browser needs. Nothing here
//! removes markup: that is the sanitiser's job, later, at storage time.

/// Attributes whose values are URIs, made absolute against the base.
const URI_ATTRS: &[&str] =
    &["action", "background", "cite", "codebase", "data", "href", "longdesc", "poster", "src", "usemap"];

/// Elements written without an end tag (feedparser's `elements_no_end_tag`).
const VOID: &[&str] = &[
    "area", "base", "basefont", "br", "col", "command", "embed", "frame", "hr", "img", "input", "isindex", "keygen",
    "link", "meta", "param", "source", "track", "wbr",
];

use crate::xml::ns::{MATHML, SVG, XLINK};

/// Rewrites `html` canonically, resolving URI attributes against `base`.
pub fn normalize(html: &str, base: Option<&url::Url>) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    // Inside <svg> or <math>, names keep their case (viewBox, baseProfile).
    let mut foreign = 0usize;
    let mut rest = html;
    // Quote-aware tag scanning can read to the end of the text from every
    // `<` of hostile input ("<a x=\"" repeated); past this budget, a tag ends
    // at the next `>` whatever the quotes, which keeps the pass linear.
    let mut budget = html.len() * 4 + 65_536;
    // No tag can close after the last `>`: the rest is text.
    let last_gt = html.rfind('>').map_or(0, |g| g + 1);
    while let Some(lt) = rest.find('<') {
        let tags_possible = html.len() - rest.len() + lt < last_gt;
        text(&rest[..lt], &mut out);
        rest = &rest[lt..];
        let Some(tok) = token(rest, tags_possible, &mut budget) else {
            out.push_str("&lt;");
            rest = &rest[1..];
            continue;
        };
        match &tok {
            Token::Start { name, attrs, self_closing, .. } => {
                let lower = name.to_ascii_lowercase();
                let enters = matches!(lower.as_str(), "svg" | "math");
                let keep_case = foreign > 0 || enters;
                let void = VOID.contains(&lower.as_str());
                start_tag(name, attrs, keep_case, void, base, &mut out);
                if enters && !void && !self_closing {
                    foreign += 1;
                }
            }
            Token::End { name, .. } => {
                let lower = name.to_ascii_lowercase();
                if !VOID.contains(&lower.as_str()) {
                    out.push_str("</");
                    out.push_str(if foreign > 0 { name } else { &lower });
                    out.push('>');
                }
                if matches!(lower.as_str(), "svg" | "math") {
                    foreign = foreign.saturating_sub(1);
                }
            }
            Token::Other(raw) => out.push_str(raw),
        }
        rest = &rest[tok.len()..];
    }
    text(rest, &mut out);
    out
}

enum Token<'a> {
    Start {
        name: &'a str,
        attrs: Vec<(&'a str, Option<&'a str>)>,
        self_closing: bool,
        len: usize,
    },
    End {
        name: &'a str,
        len: usize,
    },
    /// A comment, declaration or processing instruction, kept verbatim.
    Other(&'a str),
}

impl Token<'_> {
    /// Bytes of the input this token spans.
    fn len(&self) -> usize {
        match self {
            Token::Other(raw) => raw.len(),
            Token::Start { len, .. } | Token::End { len, .. } => *len,
        }
    }
}

/// The byte index of the `>` closing the tag at the start of `s`, skipping
/// `>` inside quoted attribute values while `budget` lasts.
fn tag_end(s: &str, budget: &mut usize) -> Option<usize> {
    if *budget == 0 {
        return s.find('>');
    }
    let mut quote = None;
    for (i, b) in s.bytes().enumerate().skip(1) {
        *budget = budget.saturating_sub(1);
        match (quote, b) {
            // A quote opens a value only right after `=` (ignoring spaces).
            (None, b'"' | b'\'') if s[..i].trim_end().ends_with('=') => quote = Some(b),
            (Some(q), b) if b == q => quote = None,
            (None, b'>') => return Some(i),
            _ => {}
        }
    }
    None
}

/// Reads the markup token at the start of `s` (which starts with `<`), or
/// `None` when the `<` starts no token and is text. `tags_possible` is false
/// when no `>` follows: then only a comment, declaration or processing
/// instruction (which run to the end) can start here.
fn token<'a>(s: &'a str, tags_possible: bool, budget: &mut usize) -> Option<Token<'a>> {
    let after = &s[1..];
    if after.starts_with("!--") {
        let end = after.strip_prefix("!--").and_then(|c| c.find("-->")).map_or(s.len(), |e| 1 + 3 + e + 3);
        return Some(Token::Other(&s[..end]));
    }
    if let Some(decl) = after.strip_prefix('!') {
        // A declaration starts with a letter ("<!DOCTYPE"); "<!'" is text.
        if !decl.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return None;
        }
        return Some(Token::Other(&s[..s.find('>').map_or(s.len(), |e| e + 1)]));
    }
    if after.starts_with('?') {
        return Some(Token::Other(&s[..s.find('>').map_or(s.len(), |e| e + 1)]));
    }
    if !tags_possible {
        return None;
    }
    let end = tag_end(s, budget)?;
    if let Some(close) = after.strip_prefix('/') {
        let name = close[..end - 2].trim();
        if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return None;
        }
        return Some(Token::End { name: name.split_whitespace().next().unwrap_or(name), len: end + 1 });
    }
    if !after.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let inner = &s[1..end];
    let self_closing = inner.ends_with('/');
    let inner = inner.strip_suffix('/').unwrap_or(inner);
    let name_len = inner.find(|c: char| c.is_whitespace() || c == '/').unwrap_or(inner.len());
    Some(Token::Start { name: &inner[..name_len], attrs: attributes(&inner[name_len..]), self_closing, len: end + 1 })
}

/// Attributes as written: `name="v"`, `name='v'`, `name=v` or `name`.
fn attributes(mut s: &str) -> Vec<(&str, Option<&str>)> {
    let mut out = Vec::new();
    loop {
        s = s.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
        if s.is_empty() {
            return out;
        }
        let name_len = s.find(|c: char| c.is_whitespace() || c == '=' || c == '/').unwrap_or(s.len());
        let name = &s[..name_len];
        s = s[name_len..].trim_start();
        let Some(v) = s.strip_prefix('=') else {
            out.push((name, None));
            continue;
        };
        let v = v.trim_start();
        let (value, rest) = match v.chars().next() {
            Some(q @ ('"' | '\'')) => match v[1..].find(q) {
                Some(e) => (&v[1..1 + e], &v[2 + e..]),
                None => (&v[1..], ""),
            },
            _ => {
                let e = v.find(char::is_whitespace).unwrap_or(v.len());
                (&v[..e], &v[e..])
            }
        };
        if !name.is_empty() {
            out.push((name, Some(value)));
        }
        s = rest;
    }
}

/// Writes a start tag; a void element's as `<br />`.
fn start_tag(
    name: &str,
    attrs: &[(&str, Option<&str>)],
    keep_case: bool,
    void: bool,
    base: Option<&url::Url>,
    out: &mut String,
) {
    let tag = if keep_case { name.to_string() } else { name.to_ascii_lowercase() };
    // Sorted and de-duplicated by lower-case name, the last one winning.
    let mut list: Vec<(String, String, String)> = Vec::with_capacity(attrs.len() + 1);
    for (k, v) in attrs {
        let key = k.to_ascii_lowercase();
        let shown = if keep_case { k.to_string() } else { key.clone() };
        let mut value = v.unwrap_or(k).to_string();
        if matches!(key.as_str(), "rel" | "type") {
            value = value.to_lowercase();
        }
        if URI_ATTRS.contains(&key.as_str()) {
            if let Some(base) = base {
                value = resolve(value.trim(), base);
            }
        }
        list.retain(|(k2, _, _)| *k2 != key);
        list.push((key, shown, value));
    }
    fn declare(list: &mut Vec<(String, String, String)>, key: &str, value: &str) {
        if !list.iter().any(|(k, _, _)| k == key) {
            list.push((key.to_string(), key.to_string(), value.to_string()));
        }
    }
    match tag.to_ascii_lowercase().as_str() {
        "svg" => declare(&mut list, "xmlns", SVG),
        "math" => declare(&mut list, "xmlns", MATHML),
        _ => {}
    }
    if list.iter().any(|(k, _, _)| k.starts_with("xlink:")) {
        declare(&mut list, "xmlns:xlink", XLINK);
    }
    list.sort_by(|a, b| a.0.cmp(&b.0));
    out.push('<');
    out.push_str(&tag);
    for (_, shown, value) in &list {
        out.push(' ');
        out.push_str(shown);
        out.push_str("=\"");
        attr_value(value, out);
        out.push('"');
    }
    out.push_str(if void { " />" } else { ">" });
}

/// An attribute value: references kept, a bare `&` and `<`, `>`, `"`
/// escaped.
fn attr_value(v: &str, out: &mut String) {
    let mut rest = v;
    while let Some(i) = rest.find(['&', '<', '>', '"']) {
        out.push_str(&rest[..i]);
        match rest.as_bytes()[i] {
            b'&' if starts_reference(&rest[i + 1..]) => out.push('&'),
            b'&' => out.push_str("&amp;"),
            b'<' => out.push_str("&lt;"),
            b'>' => out.push_str("&gt;"),
            _ => out.push_str("&quot;"),
        }
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
}

/// Text between tags: references kept (`&#X61;` written `&#x61;`), a bare
/// `&` escaped.
fn text(t: &str, out: &mut String) {
    let mut rest = t;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(hex) = after.strip_prefix("#X").filter(|_| starts_reference(after)) {
            out.push_str("&#x");
            rest = hex;
            continue;
        }
        out.push_str(if starts_reference(after) { "&" } else { "&amp;" });
        rest = after;
    }
    out.push_str(rest);
}

/// Whether the text after an `&` is a character or entity reference.
fn starts_reference(after: &str) -> bool {
    after.find(';').is_some_and(|n| {
        n > 0 && n < 32 && (after[..n].chars().all(char::is_alphanumeric) || after[..n].starts_with('#'))
    })
}

/// Resolves a URI reference as feedparser does: an absolute one is kept as
/// written, and non-ASCII characters stay characters (an IRI stays an IRI)
/// rather than being percent-encoded.
pub(crate) fn resolve(href: &str, base: &url::Url) -> String {
    if url::Url::parse(href).is_ok() {
        return href.to_string();
    }
    match base.join(href) {
        Ok(u) if href.is_ascii() => u.into(),
        Ok(u) => decode_non_ascii(u.as_str()),
        Err(_) => href.to_string(),
    }
}

/// Decodes the percent-escapes that spell non-ASCII UTF-8 characters.
fn decode_non_ascii(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex =
            |j: usize| bytes.get(j..j + 2).and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
        match (bytes[i], hex(i + 1)) {
            (b'%', Some(b)) if b >= 0x80 => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    // Escapes that were not valid UTF-8 stay as they were.
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(html: &str) -> String {
        normalize(html, url::Url::parse("http://e.com/dir/feed.xml").ok().as_ref())
    }

    #[test]
    fn attributes_are_sorted_double_quoted_and_escaped() {
        assert_eq!(
            n(r#"<IMG SRC="/c.jpg" alt="cat<br />dog">"#),
            r#"<img alt="cat&lt;br /&gt;dog" src="http://e.com/c.jpg" />"#
        );
    }

    #[test]
    fn an_unquoted_value_runs_to_the_next_space() {
        assert_eq!(n(r#"<a href=http://x.com/">x</a>"#), r#"<a href="http://x.com/&quot;">x</a>"#);
    }

    #[test]
    fn svg_keeps_its_case_and_gains_its_namespace() {
        assert_eq!(
            n(r#"<svg version="1.1" baseProfile="full"><circle r="5" /></svg>"#),
            r#"<svg baseProfile="full" version="1.1" xmlns="http://www.w3.org/2000/svg"><circle r="5"></svg>"#
        );
    }

    #[test]
    fn xlink_attributes_bring_their_namespace() {
        assert_eq!(
            n(r#"<mrow xlink:href="http://g.com">"#),
            r#"<mrow xlink:href="http://g.com" xmlns:xlink="http://www.w3.org/1999/xlink">"#
        );
    }

    #[test]
    fn a_lone_less_than_and_ampersand_are_text() {
        assert_eq!(n("<!' a & b < c"), "&lt;!' a &amp; b &lt; c");
        assert_eq!(n("&#X61; &amp; &eacute;"), "&#x61; &amp; &eacute;");
    }

    #[test]
    fn comments_and_declarations_are_kept() {
        assert_eq!(n("<!-- c --><!DOCTYPE html><p>x</P>"), "<!-- c --><!DOCTYPE html><p>x</p>");
    }

    #[test]
    fn an_iri_stays_an_iri() {
        assert_eq!(n("<a href=\"/\u{c0}\">u</a>"), "<a href=\"http://e.com/\u{c0}\">u</a>");
    }

    #[test]
    fn void_elements_lose_their_end_tags() {
        assert_eq!(n("a<br>b<br/>c</br>"), "a<br />b<br />c");
    }

    #[test]
    fn unclosed_quotes_in_hostile_input_stay_linear() {
        // With one `>` at the end, so that no shortcut applies.
        let hostile = format!("{}>", "<a x=\"".repeat(200_000));
        let t = std::time::Instant::now();
        let out = n(&hostile);
        assert!(out.starts_with("<a "), "{}", &out[..20]);
        // Quadratic scanning would take minutes; linear takes milliseconds.
        assert!(t.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn multibyte_text_in_tags_does_not_panic() {
        let _ = n("<a href=\"\u{c0}\">\u{c0}</a><b \u{e9}href=x><\u{e9}");
    }
}
