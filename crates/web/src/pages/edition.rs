//! Regional editions: the picker, its cookie, edition pages and feeds.

use super::*;

/// The edition the reader picked, from its cookie.
pub fn edition_cookie(headers: &HeaderMap) -> Option<String> {
    crate::http::cookie(headers, "edition").map(|v| v.to_uppercase()).filter(|v| valid_region(v))
}

pub(crate) fn valid_region(r: &str) -> bool {
    (2..=3).contains(&r.len()) && r.chars().all(|c| c.is_ascii_alphabetic())
}

pub(crate) fn edition_picker(regions: &[store::Region], current: Option<&str>) -> Markup {
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

pub(crate) fn resolve_edition(region: &str) -> Result<ListKind, AppError> {
    let r = region.to_uppercase();
    if !valid_region(&r) {
        return Err(AppError::NotFound(format!("the edition {region}")));
    }
    Ok(ListKind::Edition(r))
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
