//! The search page and its feeds.

use super::*;

pub(crate) const SEARCH_PAGE: usize = 20;

pub async fn search(State(state): State<AppState>, Query(params): Query<SearchParams>) -> Result<Markup, AppError> {
    let query = params.to_query(SEARCH_PAGE).map_err(AppError::BadRequest)?;
    let searched = !params.q.trim().is_empty() || params.has_filters();
    let results = if searched { search::run(&state, query).await? } else { search::Found::default() };
    let page_no = params.page.unwrap_or(1).max(1);
    let title = if params.q.trim().is_empty() {
        t("search.title").to_string()
    } else {
        tf("search.title_q", &[("q", &params.q.trim())])
    };
    let qs = params.query_string(1);
    let alternates: Vec<Alternate> = if searched {
        Format::ALL
            .iter()
            .map(|f| Alternate {
                href: format!("/search/{}?{qs}", f.segment()),
                mime: f.mime(),
                title: format!("{title} ({})", f.label()),
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(page(
        &title,
        None,
        &alternates,
        html! {
            h1 { (t("search.title")) }
            form action="/search" method="get" role="search" class="search-form" {
                label for="q" { (t("search.words")) }
                input id="q" type="search" name="q" value=(params.q);
                details open[params.has_filters()] {
                    summary { (t("search.filters")) }
                    label for="f-tag" { (t("search.topic")) } input id="f-tag" name="tag" value=(params.tag.as_deref().unwrap_or(""));
                    label for="f-cat" { (t("search.category")) }
                    select id="f-cat" name="category" {
                        option value="" { (t("search.any")) }
                        @for c in Category::ALL { option value=(c.slug()) selected[params.category.as_deref() == Some(c.slug())] { (c.label()) } }
                    }
                    label for="f-src" { (t("search.source")) } input id="f-src" name="source" value=(params.source.as_deref().unwrap_or(""));
                    label for="f-ed" { (t("search.edition")) } input id="f-ed" name="edition" value=(params.edition.as_deref().unwrap_or("")) size="3";
                    label for="f-from" { (t("search.from")) } input id="f-from" type="date" name="from" value=(params.from.as_deref().unwrap_or(""));
                    label for="f-to" { (t("search.to")) } input id="f-to" type="date" name="to" value=(params.to.as_deref().unwrap_or(""));
                }
                button type="submit" { (t("search.button")) }
            }
            @if searched {
                p class="meta" role="status" { (tf("search.results", &[("n", &results.total)])) }
                ol class="cards" {
                    @for (hit, a) in &results.hits {
                        @let v = ArticleView::new(a, &state.clock);
                        li class="card" {
                            h2 { a href={ "/article/" (v.id) } { (v.title) } }
                            p class="meta" { a href={ "/source/" (v.source.slug) } { (v.source.name) } " · " time datetime=(v.published) { (v.relative_time) } }
                            p class="excerpt" {
                                @for (text, marked) in &hit.snippet { @if *marked { mark { (text) } } @else { (text) } }
                            }
                        }
                    }
                }
                nav class="pager" aria-label=(t("nav.pages")) {
                    @if page_no > 1 { a rel="prev" href={ "/search?" (params.query_string(page_no - 1)) } { (t("nav.better_matches")) } " " }
                    @if results.total > page_no * SEARCH_PAGE { a rel="next" href={ "/search?" (params.query_string(page_no + 1)) } { (t("nav.more_results")) } }
                }
                p class="feeds meta" {
                    (t("list.follow_search"))
                    @for (i, f) in Format::ALL.iter().enumerate() {
                        @if i > 0 { " · " }
                        a href={ "/search/" (f.segment()) "?" (qs) } type=(f.mime()) { (f.label()) }
                    }
                }
            }
        },
    ))
}

/// A search as a feed: the newest matches rather than the best, as a
/// subscriber wants new articles.
pub async fn search_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(feed): Path<String>,
    Query(params): Query<SearchParams>,
) -> Result<Response, AppError> {
    let format = Format::from_segment(&feed).ok_or_else(|| AppError::NotFound("that page".into()))?;
    let mut query = params.to_query(FEED_SIZE).map_err(AppError::BadRequest)?;
    query.offset = 0;
    let mut articles: Vec<Article> = search::run(&state, query).await?.hits.into_iter().map(|(_, a)| a).collect();
    articles.sort_by(|a, b| b.published.cmp(&a.published).then(b.id.cmp(&a.id)));
    let views: Vec<ArticleView> = articles.iter().map(|a| ArticleView::new(a, &state.clock)).collect();
    let base = state.base_url(&headers);
    let qs = params.query_string(1);
    let page_url = format!("{base}/search?{qs}");
    let feed_url = format!("{base}/search/{}?{qs}", format.segment());
    let title = tf("search.title_q", &[("q", &params.q.trim())]);
    Ok(feeds::render(
        format,
        &FeedInfo { title: &title, page_url: &page_url, feed_url: &feed_url, base: &base },
        &views,
    ))
}
