//! The operator's pages under `/admin`: sources with their health, adding,
//! removing and OPML import, and tag rules.
//!
//! Off unless an argon2 password hash is configured. A login sets a signed,
//! expiring session cookie (HMAC-SHA256 keyed from the configured hash, so
//! every web node sharing the configuration accepts it and changing the
//! password ends every session). Each form carries a CSRF token bound to
//! the session; failed logins are limited per client address.
//!
//! These are the only routes that write, and they write through the `Store`
//! trait or the binary's [`SourceAdmin`] (which owns fetching and the SSRF
//! guard): the public routes stay read-only.

use crate::error::AppError;
use crate::i18n::{t, tf};
use crate::pages::layout::page;
use crate::AppState;
use argon2::{Argon2, PasswordHash, PasswordVerifier};
use async_trait::async_trait;
use axum::extract::{ConnectInfo, Form, Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use hmac::{Hmac, Mac};
use maud::{html, Markup};
use model::{TagName, TagRule};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Adding sources needs the network (feed discovery) and the SSRF guard,
/// which the web crate does not own; the binary provides them.
#[async_trait]
pub trait SourceAdmin: Send + Sync {
    /// Adds a source from a feed or site URL, discovering the feed.
    /// Returns a line for the operator.
    async fn add(&self, url: &str, region: Option<String>) -> SourceAdminResult;
    /// Imports an OPML document. Returns a line for the operator.
    async fn import_opml(&self, opml: &str) -> SourceAdminResult;
}

/// Why the admin pages cannot be set up, or a password not hashed.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// The configured hash is not a PHC string.
    #[error("the admin password hash is not a PHC string: {0}")]
    NotPhc(#[source] argon2::password_hash::Error),
    /// The configured hash uses another algorithm.
    #[error("the admin password hash uses {0}, not argon2")]
    NotArgon2(String),
    /// Hashing failed.
    #[error("hashing the password failed: {0}")]
    Hash(#[source] argon2::password_hash::Error),
}

/// What an operator's source action returns: a line for the operator, or
/// why it failed (the binary's discovery and import errors, whatever they
/// are).
pub type SourceAdminResult = Result<String, Box<dyn std::error::Error + Send + Sync>>;

/// The admin configuration.
pub struct AdminConfig {
    /// The argon2 PHC string of the password.
    password_hash: String,
    key: [u8; 32],
    /// The store's operator side: the only writes the web crate can make.
    store: std::sync::Arc<dyn store::AdminStore>,
    /// Adds sources.
    pub sources: std::sync::Arc<dyn SourceAdmin>,
    /// Whether to mark the cookie `Secure` (the site is served over HTTPS).
    pub secure_cookie: bool,
    failures: Mutex<HashMap<IpAddr, (u32, Instant)>>,
}

/// Failed logins allowed per address per window.
const MAX_FAILURES: u32 = 5;
const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);
/// How long a session lasts.
const SESSION_SECS: i64 = 12 * 3600;
const COOKIE: &str = "tagline_admin";

impl AdminConfig {
    /// Checks that `password_hash` is an argon2 PHC string.
    pub fn new(
        password_hash: &str,
        store: std::sync::Arc<dyn store::AdminStore>,
        sources: std::sync::Arc<dyn SourceAdmin>,
        secure_cookie: bool,
    ) -> Result<Self, AdminError> {
        let parsed = PasswordHash::new(password_hash).map_err(AdminError::NotPhc)?;
        if !parsed.algorithm.as_str().starts_with("argon2") {
            return Err(AdminError::NotArgon2(parsed.algorithm.to_string()));
        }
        let key: [u8; 32] = Sha256::digest(format!("tagline-admin-session\0{password_hash}").as_bytes()).into();
        Ok(Self {
            password_hash: password_hash.to_string(),
            key,
            store,
            sources,
            secure_cookie,
            failures: Mutex::new(HashMap::new()),
        })
    }

    fn mac(&self, msg: &str) -> String {
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(&self.key).expect("HMAC takes any key length");
        m.update(msg.as_bytes());
        m.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
    }

    fn verify_mac(&self, msg: &str, hex: &str) -> bool {
        let Some(bytes) = decode_hex(hex) else { return false };
        let mut m = <Hmac<Sha256> as Mac>::new_from_slice(&self.key).expect("HMAC takes any key length");
        m.update(msg.as_bytes());
        m.verify_slice(&bytes).is_ok()
    }

    fn session_cookie(&self, now: i64) -> String {
        let expires = now + SESSION_SECS;
        let value = format!("{expires}.{}", self.mac(&format!("session:{expires}")));
        let secure = if self.secure_cookie { "; Secure" } else { "" };
        format!("{COOKIE}={value}; Path=/admin; Max-Age={SESSION_SECS}; HttpOnly; SameSite=Strict{secure}")
    }

    /// The session's expiry, if the cookie is valid and unexpired.
    fn session(&self, headers: &HeaderMap, now: i64) -> Option<i64> {
        let value = crate::http::cookie(headers, COOKIE)?;
        let (expires, mac) = value.split_once('.')?;
        let expires: i64 = expires.parse().ok()?;
        (expires > now && self.verify_mac(&format!("session:{expires}"), mac)).then_some(expires)
    }

    fn csrf(&self, session: i64) -> String {
        self.mac(&format!("csrf:{session}"))
    }

    fn throttled(&self, ip: IpAddr) -> bool {
        let mut f = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        f.retain(|_, (_, since)| since.elapsed() < FAILURE_WINDOW);
        f.get(&ip).is_some_and(|(n, _)| *n >= MAX_FAILURES)
    }

    fn record_failure(&self, ip: IpAddr) {
        let mut f = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let e = f.entry(ip).or_insert((0, Instant::now()));
        e.0 += 1;
    }
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

/// The client's address, when the server was started with connect info
/// (`tagline serve` is); otherwise all clients share one bucket.
pub struct ClientIp(IpAddr);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ip = parts.extensions.get::<ConnectInfo<SocketAddr>>().map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
        Ok(ClientIp(ip))
    }
}

fn no_store(resp: impl IntoResponse) -> Response {
    let mut r = resp.into_response();
    r.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    r
}

fn admin(state: &AppState) -> Result<&AdminConfig, AppError> {
    state.site.admin.as_deref().ok_or_else(|| AppError::NotFound(t("admin.off").into()))
}

/// The signed-in session's expiry, if any.
fn signed_in(state: &AppState, headers: &HeaderMap) -> Result<Option<i64>, AppError> {
    Ok(admin(state)?.session(headers, session_now()))
}

fn to_login() -> Response {
    no_store(Redirect::to("/admin/login"))
}

/// Sessions expire by wall-clock time even when pages use a fixed clock
/// (`--now`), so they are never read from `AppState::clock`.
fn session_now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn login_page(message: Option<&str>) -> Markup {
    page(
        t("admin.sign_in_title"),
        None,
        &[],
        html! {
            h1 { (t("admin.sign_in_heading")) }
            @if let Some(m) = message { p class="status-failing" role="alert" { (m) } }
            form method="post" action="/admin/login" {
                label for="password" { (t("admin.password")) }
                " " input id="password" type="password" name="password" autocomplete="current-password" required;
                " " button type="submit" { (t("admin.sign_in")) }
            }
        },
    )
}

pub async fn login_form(State(state): State<AppState>) -> Result<Response, AppError> {
    admin(&state)?;
    Ok(no_store(login_page(None)))
}

#[derive(Deserialize)]
pub struct LoginForm {
    password: String,
}

pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Form(f): Form<LoginForm>,
) -> Result<Response, AppError> {
    let cfg = admin(&state)?;
    if cfg.throttled(ip) {
        tracing::warn!(%ip, "admin login refused: too many failures");
        return Ok(no_store((StatusCode::TOO_MANY_REQUESTS, login_page(Some(t("admin.throttled"))))));
    }
    let hash = cfg.password_hash.clone();
    let password = f.password;
    let ok = tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
    })
    .await
    .unwrap_or(false);
    if !ok {
        cfg.record_failure(ip);
        tracing::warn!(%ip, "admin login failed");
        return Ok(no_store((StatusCode::UNAUTHORIZED, login_page(Some(t("admin.wrong_password"))))));
    }
    let cookie = cfg.session_cookie(session_now());
    Ok(no_store(([(header::SET_COOKIE, cookie)], Redirect::to("/admin"))))
}

#[derive(Deserialize)]
pub struct Csrf {
    csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<Csrf>,
) -> Result<Response, AppError> {
    if !authorized(&state, &headers, &f.csrf)? {
        return Ok(to_login());
    }
    let clear = format!("{COOKIE}=; Path=/admin; Max-Age=0; HttpOnly; SameSite=Strict");
    Ok(no_store(([(header::SET_COOKIE, clear)], Redirect::to("/"))))
}

/// Every form post's check: `false` when not signed in (the caller sends
/// the login page); an error when the form's CSRF token is not this
/// session's.
fn authorized(state: &AppState, headers: &HeaderMap, token: &str) -> Result<bool, AppError> {
    let Some(session) = signed_in(state, headers)? else { return Ok(false) };
    if admin(state)?.verify_mac(&format!("csrf:{session}"), token) {
        Ok(true)
    } else {
        Err(AppError::Forbidden(t("admin.form_expired").into()))
    }
}

#[derive(Deserialize, Default)]
pub struct Flash {
    msg: Option<String>,
}

pub async fn dashboard(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Query(flash): axum::extract::Query<Flash>,
) -> Result<Response, AppError> {
    let Some(session) = signed_in(&state, &headers)? else { return Ok(to_login()) };
    let csrf = admin(&state)?.csrf(session);
    let sources = state.store.sources().await?;
    let rules = state.store.tag_rules().await?;
    let source_name: HashMap<i64, String> = sources.iter().map(|s| (s.id, s.name.clone())).collect();
    let now = state.clock.now();
    let body = html! {
        h1 { (t("admin.title")) }
        @if let Some(m) = &flash.msg { p role="status" class="meta" { (m) } }
        section aria-labelledby="sources-h" {
            h2 id="sources-h" { (tf("admin.sources", &[("n", &sources.len())])) }
            table {
                thead { tr { th scope="col" { (t("admin.col_source")) } th scope="col" { (t("admin.col_status")) } th scope="col" { (t("admin.col_checked")) } th scope="col" { span class="skip" { (t("admin.col_actions")) } } } }
                tbody {
                    @for s in &sources {
                        tr {
                            td { a href={ "/source/" (s.slug) } { (s.name) } br; span class="meta" { (s.feed_url) } }
                            td {
                                @match s.status {
                                    model::SourceStatus::Failing => span class="status-failing" { (t("admin.failing")) (s.last_error.as_deref().unwrap_or("")) },
                                    model::SourceStatus::Ok => (t("admin.ok")),
                                    model::SourceStatus::New => (t("admin.new")),
                                }
                            }
                            td { @if let Some(t) = s.last_fetched { (crate::i18n::relative(t, now)) } @else { (t("admin.never")) } }
                            td {
                                form method="post" action={ "/admin/sources/" (s.id) "/remove" } {
                                    input type="hidden" name="csrf" value=(csrf);
                                    button type="submit" aria-label=(tf("admin.remove_source", &[("name", &s.name)])) { (t("admin.remove")) }
                                }
                            }
                        }
                    }
                }
            }
            h3 { (t("admin.add_source")) }
            form method="post" action="/admin/sources" {
                input type="hidden" name="csrf" value=(csrf);
                label for="src-url" { (t("admin.feed_or_site")) } " "
                input id="src-url" type="url" name="url" required size="40";
                " " label for="src-region" { (t("admin.region")) } " "
                input id="src-region" name="region" size="3" placeholder="MY";
                " " button type="submit" { (t("admin.add")) }
            }
            h3 { (t("admin.import_opml")) }
            form method="post" action="/admin/opml" {
                input type="hidden" name="csrf" value=(csrf);
                label for="opml" { (t("admin.paste_opml")) }
                br; textarea id="opml" name="opml" rows="6" cols="60" required {}
                br; button type="submit" { (t("admin.import")) }
            }
        }
        section aria-labelledby="rules-h" {
            h2 id="rules-h" { (t("admin.rules")) }
            @if rules.is_empty() { p { (t("admin.no_rules")) } } @else {
                table {
                    thead { tr { th scope="col" { (t("admin.col_tag")) } th scope="col" { (t("admin.col_keywords")) } th scope="col" { (t("admin.col_source")) } th scope="col" { span class="skip" { (t("admin.col_actions")) } } } }
                    tbody {
                        @for r in &rules {
                            tr {
                                td { a href={ "/tag/" (r.tag) } { "#" (r.tag) } }
                                td { (r.keywords.join(", ")) }
                                td { @if let Some(id) = r.source_id { (source_name.get(&id).cloned().unwrap_or_default()) } @else { (t("admin.any_source")) } }
                                td {
                                    form method="post" action={ "/admin/rules/" (r.id) "/remove" } {
                                        input type="hidden" name="csrf" value=(csrf);
                                        button type="submit" aria-label=(tf("admin.remove_rule", &[("name", &r.tag)])) { (t("admin.remove")) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h3 { (t("admin.add_rule")) }
            p class="meta" { (t("admin.rule_help")) }
            form method="post" action="/admin/rules" {
                input type="hidden" name="csrf" value=(csrf);
                label for="rule-tag" { (t("admin.rule_tag")) } " " input id="rule-tag" name="tag" required placeholder="CriticalMinerals";
                " " label for="rule-kw" { (t("admin.rule_keywords")) } " " input id="rule-kw" name="keywords" size="30";
                " " label for="rule-src" { (t("admin.col_source")) } " "
                select id="rule-src" name="source" {
                    option value="" { (t("admin.any")) }
                    @for s in &sources { option value=(s.id) { (s.name) } }
                }
                " " button type="submit" { (t("admin.add_rule_button")) }
            }
        }
        form method="post" action="/admin/logout" {
            input type="hidden" name="csrf" value=(csrf);
            button type="submit" { (t("admin.sign_out")) }
        }
    };
    Ok(no_store(page(t("admin.title"), None, &[], body)))
}

fn back(msg: &str) -> Response {
    let q: String = url::form_urlencoded::byte_serialize(msg.as_bytes()).collect();
    no_store(Redirect::to(&format!("/admin?msg={q}")))
}

#[derive(Deserialize)]
pub struct AddSource {
    csrf: String,
    url: String,
    region: Option<String>,
}

pub async fn add_source(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<AddSource>,
) -> Result<Response, AppError> {
    if !authorized(&state, &headers, &f.csrf)? {
        return Ok(to_login());
    }
    let region = f.region.map(|r| r.trim().to_uppercase()).filter(|r| !r.is_empty());
    let msg = match admin(&state)?.sources.add(f.url.trim(), region).await {
        Ok(m) => m,
        Err(e) => tf("admin.could_not_add", &[("url", &f.url.trim()), ("error", &format!("{e:#}"))]),
    };
    Ok(back(&msg))
}

#[derive(Deserialize)]
pub struct ImportOpml {
    csrf: String,
    opml: String,
}

pub async fn import_opml(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<ImportOpml>,
) -> Result<Response, AppError> {
    if !authorized(&state, &headers, &f.csrf)? {
        return Ok(to_login());
    }
    let msg = match admin(&state)?.sources.import_opml(&f.opml).await {
        Ok(m) => m,
        Err(e) => tf("admin.could_not_import", &[("error", &format!("{e:#}"))]),
    };
    Ok(back(&msg))
}

pub async fn remove_source(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<Csrf>,
) -> Result<Response, AppError> {
    if !authorized(&state, &headers, &f.csrf)? {
        return Ok(to_login());
    }
    let removed = admin(&state)?.store.remove_source(id).await?;
    Ok(back(if removed { t("admin.source_removed") } else { t("admin.source_gone") }))
}

#[derive(Deserialize)]
pub struct AddRule {
    csrf: String,
    tag: String,
    keywords: Option<String>,
    source: Option<String>,
}

pub async fn add_rule(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<AddRule>,
) -> Result<Response, AppError> {
    if !authorized(&state, &headers, &f.csrf)? {
        return Ok(to_login());
    }
    let Ok(tag) = TagName::parse(&f.tag) else {
        return Ok(back(&tf("admin.rule_bad_tag", &[("tag", &format!("{:?}", f.tag))])));
    };
    let keywords: Vec<String> = f
        .keywords
        .unwrap_or_default()
        .split([',', '\n'])
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .map(str::to_string)
        .collect();
    let source_id = f.source.as_deref().and_then(|s| s.parse::<i64>().ok());
    if keywords.is_empty() && source_id.is_none() {
        return Ok(back(t("admin.rule_needs")));
    }
    admin(&state)?.store.add_tag_rule(TagRule { id: 0, tag: tag.clone(), keywords, source_id }).await?;
    Ok(back(&tf("admin.rule_added", &[("tag", &tag)])))
}

pub async fn remove_rule(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<Csrf>,
) -> Result<Response, AppError> {
    if !authorized(&state, &headers, &f.csrf)? {
        return Ok(to_login());
    }
    admin(&state)?.store.remove_tag_rule(id).await?;
    Ok(back(t("admin.rule_removed")))
}

/// Hashes a password for the configuration (`tagline hash-password`):
/// argon2id with a random salt, as a PHC string.
pub fn hash_password(password: &str) -> Result<String, AdminError> {
    use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(AdminError::Hash)
}
