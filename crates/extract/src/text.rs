//! Rendering a DOM subtree as plain text with paragraphs separated by blank lines.

use dom_query::NodeRef;

const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
    "br",
    "body",
    "html",
];

const SKIP: &[&str] = &["script", "style", "noscript", "template", "svg", "head", "iframe", "object"];

/// Collects the text of `node`, one paragraph per block element.
pub fn paragraphs(node: &NodeRef) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    walk(node, &mut out, &mut cur);
    flush(&mut out, &mut cur);
    out
}

/// The text of `node` as paragraphs joined by blank lines.
pub fn render(node: &NodeRef) -> String {
    paragraphs(node).join("\n\n")
}

fn flush(out: &mut Vec<String>, cur: &mut String) {
    let p = normalize_ws(cur);
    if !p.is_empty() {
        out.push(p);
    }
    cur.clear();
}

/// Collapses runs of whitespace (including non-breaking spaces) to one space.
pub fn normalize_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split(|c: char| c.is_whitespace()) {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The length in characters of [`normalize_ws`]'s result, without building it.
pub fn normalized_len(s: &str) -> usize {
    let mut words = 0usize;
    let chars: usize = s
        .split(char::is_whitespace)
        .filter(|w| !w.is_empty())
        .map(|w| {
            words += 1;
            w.chars().count()
        })
        .sum();
    chars + words.saturating_sub(1)
}

fn walk(root: &NodeRef, out: &mut Vec<String>, cur: &mut String) {
    // An explicit stack, not recursion: hostile pages nest elements thousands
    // deep and must not overflow the thread's stack.
    enum Step<'a> {
        Enter(NodeRef<'a>),
        Leave(bool),
    }
    let mut stack: Vec<Step> = root.children_it(true).map(Step::Enter).collect();
    while let Some(step) = stack.pop() {
        match step {
            Step::Leave(block) => {
                if block {
                    flush(out, cur);
                }
            }
            Step::Enter(node) => {
                if node.is_text() {
                    cur.push_str(&node.text());
                    continue;
                }
                if !node.is_element() {
                    continue;
                }
                let name = node.node_name().unwrap_or_default();
                let name = name.as_ref();
                if SKIP.contains(&name) {
                    continue;
                }
                if matches!(name, "img" | "input") {
                    cur.push(' ');
                }
                let block = BLOCKS.contains(&name);
                if block {
                    flush(out, cur);
                }
                stack.push(Step::Leave(block));
                stack.extend(node.children_it(true).map(Step::Enter));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalized_len_is_the_length_of_the_normalized_text() {
        for s in ["", "  ", "a", "  a  b\n\n c ", "żółw  ma\tkota", "一 二  三"] {
            assert_eq!(normalized_len(s), normalize_ws(s).chars().count(), "{s:?}");
        }
    }
}
