//! A tolerant XML reader for feeds: builds an element tree from whatever it
//! is given, recording (not refusing) what is wrong: mismatched or missing
//! end tags, undeclared entities and prefixes, truncation.

mod limits;
mod reader;
mod refs;

pub use limits::*;
pub use reader::*;
use refs::*;
use std::collections::HashMap;
use std::sync::OnceLock;

/// Well-known namespaces, by URI.
pub mod ns {
    pub const ATOM10: &str = "http://www.w3.org/2005/Atom";
    pub const ATOM03: &str = "http://purl.org/atom/ns#";
    pub const RSS10: &str = "http://purl.org/rss/1.0/";
    pub const RSS090: &str = "http://my.netscape.com/rdf/simple/0.9/";
    pub const RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    pub const DC: &str = "http://purl.org/dc/elements/1.1/";
    pub const DCTERMS: &str = "http://purl.org/dc/terms/";
    pub const CONTENT: &str = "http://purl.org/rss/1.0/modules/content/";
    pub const MEDIA: &str = "http://search.yahoo.com/mrss/";
    pub const ITUNES: &str = "http://www.itunes.com/dtds/podcast-1.0.dtd";
    pub const XHTML: &str = "http://www.w3.org/1999/xhtml";
    pub const XML: &str = "http://www.w3.org/XML/1998/namespace";
    pub const SVG: &str = "http://www.w3.org/2000/svg";
    pub const MATHML: &str = "http://www.w3.org/1998/Math/MathML";
    pub const XLINK: &str = "http://www.w3.org/1999/xlink";
}

/// Prefixes feeds commonly use without declaring them.
fn guess_prefix(prefix: &str) -> Option<&'static str> {
    Some(match prefix {
        "dc" => ns::DC,
        "dcterms" => ns::DCTERMS,
        "content" => ns::CONTENT,
        "media" => ns::MEDIA,
        "itunes" => ns::ITUNES,
        "atom" => ns::ATOM10,
        "rdf" => ns::RDF,
        "xhtml" => ns::XHTML,
        "xml" => ns::XML,
        _ => return None,
    })
}

/// Known namespace URIs compared case-insensitively and without a trailing
/// slash difference, as feeds misspell them.
fn canonical_ns(uri: &str) -> String {
    const KNOWN: &[&str] = &[
        ns::ATOM10,
        ns::ATOM03,
        ns::RSS10,
        ns::RSS090,
        ns::RDF,
        ns::DC,
        ns::DCTERMS,
        ns::CONTENT,
        ns::MEDIA,
        ns::ITUNES,
        ns::XHTML,
    ];
    let t = uri.trim();
    KNOWN
        .iter()
        .find(|k| k.eq_ignore_ascii_case(t) || k.trim_end_matches('/').eq_ignore_ascii_case(t.trim_end_matches('/')))
        .map_or_else(|| t.to_string(), |k| k.to_string())
}

/// An element.
#[derive(Debug, Default, Clone)]
pub struct Element {
    /// Namespace URI ("" for none).
    pub ns: String,
    /// Local name, as written (case kept).
    pub local: String,
    /// The name as written, with its prefix.
    pub qname: String,
    /// Attributes: (qualified name as written, value).
    pub attrs: Vec<(String, String)>,
    /// Children in order.
    pub children: Vec<Node>,
}

/// A child of an element.
#[derive(Debug, Clone)]
pub enum Node {
    /// An element (boxed: a child slot then costs 24 bytes, not 128).
    Element(Box<Element>),
    /// Character data, entities decoded (CDATA included verbatim).
    Text(String),
}

impl Element {
    /// An attribute by local name (any prefix), case-insensitively.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| {
                k.eq_ignore_ascii_case(name)
                    || k.rsplit(':').next().is_some_and(|l| l.eq_ignore_ascii_case(name)) && !k.starts_with("xmlns")
            })
            .map(|(_, v)| v.as_str())
    }

    /// Child elements.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|c| match c {
            Node::Element(e) => Some(&**e),
            Node::Text(_) => None,
        })
    }

    /// Whether this element has the given namespace and local name
    /// (local name compared case-insensitively, as feeds vary).
    pub fn is(&self, ns: &str, local: &str) -> bool {
        self.ns == ns && self.local.eq_ignore_ascii_case(local)
    }

    /// The concatenated text of this element and its descendants.
    pub fn text(&self) -> String {
        let mut out = String::new();
        fn walk(e: &Element, out: &mut String) {
            for c in &e.children {
                match c {
                    Node::Text(t) => out.push_str(t),
                    Node::Element(e) => walk(e, out),
                }
            }
        }
        walk(self, &mut out);
        out
    }

    /// The children serialised back to markup (for XHTML or inline HTML).
    pub fn inner_xml(&self) -> String {
        let mut out = String::new();
        for c in &self.children {
            serialize(c, &mut out);
        }
        out
    }
}

fn escape_into(s: &str, out: &mut String, attr: bool) {
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attr => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

fn serialize(n: &Node, out: &mut String) {
    match n {
        Node::Text(t) => escape_into(t, out, false),
        Node::Element(e) => {
            // HTML, SVG and MathML are written without prefixes, as HTML
            // reads them ("svg:circle" is a <circle> inside <svg>).
            let bare = [ns::XHTML, ns::SVG, ns::MATHML].contains(&e.ns.as_str());
            let name = if bare { e.local.as_str() } else { e.qname.as_str() };
            out.push('<');
            out.push_str(name);
            for (k, v) in &e.attrs {
                if k == "xmlns" || k.starts_with("xmlns:") {
                    continue;
                }
                out.push(' ');
                out.push_str(k);
                out.push_str("=\"");
                escape_into(v, out, true);
                out.push('"');
            }
            const VOID: &[&str] =
                &["br", "hr", "img", "input", "meta", "link", "area", "base", "col", "param", "source", "wbr"];
            if e.children.is_empty() && VOID.contains(&e.local.to_ascii_lowercase().as_str()) {
                out.push_str(" />");
                return;
            }
            out.push('>');
            for c in &e.children {
                serialize(c, out);
            }
            out.push_str("</");
            out.push_str(name);
            out.push('>');
        }
    }
}

/// The result of reading a document.
pub struct Document {
    /// The root element (a synthetic one if the document had several or none).
    pub root: Element,
    /// Problems found; non-empty means the document was not well-formed.
    /// At most [`MAX_ERRORS`] are kept, the last one counting the rest.
    pub errors: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_ok(s: &str) -> Document {
        read(s).expect("within bounds")
    }

    #[test]
    fn a_well_formed_document_has_no_errors() {
        let d = read_ok(
            r#"<?xml version="1.0"?><rss xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><dc:creator>A &amp; B</dc:creator></channel></rss>"#,
        );
        assert!(d.errors.is_empty(), "{:?}", d.errors);
        let ch = d.root.elements().next().unwrap();
        let c = ch.elements().next().unwrap();
        assert!(c.is(ns::DC, "creator"));
        assert_eq!(c.text(), "A & B");
    }

    #[test]
    fn truncation_and_html_entities_are_recovered_and_reported() {
        let d = read_ok("<rss><channel><title>Caf&eacute;</title><item><title>x</title></item></channel></rss");
        assert!(!d.errors.is_empty());
        let ch = d.root.elements().next().unwrap();
        assert_eq!(ch.elements().next().unwrap().text(), "Café");
    }

    #[test]
    fn an_unclosed_tag_before_multibyte_text_does_not_panic() {
        // Found by the feed fuzz target.
        let d = read_ok("<rss><channel><title x=1 \u{be}<item>\u{be}</item></channel></rss>");
        assert!(!d.errors.is_empty());
    }

    #[test]
    fn a_windows_1252_character_reference_means_the_windows_1252_character() {
        let d = read_ok("<a>don&#146;t &#x93;q&#x94;</a>");
        assert_eq!(d.root.text(), "don\u{2019}t \u{201c}q\u{201d}");
    }

    #[test]
    fn cdata_is_kept_verbatim() {
        let d = read_ok("<a><![CDATA[<p>x &amp; y</p>]]></a>");
        assert_eq!(d.root.text(), "<p>x &amp; y</p>");
    }

    fn depth(e: &Element) -> usize {
        let mut deepest = 0;
        let mut stack = vec![(e, 1)];
        while let Some((e, d)) = stack.pop() {
            deepest = deepest.max(d);
            stack.extend(e.elements().map(|c| (c, d + 1)));
        }
        deepest
    }

    #[test]
    fn issue_14_nesting_past_the_limit_is_flattened_and_its_text_kept() {
        let n = 100_000;
        let doc = format!("{}deep text{}", "<a>".repeat(n), "</a>".repeat(n));
        let d = read_ok(&doc);
        assert_eq!(depth(&d.root), MAX_DEPTH);
        assert_eq!(d.root.text(), "deep text");
        assert!(d.errors.iter().any(|e| e.contains("flattened")), "{:?}", d.errors);
        assert!(!d.errors.iter().any(|e| e.contains("stray")), "flattened end tags are not stray: {:?}", d.errors);
    }

    #[test]
    fn issue_14_unclosed_nesting_past_the_limit_is_flattened() {
        let d = read_ok(&"<a><b>".repeat(50_000));
        assert_eq!(depth(&d.root), MAX_DEPTH);
    }

    #[test]
    fn issue_14_billion_laughs_is_refused() {
        let mut dtd = String::from("<!DOCTYPE r [<!ENTITY l0 \"ha\">");
        for i in 1..=10 {
            let refs = format!("&l{};", i - 1).repeat(10);
            dtd.push_str(&format!("<!ENTITY l{i} \"{refs}\">"));
        }
        dtd.push_str("]><r>&l10;</r>");
        assert_eq!(read(&dtd).err(), Some(LimitError::EntityExpansion));
    }

    #[test]
    fn issue_14_many_references_to_a_large_entity_are_refused() {
        let big = "x".repeat(1 << 20);
        let doc = format!("<!DOCTYPE r [<!ENTITY b \"{big}\">]><r>{}</r>", "&b;".repeat(100));
        assert_eq!(read(&doc).err(), Some(LimitError::EntityExpansion));
    }

    #[test]
    fn declared_entities_within_the_budget_are_expanded() {
        let d = read_ok("<!DOCTYPE r [<!ENTITY a \"x&amp;y\"><!ENTITY b \"&a;&a;\">]><r>&b;</r>");
        assert_eq!(d.root.text(), "x&yx&y");
    }

    #[test]
    fn issue_14_attributes_past_the_limit_are_dropped() {
        let attrs: String = (0..10_000).map(|i| format!(" a{i}=\"v\"")).collect();
        let d = read_ok(&format!("<r{attrs}/>"));
        assert_eq!(d.root.attrs.len(), MAX_ATTRS);
    }

    #[test]
    fn issue_14_reading_stops_at_the_node_budget() {
        let d = read_ok(&format!("<r>{}</r>", "<i/>".repeat(MAX_NODES + 10)));
        assert!(d.root.children.len() <= MAX_NODES);
        assert!(d.errors.iter().any(|e| e.contains("not read")), "{:?}", d.errors);
    }

    #[test]
    fn issue_14_errors_are_kept_up_to_a_limit_and_counted() {
        let d = read_ok(&format!("<r>{}</r>", "</x>".repeat(10_000)));
        assert_eq!(d.errors.len(), MAX_ERRORS + 1);
        assert!(d.errors.last().unwrap().contains("more problems"));
    }
}
