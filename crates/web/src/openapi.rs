//! The OpenAPI 3.1 document of API v1. Objects are closed
//! (`additionalProperties: false`) so that the test that validates real
//! responses against it fails when either side drifts.

use serde_json::{json, Value};

fn nullable(t: &str) -> Value {
    json!({ "type": [t, "null"] })
}

fn obj(props: Value, required: &[&str]) -> Value {
    json!({ "type": "object", "properties": props, "required": required, "additionalProperties": false })
}

fn r(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn array(items: Value) -> Value {
    json!({ "type": "array", "items": items })
}

fn param(name: &str, inn: &str, schema: Value, description: &str) -> Value {
    json!({ "name": name, "in": inn, "required": inn == "path", "schema": schema, "description": description })
}

fn op(summary: &str, params: Vec<Value>, schema: &str) -> Value {
    json!({ "get": {
        "summary": summary,
        "parameters": params,
        "responses": {
            "200": { "description": "OK", "content": { "application/json": { "schema": r(schema) } } },
            "400": { "description": "Bad request", "content": { "application/json": { "schema": r("Error") } } },
            "404": { "description": "Not found", "content": { "application/json": { "schema": r("Error") } } }
        }
    }})
}

fn schemas() -> Value {
    let tag_kind = json!({ "type": "string", "enum": ["entity", "key_phrase", "relationship", "feed", "rule"] });
    json!({
        "Error": obj(json!({ "error": { "type": "string" } }), &["error"]),
        "SourceRef": obj(json!({ "name": { "type": "string" }, "slug": { "type": "string" }, "url": nullable("string") }), &["name", "slug", "url"]),
        "TagRef": obj(json!({ "name": { "type": "string" }, "kind": tag_kind }), &["name", "kind"]),
        "Article": obj(json!({
            "id": { "type": "integer" },
            "title": { "type": "string" },
            "url": { "type": ["string", "null"], "format": "uri" },
            "source": r("SourceRef"),
            "published": { "type": "string", "format": "date-time" },
            "relative_time": { "type": "string", "description": "As cards show it: \"11 hours ago\", \"6 days ago\", then 18-06-2025." },
            "categories": array(json!({ "type": "string" })),
            "tags": array(r("TagRef")),
            "story": { "type": ["integer", "null"], "description": "The story id." },
            "excerpt": { "type": "string" },
            "text": { "type": "string", "description": "Clean text; paragraphs separated by blank lines." },
            "image": nullable("string"),
            "author": nullable("string"),
            "lang": nullable("string"),
        }), &["id", "title", "url", "source", "published", "relative_time", "categories", "tags", "story", "excerpt", "text", "image", "author", "lang"]),
        "ArticlePage": obj(json!({
            "articles": array(r("Article")),
            "next_cursor": { "type": ["string", "null"], "description": "Pass as `after` for the next page; null on the last." },
        }), &["articles", "next_cursor"]),
        "TagCount": obj(json!({ "name": { "type": "string" }, "kind": tag_kind, "count": { "type": "integer" } }), &["name", "kind", "count"]),
        "TagArticlePage": obj(json!({
            "tag": r("TagCount"),
            "articles": array(r("Article")),
            "next_cursor": nullable("string"),
        }), &["tag", "articles", "next_cursor"]),
        "TagList": obj(json!({ "tags": array(r("TagCount")) }), &["tags"]),
        "TagDetail": obj(json!({
            "name": { "type": "string" }, "kind": tag_kind, "count": { "type": "integer" },
            "related": array(r("TagCount")),
        }), &["name", "kind", "count", "related"]),
        "TrendingTag": obj(json!({
            "name": { "type": "string" }, "kind": tag_kind,
            "recent": { "type": "integer", "description": "Articles in the last 24 hours." },
            "baseline": { "type": "number", "description": "Articles per day in the week before." },
        }), &["name", "kind", "recent", "baseline"]),
        "TrendingList": obj(json!({ "tags": array(r("TrendingTag")) }), &["tags"]),
        "StorySummary": obj(json!({
            "id": { "type": "integer" }, "article_count": { "type": "integer" }, "outlet_count": { "type": "integer" },
            "lead": r("Article"),
        }), &["id", "article_count", "outlet_count", "lead"]),
        "StoryList": obj(json!({ "stories": array(r("StorySummary")) }), &["stories"]),
        "Story": obj(json!({
            "id": { "type": "integer" }, "lead_article_id": { "type": "integer" },
            "article_count": { "type": "integer" }, "outlet_count": { "type": "integer" },
            "articles": array(r("Article")),
        }), &["id", "lead_article_id", "article_count", "outlet_count", "articles"]),
        "SnippetPiece": obj(json!({ "text": { "type": "string" }, "match": { "type": "boolean" } }), &["text", "match"]),
        "SearchHit": obj(json!({ "score": { "type": "number" }, "snippet": array(r("SnippetPiece")), "article": r("Article") }), &["score", "snippet", "article"]),
        "SearchResults": obj(json!({
            "total": { "type": "integer" }, "page": { "type": "integer" }, "next_page": { "type": ["integer", "null"] },
            "results": array(r("SearchHit")),
        }), &["total", "page", "next_page", "results"]),
        "Source": obj(json!({
            "slug": { "type": "string" }, "name": { "type": "string" }, "home_url": nullable("string"),
            "feed_url": { "type": "string" }, "region": nullable("string"), "lang": nullable("string"),
            "status": { "type": "string", "enum": ["new", "ok", "failing"] },
            "last_error": nullable("string"), "last_note": nullable("string"), "last_fetched": nullable("string"),
        }), &["slug", "name", "home_url", "feed_url", "region", "lang", "status", "last_error", "last_fetched"]),
        "SourceList": obj(json!({ "sources": array(r("Source")) }), &["sources"]),
    })
}

/// The document served at `/api/v1/openapi.json`.
pub fn document() -> Value {
    let s = |t: &str| json!({ "type": t });
    let after = param("after", "query", s("string"), "Cursor from the previous page's next_cursor.");
    let limit =
        param("limit", "query", json!({ "type": "integer", "minimum": 1, "maximum": 100 }), "Page size (default 20).");
    let search_params = vec![
        param("q", "query", s("string"), "Words; \"quoted words\" form a phrase."),
        param("tag", "query", s("string"), "Only this tag."),
        param("category", "query", s("string"), "Only this category slug."),
        param("source", "query", s("string"), "Only this source slug."),
        param("edition", "query", s("string"), "Only sources of this region code."),
        param("from", "query", json!({ "type": "string", "format": "date" }), "Published on or after."),
        param("to", "query", json!({ "type": "string", "format": "date" }), "Published on or before."),
        param("page", "query", s("integer"), "Result page, from 1."),
    ];
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Tagline API",
            "version": "1",
            "description": "Read-only access to Tagline's articles, topics, stories and sources. Lists are newest first and paged with keyset cursors that stay stable while articles arrive.",
        },
        "servers": [{ "url": "/" }],
        "paths": {
            "/api/v1/articles": op("Latest articles, optionally of one tag, category, source or edition.", vec![
                param("tag", "query", s("string"), "Tag name."),
                param("category", "query", s("string"), "Category slug."),
                param("source", "query", s("string"), "Source slug."),
                param("edition", "query", s("string"), "Region code."),
                after.clone(), limit.clone(),
            ], "ArticlePage"),
            "/api/v1/articles/{id}": op("One article.", vec![param("id", "path", s("integer"), "Article id.")], "Article"),
            "/api/v1/tags": op("The most used tags, or the tags starting with a prefix.", vec![
                param("prefix", "query", s("string"), "Start of a tag name."), limit.clone(),
            ], "TagList"),
            "/api/v1/tags/trending": op("Tags rising in the last 24 hours against the week before.", vec![limit.clone()], "TrendingList"),
            "/api/v1/tags/{name}": op("A tag with its related tags.", vec![param("name", "path", s("string"), "Tag name, any case.")], "TagDetail"),
            "/api/v1/tags/{name}/articles": op("Latest news with a tag.", vec![
                param("name", "path", s("string"), "Tag name, any case."), after, limit.clone(),
            ], "TagArticlePage"),
            "/api/v1/stories": op(
                "Top stories, the home page's ranking: distinct outlets, halved for every day since the newest report; no lead outlet holds more than a quarter of the places while others wait.",
                vec![limit],
                "StoryList",
            ),
            "/api/v1/stories/{id}": op("A story with every report of it.", vec![param("id", "path", s("integer"), "Story id.")], "Story"),
            "/api/v1/search": op("Full-text search, best matches first.", search_params, "SearchResults"),
            "/api/v1/sources": op("Every source with its health.", vec![], "SourceList"),
        },
        "components": { "schemas": schemas() },
    })
}
