//! The search index against a real on-disk tantivy directory.

use chrono::{TimeZone, Utc};
use index::{IndexDoc, IndexError, SearchIndex, SearchQuery};

fn doc(id: i64, title: &str, text: &str) -> IndexDoc {
    IndexDoc {
        id,
        title: title.into(),
        text: text.into(),
        tags: vec!["china-centralasia".into()],
        category: Some("business".into()),
        source: if id % 2 == 0 { "the-star".into() } else { "iol".into() },
        region: Some(if id % 2 == 0 { "MY".into() } else { "ZA".into() }),
        published: Utc.with_ymd_and_hms(2025, 6, 1 + id as u32 % 20, 0, 0, 0).unwrap(),
    }
}

fn sample() -> Vec<IndexDoc> {
    vec![
        doc(1, "Critical minerals deal signed", "Kazakhstan and China agreed on critical minerals exports."),
        doc(2, "Summit in Astana", "Leaders met in Astana. The minerals were critical to the talks."),
        doc(3, "Football results", "The match ended in a draw after extra time."),
        doc(4, "中国与中亚峰会", "中国与中亚国家领导人在阿斯塔纳举行峰会。"),
    ]
}

fn q(s: &str) -> SearchQuery {
    SearchQuery { q: s.into(), limit: 10, ..Default::default() }
}

fn ids(idx: &SearchIndex, query: &SearchQuery) -> Vec<i64> {
    idx.search(query).unwrap().hits.into_iter().map(|h| h.id).collect()
}

#[test]
fn every_word_must_match_and_title_matches_rank_first() {
    let idx = SearchIndex::in_memory().unwrap();
    idx.add(&sample(), 4).unwrap();
    assert_eq!(ids(&idx, &q("critical minerals")), [1, 2]);
    assert_eq!(ids(&idx, &q("minerals football")), Vec::<i64>::new());
}

#[test]
fn a_quoted_phrase_matches_only_adjacent_words() {
    let idx = SearchIndex::in_memory().unwrap();
    idx.add(&sample(), 4).unwrap();
    assert_eq!(ids(&idx, &q("\"critical minerals\"")), [1]);
}

#[test]
fn filters_narrow_by_source_region_category_tag_and_date() {
    let idx = SearchIndex::in_memory().unwrap();
    idx.add(&sample(), 4).unwrap();
    let base = q("minerals");
    assert_eq!(ids(&idx, &SearchQuery { source: Some("the-star".into()), ..base.clone() }), [2]);
    assert_eq!(ids(&idx, &SearchQuery { region: Some("za".into()), ..base.clone() }), [1]);
    assert_eq!(ids(&idx, &SearchQuery { category: Some("sports".into()), ..base.clone() }), Vec::<i64>::new());
    assert_eq!(ids(&idx, &SearchQuery { tag: Some("China-CentralAsia".into()), ..base.clone() }).len(), 2);
    let from = Some(Utc.with_ymd_and_hms(2025, 6, 3, 0, 0, 0).unwrap());
    assert_eq!(ids(&idx, &SearchQuery { from, ..base }), [2]);
}

#[test]
fn chinese_text_is_found_by_a_two_character_word() {
    let idx = SearchIndex::in_memory().unwrap();
    idx.add(&sample(), 4).unwrap();
    assert_eq!(ids(&idx, &q("中亚")), [4]);
    assert_eq!(ids(&idx, &q("阿斯塔纳")), [4]);
}

#[test]
fn snippets_mark_the_matched_words() {
    let idx = SearchIndex::in_memory().unwrap();
    idx.add(&sample(), 4).unwrap();
    let hit = &idx.search(&q("astana")).unwrap().hits[0];
    let marked: Vec<&str> = hit.snippet.iter().filter(|(_, m)| *m).map(|(t, _)| t.as_str()).collect();
    assert_eq!(marked, ["Astana"]);
}

#[test]
fn reader_syntax_cannot_reach_other_fields_or_crash_the_parser() {
    let idx = SearchIndex::in_memory().unwrap();
    idx.add(&sample(), 4).unwrap();
    for nasty in ["id:1", "title:(", "a AND OR", "\"unclosed", "*", "((((", "^2", "[1 TO 3]"] {
        idx.search(&q(nasty)).unwrap();
    }
}

#[test]
fn the_commit_remembers_how_far_it_indexed_across_reopening() {
    let dir = tempfile::tempdir().unwrap();
    {
        let idx = SearchIndex::open(dir.path()).unwrap();
        assert_eq!(idx.indexed_through(), 0);
        idx.add(&sample()[..2], 2).unwrap();
    }
    let idx = SearchIndex::open(dir.path()).unwrap();
    assert_eq!(idx.indexed_through(), 2);
    assert_eq!(idx.num_docs(), 2);
    // Re-adding replaces rather than duplicates.
    idx.add(&sample(), 4).unwrap();
    assert_eq!(idx.num_docs(), 4);
    idx.remove(&[3], 1).unwrap();
    assert_eq!(idx.num_docs(), 3);
    assert_eq!(idx.checkpoint(), index::Checkpoint { articles: 4, deletions: 1 });
    idx.clear().unwrap();
    assert_eq!((idx.num_docs(), idx.indexed_through()), (0, 0));
}

#[test]
fn a_second_writer_on_the_same_directory_is_told_the_index_is_busy() {
    let dir = tempfile::tempdir().unwrap();
    let a = SearchIndex::open(dir.path()).unwrap();
    a.try_writer().unwrap();
    let b = SearchIndex::open(dir.path()).unwrap();
    assert!(matches!(b.try_writer(), Err(IndexError::Busy(_))));
    // The second can still read what the first commits.
    a.add(&sample(), 4).unwrap();
    let b = SearchIndex::open(dir.path()).unwrap();
    assert_eq!(b.num_docs(), 4);
}
