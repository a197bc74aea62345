//! The one error type of the web layer: it logs the cause and shows the
//! reader a plain page (or a JSON body under /api).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Nothing at this address.
    #[error("not found: {0}")]
    NotFound(String),
    /// The request itself is malformed (a bad cursor, an unknown category).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] store::StoreError),
    /// The request is not allowed (an expired or forged form).
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// Another internal part failed (the search index, a worker thread).
    #[error("internal error: {0}")]
    Internal(String),
}

impl AppError {
    fn status(&self) -> StatusCode {
        match self {
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Store(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn public_message(&self) -> String {
        match self {
            AppError::NotFound(what) => format!("We could not find {what}."),
            AppError::BadRequest(why) | AppError::Forbidden(why) => why.clone(),
            AppError::Store(_) | AppError::Internal(_) => {
                "Something went wrong on our side. Please try again shortly.".into()
            }
        }
    }

    /// The JSON form, for API routes.
    pub fn into_json(self) -> Response {
        self.log();
        let status = self.status();
        (status, axum::Json(serde_json::json!({ "error": self.public_message() }))).into_response()
    }

    fn log(&self) {
        match self {
            AppError::Store(e) => tracing::error!(error = %e, "request failed"),
            AppError::Internal(e) => tracing::error!(error = %e, "request failed"),
            other => tracing::debug!(error = %other, "request refused"),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        let status = self.status();
        let title = status.canonical_reason().unwrap_or("Error");
        let body = crate::pages::layout::page(
            title,
            None,
            &[],
            maud::html! {
                h1 { (title) }
                p { (self.public_message()) }
                p { a href="/" { (crate::i18n::t("error.back")) } }
            },
        );
        (status, body).into_response()
    }
}

/// An error that renders as JSON.
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl From<store::StoreError> for ApiError {
    fn from(e: store::StoreError) -> Self {
        ApiError(AppError::Store(e))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.into_json()
    }
}
