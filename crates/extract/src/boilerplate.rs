//! Removal of what readability-style scoring misses: players, ad slots, share
//! and newsletter blocks, related links, cookie banners, and the short
//! "Advertisement" or "ALSO READ" lines that sit between paragraphs.

use dom_query::{Document, NodeRef};

/// Elements that never hold article text.
const DROP_ELEMENTS: &[&str] = &[
    "script", "style", "noscript", "template", "iframe", "object", "embed", "button", "select", "input", "textarea",
    "nav", "aside", "footer", "video", "audio", "canvas", "svg", "dialog",
];

/// Roles that mark navigation, banners, dialogs and asides.
const DROP_ROLES: &[&str] = &["navigation", "banner", "contentinfo", "dialog", "alertdialog", "complementary"];

/// Attributes that mark ad slots and players.
const DROP_ATTRS: &[&str] = &["hidden", "data-ad-unit", "data-ad-slot", "data-slot", "data-player"];

/// Class/id tokens that mark boilerplate on their own. A class such as
/// `sc-share` is split into tokens `sc`, `share` and matches `share`.
fn is_drop_token(t: &str) -> bool {
    matches!(
        t,
        "ad" | "ads"
            | "adv"
            | "advert"
            | "advertisement"
            | "advertising"
            | "adslot"
            | "dfp"
            | "sponsor"
            | "sponsored"
            | "promo"
            | "promotion"
            | "share"
            | "sharing"
            | "sharebar"
            | "related"
            | "recommended"
            | "recirculation"
            | "newsletter"
            | "subscribe"
            | "subscription"
            | "signup"
            | "cookie"
            | "cookies"
            | "consent"
            | "cmp"
            | "gdpr"
            | "comments"
            | "comment"
            | "disqus"
            | "breadcrumb"
            | "breadcrumbs"
            | "tags"
            | "keywords"
            | "popular"
            | "trending"
            | "outstream"
            | "vjs"
            | "jwplayer"
            | "whatsapp"
            | "masthead"
            | "modal"
            | "popup"
            | "sidebar"
            | "paywall"
            | "toolbar"
            | "print"
            | "menu"
            | "byline"
            | "timestamp"
            | "dateline"
            | "caption"
            | "credit"
            | "credits"
            | "authorbox"
            | "authorbio"
    )
}

/// Pairs of adjacent class/id tokens that mark boilerplate, such as
/// `social-share` or `video_player`.
fn is_drop_pair(a: &str, b: &str) -> bool {
    matches!(
        (a, b),
        ("ad", "slot")
            | ("gpt", "ad")
            | ("social", "share")
            | ("social", "links")
            | ("social", "icons")
            | ("social", "buttons")
            | ("social", "bar")
            | ("social", "tools")
            | ("share", "tools")
            | ("more", "stories")
            | ("read", "more")
            | ("also", "read")
            | ("tag", "list")
            | ("most", "read")
            | ("video", "js")
            | ("video", "player")
            | ("audio", "player")
            | ("media", "player")
            | ("player", "container")
            | ("player", "wrapper")
            | ("video", "embed")
            | ("app", "promo")
            | ("site", "footer")
            | ("site", "header")
            | ("skip", "link")
            | ("report", "box")
            | ("main", "nav")
            | ("entry", "meta")
            | ("post", "meta")
            | ("article", "meta")
            | ("see", "more")
            | ("dont", "miss")
            | ("also", "like")
            // Author bio boxes under the article ("X writes about Y for
            // Z"): the same text on every article of an author, so it
            // would make unrelated reports look alike.
            | ("author", "box")
            | ("author", "bio")
            | ("author", "info")
            | ("author", "card")
            | ("author", "profile")
            | ("about", "author")
            | ("author", "about")
            | ("the", "author")
    )
}

/// Short paragraphs that are labels, prompts or promos rather than text.
const DROP_LINE_PREFIXES: &[&str] = &[
    "also read",
    "read more:",
    "read also:",
    "related stories",
    "related:",
    "share this",
    "found a mistake",
    "click here to subscribe",
    "sign up for",
    "get your news on the go",
    "enjoying this article",
    "download the app",
    "video player is loading",
    "subscribe to",
    "follow us on",
    "scroll to continue",
    "this slideshow requires javascript",
    "tell us what you think",
    "please enable javascript",
    "click here for more information",
];

fn matches_tokens(attr: &str) -> bool {
    // Most class names are already lower case; only the rest pay for a copy.
    let lower;
    let attr = if attr.bytes().any(|b| b.is_ascii_uppercase()) {
        lower = attr.to_ascii_lowercase();
        lower.as_str()
    } else {
        attr
    };
    attr.split_whitespace().any(|class| {
        let mut prev = "";
        class.split(|c: char| !c.is_alphanumeric()).filter(|t| !t.is_empty()).any(|t| {
            let hit = is_drop_token(t) || is_drop_pair(prev, t);
            prev = t;
            hit
        })
    })
}

fn is_protected(node: &NodeRef) -> bool {
    matches!(node.node_name().as_deref(), Some("html" | "body" | "main" | "article"))
}

/// Paragraph text outside links: what article bodies have and teaser lists,
/// menus and banners do not.
pub(crate) fn prose_chars(node: &NodeRef) -> usize {
    node.descendants_it()
        .filter(|d| d.node_name().as_deref() == Some("p"))
        .map(|p| {
            let all = text_chars(&p);
            let linked: usize =
                p.descendants_it().filter(|d| d.node_name().as_deref() == Some("a")).map(|a| text_chars(&a)).sum();
            let own = all.saturating_sub(linked);
            if own >= 80 {
                own
            } else {
                0
            }
        })
        .sum()
}

/// The characters of text under `node`, counted in place: this runs over
/// every paragraph of every candidate container, too often to build strings.
fn text_chars(node: &NodeRef) -> usize {
    node.descendants_it()
        .filter_map(|d| {
            d.query(|t| match &t.data {
                dom_query::NodeData::Text { contents } => contents.chars().count(),
                _ => 0,
            })
        })
        .sum()
}

/// Whether removing `node` would take article text with it: it is or holds
/// the page's `article`/`main`, or it holds several paragraphs of prose.
fn holds_content(node: &NodeRef) -> bool {
    node.descendants_it().any(|d| matches!(d.node_name().as_deref(), Some("article" | "main")))
        || prose_chars(node) >= 400
}

/// Why an element is a removal candidate.
enum Verdict {
    /// Never article text (scripts, navigation): removed outright.
    Drop,
    /// Named like boilerplate: removed unless it holds the article.
    Suspect,
}

fn verdict(node: &NodeRef) -> Option<Verdict> {
    let name = node.node_name()?;
    if is_protected(node) {
        return None;
    }
    if DROP_ELEMENTS.contains(&name.as_ref())
        || node.attr("role").is_some_and(|r| DROP_ROLES.iter().any(|d| r.eq_ignore_ascii_case(d)))
        || node.attr("aria-modal").is_some_and(|v| v.as_ref() == "true")
        || DROP_ATTRS.iter().any(|a| node.has_attr(a))
        || (name.as_ref() == "ins" && node.has_class("adsbygoogle"))
    {
        return Some(Verdict::Drop);
    }
    if name.as_ref() == "form"
        || node.class().is_some_and(|c| matches_tokens(&c))
        || node.id_attr().is_some_and(|i| matches_tokens(&i))
    {
        return Some(Verdict::Suspect);
    }
    None
}

/// Whether `node` is still attached to the document (no removed ancestor).
fn attached(node: &NodeRef) -> bool {
    node.ancestors_it(None).last().is_some_and(|top| top.is_document())
}

/// Removes boilerplate elements in place. Returns how many were removed.
pub fn strip(doc: &Document) -> usize {
    let mut removed = 0;
    // Document order: an ancestor is judged before its descendants, and
    // descendants of a removed element are skipped.
    let elements: Vec<NodeRef> = doc.root().descendants_it().filter(|n| n.is_element()).collect();
    for node in elements {
        let Some(v) = verdict(&node) else { continue };
        if !attached(&node) {
            continue;
        }
        // A wrapper around the article is content whatever its class says
        // (`<div class="article modal-enabled">`, an ASP.NET page-wide `<form>`).
        if matches!(v, Verdict::Suspect) && holds_content(&node) {
            continue;
        }
        node.remove_from_parent();
        removed += 1;
    }
    removed
}

/// Removes link-dominated blocks from the chosen content: "You may also
/// like" lists, "DON'T MISS" links, tag clouds. Prose with a few links stays.
pub fn strip_link_lists(root: &NodeRef) {
    for node in dom_query::Selection::from(*root).select("ul, ol, p, div, section, dl").nodes().iter().rev() {
        // Counted in place: building each block's text would make nested
        // blocks quadratic.
        let total = node.normalized_char_count();
        if total == 0 {
            continue;
        }
        let linked: usize = node
            .descendants_it()
            .filter(|d| d.node_name().as_deref() == Some("a"))
            .map(|a| a.normalized_char_count())
            .sum();
        let density = linked as f32 / total as f32;
        let is_list = matches!(node.node_name().as_deref(), Some("ul" | "ol" | "dl"));
        if (is_list && density > 0.5) || (density > 0.8 && total < 400) {
            node.remove_from_parent();
        }
    }
}

const DATE_WORDS: &[&str] = &[
    "published",
    "updated",
    "posted",
    "last",
    "modified",
    "on",
    "at",
    "am",
    "pm",
    "a.m",
    "p.m",
    "gmt",
    "utc",
    "est",
    "edt",
    "cst",
    "cdt",
    "pst",
    "pdt",
    "bst",
    "cet",
    "cest",
    "ist",
    "et",
    "jan",
    "january",
    "feb",
    "february",
    "mar",
    "march",
    "apr",
    "april",
    "may",
    "jun",
    "june",
    "jul",
    "july",
    "aug",
    "august",
    "sep",
    "sept",
    "september",
    "oct",
    "october",
    "nov",
    "november",
    "dec",
    "december",
    "mon",
    "monday",
    "tue",
    "tues",
    "tuesday",
    "wed",
    "wednesday",
    "thu",
    "thurs",
    "thursday",
    "fri",
    "friday",
    "sat",
    "saturday",
    "sun",
    "sunday",
    "ago",
    "hours",
    "hour",
    "minutes",
    "mins",
    "days",
    "day",
    "today",
    "yesterday",
    "of",
];

/// A line that is only a date or time stamp: "Updated: Sat 8:31 PM, Feb 17, 2018".
fn is_date_line(lower: &str) -> bool {
    let words: Vec<&str> =
        lower.split(|c: char| !(c.is_alphanumeric() || c == '.')).filter(|w| !w.is_empty()).collect();
    if words.is_empty() || words.len() > 14 {
        return false;
    }
    let has_number = words.iter().any(|w| w.chars().any(|c| c.is_ascii_digit()));
    let datey = words
        .iter()
        .filter(|w| w.chars().all(|c| c.is_ascii_digit() || c == '.') || DATE_WORDS.contains(&w.trim_end_matches('.')))
        .count();
    // A bare number (a table cell, a score) is not a date: at least one
    // word must be a month, weekday or stamp word.
    let has_date_word =
        words.iter().any(|w| w.chars().any(char::is_alphabetic) && DATE_WORDS.contains(&w.trim_end_matches('.')));
    has_number && has_date_word && datey == words.len()
}

/// A short "By Jane Doe" line, with an optional date after it.
fn is_byline_line(p: &str) -> bool {
    let t = p.trim();
    let Some(rest) = t.strip_prefix("By ").or_else(|| t.strip_prefix("BY ")) else { return false };
    let words = rest.split_whitespace().count();
    words <= 12 && rest.chars().next().is_some_and(char::is_uppercase) && !rest.contains(". ")
}

/// Whether a paragraph of extracted text is a boilerplate line.
pub fn is_boilerplate_line(p: &str) -> bool {
    let lower = p.trim().to_lowercase();
    if lower.chars().count() > 160 {
        return false;
    }
    if matches!(
        lower.trim_end_matches(['.', ':']),
        "advert" | "ad" | "comments" | "sponsored" | "share" | "print" | "email"
    ) {
        return true;
    }
    if is_date_line(&lower) || is_byline_line(p) {
        return true;
    }
    if let Some(rest) = lower.strip_prefix("advertisement") {
        // "Advertisement", or a label followed by player controls
        // ("Advertisement Next Stay Close ✕"), but not a sentence about adverts.
        return rest.split_whitespace().count() <= 4 && !rest.contains(['.', ',']);
    }
    DROP_LINE_PREFIXES.iter().any(|pre| lower.starts_with(pre))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_tokens_match_whole_words_only() {
        assert!(matches_tokens("sc-share"));
        assert!(matches_tokens("gpt-ad other"));
        assert!(!matches_tokens("shadow headline"));
        assert!(!matches_tokens("sc-article-body"));
        assert!(!matches_tokens("download"));
    }

    #[test]
    fn author_bio_boxes_are_furniture_but_author_names_are_not() {
        for class in ["author-box", "c-author-bio", "about-the-author", "about_author", "authorbox", "post-author-info"]
        {
            assert!(matches_tokens(class), "{class}");
        }
        assert!(!matches_tokens("author"), "a bare author class may hold the byline the metadata reads");
        assert!(!matches_tokens("author-name"));
    }

    #[test]
    fn a_wrapper_holding_the_article_is_kept() {
        let body =
            "<p>Paragraph text that is long enough to count as prose for the page, as article paragraphs are.</p>"
                .repeat(6);
        let doc = Document::from(format!(
            "<html><body><div class=\"page has-ads\">{body}</div><div class=\"ad\">buy</div></body></html>"
        ));
        strip(&doc);
        let text = doc.select("body").text();
        assert!(text.contains("Paragraph text"));
        assert!(!text.contains("buy"));
    }

    #[test]
    fn labels_between_paragraphs_are_boilerplate_lines() {
        assert!(is_boilerplate_line("Advertisement"));
        assert!(is_boilerplate_line("ALSO READ: Something else"));
        assert!(!is_boilerplate_line("Advertisement spending rose by 5% last year, the report said."));
    }

    #[test]
    fn date_stamps_and_bylines_are_boilerplate_lines() {
        assert!(is_boilerplate_line("PUBLISHED: 10:48, Tue, Nov 19, 2019"));
        assert!(is_boilerplate_line("Updated: Sat 8:31 PM, Feb 17, 2018"));
        assert!(is_boilerplate_line("By Justine Coleman - 11/18/19 11:04 PM EST"));
        assert!(!is_boilerplate_line("On Tuesday, 40 people were hurt."));
        assert!(!is_boilerplate_line("5040"), "a table cell is not a date");
        assert!(!is_boilerplate_line("By 2030 the city plans to double its bus fleet. Officials agree."));
    }
}
