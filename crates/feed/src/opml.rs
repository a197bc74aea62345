//! OPML 2.0 subscription lists: reading outlines with `xmlUrl`, and writing
//! a list back. No IO.

use crate::xml;

/// Why an OPML file could not be read at all.
#[derive(Debug, thiserror::Error)]
pub enum OpmlError {
    /// The XML passed a protective bound (entity expansion, size).
    #[error("the OPML file is refused: {0}")]
    Limit(#[from] xml::LimitError),
    /// The document has no `<opml>` element.
    #[error("not an OPML document (no <opml> element)")]
    NotOpml,
}

/// A subscription from an OPML file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outline {
    /// The feed URL (`xmlUrl`).
    pub feed_url: String,
    /// Display name (`title`, else `text`).
    pub title: Option<String>,
    /// The site (`htmlUrl`).
    pub home_url: Option<String>,
    /// The enclosing folder outlines' titles, outermost first.
    pub folders: Vec<String>,
}

/// Reads every outline with an `xmlUrl`, at any depth. A broken file yields
/// what could be read; an error only when there is no `<opml>` at all.
pub fn parse(text: &str) -> Result<Vec<Outline>, OpmlError> {
    let doc = xml::read(text)?;
    let root = if doc.root.local.is_empty() {
        doc.root.elements().find(|e| e.local.eq_ignore_ascii_case("opml"))
    } else {
        Some(&doc.root)
    };
    let Some(root) = root.filter(|r| r.local.eq_ignore_ascii_case("opml")) else {
        return Err(OpmlError::NotOpml);
    };
    let mut out = Vec::new();
    fn walk(e: &xml::Element, folders: &mut Vec<String>, out: &mut Vec<Outline>) {
        for o in
            e.elements().filter(|c| c.local.eq_ignore_ascii_case("outline") || c.local.eq_ignore_ascii_case("body"))
        {
            let title =
                o.attr("title").or_else(|| o.attr("text")).map(str::trim).filter(|t| !t.is_empty()).map(str::to_string);
            match o.attr("xmlUrl").map(str::trim).filter(|u| !u.is_empty()) {
                Some(url) => out.push(Outline {
                    feed_url: url.to_string(),
                    title,
                    home_url: o.attr("htmlUrl").map(str::trim).filter(|u| !u.is_empty()).map(str::to_string),
                    folders: folders.clone(),
                }),
                None => {
                    let pushed = title.is_some() && o.local.eq_ignore_ascii_case("outline");
                    if let Some(t) = title.filter(|_| pushed) {
                        folders.push(t);
                    }
                    walk(o, folders, out);
                    if pushed {
                        folders.pop();
                    }
                }
            }
        }
    }
    walk(root, &mut Vec::new(), &mut out);
    Ok(out)
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Writes an OPML 2.0 document listing `outlines`.
pub fn write(title: &str, outlines: &[Outline]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n");
    out.push_str(&format!("  <head>\n    <title>{}</title>\n  </head>\n  <body>\n", esc(title)));
    for o in outlines {
        let name = esc(o.title.as_deref().unwrap_or(&o.feed_url));
        out.push_str(&format!(
            "    <outline type=\"rss\" text=\"{name}\" title=\"{name}\" xmlUrl=\"{}\"",
            esc(&o.feed_url)
        ));
        if let Some(h) = &o.home_url {
            out.push_str(&format!(" htmlUrl=\"{}\"", esc(h)));
        }
        out.push_str("/>\n");
    }
    out.push_str("  </body>\n</opml>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_outlines_are_flattened_with_their_folders() {
        let opml = r#"<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>
            <outline text="News"><outline text="The Star" xmlUrl="http://s/atom.xml" htmlUrl="http://s/"/></outline>
            <outline title="Top" xmlUrl="http://t/rss"/></body></opml>"#;
        let got = parse(opml).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].title.as_deref(), Some("The Star"));
        assert_eq!(got[0].folders, vec!["News"]);
        assert_eq!(got[1].feed_url, "http://t/rss");
    }

    #[test]
    fn writing_then_reading_round_trips() {
        let list = vec![Outline {
            feed_url: "http://e.com/f?a=1&b=2".into(),
            title: Some("A & B".into()),
            home_url: Some("http://e.com/".into()),
            folders: vec![],
        }];
        assert_eq!(parse(&write("Tagline", &list)).unwrap(), list);
    }

    #[test]
    fn a_non_opml_document_is_an_error() {
        assert!(parse("<rss/>").is_err());
    }
}
