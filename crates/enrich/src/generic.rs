//! Generic section names ("News", "Latest", "Top Stories", "Uncategorized")
//! that publishers put in every feed item's categories: a reader would
//! never follow them, so they never become tags.

/// Section names that say nothing about an article's subject, in the
/// languages Tagline meets most, compared without case, spaces or
/// punctuation ("Top Stories", "top-stories" and "TopStories" are one).
const GENERIC: &[&str] = &[
    // English
    "news",
    "latest",
    "latest news",
    "latest stories",
    "home",
    "homepage",
    "front page",
    "top stories",
    "top news",
    "top",
    "uncategorized",
    "uncategorised",
    "general",
    "updates",
    "update",
    "breaking",
    "breaking news",
    "headlines",
    "main",
    "featured",
    "feature",
    "features",
    "all",
    "all news",
    "articles",
    "article",
    "stories",
    "story",
    "blog",
    "posts",
    "post",
    "default",
    "misc",
    "miscellaneous",
    "other",
    "others",
    "more",
    "today",
    "just in",
    "live",
    "editors picks",
    "must read",
    "highlights",
    "rss",
    "feed",
    "news feed",
    "world news and more",
    "the latest",
    // German
    "nachrichten",
    "aktuell",
    "aktuelles",
    "neuigkeiten",
    "startseite",
    "allgemein",
    "schlagzeilen",
    "meldungen",
    "topthemen",
    // French
    "actualites",
    "actualités",
    "actu",
    "infos",
    "info",
    "a la une",
    "à la une",
    "accueil",
    "général",
    "dernieres nouvelles",
    "dernières nouvelles",
    "non classe",
    "non classé",
    "divers",
    // Spanish, Portuguese, Italian
    "noticias",
    "ultimas noticias",
    "últimas noticias",
    "portada",
    "inicio",
    "actualidad",
    "sin categoria",
    "sin categoría",
    "titulares",
    "destacados",
    "notícias",
    "últimas",
    "ultimas",
    "geral",
    "destaques",
    "sem categoria",
    "capa",
    "atualidade",
    "notizie",
    "ultime notizie",
    "generale",
    "attualità",
    "attualita",
    "primo piano",
    "senza categoria",
    "in evidenza",
    // Dutch, Scandinavian, Polish, Turkish, Indonesian and Malay
    "nieuws",
    "algemeen",
    "laatste nieuws",
    "voorpagina",
    "ongecategoriseerd",
    "nyheter",
    "senaste nytt",
    "allmänt",
    "okategoriserade",
    "nyheder",
    "wiadomości",
    "wiadomosci",
    "aktualności",
    "aktualnosci",
    "najnowsze",
    "ogólne",
    "bez kategorii",
    "haberler",
    "haber",
    "son dakika",
    "gündem",
    "genel",
    "manşet",
    "berita",
    "berita terkini",
    "terkini",
    "umum",
    "utama",
    // Russian, Arabic, Hindi, Chinese, Japanese
    "новости",
    "главное",
    "главная",
    "последние новости",
    "без рубрики",
    "общее",
    "أخبار",
    "الأخبار",
    "عاجل",
    "الرئيسية",
    "समाचार",
    "ताज़ा खबर",
    "新闻",
    "最新",
    "要闻",
    "首页",
    "综合",
    "ニュース",
    "最新ニュース",
    "一般",
];

/// `s` lower-cased with only its letters and digits: the form names are
/// compared in.
fn squash(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Whether a publisher's category is a generic section name rather than a
/// subject.
pub fn is_generic_section(label: &str) -> bool {
    // Squashed once per process: the crawler asks for every category of
    // every feed entry.
    static SET: std::sync::OnceLock<std::collections::HashSet<String>> = std::sync::OnceLock::new();
    let set = SET.get_or_init(|| GENERIC.iter().map(|g| squash(g)).collect());
    set.contains(&squash(label))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_16_generic_section_names_in_any_spelling_are_not_subjects() {
        for s in ["News", "LATEST", "Top Stories", "top-stories", "TopStories", "Uncategorized", "General", "Updates"] {
            assert!(is_generic_section(s), "{s}");
        }
        for s in ["Nachrichten", "Actualités", "Noticias", "Notizie", "Новости", "Berita Terkini", "新闻"] {
            assert!(is_generic_section(s), "{s}");
        }
    }

    #[test]
    fn issue_16_real_topics_stay_tags() {
        for s in ["Critical Minerals", "Kazakhstan", "World Cup", "Climate", "Newsletters of the Year", "Home Office"] {
            assert!(!is_generic_section(s), "{s}");
        }
    }
}
