//! Choosing a feed's character encoding: BOM, then the HTTP charset (with
//! RFC 3023's us-ascii default for text/*), then the XML declaration, then
//! UTF-8 with a windows-1252 fallback.

use encoding_rs::Encoding;

/// Decodes the document; the second value lists encoding problems.
pub fn decode(bytes: &[u8], content_type: Option<&str>) -> (String, Vec<String>) {
    let mut errors = Vec::new();
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let (text, had_errors) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        if had_errors {
            errors.push(format!("invalid {} bytes", enc.name()));
        }
        return (text.into_owned(), errors);
    }
    // UTF-16 without a BOM, recognisable from "<?" or "<".
    let utf16 = match bytes {
        [0, b'<', 0, b'?', ..] | [0, b'<', 0, _, ..] => Some(encoding_rs::UTF_16BE),
        [b'<', 0, b'?', 0, ..] | [b'<', 0, _, 0, ..] => Some(encoding_rs::UTF_16LE),
        _ => None,
    };
    if let Some(enc) = utf16 {
        let (text, had_errors) = enc.decode_without_bom_handling(bytes);
        if had_errors {
            errors.push("invalid UTF-16".into());
        }
        return (text.into_owned(), errors);
    }
    let declared = xml_declared(bytes);
    let http = content_type.and_then(|ct| {
        let mime = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        let charset = ct.split(';').skip(1).find_map(|p| {
            let (k, v) = p.split_once('=')?;
            k.trim().eq_ignore_ascii_case("charset").then(|| v.trim().trim_matches(['"', '\'']).to_string())
        });
        match charset {
            Some(c) => Some(c),
            None if mime.starts_with("text/") => Some("us-ascii".into()),
            None => None,
        }
    });
    let label = http.clone().or(declared.clone());
    if let Some(l) = &label {
        if Encoding::for_label(l.as_bytes()).is_none() && !l.eq_ignore_ascii_case("us-ascii") {
            errors.push(format!("unknown encoding {l:?}; read as UTF-8"));
        }
    }
    if let Some(ct) = content_type {
        let mime = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        let xmlish = mime.contains("xml")
            || mime.contains("rss")
            || mime.contains("atom")
            || mime.contains("rdf")
            || mime.is_empty();
        if !xmlish {
            errors.push(format!("served as {mime}, not an XML type"));
        }
    }
    let enc = label
        .as_deref()
        .and_then(|l| Encoding::for_label(l.as_bytes()))
        // A declared UTF-16 in an 8-bit document cannot be right.
        .filter(|e| *e != encoding_rs::UTF_16LE && *e != encoding_rs::UTF_16BE)
        .unwrap_or(encoding_rs::UTF_8);
    if let (Some(h), Some(d)) = (&http, &declared) {
        if !h.eq_ignore_ascii_case(d) && Encoding::for_label(h.as_bytes()) != Encoding::for_label(d.as_bytes()) {
            errors.push(format!("HTTP says {h}, the document says {d}"));
        }
    }
    let is_ascii = http.as_deref().is_some_and(|h| h.eq_ignore_ascii_case("us-ascii"));
    if is_ascii && !bytes.is_ascii() {
        errors.push("non-ASCII bytes in a us-ascii document".into());
    }
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    if had_errors {
        if enc == encoding_rs::UTF_8 {
            errors.push("invalid UTF-8; read as windows-1252".into());
            let (t, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            return (t.into_owned(), errors);
        }
        errors.push(format!("invalid {} bytes", enc.name()));
    }
    (demoronize(text.into_owned()), errors)
}

/// C1 control characters (U+0080..U+009F) in decoded text are almost always
/// windows-1252 punctuation mislabelled as Latin-1 or UTF-8; read them so.
fn demoronize(text: String) -> String {
    if !text.chars().any(|c| ('\u{80}'..='\u{9f}').contains(&c)) {
        return text;
    }
    text.chars()
        .map(|c| {
            if ('\u{80}'..='\u{9f}').contains(&c) {
                let byte = [c as u32 as u8];
                let (s, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&byte);
                s.chars().next().unwrap_or(c)
            } else {
                c
            }
        })
        .collect()
}

/// The encoding named in `<?xml ... encoding="..."?>`.
fn xml_declared(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(512)];
    let head = String::from_utf8_lossy(head);
    let decl = head.trim_start().strip_prefix("<?xml")?;
    let decl = &decl[..decl.find("?>")?];
    let i = decl.find("encoding")?;
    let rest = decl[i + 8..].trim_start().strip_prefix('=')?.trim_start();
    let q = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let rest = &rest[1..];
    Some(rest[..rest.find(q)?].to_string())
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn a_declaration_with_a_multibyte_character_for_a_quote_does_not_panic() {
        // Found by the feed fuzz target.
        let (text, _) = decode("<?xml version=\"1.0\" encoding=\u{fffd}utf-8\u{fffd}?><rss/>".as_bytes(), None);
        assert!(text.contains("<rss/>"));
    }

    #[test]
    fn c1_controls_are_read_as_windows_1252() {
        let (text, _) = decode("<a>don\u{92}t</a>".as_bytes(), None);
        assert!(text.contains("don\u{2019}t"), "{text}");
    }

    #[test]
    fn an_unknown_encoding_or_a_non_xml_type_is_reported() {
        assert!(!decode(b"<?xml version='1.0' encoding='bogus'?><rss/>", None).1.is_empty());
        assert!(!decode(b"<rss/>", Some("text/plain")).1.is_empty());
        assert!(decode(b"<rss/>", Some("application/rss+xml")).1.is_empty());
    }
}
