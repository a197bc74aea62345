//! The home page: top stories ranked by outlets, then freshness, then the latest.

use super::*;

/// A story's standing: the outlets covering it, halved for every day since
/// its newest report. Distinct outlets lead: within a day a story told by
/// two outlets always outranks one told by a single outlet, however fresh;
/// over days, news gives way to newer news.
pub(crate) fn story_score(s: &store::StorySummary, now: chrono::DateTime<chrono::Utc>) -> f64 {
    let hours = (now - s.latest).num_minutes().max(0) as f64 / 60.0;
    s.story.outlet_count as f64 * 0.5f64.powf(hours / 24.0)
}

/// The one ranking of top stories, for the home page, editions and
/// `/api/v1/stories`: by [`story_score`], then the newest; and no lead
/// outlet holds more than a quarter of the places while other stories wait.
pub async fn top_stories(state: &AppState, limit: usize) -> Result<Vec<store::StorySummary>, AppError> {
    let stories = state.store.recent_stories(500).await?;
    Ok(rank_stories(stories, state.clock.now(), limit))
}

/// [`top_stories`] on stories already read.
pub(crate) fn rank_stories(
    mut stories: Vec<store::StorySummary>,
    now: chrono::DateTime<chrono::Utc>,
    limit: usize,
) -> Vec<store::StorySummary> {
    let order = |a: &store::StorySummary, b: &store::StorySummary| {
        story_score(b, now)
            .total_cmp(&story_score(a, now))
            .then(b.latest.cmp(&a.latest))
            .then(b.story.article_count.cmp(&a.story.article_count))
            .then(a.story.id.cmp(&b.story.id))
    };
    stories.sort_by(order);
    let per_outlet = limit.div_ceil(4).max(1);
    let mut held: std::collections::HashMap<i64, usize> = std::collections::HashMap::new();
    let (mut top, mut waiting) = (Vec::with_capacity(limit), Vec::new());
    for s in stories {
        let n = held.entry(s.lead.source.id).or_default();
        if *n < per_outlet && top.len() < limit {
            *n += 1;
            top.push(s);
        } else {
            waiting.push(s);
        }
    }
    // Too few outlets to share the places: the rest fill them, in order.
    let missing = limit.saturating_sub(top.len());
    top.extend(waiting.into_iter().take(missing));
    top.sort_by(order);
    top
}

pub(crate) fn story_list(state: &AppState, stories: &[store::StorySummary]) -> Markup {
    html! {
        ol class="cards" {
            @for s in stories {
                @let v = ArticleView::new(&s.lead, &state.clock);
                li class="card" {
                    h3 { a href={ "/article/" (v.id) } { (v.title) } }
                    p class="meta" {
                        a href={ "/source/" (v.source.slug) } { (v.source.name) }
                        " · " time datetime=(v.published) { (v.relative_time) }
                        " · " a href={ "/story/" (s.story.id) } { (outlets(s.story.outlet_count)) }
                    }
                }
            }
        }
    }
}

pub(crate) fn outlets(n: i64) -> String {
    if n == 1 {
        t("story.outlet").into()
    } else {
        tf("story.outlets", &[("n", &n)])
    }
}

pub async fn home(State(state): State<AppState>, headers: HeaderMap) -> Result<Markup, AppError> {
    let stories = top_stories(&state, 8).await?;
    let latest = list(&state, ArticleFilter::All, None).await?;
    let trending = state.store.trending_tags(state.clock.now(), 16).await?;
    let trending: Vec<(String, String)> = trending.into_iter().map(|t| (t.name.to_string(), String::new())).collect();
    let top = state.store.top_tags(None, 24).await?;
    layout::set_suggestions(top.iter().map(|t| t.name.to_string()).collect());
    let top: Vec<(String, String)> = top.into_iter().map(|t| (t.name.to_string(), format!("({})", t.count))).collect();
    let edition = edition_cookie(&headers);
    let local = match &edition {
        Some(r) => {
            state
                .store
                .list_articles(&ArticleQuery { filter: ArticleFilter::Edition(r.clone()), after: None, limit: 6 })
                .await?
        }
        None => Vec::new(),
    };
    let regions = state.store.regions().await?;
    let intro = match &state.site.intro {
        Some(intro) => {
            let articles = state.store.counts().await?.articles;
            let biggest = stories
                .iter()
                .max_by_key(|s| s.story.outlet_count)
                .map(|s| (s.story.id, s.story.outlet_count as usize));
            Some(intro.render(articles, regions.len(), biggest))
        }
        None => None,
    };
    Ok(page(
        t("home.title"),
        Some(t("home.description")),
        &[],
        html! {
            h1 class="skip" { (t("home.heading")) }
            @if let Some(intro) = intro { (intro) }
            div class="grid" {
                div {
                    @if let Some(r) = &edition {
                        section aria-labelledby="local-h" {
                            h2 id="local-h" { (t("home.your_edition")) a href={ "/edition/" (r) } { (r) } }
                            (card_list_plain(&state, &local))
                        }
                    }
                    @if !stories.is_empty() {
                        section aria-labelledby="top-h" {
                            h2 id="top-h" { (t("home.top_stories")) }
                            (story_list(&state, &stories))
                        }
                    }
                    section aria-labelledby="latest-h" {
                        h2 id="latest-h" { (t("home.latest")) }
                        (card_list(&state, &latest, "/"))
                    }
                }
                aside aria-label=(t("home.topics")) {
                    (tag_chips(t("home.trending"), "trending-h", &trending))
                    (tag_chips(t("home.most_active"), "tags-h", &top))
                    @if !regions.is_empty() { (edition_picker(&regions, edition.as_deref())) }
                }
            }
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone, Utc};

    fn now() -> chrono::DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 6, 28, 12, 0, 0).unwrap()
    }

    /// A story of `outlets` outlets led by an article of source `outlet`,
    /// its newest report `hours` old.
    fn story(id: i64, outlet: i64, outlets: i64, hours: i64) -> store::StorySummary {
        let feed = model::FeedUrl::parse("https://s.example/feed").unwrap();
        let source = model::Source::new(outlet, &format!("s{outlet}"), &format!("Outlet {outlet}"), feed);
        let latest = now() - Duration::hours(hours);
        let lead = Article {
            id,
            source,
            url: format!("https://s.example/{id}"),
            guid: id.to_string(),
            title: format!("Story {id}"),
            author: None,
            published: latest,
            updated: None,
            lang: None,
            category: None,
            tags: vec![],
            text: String::new(),
            html: String::new(),
            excerpt: String::new(),
            image: None,
            image_stored: false,
            story_id: Some(id),
        };
        let story = model::Story { id, lead_article_id: id, article_count: outlets, outlet_count: outlets };
        store::StorySummary { story, lead, latest }
    }

    fn ids(stories: &[store::StorySummary]) -> Vec<i64> {
        stories.iter().map(|s| s.story.id).collect()
    }

    #[test]
    fn issue_16_a_fresh_single_outlet_story_never_outranks_the_same_days_multi_outlet_story() {
        let ranked = rank_stories(vec![story(1, 1, 1, 0), story(2, 2, 2, 23), story(3, 3, 5, 30)], now(), 8);
        assert_eq!(ids(&ranked), [3, 2, 1]);
    }

    #[test]
    fn issue_16_news_gives_way_to_newer_news_over_days() {
        let ranked = rank_stories(vec![story(1, 1, 3, 24 * 4), story(2, 2, 2, 2)], now(), 8);
        assert_eq!(ids(&ranked), [2, 1]);
    }

    #[test]
    fn issue_16_one_outlet_cannot_fill_the_top_stories() {
        // Ten fresh stories of one busy outlet, older ones from ten others.
        let mut stories: Vec<_> = (1..=10).map(|i| story(i, 1, 1, i)).collect();
        stories.extend((11..=20).map(|i| story(i, i, 1, 30)));
        let ranked = rank_stories(stories, now(), 8);
        assert_eq!(ranked.iter().filter(|s| s.lead.source.id == 1).count(), 2, "{:?}", ids(&ranked));
        assert_eq!(ranked.len(), 8);
        // With only two other outlets, the busy one fills the places left.
        let mut few: Vec<_> = (1..=10).map(|i| story(i, 1, 1, i)).collect();
        few.extend((11..=12).map(|i| story(i, i, 1, 30)));
        let ranked = rank_stories(few, now(), 8);
        assert_eq!(ranked.iter().filter(|s| s.lead.source.id == 1).count(), 6, "{:?}", ids(&ranked));
    }
}
