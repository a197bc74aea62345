//! The offline page of the installable app, and the not-found page.

use super::*;

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
