//! The home page: top stories ranked by outlets and recency, then the latest.

use super::*;

/// How the home page ranks a story: outlets covering it, decayed by the age
/// of its newest report (as Hacker News decays points by age).
pub(crate) fn story_score(s: &store::StorySummary, now: chrono::DateTime<chrono::Utc>) -> f64 {
    let hours = (now - s.latest).num_minutes().max(0) as f64 / 60.0;
    let weight = s.story.outlet_count as f64 + 0.25 * (s.story.article_count - s.story.outlet_count) as f64;
    weight / (hours + 2.0).powf(1.2)
}

/// Top stories among recent articles, best first.
pub async fn top_stories(state: &AppState, limit: usize) -> Result<Vec<store::StorySummary>, AppError> {
    let now = state.clock.now();
    let mut stories = state.store.recent_stories(500).await?;
    stories.sort_by(|a, b| story_score(b, now).total_cmp(&story_score(a, now)).then(b.latest.cmp(&a.latest)));
    stories.truncate(limit);
    Ok(stories)
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
