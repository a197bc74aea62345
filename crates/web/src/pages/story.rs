//! A story page: every outlet's report of one story.

use super::*;

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
