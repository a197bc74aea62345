//! robots.txt: parsing, matching, and a per-host cache.
//!
//! Rules are applied to the article pages the crawler decides to fetch, not
//! to feeds: an operator's explicit subscription to a feed is a user request,
//! as feed readers treat it.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// The rules that apply to one user agent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rules {
    /// (allow, path pattern) in file order.
    rules: Vec<(bool, String)>,
}

impl Rules {
    /// Everything allowed (no robots.txt, or an unreadable one).
    pub fn allow_all() -> Self {
        Self::default()
    }

    /// Parses a robots.txt for the agent token (e.g. "tagline"): the group
    /// naming the agent wins over `*`. Only the first [`MAX_BYTES`] are read,
    /// so the rules never outgrow the file's first half-megabyte.
    pub fn parse(text: &str, agent: &str) -> Self {
        let mut end = text.len().min(MAX_BYTES);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let text = &text[..end];
        let agent = agent.to_ascii_lowercase();
        let mut specific: Option<Vec<(bool, String)>> = None;
        let mut star: Option<Vec<(bool, String)>> = None;
        let mut current_agents: Vec<String> = Vec::new();
        let mut current_rules: Vec<(bool, String)> = Vec::new();
        let mut in_rules = false;
        // A group's rules are added once however many of its agent lines
        // apply; copying them per line would grow with lines x rules.
        let mut flush = |agents: &mut Vec<String>, rules: &mut Vec<(bool, String)>| {
            if agents.iter().any(|a| a == "*") {
                star.get_or_insert_with(Vec::new).extend(rules.iter().cloned());
            }
            if agents.iter().any(|a| a != "*" && !a.is_empty() && agent.contains(a.as_str())) {
                specific.get_or_insert_with(Vec::new).extend(rules.iter().cloned());
            }
            agents.clear();
            rules.clear();
        };
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            let Some((key, value)) = line.split_once(':') else { continue };
            let (key, value) = (key.trim().to_ascii_lowercase(), value.trim());
            match key.as_str() {
                "user-agent" => {
                    if in_rules {
                        flush(&mut current_agents, &mut current_rules);
                        in_rules = false;
                    }
                    current_agents.push(value.to_ascii_lowercase());
                }
                "allow" | "disallow" => {
                    in_rules = true;
                    // An empty Disallow allows everything: no rule.
                    if !value.is_empty() {
                        current_rules.push((key == "allow", value.to_string()));
                    }
                }
                _ => {}
            }
        }
        flush(&mut current_agents, &mut current_rules);
        Self { rules: specific.or(star).unwrap_or_default() }
    }

    /// Whether `path` (with its query) may be fetched: the longest matching
    /// rule decides, Allow winning a tie, as RFC 9309 says.
    pub fn allows(&self, path: &str) -> bool {
        let mut best: Option<(usize, bool)> = None;
        for (allow, pattern) in &self.rules {
            if matches(pattern, path) {
                let len = pattern.len();
                best = match best {
                    Some((l, a)) if l > len || (l == len && a) => Some((l, a)),
                    _ => Some((len, *allow)),
                };
            }
        }
        best.is_none_or(|(_, allow)| allow)
    }
}

/// The part of a robots.txt that is read; Google reads 500 KiB too.
pub const MAX_BYTES: usize = 500 * 1024;

/// Pattern matching with `*` (any run) and a trailing `$` (end of path).
fn matches(pattern: &str, path: &str) -> bool {
    let (pattern, anchored) = match pattern.strip_suffix('$') {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut pos = 0;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            if !path.starts_with(part) {
                return false;
            }
            pos = part.len();
            continue;
        }
        match path[pos..].find(part) {
            Some(at) => pos += at + part.len(),
            None => return false,
        }
    }
    if anchored {
        return pos == path.len() || (parts.len() > 1 && path.ends_with(parts.last().unwrap_or(&"")));
    }
    true
}

/// robots.txt per host (scheme + authority), kept for a day.
#[derive(Default)]
pub struct Cache {
    entries: std::sync::Mutex<HashMap<String, (Instant, Rules)>>,
}

/// How long a host's robots.txt is trusted.
pub const TTL: Duration = Duration::from_secs(24 * 3600);

impl Cache {
    /// The cached rules for `origin`, if fresh.
    pub fn get(&self, origin: &str) -> Option<Rules> {
        let map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        map.get(origin).filter(|(at, _)| at.elapsed() < TTL).map(|(_, r)| r.clone())
    }

    /// Remembers the rules for `origin`.
    pub fn put(&self, origin: &str, rules: Rules) {
        let mut map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        map.insert(origin.to_string(), (Instant::now(), rules));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TXT: &str = "User-agent: *\nDisallow: /private/\nAllow: /private/ok\nDisallow: /*.pdf$\n\nUser-agent: BadBot\nDisallow: /\n";

    #[test]
    fn the_longest_match_decides() {
        let r = Rules::parse(TXT, "tagline");
        assert!(r.allows("/news/a.html"));
        assert!(!r.allows("/private/x"));
        assert!(r.allows("/private/ok/1"));
        assert!(!r.allows("/files/report.pdf"));
        assert!(r.allows("/files/report.pdf?x=1"));
    }

    #[test]
    fn a_group_for_our_agent_wins_over_the_star_group() {
        let txt = "User-agent: *\nDisallow: /\n\nUser-agent: tagline\nDisallow: /admin\n";
        let r = Rules::parse(txt, "Tagline/0.1 (news aggregator)");
        assert!(r.allows("/news"));
        assert!(!r.allows("/admin/x"));
    }

    #[test]
    fn an_empty_disallow_allows_everything() {
        assert!(Rules::parse("User-agent: *\nDisallow:\n", "tagline").allows("/anything"));
    }

    #[test]
    fn issue_14_many_agent_lines_do_not_multiply_the_rules() {
        let txt = format!("{}{}", "User-agent: *\n".repeat(20_000), "Disallow: /x\n".repeat(20_000));
        let r = Rules::parse(&txt, "tagline");
        assert!(r.rules.len() <= 20_000, "{}", r.rules.len());
        assert!(!r.allows("/x/1"));
    }

    #[test]
    fn issue_14_only_the_first_half_megabyte_is_read() {
        let txt = format!("User-agent: *\n{}Disallow: /late\n", "Disallow: /a\n".repeat(100_000));
        let r = Rules::parse(&txt, "tagline");
        assert!(r.allows("/late"));
    }
}
