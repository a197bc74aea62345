//! Server-rendered pages. Reading needs no JavaScript.

pub mod layout;

use crate::error::AppError;
use crate::feeds::{self, FeedInfo, Format};
use crate::i18n::{relative, t, tf};
use crate::search::{self, SearchParams};
use crate::view::{decode_cursor, encode_cursor, ArticleView};
use crate::{AppState, PAGE_SIZE};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use layout::{page, Alternate};
use maud::{html, Markup};
use model::{Article, Category, TagName};
use serde::Deserialize;
use store::{ArticleFilter, ArticleQuery};

#[derive(Deserialize)]
pub struct PageParams {
    pub after: Option<String>,
}

fn card(v: &ArticleView) -> Markup {
    html! {
        li class="card" {
            @if let Some(img) = &v.image {
                img src=(img) alt="" loading="lazy" decoding="async";
            }
            h2 { a href={ "/article/" (v.id) } { (v.title) } }
            p class="meta" {
                a href={ "/source/" (v.source.slug) } { (v.source.name) }
                " · "
                time datetime=(v.published) { (v.relative_time) }
            }
            @if !v.categories.is_empty() {
                ul class="chips" aria-label=(t("article.categories")) {
                    @for c in &v.categories {
                        li { a href={ "/category/" (c.to_lowercase()) } { (c) } }
                    }
                }
            }
            p class="excerpt" { (v.excerpt) }
        }
    }
}

fn card_list(state: &AppState, articles: &[Article], base: &str) -> Markup {
    let next = (articles.len() == PAGE_SIZE).then(|| articles.last().map(encode_cursor)).flatten();
    html! {
        @if articles.is_empty() {
            p { (t("list.empty")) }
        } @else {
            ol class="cards" {
                @for a in articles { (card(&ArticleView::new(a, &state.clock))) }
            }
        }
        @if let Some(c) = next {
            nav class="pager" aria-label=(t("nav.pages")) { a rel="next" href={ (base) "?after=" (c) } { (t("nav.older")) } }
        }
    }
}

async fn list(state: &AppState, filter: ArticleFilter, after: Option<&str>) -> Result<Vec<Article>, AppError> {
    let after = match after {
        Some(c) => Some(decode_cursor(c).ok_or_else(|| AppError::BadRequest(t("error.bad_cursor").into()))?),
        None => None,
    };
    Ok(state.store.list_articles(&ArticleQuery { filter, after, limit: PAGE_SIZE }).await?)
}

/// How the home page ranks a story: outlets covering it, decayed by the age
/// of its newest report (as Hacker News decays points by age).
fn story_score(s: &store::StorySummary, now: chrono::DateTime<chrono::Utc>) -> f64 {
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

fn story_list(state: &AppState, stories: &[store::StorySummary]) -> Markup {
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

fn outlets(n: i64) -> String {
    if n == 1 {
        t("story.outlet").into()
    } else {
        tf("story.outlets", &[("n", &n)])
    }
}

fn tag_chips(label: &str, id: &str, tags: &[(String, String)]) -> Markup {
    html! {
        @if !tags.is_empty() {
            section aria-labelledby=(id) {
                h2 id=(id) { (label) }
                ul class="tags-cloud chips" {
                    @for (name, note) in tags {
                        li { a href={ "/tag/" (name) } { "#" (name) } @if !note.is_empty() { " " span class="meta" { (note) } } }
                    }
                }
            }
        }
    }
}

/// The edition the reader picked, from its cookie.
pub fn edition_cookie(headers: &HeaderMap) -> Option<String> {
    crate::http::cookie(headers, "edition").map(|v| v.to_uppercase()).filter(|v| valid_region(v))
}

fn valid_region(r: &str) -> bool {
    (2..=3).contains(&r.len()) && r.chars().all(|c| c.is_ascii_alphabetic())
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

fn edition_picker(regions: &[store::Region], current: Option<&str>) -> Markup {
    html! {
        section aria-labelledby="edition-h" {
            h2 id="edition-h" { (t("edition.heading")) }
            form action="/edition" method="get" {
                label for="edition-pick" { (t("edition.pick_label")) }
                select id="edition-pick" name="region" {
                    option value="" { (t("edition.global")) }
                    @for r in regions {
                        option value=(r.code) selected[current == Some(r.code.as_str())] { (r.code) }
                    }
                }
                " " button type="submit" { (t("edition.choose")) }
            }
        }
    }
}

fn card_list_plain(state: &AppState, articles: &[Article]) -> Markup {
    html! {
        @if articles.is_empty() { p { (t("list.empty")) } } @else {
            ol class="cards" { @for a in articles { (card(&ArticleView::new(a, &state.clock))) } }
        }
    }
}

#[derive(Deserialize)]
pub struct TagForm {
    pub name: Option<String>,
}

/// The header's "#" form, a plain GET: an existing topic opens directly;
/// otherwise the topics starting with what was typed are suggested.
pub async fn tag_form(State(state): State<AppState>, Query(f): Query<TagForm>) -> Result<Response, AppError> {
    let typed = f.name.unwrap_or_default();
    let Ok(name) = TagName::parse(&typed) else { return Ok(Redirect::to("/").into_response()) };
    if let Some(tag) = state.store.tag(&name).await?.filter(|t| t.count > 0) {
        return Ok(Redirect::to(&format!("/tag/{}", tag.name)).into_response());
    }
    let found = state.store.search_tags(&name.key(), 30).await?;
    Ok(page(
        t("topics.title"),
        None,
        &[],
        html! {
            h1 { (tf("topics.starting", &[("name", &name)])) }
            @if found.is_empty() {
                p { (tf("topics.none", &[("name", &name)])) a href={ "/search?q=" (url_escape(&typed)) } { (t("topics.search_instead")) } "." }
            } @else {
                ul class="tags-cloud chips" {
                    @for t in &found { li { a href={ "/tag/" (t.name) } { "#" (t.name) } " " span class="meta" { "(" (t.count) ")" } } }
                }
            }
        },
    )
    .into_response())
}

fn url_escape(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.trim_start_matches('#').as_bytes()).collect()
}

/// A list page: what it shows and where it lives.
pub enum ListKind {
    /// A topic.
    Tag(store::TagCount),
    /// A category.
    Category(Category),
    /// A source.
    Source(Box<model::Source>),
    /// An edition.
    Edition(String),
}

impl ListKind {
    fn path(&self) -> String {
        match self {
            ListKind::Tag(t) => format!("/tag/{}", t.name),
            ListKind::Category(c) => format!("/category/{}", c.slug()),
            ListKind::Source(s) => format!("/source/{}", s.slug),
            ListKind::Edition(r) => format!("/edition/{r}"),
        }
    }

    fn title(&self) -> String {
        match self {
            ListKind::Tag(tag) => tf("list.tag_title", &[("name", &tag.name)]),
            ListKind::Category(c) => c.label().to_string(),
            ListKind::Source(s) => s.name.clone(),
            ListKind::Edition(r) => tf("list.edition_title", &[("name", r)]),
        }
    }

    fn filter(&self) -> ArticleFilter {
        match self {
            ListKind::Tag(t) => ArticleFilter::Tag(t.name.clone()),
            ListKind::Category(c) => ArticleFilter::Category(*c),
            ListKind::Source(s) => ArticleFilter::Source(s.id),
            ListKind::Edition(r) => ArticleFilter::Edition(r.clone()),
        }
    }

    fn alternates(&self) -> Vec<Alternate> {
        let path = self.path();
        let title = self.title();
        Format::ALL
            .iter()
            .map(|f| Alternate {
                href: format!("{path}/{}", f.segment()),
                mime: f.mime(),
                title: format!("{title} ({})", f.label()),
            })
            .collect()
    }
}

async fn resolve_tag(state: &AppState, name: &str) -> Result<ListKind, AppError> {
    let parsed = TagName::parse(name).map_err(|_| AppError::NotFound(format!("the topic #{name}")))?;
    let tag =
        state.store.tag(&parsed).await?.ok_or_else(|| AppError::NotFound(format!("any article tagged #{parsed}")))?;
    Ok(ListKind::Tag(tag))
}

fn resolve_category(slug: &str) -> Result<ListKind, AppError> {
    Category::parse(slug).map(ListKind::Category).map_err(|_| AppError::NotFound(format!("the category {slug}")))
}

async fn resolve_source(state: &AppState, slug: &str) -> Result<ListKind, AppError> {
    let src =
        state.store.source_by_slug(slug).await?.ok_or_else(|| AppError::NotFound(format!("the source {slug}")))?;
    Ok(ListKind::Source(Box::new(src)))
}

fn resolve_edition(region: &str) -> Result<ListKind, AppError> {
    let r = region.to_uppercase();
    if !valid_region(&r) {
        return Err(AppError::NotFound(format!("the edition {region}")));
    }
    Ok(ListKind::Edition(r))
}

fn feed_links(kind: &ListKind) -> Markup {
    let path = kind.path();
    html! {
        p class="feeds meta" {
            (t("list.follow"))
            @for (i, f) in Format::ALL.iter().enumerate() {
                @if i > 0 { " · " }
                a href={ (path) "/" (f.segment()) } type=(f.mime()) { (f.label()) }
            }
        }
    }
}

/// A list page: `intro` goes under the heading, `outro` after the list.
async fn list_page(
    state: &AppState,
    kind: ListKind,
    after: Option<&str>,
    intro: Markup,
    outro: Markup,
) -> Result<Markup, AppError> {
    let articles = list(state, kind.filter(), after).await?;
    let heading = kind.title();
    let description = match &kind {
        ListKind::Tag(tag) => tf("list.tag_description", &[("name", &tag.name)]),
        _ => tf("list.description", &[("name", &heading)]),
    };
    Ok(page(
        &heading,
        Some(&description),
        &kind.alternates(),
        html! {
            h1 { (heading) }
            (intro)
            (card_list(state, &articles, &kind.path()))
            (feed_links(&kind))
            (outro)
        },
    ))
}

async fn list_feed(state: &AppState, headers: &HeaderMap, kind: ListKind, segment: &str) -> Result<Response, AppError> {
    let format = Format::from_segment(segment).ok_or_else(|| AppError::NotFound("that page".into()))?;
    let articles =
        state.store.list_articles(&ArticleQuery { filter: kind.filter(), after: None, limit: FEED_SIZE }).await?;
    let views: Vec<ArticleView> = articles.iter().map(|a| ArticleView::new(a, &state.clock)).collect();
    let base = state.base_url(headers);
    let page_url = format!("{base}{}", kind.path());
    let feed_url = format!("{page_url}/{}", format.segment());
    Ok(feeds::render(
        format,
        &FeedInfo { title: &kind.title(), page_url: &page_url, feed_url: &feed_url, base: &base },
        &views,
    ))
}

/// Items in a feed out.
const FEED_SIZE: usize = 50;

pub async fn tag(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(p): Query<PageParams>,
) -> Result<Response, AppError> {
    let kind = resolve_tag(&state, &name).await?;
    let ListKind::Tag(tag) = &kind else { unreachable!("resolve_tag returns a tag") };
    // An alias has no page of its own: it redirects to its tag's. (Other
    // letter cases are the same tag, served where asked.)
    if TagName::parse(&name).is_ok_and(|n| n.key() != tag.name.key()) {
        return Ok(Redirect::permanent(&format!("/tag/{}", tag.name)).into_response());
    }
    let related = state.related_tags(&tag.name).await?;
    let related: Vec<(String, String)> = related.iter().map(|r| (r.name.to_string(), String::new())).collect();
    let extra = tag_chips(t("list.related"), "related-h", &related);
    Ok(list_page(&state, kind, p.after.as_deref(), extra, html! {}).await?.into_response())
}

pub async fn tag_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((name, feed)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let kind = resolve_tag(&state, &name).await?;
    list_feed(&state, &headers, kind, &feed).await
}

pub async fn category(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(p): Query<PageParams>,
) -> Result<Markup, AppError> {
    list_page(&state, resolve_category(&slug)?, p.after.as_deref(), html! {}, html! {}).await
}

pub async fn category_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, feed)): Path<(String, String)>,
) -> Result<Response, AppError> {
    list_feed(&state, &headers, resolve_category(&slug)?, &feed).await
}

pub async fn source(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(p): Query<PageParams>,
) -> Result<Markup, AppError> {
    let kind = resolve_source(&state, &slug).await?;
    let ListKind::Source(src) = &kind else { unreachable!("resolve_source returns a source") };
    let extra = html! {
        p class="meta" {
            @if let Some(home) = &src.home_url { a href=(home) rel="noopener" { (home) } " · " }
            (t("source.feed")) a href=(src.feed_url) { (src.feed_url) }
            @if let Some(r) = &src.region { (t("source.edition")) a href={ "/edition/" (r.to_uppercase()) } { (r.to_uppercase()) } }
        }
        @match src.status {
            model::SourceStatus::Failing => p class="status-failing" { (t("source.failing")) (src.last_error.as_deref().unwrap_or(t("source.unknown_error"))) },
            model::SourceStatus::New => p class="meta" { (t("source.new")) },
            model::SourceStatus::Ok => p class="meta" { (t("source.ok")) @if let Some(when) = src.last_fetched { (tf("source.checked", &[("when", &relative(when, state.clock.now()))])) } "." },
        }
        @if let Some(note) = &src.last_note { p class="meta" { (t("source.note")) (note) } }
    };
    list_page(&state, kind, p.after.as_deref(), extra, html! {}).await
}

pub async fn source_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, feed)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let kind = resolve_source(&state, &slug).await?;
    list_feed(&state, &headers, kind, &feed).await
}

#[derive(Deserialize)]
pub struct EditionForm {
    pub region: Option<String>,
}

/// The edition picker: remembers the choice in a cookie (no account), then
/// shows the edition. An empty choice forgets it.
pub async fn edition_pick(Query(f): Query<EditionForm>) -> Response {
    let region = f.region.unwrap_or_default().trim().to_uppercase();
    if region.is_empty() {
        let cookie = "edition=; Path=/; Max-Age=0; SameSite=Lax";
        return ([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response();
    }
    if !valid_region(&region) {
        return Redirect::to("/").into_response();
    }
    let cookie = format!("edition={region}; Path=/; Max-Age=31536000; SameSite=Lax");
    ([(header::SET_COOKIE, cookie)], Redirect::to(&format!("/edition/{region}"))).into_response()
}

pub async fn edition(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(region): Path<String>,
    Query(p): Query<PageParams>,
) -> Result<Markup, AppError> {
    let kind = resolve_edition(&region)?;
    let ListKind::Edition(r) = &kind else { unreachable!("resolve_edition returns an edition") };
    let chosen = edition_cookie(&headers).as_deref() == Some(r.as_str());
    let stories = if p.after.is_none() { top_stories(&state, 6).await? } else { Vec::new() };
    let extra = html! {
        @if chosen {
            p class="meta" { (t("edition.yours")) a href="/edition?region=" { (t("edition.switch_global")) } }
        } @else {
            form action="/edition" method="get" class="inline" {
                input type="hidden" name="region" value=(r);
                button type="submit" { (tf("edition.make_mine", &[("name", r)])) }
            }
        }
        h2 { (t("edition.local")) }
    };
    // Global stories follow the local list.
    let global = html! {
        @if !stories.is_empty() {
            section aria-labelledby="global-h" { h2 id="global-h" { (t("edition.worldwide")) } (story_list(&state, &stories)) }
        }
    };
    list_page(&state, kind, p.after.as_deref(), extra, global).await
}

pub async fn edition_feed(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((region, feed)): Path<(String, String)>,
) -> Result<Response, AppError> {
    list_feed(&state, &headers, resolve_edition(&region)?, &feed).await
}

pub async fn story(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound(format!("story {id}")))?;
    let Some(story) = state.store.story(id).await? else {
        // A story merged into another keeps its address: it redirects.
        return match state.store.merged_story(id).await? {
            Some(into) => Ok(Redirect::permanent(&format!("/story/{into}")).into_response()),
            None => Err(AppError::NotFound(format!("story {id}"))),
        };
    };
    let articles =
        state.store.list_articles(&ArticleQuery { filter: ArticleFilter::Story(id), after: None, limit: 100 }).await?;
    let lead = articles.iter().find(|a| a.id == story.lead_article_id).or(articles.last());
    let title = lead.map_or_else(|| tf("story.title", &[("n", &id)]), |a| a.title.clone());
    Ok(page(
        &title,
        None,
        &[],
        html! {
            h1 { (title) }
            p class="meta" { (t("story.coverage")) (outlets(story.outlet_count)) ", " (tf("story.reports", &[("n", &story.article_count)])) }
            (card_list_plain(&state, &articles))
        },
    ).into_response())
}

const SEARCH_PAGE: usize = 20;

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

pub async fn article(State(state): State<AppState>, Path(id): Path<String>) -> Result<Markup, AppError> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound(format!("article {id}")))?;
    let a = state.store.article(id).await?.ok_or_else(|| AppError::NotFound(format!("article {id}")))?;
    let v = ArticleView::new(&a, &state.clock);
    let others = match a.story_id {
        Some(sid) => state
            .store
            .list_articles(&ArticleQuery { filter: ArticleFilter::Story(sid), after: None, limit: 10 })
            .await?
            .into_iter()
            .filter(|o| o.id != a.id)
            .collect(),
        None => Vec::new(),
    };
    Ok(page(
        &v.title,
        Some(&v.excerpt),
        &[],
        html! {
            article {
                h1 { (v.title) }
                p class="meta" {
                    a href={ "/source/" (v.source.slug) } { (v.source.name) }
                    @if let Some(author) = &v.author { " · " (author) }
                    " · "
                    time datetime=(v.published) title=(v.published) { (v.relative_time) }
                }
                @if !v.categories.is_empty() || !v.tags.is_empty() {
                    ul class="chips" aria-label=(t("article.topics")) {
                        @for c in &v.categories { li { a href={ "/category/" (c.to_lowercase()) } { (c) } } }
                        @for t in &v.tags { li { a href={ "/tag/" (t.name) } { "#" (t.name) } } }
                    }
                }
                @if let Some(img) = &v.image { img src=(img) alt="" loading="lazy"; }
                div class="article-body" {
                    @for para in v.text.split("\n\n") { p { (para) } }
                }
                @if let Some(url) = &v.url {
                    p { a href=(url) rel="noopener" { (tf("article.read_original", &[("name", &v.source.name)])) } }
                }
                p {
                    button type="button" data-save={ "/article/" (v.id) } aria-pressed="false" hidden { (t("article.save")) }
                    " " span id="save-status" role="status" {}
                }
                @if !others.is_empty() {
                    section aria-labelledby="also-h" {
                        h2 id="also-h" { (t("article.also")) }
                        @if let Some(sid) = a.story_id { p class="meta" { a href={ "/story/" (sid) } { (t("article.full_coverage")) } } }
                        ul {
                            @for o in &others {
                                li { a href={ "/article/" (o.id) } { (o.title) } " — " (o.source.name) }
                            }
                        }
                    }
                }
            }
        },
    ))
}

/// Shown by the service worker when the reader is offline and the page
/// asked for is not saved; lists what can be read offline.
pub async fn offline() -> Markup {
    page(
        t("offline.title"),
        None,
        &[],
        html! {
            h1 { (t("offline.heading")) }
            p { (t("offline.saved")) }
            ul id="saved-list" {}
            p { a href="/" { (t("offline.retry")) } }
        },
    )
}

pub async fn not_found() -> AppError {
    AppError::NotFound("that page".into())
}
