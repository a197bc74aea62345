//! A tolerant XML reader for feeds: builds an element tree from whatever it
//! is given, recording (not refusing) what is wrong: mismatched or missing
//! end tags, undeclared entities and prefixes, truncation.

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

/// Why a document was refused rather than recovered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    /// Internal entities expanded to more than [`ENTITY_BUDGET`] bytes (the
    /// "billion laughs" pattern).
    #[error("entity expansion exceeds {ENTITY_BUDGET} bytes; the document is refused")]
    EntityExpansion,
    /// The document is larger than [`MAX_INPUT`].
    #[error("the document is {0} bytes, more than the {MAX_INPUT} accepted")]
    TooLarge(usize),
}

/// Elements nested deeper than this are flattened into the element at this
/// depth: their start and end tags are dropped, their content kept. libxml2
/// stops at the same depth. Every walk of the tree (text, serialisation,
/// `Drop`) therefore recurses at most this deep.
pub const MAX_DEPTH: usize = 256;

/// Elements, attributes and text nodes a document may build. Past it the
/// rest of the document is not read (as a truncated download is not), so a
/// tree never costs more than about 64 MB, whatever the input. The largest
/// real feeds in the test corpora build under 60,000.
pub const MAX_NODES: usize = 500_000;

/// Attributes kept per element; the rest are dropped and reported.
pub const MAX_ATTRS: usize = 256;

/// Bytes that expanding internal (DTD-declared) entities may produce over a
/// whole document. expat refuses amplification past 100x once 8 MiB have
/// been produced; a feed has no legitimate use for either, so the budget is
/// a flat 8 MiB and the document is refused when it runs out.
pub const ENTITY_BUDGET: usize = 8 * 1024 * 1024;

/// Documents larger than this are refused before reading (the fetcher's
/// body limit is 10 MiB).
pub const MAX_INPUT: usize = 32 * 1024 * 1024;

/// Problems kept per document; one more line counts the rest.
pub const MAX_ERRORS: usize = 64;

/// The problems found in a document: the first [`MAX_ERRORS`], then a count.
#[derive(Default)]
struct Errors {
    kept: Vec<String>,
    more: usize,
}

impl Errors {
    fn push(&mut self, e: impl Into<String>) {
        if self.kept.len() < MAX_ERRORS {
            self.kept.push(e.into());
        } else {
            self.more += 1;
        }
    }

    fn into_vec(mut self) -> Vec<String> {
        if self.more > 0 {
            self.kept.push(format!("... and {} more problems", self.more));
        }
        self.kept
    }
}

/// Entities declared in the document's internal subset, and what expanding
/// them has cost so far.
#[derive(Default)]
pub struct Entities {
    declared: HashMap<String, String>,
    expanded: usize,
    exhausted: bool,
}

impl Entities {
    /// The replacement text of a declared entity, charged to the budget;
    /// `None` when undeclared or when the budget is spent.
    fn expand(&mut self, name: &str) -> Option<String> {
        let v = self.declared.get(name)?;
        self.expanded += v.len();
        if self.expanded > ENTITY_BUDGET {
            self.exhausted = true;
            return Some(String::new());
        }
        Some(v.clone())
    }
}

fn html_entity(name: &str) -> Option<&'static str> {
    static MAP: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    let map = MAP.get_or_init(|| {
        entities::ENTITIES
            .iter()
            .filter(|e| e.entity.ends_with(';'))
            .map(|e| (e.entity.trim_start_matches('&').trim_end_matches(';'), e.characters))
            .collect()
    });
    // feedparser follows HTML 4 here; HTML5 moved these two to other code points.
    match name {
        "lang" => Some("\u{2329}"),
        "rang" => Some("\u{232A}"),
        _ => map.get(name).copied(),
    }
}

/// Decodes character and entity references. Undeclared (HTML) entities are
/// decoded too, and reported in `errors`. Declared entities are charged to
/// their budget.
fn unescape(s: &str, entities: &mut Entities, errors: &mut Errors) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest[1..].find(|c: char| c == ';' || c == '&' || c == '<' || c.is_whitespace()).map(|e| e + 1);
        let Some(end) = end.filter(|&e| rest.as_bytes().get(e) == Some(&b';')) else {
            // A bare '&': not well-formed, kept as text.
            errors.push("unescaped '&'");
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..end];
        let decoded: Option<String> = if let Some(num) = name.strip_prefix('#') {
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => num.parse::<u32>().ok(),
            };
            match code {
                // Windows-1252 text mislabelled as Unicode: &#146; means
                // U+2019, as HTML decodes it, not a C1 control character.
                Some(c @ 0x80..=0x9f) => {
                    Some(encoding_rs::WINDOWS_1252.decode_without_bom_handling(&[c as u8]).0.into_owned())
                }
                _ => code.and_then(char::from_u32).map(String::from),
            }
        } else {
            match name {
                "amp" => Some("&".into()),
                "lt" => Some("<".into()),
                "gt" => Some(">".into()),
                "quot" => Some("\"".into()),
                "apos" => Some("'".into()),
                _ => entities.expand(name).or_else(|| {
                    let e = html_entity(name).map(str::to_string);
                    errors.push(format!("undeclared entity &{name};"));
                    e
                }),
            }
        };
        match decoded {
            Some(d) => out.push_str(&d),
            None => out.push_str(&rest[..=end]),
        }
        rest = &rest[end + 1..];
        if entities.exhausted {
            break;
        }
    }
    out.push_str(rest);
    out
}

struct Open {
    el: Element,
    scope: Vec<(String, Option<String>)>, // prefix declarations made here: (prefix, previous)
}

/// The reader's state: the open elements, what is declared, and what the
/// document has cost so far.
struct Reader {
    errors: Errors,
    entities: Entities,
    prefixes: HashMap<String, String>,
    stack: Vec<Open>,
    /// How many open elements have each qualified name, so that an end tag
    /// finds out in O(1) whether it closes anything.
    open_names: HashMap<String, usize>,
    /// Start tags dropped past [`MAX_DEPTH`] and not yet closed.
    flattened: usize,
    nodes: usize,
}

impl Reader {
    fn push_text(&mut self, t: String) {
        if t.is_empty() {
            return;
        }
        let top = &mut self.stack.last_mut().expect("root").el;
        match top.children.last_mut() {
            Some(Node::Text(prev)) => prev.push_str(&t),
            _ => {
                self.nodes += 1;
                top.children.push(Node::Text(t));
            }
        }
    }

    /// Text between tags, decoded; dropped outside the root element.
    fn text(&mut self, raw: &str) {
        let t = unescape(raw, &mut self.entities, &mut self.errors);
        if self.stack.len() > 1 {
            self.push_text(t);
        }
    }

    fn open(&mut self, qname: &str, attrs: Vec<(String, String)>, self_closing: bool) {
        if self.stack.len() > MAX_DEPTH {
            if self.flattened == 0 {
                self.errors.push(format!("elements nested deeper than {MAX_DEPTH} were flattened"));
            }
            if !self_closing {
                self.flattened += 1;
            }
            return;
        }
        self.nodes += 1 + attrs.len();
        let mut scope = Vec::new();
        for (k, v) in &attrs {
            let prefix = if k == "xmlns" { Some("") } else { k.strip_prefix("xmlns:") };
            if let Some(p) = prefix {
                let prev = self.prefixes.insert(p.to_string(), v.clone());
                scope.push((p.to_string(), prev));
            }
        }
        let (prefix, local) = match qname.split_once(':') {
            Some((p, l)) => (p, l),
            None => ("", qname),
        };
        let ns = match self.prefixes.get(prefix) {
            Some(u) => canonical_ns(u),
            None if prefix.is_empty() => String::new(),
            None => {
                self.errors.push(format!("undeclared namespace prefix {prefix}"));
                guess_prefix(&prefix.to_ascii_lowercase()).map(str::to_string).unwrap_or_else(|| prefix.to_string())
            }
        };
        let el = Element { ns, local: local.to_string(), qname: qname.to_string(), attrs, children: Vec::new() };
        *self.open_names.entry(qname.to_string()).or_default() += 1;
        self.stack.push(Open { el, scope });
        if self_closing {
            self.close(qname);
        }
    }

    /// Pops the top element into its parent.
    fn pop(&mut self) {
        let open = self.stack.pop().expect("checked");
        for (p, prev) in open.scope.into_iter().rev() {
            restore(&mut self.prefixes, p, prev);
        }
        if let Some(n) = self.open_names.get_mut(&open.el.qname) {
            *n -= 1;
        }
        self.stack.last_mut().expect("root").el.children.push(Node::Element(Box::new(open.el)));
    }

    fn close(&mut self, name: &str) {
        if self.open_names.get(name).copied().unwrap_or(0) == 0 {
            if self.flattened > 0 {
                // The end tag of a flattened element.
                self.flattened -= 1;
            } else {
                self.errors.push(format!("stray end tag </{name}>"));
            }
            return;
        }
        let pos = self.stack.iter().rposition(|o| o.el.qname == name).expect("counted as open");
        if pos != self.stack.len() - 1 {
            self.errors.push(format!("end tag </{name}> closes unclosed elements"));
        }
        while self.stack.len() > pos {
            self.pop();
        }
    }
}

/// Reads a document from text, within the bounds above: nesting is
/// flattened past [`MAX_DEPTH`], reading stops at [`MAX_NODES`], and the
/// document is refused when entity expansion exceeds [`ENTITY_BUDGET`].
/// No recursion: the open elements are an explicit stack.
pub fn read(text: &str) -> Result<Document, LimitError> {
    if text.len() > MAX_INPUT {
        return Err(LimitError::TooLarge(text.len()));
    }
    let mut prefixes: HashMap<String, String> = HashMap::new();
    prefixes.insert("xml".into(), ns::XML.into());
    let mut r = Reader {
        errors: Errors::default(),
        entities: Entities::default(),
        prefixes,
        stack: vec![Open { el: Element::default(), scope: Vec::new() }],
        open_names: HashMap::new(),
        flattened: 0,
        nodes: 0,
    };
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if r.entities.exhausted {
            return Err(LimitError::EntityExpansion);
        }
        if r.nodes >= MAX_NODES {
            r.errors.push(format!("the document has more than {MAX_NODES} nodes; the rest was not read"));
            break;
        }
        let Some(off) = memchr::memchr(b'<', &bytes[i..]) else {
            r.text(&text[i..]);
            break;
        };
        let lt = i + off;
        if lt > i {
            r.text(&text[i..lt]);
        }
        let rest = &text[lt..];
        if rest.starts_with("<!--") {
            match rest.find("-->") {
                Some(e) => i = lt + e + 3,
                None => {
                    r.errors.push("unterminated comment");
                    break;
                }
            }
            continue;
        }
        if let Some(cdata) = rest.strip_prefix("<![CDATA[") {
            match cdata.find("]]>") {
                Some(e) => {
                    r.push_text(cdata[..e].to_string());
                    i = lt + 9 + e + 3;
                }
                None => {
                    r.errors.push("unterminated CDATA section");
                    r.push_text(cdata.to_string());
                    i = bytes.len();
                }
            }
            continue;
        }
        if rest.starts_with("<?") {
            i = rest.find("?>").map_or(bytes.len(), |e| lt + e + 2);
            continue;
        }
        if rest.starts_with("<!") {
            // DOCTYPE, possibly with an internal subset declaring entities.
            let end = doctype_end(rest);
            parse_entity_decls(&rest[..end], &mut r.entities);
            i = lt + end;
            continue;
        }
        // A tag. Find its end, respecting quoted attribute values.
        let Some((content_end, next)) = tag_end(rest) else {
            r.errors.push("truncated tag");
            break;
        };
        if content_end == next {
            r.errors.push("unclosed tag");
        }
        i = lt + next;
        let tag = &rest[1..content_end];
        if let Some(name) = tag.strip_prefix('/') {
            r.close(name.trim());
            continue;
        }
        let self_closing = tag.ends_with('/');
        let tag = tag.trim_end_matches('/');
        let name_end = tag.find(|c: char| c.is_whitespace()).unwrap_or(tag.len());
        let qname = &tag[..name_end];
        if qname.is_empty() || !qname.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_') {
            r.errors.push(format!("not a tag: <{}>", truncate(tag, 40)));
            r.push_text(format!("<{tag}>"));
            continue;
        }
        let attrs = parse_attrs(&tag[name_end..], &mut r.entities, &mut r.errors);
        r.open(qname, attrs, self_closing);
    }
    if r.entities.exhausted {
        return Err(LimitError::EntityExpansion);
    }
    if r.stack.len() > 1 {
        r.errors.push("document ended with open elements (truncated?)");
        while r.stack.len() > 1 {
            r.pop();
        }
    }
    let mut top = r.stack.pop().expect("root").el;
    let mut roots: Vec<Element> = top
        .children
        .drain(..)
        .filter_map(|c| match c {
            Node::Element(e) => Some(*e),
            Node::Text(_) => None,
        })
        .collect();
    let root = if roots.len() == 1 {
        roots.pop().expect("one")
    } else {
        Element { children: roots.into_iter().map(|e| Node::Element(Box::new(e))).collect(), ..Default::default() }
    };
    if root.local.is_empty() && root.children.is_empty() {
        r.errors.push("no elements");
    }
    Ok(Document { root, errors: r.errors.into_vec() })
}

/// At most `max` bytes of `s`, cut at a character boundary.
fn truncate(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

fn restore(prefixes: &mut HashMap<String, String>, p: String, prev: Option<String>) {
    match prev {
        Some(v) => {
            prefixes.insert(p, v);
        }
        None => {
            prefixes.remove(&p);
        }
    }
}

/// Where a tag's content ends (the index of its `>`, or of the `<` that
/// starts the next tag when this one is unclosed) and where reading resumes.
/// Both are at ASCII bytes, so both are char boundaries.
fn tag_end(s: &str) -> Option<(usize, usize)> {
    let mut quote: Option<u8> = None;
    for (i, &b) in s.as_bytes().iter().enumerate().skip(1) {
        match (quote, b) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'>') => return Some((i, i + 1)),
            (None, b'<') if i > 1 => return Some((i, i)),
            _ => {}
        }
    }
    None
}

fn doctype_end(s: &str) -> usize {
    let mut depth = 0i32;
    for (i, &b) in s.as_bytes().iter().enumerate() {
        match b {
            b'[' => depth += 1,
            b']' => depth -= 1,
            b'>' if depth <= 0 => return i + 1,
            _ => {}
        }
    }
    s.len()
}

fn parse_entity_decls(doctype: &str, entities: &mut Entities) {
    let mut rest = doctype;
    while let Some(i) = rest.find("<!ENTITY") {
        rest = &rest[i + 8..];
        let mut parts = rest.trim_start().splitn(2, char::is_whitespace);
        let (Some(name), Some(after)) = (parts.next(), parts.next()) else { break };
        let after = after.trim_start();
        let Some(q) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else { continue };
        if let Some(end) = after[1..].find(q) {
            let value = &after[1..1 + end];
            // Values are expanded once, here, and every expansion counts
            // against the budget, so nesting cannot multiply unseen.
            let v = unescape(value, entities, &mut Errors::default());
            if entities.exhausted {
                return;
            }
            entities.declared.insert(name.to_string(), v);
        }
    }
}

fn parse_attrs(s: &str, entities: &mut Entities, errors: &mut Errors) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' {
            i += 1;
        }
        if start == i {
            i += 1;
            continue;
        }
        let name = &s[start..i];
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if out.len() == MAX_ATTRS {
            errors.push(format!("more than {MAX_ATTRS} attributes; the rest were dropped"));
            break;
        }
        if i >= b.len() || b[i] != b'=' {
            errors.push(format!("attribute {} without a value", truncate(name, 40)));
            out.push((name.to_string(), String::new()));
            continue;
        }
        i += 1;
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let value = if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
            let q = b[i];
            let vstart = i + 1;
            let vend = memchr::memchr(q, &b[vstart..]).map_or(b.len(), |e| vstart + e);
            i = (vend + 1).min(b.len());
            &s[vstart..vend]
        } else {
            errors.push(format!("unquoted attribute {}", truncate(name, 40)));
            let vstart = i;
            while i < b.len() && !b[i].is_ascii_whitespace() {
                i += 1;
            }
            &s[vstart..i]
        };
        out.push((name.to_string(), unescape(value, entities, errors)));
    }
    out
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
