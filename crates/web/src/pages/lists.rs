//! What tag, category, source and edition pages share: resolving the list, paging, and its feeds.

use super::*;

#[derive(Deserialize)]
pub struct PageParams {
    pub after: Option<String>,
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

pub(crate) async fn resolve_tag(state: &AppState, name: &str) -> Result<ListKind, AppError> {
    let parsed = TagName::parse(name).map_err(|_| AppError::NotFound(format!("the topic #{name}")))?;
    let tag =
        state.store.tag(&parsed).await?.ok_or_else(|| AppError::NotFound(format!("any article tagged #{parsed}")))?;
    Ok(ListKind::Tag(tag))
}

pub(crate) fn resolve_category(slug: &str) -> Result<ListKind, AppError> {
    Category::parse(slug).map(ListKind::Category).map_err(|_| AppError::NotFound(format!("the category {slug}")))
}

pub(crate) async fn resolve_source(state: &AppState, slug: &str) -> Result<ListKind, AppError> {
    let src =
        state.store.source_by_slug(slug).await?.ok_or_else(|| AppError::NotFound(format!("the source {slug}")))?;
    Ok(ListKind::Source(Box::new(src)))
}

pub(crate) fn feed_links(kind: &ListKind) -> Markup {
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
pub(crate) async fn list_page(
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

pub(crate) async fn list_feed(
    state: &AppState,
    headers: &HeaderMap,
    kind: ListKind,
    segment: &str,
) -> Result<Response, AppError> {
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
pub(crate) const FEED_SIZE: usize = 50;
