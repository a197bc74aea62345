//! An article page.

use super::*;

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
