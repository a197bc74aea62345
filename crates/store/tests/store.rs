//! The Store contract, checked against both backends: a real SQLite file
//! and a real PostgreSQL server (testkit starts one, or uses
//! TAGLINE_TEST_DATABASE_URL). Each contract test is a function over
//! `&dyn Store`; `both!` runs it on each backend.

use chrono::{DateTime, Duration, Utc};
use model::{Category, FeedUrl, NewArticle, NewSource, Tag, TagKind, TagName};
use store::prelude::*;
use store::{ArticleFilter, ArticleQuery, Cursor, FetchOutcome, SqliteStore, StoryAssignment};

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2025-06-28T12:00:00Z").unwrap().with_timezone(&Utc)
}

fn source(url: &str, name: &str) -> NewSource {
    NewSource {
        name: name.into(),
        home_url: None,
        feed_url: FeedUrl::parse(url).unwrap(),
        region: None,
        lang: None,
        fetch_pages: true,
        trusted_hosts: vec![],
    }
}

fn article(source_id: i64, n: i64, tags: &[&str]) -> NewArticle {
    NewArticle {
        source_id,
        url: format!("https://e.com/{n}"),
        guid: format!("g{n}"),
        title: format!("Title {n}"),
        author: None,
        published: t0() - Duration::hours(n),
        updated: None,
        lang: Some("en".into()),
        category: Some(Category::Business),
        tags: tags
            .iter()
            .map(|t| Tag { name: TagName::parse(t).unwrap(), kind: TagKind::Entity, score: 1.0 })
            .collect(),
        text: format!("Text {n}"),
        html: format!("<p>Text {n}</p>"),
        excerpt: format!("Text {n}"),
        image: None,
        image_data: None,
        fetched: t0(),
    }
}

fn open() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("tagline.db")).unwrap();
    (dir, store)
}

async fn adding_the_same_feed_twice_returns_the_existing_source(s: &dyn Store) {
    let (a, created) = s.add_source(source("https://e.com/feed", "The Star")).await.unwrap();
    assert!(created);
    assert_eq!(a.slug, "the-star");
    let (b, created) = s.add_source(source("https://e.com/feed", "Other")).await.unwrap();
    assert!(!created);
    assert_eq!(a.id, b.id);
    let (c, _) = s.add_source(source("https://f.com/feed", "The Star")).await.unwrap();
    assert_eq!(c.slug, "the-star-2");
}

async fn storing_an_article_twice_keeps_one_copy(s: &dyn Store) {
    let (src, _) = s.add_source(source("https://e.com/feed", "E")).await.unwrap();
    assert!(s.insert_article(article(src.id, 1, &["China"]), StoryAssignment::New).await.unwrap().is_some());
    assert!(s.insert_article(article(src.id, 1, &["China"]), StoryAssignment::New).await.unwrap().is_none());
    // Same URL under a new guid (a feed whose guids change) is also a duplicate.
    let mut again = article(src.id, 1, &[]);
    again.guid = "changed".into();
    assert!(s.insert_article(again, StoryAssignment::New).await.unwrap().is_none());
    assert_eq!(s.counts().await.unwrap().articles, 1);
    assert_eq!(s.known_entries(src.id, &["g1".into(), "g2".into()]).await.unwrap(), vec!["g1".to_string()]);
}

async fn tag_lists_match_case_insensitively_newest_first_with_stable_cursors(s: &dyn Store) {
    let (src, _) = s.add_source(source("https://e.com/feed", "E")).await.unwrap();
    for n in 1..=5 {
        s.insert_article(article(src.id, n, &["China-CentralAsia"]), StoryAssignment::New).await.unwrap();
    }
    let name = TagName::parse("china-centralasia").unwrap();
    let page1 = s
        .list_articles(&ArticleQuery { filter: ArticleFilter::Tag(name.clone()), after: None, limit: 2 })
        .await
        .unwrap();
    assert_eq!(page1.iter().map(|a| a.title.as_str()).collect::<Vec<_>>(), ["Title 1", "Title 2"]);
    assert_eq!(page1[0].tags[0].name.as_str(), "China-CentralAsia");
    // A newer article arriving between pages does not shift the next page.
    s.insert_article(article(src.id, 0, &["China-CentralAsia"]), StoryAssignment::New).await.unwrap();
    let last = page1.last().unwrap();
    let page2 = s
        .list_articles(&ArticleQuery {
            filter: ArticleFilter::Tag(name),
            after: Some(Cursor { published: last.published, id: last.id }),
            limit: 2,
        })
        .await
        .unwrap();
    assert_eq!(page2.iter().map(|a| a.title.as_str()).collect::<Vec<_>>(), ["Title 3", "Title 4"]);
}

async fn joining_a_story_counts_outlets(s: &dyn Store) {
    let (a, _) = s.add_source(source("https://a.com/feed", "A")).await.unwrap();
    let (b, _) = s.add_source(source("https://b.com/feed", "B")).await.unwrap();
    let first = s.insert_article(article(a.id, 1, &[]), StoryAssignment::New).await.unwrap().unwrap();
    let story_id = s.article(first).await.unwrap().unwrap().story_id.unwrap();
    s.insert_article(article(a.id, 2, &[]), StoryAssignment::Join(story_id)).await.unwrap();
    s.insert_article(article(b.id, 3, &[]), StoryAssignment::Join(story_id)).await.unwrap();
    let story = s.story(story_id).await.unwrap().unwrap();
    assert_eq!((story.article_count, story.outlet_count, story.lead_article_id), (3, 2, first));
}

async fn a_batch_is_stored_in_order_and_joins_stories_within_itself(s: &dyn Store) {
    let (a, _) = s.add_source(source("https://a.com/feed", "A")).await.unwrap();
    let known = s.insert_article(article(a.id, 9, &["China"]), StoryAssignment::New).await.unwrap().unwrap();
    let batch = vec![
        (article(a.id, 1, &["China"]), StoryAssignment::New),
        (article(a.id, 2, &["China"]), StoryAssignment::WithBatch(0)),
        // Already stored: not stored again, and whatever points at it
        // starts its own story.
        (article(a.id, 9, &["China"]), StoryAssignment::New),
        (article(a.id, 3, &[]), StoryAssignment::WithBatch(2)),
        // An index that does not point back is a new story, not an error.
        (article(a.id, 4, &[]), StoryAssignment::WithBatch(7)),
    ];
    let stored = s.insert_articles(batch).await.unwrap();
    assert!(stored[2].is_none());
    let [Some(first), Some(second), None, Some(third), Some(fourth)] = stored[..] else {
        panic!("unexpected result {stored:?}")
    };
    assert_eq!(first.story_id, second.story_id);
    let stories = [first.story_id, third.story_id, fourth.story_id];
    assert_eq!(stories.iter().collect::<std::collections::HashSet<_>>().len(), 3);
    let story = s.story(first.story_id.unwrap()).await.unwrap().unwrap();
    assert_eq!((story.article_count, story.lead_article_id), (2, first.id));
    assert_eq!(s.article(second.id).await.unwrap().unwrap().story_id, first.story_id);
    assert_ne!(known, first.id);
}

async fn story_candidates_are_found_by_entity_and_read_with_their_entities(s: &dyn Store) {
    let (a, _) = s.add_source(source("https://a.com/feed", "A")).await.unwrap();
    for n in 1..=3 {
        s.insert_article(article(a.id, n, &["China", "Kazakhstan"]), StoryAssignment::New).await.unwrap();
    }
    // Far outside the window.
    s.insert_article(article(a.id, 500, &["China"]), StoryAssignment::New).await.unwrap();
    let query = store::CandidateQuery {
        entity_keys: vec![TagName::parse("China").unwrap().key()],
        from: t0() - Duration::hours(72),
        to: t0() + Duration::hours(72),
    };
    let refs = s.story_candidate_refs(vec![query.clone(), query], 100, 0).await.unwrap();
    assert_eq!(refs.len(), 2);
    assert_eq!(refs[0].len(), 3);
    let ids: Vec<i64> = refs[0].iter().map(|r| r.id).collect();
    let read = s.story_candidates_by_ids(&ids).await.unwrap();
    assert_eq!(read.iter().map(|c| c.title.as_str()).collect::<Vec<_>>(), ["Title 1", "Title 2", "Title 3"]);
    assert_eq!(read[0].entities, ["China", "Kazakhstan"]);
    assert_eq!(read[0].story_id, refs[0][0].story_id);
}

async fn issue_5_merged_stories_become_one_led_by_the_earliest_article(s: &dyn Store) {
    let (a, _) = s.add_source(source("https://a.com/feed", "A")).await.unwrap();
    let (b, _) = s.add_source(source("https://b.com/feed", "B")).await.unwrap();
    // Article n is n hours old: 5 is the earliest.
    let first = s.insert_article(article(a.id, 1, &[]), StoryAssignment::New).await.unwrap().unwrap();
    let story_a = s.article(first).await.unwrap().unwrap().story_id.unwrap();
    s.insert_article(article(a.id, 2, &[]), StoryAssignment::Join(story_a)).await.unwrap();
    let earliest = s.insert_article(article(b.id, 5, &[]), StoryAssignment::New).await.unwrap().unwrap();
    let story_b = s.article(earliest).await.unwrap().unwrap().story_id.unwrap();
    assert_eq!(s.merge_stories(story_a, &[story_b, story_a]).await.unwrap(), 1);
    let story = s.story(story_a).await.unwrap().unwrap();
    assert_eq!((story.article_count, story.outlet_count, story.lead_article_id), (3, 2, earliest));
    assert!(s.story(story_b).await.unwrap().is_none());
    assert_eq!(s.article(earliest).await.unwrap().unwrap().story_id, Some(story_a));
    // The merged story's address leads on, through later merges too.
    assert_eq!(s.merged_story(story_b).await.unwrap(), Some(story_a));
    let other = s.insert_article(article(b.id, 9, &[]), StoryAssignment::New).await.unwrap().unwrap();
    let story_c = s.article(other).await.unwrap().unwrap().story_id.unwrap();
    s.merge_stories(story_c, &[story_a]).await.unwrap();
    assert_eq!(s.merged_story(story_b).await.unwrap(), Some(story_c));
    assert_eq!(s.merged_story(story_a).await.unwrap(), Some(story_c));
    assert_eq!(s.merged_story(story_c).await.unwrap(), None);
}

async fn issue_5_an_alias_moves_its_articles_and_catches_new_ones(s: &dyn Store) {
    let (a, _) = s.add_source(source("https://a.com/feed", "A")).await.unwrap();
    let tag = |n: &str| TagName::parse(n).unwrap();
    s.insert_article(article(a.id, 1, &["Beijing"]), StoryAssignment::New).await.unwrap();
    s.insert_article(article(a.id, 2, &["Beijing", "China"]), StoryAssignment::New).await.unwrap();
    s.insert_article(article(a.id, 3, &["China"]), StoryAssignment::New).await.unwrap();
    // Two articles carried the alias; one of them already had the tag.
    assert_eq!(s.add_tag_alias(&tag("Beijing"), &tag("China")).await.unwrap(), 2);
    assert_eq!(s.tag(&tag("China")).await.unwrap().unwrap().count, 3);
    // The alias's own lookups give the tag.
    let via_alias = s.tag(&tag("beijing")).await.unwrap().unwrap();
    assert_eq!((via_alias.name.as_str(), via_alias.count), ("China", 3));
    // New articles tagged with the alias are stored under the tag.
    s.insert_article(article(a.id, 4, &["Beijing"]), StoryAssignment::New).await.unwrap();
    assert_eq!(s.tag(&tag("China")).await.unwrap().unwrap().count, 4);
    let page = s
        .list_articles(&ArticleQuery { filter: ArticleFilter::Tag(tag("China")), after: None, limit: 10 })
        .await
        .unwrap();
    assert_eq!(page.len(), 4);
    // An alias of an alias points at the tag; a tag is never its own alias.
    s.add_tag_alias(&tag("Peking"), &tag("Beijing")).await.unwrap();
    let aliases = s.tag_aliases().await.unwrap();
    let pairs: Vec<(&str, &str)> = aliases.iter().map(|a| (a.alias.as_str(), a.tag.as_str())).collect();
    assert_eq!(pairs, [("Beijing", "China"), ("Peking", "China")]);
    assert!(s.add_tag_alias(&tag("China"), &tag("Peking")).await.is_err());
    assert!(s.remove_tag_alias(&tag("Peking")).await.unwrap());
    assert!(!s.remove_tag_alias(&tag("Peking")).await.unwrap());
}

async fn a_fetch_error_is_recorded_and_cleared_by_the_next_success(s: &dyn Store) {
    let (src, _) = s.add_source(source("https://e.com/feed", "E")).await.unwrap();
    s.record_fetch(src.id, FetchOutcome { at: t0(), error: Some("HTTP 404".into()), ..Default::default() })
        .await
        .unwrap();
    let got = s.source_by_slug("e").await.unwrap().unwrap();
    assert_eq!(got.last_error.as_deref(), Some("HTTP 404"));
    assert_eq!(got.status, model::SourceStatus::Failing);
    s.record_fetch(src.id, FetchOutcome { at: t0(), etag: Some("\"x\"".into()), ..Default::default() }).await.unwrap();
    let got = s.source_by_slug("e").await.unwrap().unwrap();
    assert_eq!((got.status, got.last_error, got.etag.as_deref()), (model::SourceStatus::Ok, None, Some("\"x\"")));
}

async fn issue_14_a_script_link_is_never_stored_and_a_script_image_is_dropped(s: &dyn Store) {
    let (src, _) = s.add_source(source("https://e.com/feed", "E")).await.unwrap();
    for bad in ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "/relative/path"] {
        let mut a = article(src.id, 1, &[]);
        a.url = bad.into();
        a.guid = bad.into();
        assert!(s.insert_article(a, StoryAssignment::New).await.unwrap().is_none(), "{bad} was stored");
    }
    let mut a = article(src.id, 2, &[]);
    a.image = Some("javascript:alert(1)".into());
    let stored = s.insert_article(a, StoryAssignment::New).await.unwrap().unwrap();
    let got = s.article(stored).await.unwrap().unwrap();
    assert_eq!(got.url, "https://e.com/2");
    assert_eq!(got.image, None);
    assert_eq!(s.counts().await.unwrap().articles, 1);
}

async fn issue_14_a_crawl_note_is_recorded_and_replaced(s: &dyn Store) {
    let (src, _) = s.add_source(source("https://e.com/feed", "E")).await.unwrap();
    let note = "9900 older new entries were stored from the feed".to_string();
    s.record_fetch(src.id, FetchOutcome { at: t0(), note: Some(note.clone()), ..Default::default() }).await.unwrap();
    assert_eq!(s.source_by_slug("e").await.unwrap().unwrap().last_note, Some(note));
    s.record_fetch(src.id, FetchOutcome { at: t0(), ..Default::default() }).await.unwrap();
    assert_eq!(s.source_by_slug("e").await.unwrap().unwrap().last_note, None);
}

#[tokio::test]
async fn reopening_the_file_keeps_the_data_and_does_not_rerun_migrations() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sub/tagline.db");
    {
        let s = SqliteStore::open(&path).unwrap();
        s.add_source(source("https://e.com/feed", "E")).await.unwrap();
    }
    let s = SqliteStore::open(&path).unwrap();
    assert_eq!(s.counts().await.unwrap().sources, 1);
}

async fn issue_4_sources_are_due_by_their_schedule_and_failures_are_counted(s: &dyn Store) {
    let (a, _) = s.add_source(source("https://a.com/feed", "A")).await.unwrap();
    let (b, _) = s.add_source(source("https://b.com/feed", "B")).await.unwrap();
    assert_eq!(s.due_sources(t0()).await.unwrap().len(), 2, "new sources are due at once");
    s.record_fetch(a.id, FetchOutcome { at: t0(), next_fetch: Some(t0() + Duration::hours(2)), ..Default::default() })
        .await
        .unwrap();
    s.record_fetch(
        b.id,
        FetchOutcome { at: t0(), error: Some("HTTP 503".into()), next_fetch: Some(t0()), ..Default::default() },
    )
    .await
    .unwrap();
    s.record_fetch(
        b.id,
        FetchOutcome { at: t0(), error: Some("HTTP 503".into()), next_fetch: Some(t0()), ..Default::default() },
    )
    .await
    .unwrap();
    let due = s.due_sources(t0() + Duration::minutes(1)).await.unwrap();
    assert_eq!(due.iter().map(|(src, f)| (src.name.as_str(), *f)).collect::<Vec<_>>(), [("B", 2)]);
    assert_eq!(s.due_sources(t0() + Duration::hours(3)).await.unwrap().len(), 2);
}

async fn issue_6_edition_lists_show_only_sources_of_that_region(s: &dyn Store) {
    let (my, _) =
        s.add_source(NewSource { region: Some("MY".into()), ..source("https://my.com/feed", "Star") }).await.unwrap();
    let (za, _) =
        s.add_source(NewSource { region: Some("za".into()), ..source("https://za.com/feed", "IOL") }).await.unwrap();
    s.insert_article(article(my.id, 1, &[]), StoryAssignment::New).await.unwrap();
    let mut b = article(za.id, 2, &[]);
    b.url = "https://za.com/2".into();
    s.insert_article(b, StoryAssignment::New).await.unwrap();
    let q = |r: &str| ArticleQuery { filter: ArticleFilter::Edition(r.into()), after: None, limit: 10 };
    let got: Vec<String> = s.list_articles(&q("my")).await.unwrap().into_iter().map(|a| a.source.name).collect();
    assert_eq!(got, ["Star"]);
    let regions: Vec<(String, i64)> = s.regions().await.unwrap().into_iter().map(|r| (r.code, r.sources)).collect();
    assert_eq!(regions, [("MY".to_string(), 1), ("ZA".to_string(), 1)]);
}

async fn issue_6_related_tags_are_ranked_by_co_occurrence(s: &dyn Store) {
    let (src, _) = s.add_source(source("https://e.com/feed", "E")).await.unwrap();
    s.insert_article(article(src.id, 1, &["China", "Kazakhstan", "Oil"]), StoryAssignment::New).await.unwrap();
    s.insert_article(article(src.id, 2, &["China", "Kazakhstan"]), StoryAssignment::New).await.unwrap();
    s.insert_article(article(src.id, 3, &["Oil", "Brazil"]), StoryAssignment::New).await.unwrap();
    let related = s.related_tags(&TagName::parse("china").unwrap(), 10).await.unwrap();
    let got: Vec<(String, i64)> = related.into_iter().map(|t| (t.name.to_string(), t.count)).collect();
    assert_eq!(got, [("Kazakhstan".to_string(), 2), ("Oil".to_string(), 1)]);
}

async fn issue_6_trending_tags_rise_against_the_week_before(s: &dyn Store) {
    let (src, _) = s.add_source(source("https://e.com/feed", "E")).await.unwrap();
    // "Steady" appears every day for a week and once today; "Surge" three
    // times today and never before.
    for n in 0..8 {
        let mut a = article(src.id, 100 + n, &["Steady"]);
        a.published = t0() - Duration::hours(2 + 24 * n);
        s.insert_article(a, StoryAssignment::New).await.unwrap();
    }
    for n in 0..3 {
        s.insert_article(article(src.id, 1 + n, &["Surge"]), StoryAssignment::New).await.unwrap();
    }
    let trending = s.trending_tags(t0(), 10).await.unwrap();
    let names: Vec<String> = trending.iter().map(|t| t.name.to_string()).collect();
    assert_eq!(names, ["Surge", "Steady"]);
    assert_eq!(trending[0].recent, 3);
}

async fn issue_6_recent_stories_carry_their_lead_and_outlet_count(s: &dyn Store) {
    let (a, _) = s.add_source(source("https://a.com/feed", "A")).await.unwrap();
    let (b, _) = s.add_source(source("https://b.com/feed", "B")).await.unwrap();
    let first = s.insert_article(article(a.id, 2, &[]), StoryAssignment::New).await.unwrap().unwrap();
    let story = s.article(first).await.unwrap().unwrap().story_id.unwrap();
    let mut other = article(b.id, 1, &[]);
    other.url = "https://b.com/1".into();
    s.insert_article(other, StoryAssignment::Join(story)).await.unwrap();
    let stories = s.recent_stories(100).await.unwrap();
    assert_eq!(stories.len(), 1);
    assert_eq!((stories[0].lead.id, stories[0].story.outlet_count), (first, 2));
    assert_eq!(stories[0].latest, t0() - Duration::hours(1));
}

async fn issue_6_removing_a_source_logs_its_articles_for_the_search_index(s: &dyn Store) {
    let (src, _) = s.add_source(source("https://e.com/feed", "E")).await.unwrap();
    let id = s.insert_article(article(src.id, 1, &["China"]), StoryAssignment::New).await.unwrap().unwrap();
    assert_eq!(s.articles_after_id(0, 10).await.unwrap().len(), 1);
    assert_eq!(s.tag(&TagName::parse("china").unwrap()).await.unwrap().unwrap().count, 1);
    assert!(s.remove_source(src.id).await.unwrap());
    assert!(!s.remove_source(src.id).await.unwrap());
    assert_eq!(s.tag(&TagName::parse("china").unwrap()).await.unwrap().unwrap().count, 0, "counts follow deletions");
    let d = s.deletions_after(0, 10).await.unwrap();
    assert_eq!(d.ids, [id]);
    assert!(d.through > 0);
    assert!(s.deletions_after(d.through, 10).await.unwrap().ids.is_empty());
    assert_eq!(s.counts().await.unwrap().articles, 0);
}

async fn issue_6_tag_rules_round_trip_and_articles_come_back_by_id_in_order(s: &dyn Store) {
    let (src, _) = s.add_source(source("https://e.com/feed", "E")).await.unwrap();
    let rule = model::TagRule {
        id: 0,
        tag: TagName::parse("CriticalMinerals").unwrap(),
        keywords: vec!["lithium".into(), "rare earths".into()],
        source_id: Some(src.id),
    };
    let id = s.add_tag_rule(rule).await.unwrap();
    let rules = s.tag_rules().await.unwrap();
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0].keywords, ["lithium", "rare earths"]);
    assert!(s.remove_tag_rule(id).await.unwrap());
    assert!(s.tag_rules().await.unwrap().is_empty());
    let a = s.insert_article(article(src.id, 1, &[]), StoryAssignment::New).await.unwrap().unwrap();
    let b = s.insert_article(article(src.id, 2, &[]), StoryAssignment::New).await.unwrap().unwrap();
    let got: Vec<i64> = s.articles_by_ids(&[b, 999, a]).await.unwrap().into_iter().map(|x| x.id).collect();
    assert_eq!(got, [b, a]);
}

async fn issue_6_tag_prefix_search_treats_wildcards_literally(s: &dyn Store) {
    let (src, _) = s.add_source(source("https://e.com/feed", "E")).await.unwrap();
    s.insert_article(article(src.id, 1, &["China-CentralAsia", "Chile"]), StoryAssignment::New).await.unwrap();
    let names = |v: Vec<store::TagCount>| v.into_iter().map(|t| t.name.to_string()).collect::<Vec<_>>();
    assert_eq!(names(s.search_tags("chi", 10).await.unwrap()), ["Chile", "China-CentralAsia"]);
    assert!(s.search_tags("%", 10).await.unwrap().is_empty());
    assert!(s.search_tags("c_i", 10).await.unwrap().is_empty());
}

async fn issue_7_a_claimed_source_is_leased_to_one_worker_until_it_expires(s: &dyn Store) {
    for i in 0..3 {
        s.add_source(source(&format!("https://e{i}.com/feed"), &format!("E{i}"))).await.unwrap();
    }
    let lease = Duration::minutes(10);
    let a = s.claim_due_sources("worker-a", t0(), lease, 2).await.unwrap();
    let b = s.claim_due_sources("worker-b", t0(), lease, 10).await.unwrap();
    assert_eq!((a.len(), b.len()), (2, 1), "the second worker gets only what the first left");
    assert!(s.claim_due_sources("worker-c", t0(), lease, 10).await.unwrap().is_empty());
    // Worker a finishes one source: its lease ends with the fetch record.
    let done = a[0].0.id;
    s.record_fetch(done, FetchOutcome { at: t0(), next_fetch: Some(t0() + Duration::hours(1)), ..Default::default() })
        .await
        .unwrap();
    // Worker b is killed: after its lease expires, its source is claimable.
    let later = t0() + lease + Duration::seconds(1);
    let c = s.claim_due_sources("worker-c", later, lease, 10).await.unwrap();
    let ids: Vec<i64> = c.iter().map(|(src, _)| src.id).collect();
    assert!(ids.contains(&b[0].0.id) && ids.contains(&a[1].0.id), "expired leases come back");
    assert!(!ids.contains(&done), "a source fetched and not yet due is not claimed");
}

async fn issue_7_prune_removes_old_articles_but_never_pinned_ones(s: &dyn Store) {
    let (src, _) = s.add_source(source("https://e.com/feed", "E")).await.unwrap();
    let mut ids = Vec::new();
    for n in [1, 100, 200, 300] {
        ids.push(s.insert_article(article(src.id, n, &["China"]), StoryAssignment::New).await.unwrap().unwrap());
    }
    assert!(s.set_pinned(ids[3], true).await.unwrap());
    // Older than 50 hours: articles 100, 200 and 300 hours old, one pinned.
    let gone = s.prune(t0() - Duration::hours(50), 1000).await.unwrap();
    assert_eq!(gone, 2);
    let left: Vec<i64> = s.articles_after_id(0, 10).await.unwrap().into_iter().map(|a| a.id).collect();
    assert_eq!(left, [ids[0], ids[3]]);
    assert_eq!(s.deletions_after(0, 10).await.unwrap().ids.len(), 2, "the search indexes will follow");
}

async fn issue_4_pending_articles_are_claimed_once_enriched_once_and_indexed_after(s: &dyn Store) {
    let (a, _) = s.add_source(source("https://a.com/feed", "A")).await.unwrap();
    let done = s.insert_article(article(a.id, 1, &[]), StoryAssignment::New).await.unwrap().unwrap();
    let batch = (2..=4).map(|n| (article(a.id, n, &["FeedLabel"]), StoryAssignment::Pending)).collect();
    let stored = s.insert_articles(batch).await.unwrap();
    assert!(stored.iter().all(|x| x.is_some_and(|x| x.story_id.is_none())), "{stored:?}");
    assert_eq!(s.counts().await.unwrap().pending, 3);
    // The search index only reaches the enriched prefix.
    assert_eq!(s.article_ids_after(0, 10).await.unwrap(), vec![done]);
    assert_eq!(s.articles_after_id(0, 10).await.unwrap().len(), 1);

    let lease = chrono::Duration::seconds(60);
    let claimed = s.claim_pending(t0(), lease, 2).await.unwrap();
    assert_eq!(claimed.iter().map(|a| a.title.as_str()).collect::<Vec<_>>(), ["Title 2", "Title 3"]);
    assert_eq!(claimed[0].tags.len(), 1, "claimed with the tags it was stored with");
    // Another worker gets the rest, then nothing until the lease lapses.
    assert_eq!(s.claim_pending(t0(), lease, 10).await.unwrap().len(), 1);
    assert!(s.claim_pending(t0(), lease, 10).await.unwrap().is_empty());
    assert_eq!(s.claim_pending(t0() + lease * 2, lease, 10).await.unwrap().len(), 3);

    let enrichment = |a: &model::Article| store::Enrichment {
        id: a.id,
        lang: Some("en".into()),
        category: Some(model::Category::Business),
        tags: vec![Tag { name: TagName::parse("Kazakhstan").unwrap(), kind: TagKind::Entity, score: 0.9 }],
    };
    let out = s
        .complete_enrichment(vec![
            (enrichment(&claimed[0]), StoryAssignment::New),
            (enrichment(&claimed[1]), StoryAssignment::WithBatch(0)),
        ])
        .await
        .unwrap();
    let [Some(x), Some(y)] = out[..] else { panic!("{out:?}") };
    assert!(x.story_id.is_some() && x.story_id == y.story_id);
    let got = s.article(claimed[1].id).await.unwrap().unwrap();
    assert_eq!((got.lang.as_deref(), got.category), (Some("en"), Some(model::Category::Business)));
    let mut names: Vec<String> = got.tags.iter().map(|t| t.name.to_string()).collect();
    names.sort();
    assert_eq!(names, ["FeedLabel", "Kazakhstan"]);
    // Enriching again (a slower worker with the same claim) changes nothing.
    let again = s.complete_enrichment(vec![(enrichment(&claimed[0]), StoryAssignment::New)]).await.unwrap();
    assert_eq!(again, vec![None]);
    assert_eq!(s.counts().await.unwrap().pending, 1);
    assert_eq!(s.article_ids_after(0, 10).await.unwrap(), vec![done, claimed[0].id, claimed[1].id]);
}

/// Issue 17: every field of a new article comes back as stored. The
/// pattern below names every field with no `..`, so a field added to
/// `NewArticle` does not compile here until it is stored, read back and
/// checked in both backends.
async fn issue_17_every_field_of_an_article_round_trips(s: &dyn Store) {
    let (src, _) = s.add_source(source("https://rt.example/feed", "RT")).await.unwrap();
    let mut new = article(src.id, 7, &["Kazakhstan"]);
    new.author = Some("A. Writer".into());
    new.updated = Some(t0() - Duration::hours(1));
    new.image = Some("https://rt.example/lead.png".into());
    new.image_data = Some(model::ImageData { content_type: "image/png".into(), bytes: vec![0x89, b'P', b'N', b'G'] });
    let id = s.insert_article(new.clone(), StoryAssignment::New).await.unwrap().unwrap();
    let got = s.article(id).await.unwrap().unwrap();
    let NewArticle {
        source_id,
        url,
        guid,
        title,
        author,
        published,
        updated,
        lang,
        category,
        tags,
        text,
        html,
        excerpt,
        image,
        image_data,
        fetched: _, // kept for retention and ordering, not shown
    } = new;
    assert_eq!(got.source.id, source_id);
    assert_eq!((got.url, got.guid, got.title, got.author), (url, guid, title, author));
    assert_eq!((got.published, got.updated), (published, updated));
    assert_eq!((got.lang, got.category), (lang, category));
    assert_eq!(
        got.tags.iter().map(|t| (t.name.to_string(), t.kind)).collect::<Vec<_>>(),
        tags.iter().map(|t| (t.name.to_string(), t.kind)).collect::<Vec<_>>()
    );
    assert_eq!((got.text, got.html, got.excerpt, got.image), (text, html, excerpt, image));
    assert!(got.image_stored);
    let stored = s.image(id).await.unwrap().unwrap();
    let want = image_data.unwrap();
    assert_eq!((stored.content_type, stored.bytes), (want.content_type, want.bytes));
}

/// Runs each contract test against SQLite and against PostgreSQL.
macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite_backend {
            $(
                #[tokio::test]
                async fn $name() {
                    let (_d, s) = super::open();
                    super::$name(&s).await;
                }
            )*
        }
        mod postgres_backend {
            $(
                #[tokio::test]
                async fn $name() {
                    let s = testkit::pg_store().await;
                    super::$name(&s).await;
                }
            )*
        }
    };
}

both!(
    adding_the_same_feed_twice_returns_the_existing_source,
    a_batch_is_stored_in_order_and_joins_stories_within_itself,
    issue_5_an_alias_moves_its_articles_and_catches_new_ones,
    issue_5_merged_stories_become_one_led_by_the_earliest_article,
    story_candidates_are_found_by_entity_and_read_with_their_entities,
    storing_an_article_twice_keeps_one_copy,
    tag_lists_match_case_insensitively_newest_first_with_stable_cursors,
    joining_a_story_counts_outlets,
    a_fetch_error_is_recorded_and_cleared_by_the_next_success,
    issue_4_sources_are_due_by_their_schedule_and_failures_are_counted,
    issue_6_edition_lists_show_only_sources_of_that_region,
    issue_6_related_tags_are_ranked_by_co_occurrence,
    issue_6_trending_tags_rise_against_the_week_before,
    issue_6_recent_stories_carry_their_lead_and_outlet_count,
    issue_6_removing_a_source_logs_its_articles_for_the_search_index,
    issue_6_tag_rules_round_trip_and_articles_come_back_by_id_in_order,
    issue_6_tag_prefix_search_treats_wildcards_literally,
    issue_7_a_claimed_source_is_leased_to_one_worker_until_it_expires,
    issue_7_prune_removes_old_articles_but_never_pinned_ones,
    issue_5_story_candidates_come_from_shared_entities_and_the_newest_of_the_window,
    issue_4_pending_articles_are_claimed_once_enriched_once_and_indexed_after,
    issue_14_a_script_link_is_never_stored_and_a_script_image_is_dropped,
    issue_14_a_crawl_note_is_recorded_and_replaced,
    issue_17_every_field_of_an_article_round_trips,
);

#[tokio::test]
async fn issue_7_concurrent_claims_on_postgresql_never_hand_out_a_source_twice() {
    let s = std::sync::Arc::new(testkit::pg_store().await);
    for i in 0..40 {
        s.add_source(source(&format!("https://e{i}.com/feed"), &format!("E{i}"))).await.unwrap();
    }
    let tasks: Vec<_> = (0..16)
        .map(|w| {
            let s = s.clone();
            tokio::spawn(async move {
                let mut mine = Vec::new();
                loop {
                    let got = s.claim_due_sources(&format!("w{w}"), t0(), Duration::minutes(5), 2).await.unwrap();
                    if got.is_empty() {
                        break mine;
                    }
                    mine.extend(got.into_iter().map(|(src, _)| src.id));
                }
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let n = all.len();
    all.sort();
    all.dedup();
    assert_eq!((n, all.len()), (40, 40), "every source claimed exactly once");
}

#[tokio::test]
async fn issue_7_migrating_sqlite_to_postgresql_copies_everything_and_resumes() {
    let (dir, sqlite) = open();
    let (a, _) =
        sqlite.add_source(NewSource { region: Some("MY".into()), ..source("https://a.com/feed", "A") }).await.unwrap();
    let (b, _) = sqlite.add_source(source("https://b.com/feed", "B")).await.unwrap();
    for n in 0..1500 {
        let src = if n % 2 == 0 { a.id } else { b.id };
        let mut art = article(src, n, &["China", "Kazakhstan"]);
        if n == 3 {
            art.image_data = Some(model::ImageData { content_type: "image/png".into(), bytes: b"\x89PNG".to_vec() });
        }
        sqlite.insert_article(art, StoryAssignment::New).await.unwrap();
    }
    sqlite
        .add_tag_rule(model::TagRule {
            id: 0,
            tag: TagName::parse("Local").unwrap(),
            keywords: vec![],
            source_id: Some(a.id),
        })
        .await
        .unwrap();
    sqlite.add_tag_alias(&TagName::parse("Kazakh").unwrap(), &TagName::parse("Kazakhstan").unwrap()).await.unwrap();
    drop(sqlite);
    let path = dir.path().join("tagline.db");
    let pg = testkit::pg_store().await;
    let mut seen = Vec::new();
    let counts = store::migrate::sqlite_to_postgres(&path, &pg, |p| seen.push(p.table)).await.unwrap();
    assert!(counts.iter().all(|c| c.source == c.target), "{counts:?}");
    assert!(seen.contains(&"articles") && seen.contains(&"article_tags"), "progress is reported");
    assert_eq!(pg.counts().await.unwrap().articles, 1500);

    // An interrupted copy: the target lost its last articles' rows, as if
    // stopped after the first batch. Running again completes it.
    pg.execute_batch(
        "DELETE FROM article_images WHERE article_id > 1000; DELETE FROM article_tags WHERE article_id > 1000;
         DELETE FROM articles WHERE id > 1000;",
    )
    .await
    .unwrap();
    let counts = store::migrate::sqlite_to_postgres(&path, &pg, |_| {}).await.unwrap();
    assert!(counts.iter().all(|c| c.source == c.target), "{counts:?}");

    // The moved instance reads the same, and new ids continue after the old.
    let sqlite = SqliteStore::open(&path).unwrap();
    let q = ArticleQuery { filter: ArticleFilter::Tag(TagName::parse("china").unwrap()), after: None, limit: 5 };
    let before: Vec<(i64, String, usize)> =
        sqlite.list_articles(&q).await.unwrap().into_iter().map(|x| (x.id, x.title, x.tags.len())).collect();
    let after: Vec<(i64, String, usize)> =
        pg.list_articles(&q).await.unwrap().into_iter().map(|x| (x.id, x.title, x.tags.len())).collect();
    assert_eq!(before, after);
    let china = TagName::parse("China").unwrap();
    assert_eq!(pg.tag(&china).await.unwrap().unwrap().count, 1500, "tag counts are right after the copy");
    assert_eq!(pg.image(4).await.unwrap().map(|i| i.content_type), Some("image/png".to_string()));
    let aliases = pg.tag_aliases().await.unwrap();
    assert_eq!(
        aliases.iter().map(|a| (a.alias.as_str(), a.tag.as_str())).collect::<Vec<_>>(),
        [("Kazakh", "Kazakhstan")]
    );
    let (c, created) = pg.add_source(source("https://c.com/feed", "C")).await.unwrap();
    assert!(created && c.id > b.id);
    let id = pg.insert_article(article(c.id, 5000, &[]), StoryAssignment::New).await.unwrap().unwrap();
    assert!(id > 1500);
}

async fn issue_5_story_candidates_come_from_shared_entities_and_the_newest_of_the_window(s: &dyn Store) {
    let (src, _) = s.add_source(source("https://e.com/feed", "E")).await.unwrap();
    // Hours ago: 1 (China), 2 (Brazil), 3 (China), 200 (China, outside the window).
    for (n, tag) in [(1, "China"), (2, "Brazil"), (3, "China"), (200, "China")] {
        s.insert_article(article(src.id, n, &[tag]), StoryAssignment::New).await.unwrap();
    }
    let window = (t0() - Duration::hours(72), t0() + Duration::hours(72));
    let titles = |c: Vec<store::StoryCandidate>| c.into_iter().map(|c| c.title).collect::<Vec<_>>();
    let by_entity = s.story_candidates(&["china".into()], window.0, window.1, 10, 0).await.unwrap();
    assert_eq!(titles(by_entity), ["Title 1", "Title 3"]);
    let with_recent = s.story_candidates(&["china".into()], window.0, window.1, 10, 1).await.unwrap();
    assert_eq!(titles(with_recent), ["Title 1", "Title 3"], "the newest is already there");
    let none = s.story_candidates(&[], window.0, window.1, 10, 2).await.unwrap();
    assert_eq!(titles(none), ["Title 1", "Title 2"], "without entities, the newest of the window");
    let limited = s.story_candidates(&["china".into(), "brazil".into()], window.0, window.1, 2, 0).await.unwrap();
    assert_eq!(limited.len(), 2);
    assert_eq!(limited[0].entities, ["China"]);
}

/// Issue 17: the schema is written per backend and again in `migrate-store`'s
/// table list; this catches a column added to one and not the others.
#[tokio::test(flavor = "multi_thread")]
async fn issue_17_migrate_store_copies_every_column_of_both_live_schemas() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tagline.db");
    drop(SqliteStore::open(&path).unwrap());
    let pg = testkit::pg_store().await;
    let sqlite: std::collections::BTreeSet<(String, String)> =
        store::migrate::sqlite_columns(&path).unwrap().into_iter().collect();
    let postgres: std::collections::BTreeSet<(String, String)> =
        store::migrate::postgres_columns(&pg).await.unwrap().into_iter().collect();
    assert!(sqlite.len() > 50, "the live schema was read: {sqlite:?}");
    assert_eq!(
        sqlite.symmetric_difference(&postgres).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "both backends have the same tables and columns"
    );
    let copied: std::collections::BTreeSet<(String, String)> =
        store::migrate::copied_columns().into_iter().map(|(t, c)| (t.to_string(), c.to_string())).collect();
    let left_behind: Vec<_> = sqlite
        .iter()
        .filter(|(t, c)| !copied.contains(&(t.clone(), c.clone())) && !store::migrate::excused(t, c))
        .collect();
    assert!(left_behind.is_empty(), "migrate-store would drop these columns: {left_behind:?}");
    let unknown: Vec<_> = copied.iter().filter(|tc| !sqlite.contains(*tc)).collect();
    assert!(unknown.is_empty(), "migrate-store names columns no backend has: {unknown:?}");
}

/// Issue 17: the store records times by the clock it is given (`--now`),
/// not by reading the system clock itself.
#[tokio::test]
async fn issue_17_the_store_records_creation_times_by_its_clock() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tagline.db");
    let s = SqliteStore::open(&path).unwrap().with_clock(model::Clock::Fixed(t0()));
    let (a, _) = s.add_source(source("https://a.com/feed", "A")).await.unwrap();
    let rule = model::TagRule { id: 0, tag: TagName::parse("Local").unwrap(), keywords: vec![], source_id: Some(a.id) };
    s.add_tag_rule(rule).await.unwrap();
    drop(s);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let created = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(created("SELECT created_at FROM sources"), t0().timestamp());
    assert_eq!(created("SELECT created_at FROM tag_rules"), t0().timestamp());
}
