//! The tolerant, iterative XML reader: tags, attributes, text and recovery, with no recursion.

use super::*;

pub(crate) struct Open {
    pub(crate) el: Element,
    pub(crate) scope: Vec<(String, Option<String>)>, // prefix declarations made here: (prefix, previous)
}

/// The reader's state: the open elements, what is declared, and what the
/// document has cost so far.
pub(crate) struct Reader {
    pub(crate) errors: Errors,
    pub(crate) entities: Entities,
    pub(crate) prefixes: HashMap<String, String>,
    pub(crate) stack: Vec<Open>,
    /// How many open elements have each qualified name, so that an end tag
    /// finds out in O(1) whether it closes anything.
    pub(crate) open_names: HashMap<String, usize>,
    /// Start tags dropped past [`MAX_DEPTH`] and not yet closed.
    pub(crate) flattened: usize,
    pub(crate) nodes: usize,
}

impl Reader {
    pub(crate) fn push_text(&mut self, t: String) {
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
    pub(crate) fn text(&mut self, raw: &str) {
        let t = unescape(raw, &mut self.entities, &mut self.errors);
        if self.stack.len() > 1 {
            self.push_text(t);
        }
    }

    pub(crate) fn open(&mut self, qname: &str, attrs: Vec<(String, String)>, self_closing: bool) {
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
    pub(crate) fn pop(&mut self) {
        let open = self.stack.pop().expect("checked");
        for (p, prev) in open.scope.into_iter().rev() {
            restore(&mut self.prefixes, p, prev);
        }
        if let Some(n) = self.open_names.get_mut(&open.el.qname) {
            *n -= 1;
        }
        self.stack.last_mut().expect("root").el.children.push(Node::Element(Box::new(open.el)));
    }

    pub(crate) fn close(&mut self, name: &str) {
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
pub(crate) fn truncate(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

pub(crate) fn restore(prefixes: &mut HashMap<String, String>, p: String, prev: Option<String>) {
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
pub(crate) fn tag_end(s: &str) -> Option<(usize, usize)> {
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

pub(crate) fn doctype_end(s: &str) -> usize {
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

pub(crate) fn parse_attrs(s: &str, entities: &mut Entities, errors: &mut Errors) -> Vec<(String, String)> {
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
