//! JSON Feed 1.0 and 1.1, deserialised straight into the fields Tagline
//! keeps. Unknown members are skipped without being built and a member of
//! the wrong type reads as absent, so memory follows what is kept, not what
//! was sent; serde_json's recursion limit (128) bounds nesting.

use crate::{date, Context, Enclosure, FeedEntry, FeedError, FeedMeta, ParsedFeed, Person, MAX_ENTRIES};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;
use std::marker::PhantomData;

/// The visits a lenient reader does not want, each answering `$absent`
/// and skipping any nested content without building it. Strings are left
/// to each reader.
macro_rules! absent_otherwise {
    ($absent:expr; $($skip:ident),*) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok($absent)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($absent)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok($absent)
        }
        $(absent_otherwise!(@ $skip $absent);)*
    };
    (@ numbers $absent:expr) => {
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok($absent)
        }
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok($absent)
        }
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok($absent)
        }
    };
    (@ strings $absent:expr) => {
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok($absent)
        }
    };
    (@ arrays $absent:expr) => {
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok($absent)
        }
    };
    (@ objects $absent:expr) => {
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok($absent)
        }
    };
}

/// A string member, trimmed; empty or of another type, it is absent.
#[derive(Default)]
struct Text(Option<String>);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                let t = v.trim();
                Ok(Text((!t.is_empty()).then(|| t.to_string())))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Text, D::Error> {
                Text::deserialize(d)
            }
            absent_otherwise!(Text(None); numbers, arrays, objects);
        }
        d.deserialize_any(V)
    }
}

/// A string or a number as written (ids, sizes); anything else is absent.
#[derive(Default)]
struct Scalar(Option<String>);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(Some(v.to_string())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(Some(v.to_string())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(Some(v.to_string())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(Some(serde_json::Number::from_f64(v).map_or_else(|| v.to_string(), |n| n.to_string()))))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Scalar, D::Error> {
                Scalar::deserialize(d)
            }
            absent_otherwise!(Scalar(None); arrays, objects);
        }
        d.deserialize_any(V)
    }
}

/// An object member read as `T`; anything else is absent.
struct Obj<T>(Option<T>);

impl<T> Default for Obj<T> {
    fn default() -> Self {
        Obj(None)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Obj<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Obj<T>, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(|t| Obj(Some(t)))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Obj<T>, D::Error> {
                Obj::deserialize(d)
            }
            absent_otherwise!(Obj(None); numbers, strings, arrays);
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// How a [`List`] reads its elements: `None` for one of another shape.
trait Element<'de>: Deserialize<'de> {
    type Kept;
    fn kept(self) -> Option<Self::Kept>;
}

impl<'de, T: Deserialize<'de>> Element<'de> for Obj<T> {
    type Kept = T;
    fn kept(self) -> Option<T> {
        self.0
    }
}

impl Element<'_> for Text {
    type Kept = String;
    fn kept(self) -> Option<String> {
        self.0
    }
}

/// An array member: its elements of the wanted shape, at most
/// [`MAX_ENTRIES`] of them (the rest skipped and counted); anything but an
/// array is an empty list.
struct List<E> {
    kept: Vec<E>,
    present: bool,
    skipped: usize,
}

impl<E> Default for List<E> {
    fn default() -> Self {
        List { kept: Vec::new(), present: false, skipped: 0 }
    }
}

/// Reads a [`List`] whose elements are read by `R`.
fn list<'de, D: Deserializer<'de>, R: Element<'de>>(d: D) -> Result<List<R::Kept>, D::Error> {
    struct V<R>(PhantomData<R>);
    impl<'de, R: Element<'de>> Visitor<'de> for V<R> {
        type Value = List<R::Kept>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an array")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut list = List { kept: Vec::new(), present: true, skipped: 0 };
            while list.kept.len() < MAX_ENTRIES {
                match seq.next_element::<R>()? {
                    Some(e) => list.kept.extend(e.kept()),
                    None => return Ok(list),
                }
            }
            while seq.next_element::<IgnoredAny>()?.is_some() {
                list.skipped += 1;
            }
            Ok(list)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
        absent_otherwise!(List { kept: Vec::new(), present: true, skipped: 0 }; numbers, strings, objects);
    }
    d.deserialize_any(V::<R>(PhantomData))
}

fn objects<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<List<T>, D::Error> {
    list::<D, Obj<T>>(d)
}

fn texts<'de, D: Deserializer<'de>>(d: D) -> Result<List<String>, D::Error> {
    list::<D, Text>(d)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Author {
    name: Text,
    url: Text,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Attachment {
    url: Text,
    mime_type: Text,
    size_in_bytes: Scalar,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Item {
    id: Scalar,
    url: Text,
    external_url: Text,
    title: Text,
    summary: Text,
    content_html: Text,
    content_text: Text,
    date_published: Text,
    date_modified: Text,
    image: Text,
    banner_image: Text,
    author: Obj<Author>,
    #[serde(deserialize_with = "objects")]
    authors: List<Author>,
    #[serde(deserialize_with = "texts")]
    tags: List<String>,
    #[serde(deserialize_with = "objects")]
    attachments: List<Attachment>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Doc {
    version: Text,
    title: Text,
    home_page_url: Text,
    feed_url: Text,
    description: Text,
    language: Text,
    icon: Text,
    favicon: Text,
    author: Obj<Author>,
    #[serde(deserialize_with = "objects")]
    authors: List<Author>,
    #[serde(deserialize_with = "objects")]
    items: List<Item>,
}

/// The first author: JSON Feed 1.1's `authors`, else 1.0's `author`.
fn person(authors: List<Author>, author: Obj<Author>) -> Option<Person> {
    let a = authors.kept.into_iter().next().or(author.0)?;
    let p = Person { name: a.name.0, email: None, uri: a.url.0 };
    (p.name.is_some() || p.uri.is_some()).then_some(p)
}

fn resolve(u: String, base: Option<&str>) -> String {
    match base.and_then(|b| url::Url::parse(b).ok()) {
        Some(b) => b.join(&u).map(String::from).unwrap_or(u),
        None => u,
    }
}

fn entry(i: Item, base: Option<&str>) -> FeedEntry {
    FeedEntry {
        title: i.title.0,
        link: i.url.0.or(i.external_url.0).map(|u| resolve(u, base)),
        id: i.id.0,
        published: i.date_published.0.and_then(|d| date::parse(&d)),
        updated: i.date_modified.0.and_then(|d| date::parse(&d)),
        author: person(i.authors, i.author),
        summary: i.summary.0,
        content: i.content_html.0.or(i.content_text.0),
        categories: i.tags.kept,
        enclosures: i
            .attachments
            .kept
            .into_iter()
            .filter_map(|x| {
                Some(Enclosure { url: resolve(x.url.0?, base), mime: x.mime_type.0, length: x.size_in_bytes.0 })
            })
            .collect(),
        image: i.image.0.or(i.banner_image.0).map(|u| resolve(u, base)),
    }
}

/// Parses a JSON Feed. Truncated or invalid JSON is an error unless the
/// document is at least recognisably a JSON Feed, in which case the parse
/// is marked bozo with nothing recovered.
pub fn parse(bytes: &[u8], ctx: &Context) -> Result<ParsedFeed, FeedError> {
    let base = ctx.content_location.or(ctx.url);
    let text = String::from_utf8_lossy(bytes);
    let text = text.trim_start_matches('\u{feff}');
    let doc: Doc = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            if text.contains("jsonfeed.org/version") {
                return Ok(ParsedFeed {
                    bozo: true,
                    errors: vec![format!("invalid JSON: {e}")],
                    format: "json-unknown".into(),
                    ..Default::default()
                });
            }
            return Err(FeedError::Invalid(format!("invalid JSON: {e}")));
        }
    };
    let version = doc.version.0.unwrap_or_default();
    if !version.contains("jsonfeed.org") && !doc.items.present {
        return Err(FeedError::Invalid("JSON without a JSON Feed version or items".into()));
    }
    let format = if version.ends_with("/1.1") {
        "json11"
    } else if version.ends_with("/1") || version.ends_with("/1.0") {
        "json1"
    } else {
        "json-unknown"
    };
    let feed = FeedMeta {
        title: doc.title.0,
        link: doc.home_page_url.0.map(|u| resolve(u, base)),
        id: doc.feed_url.0,
        subtitle: doc.description.0,
        author: person(doc.authors, doc.author),
        language: doc.language.0,
        image: doc.icon.0.or(doc.favicon.0).map(|u| resolve(u, base)),
        ..FeedMeta::default()
    };
    let mut errors = Vec::new();
    if doc.items.skipped > 0 {
        errors.push(format!("more than {MAX_ENTRIES} items; {} were not read", doc.items.skipped));
    }
    let entries = doc.items.kept.into_iter().map(|i| entry(i, base)).collect();
    Ok(ParsedFeed { bozo: !errors.is_empty(), errors, format: format.into(), feed, entries })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(s: &str) -> Result<ParsedFeed, FeedError> {
        parse(s.as_bytes(), &Context::default())
    }

    #[test]
    fn fields_of_the_wrong_type_read_as_absent() {
        let f = parse_str(
            r#"{"version":"https://jsonfeed.org/version/1.1","title":[1,2],"items":[
                 7, {"id":12,"title":{"x":1},"url":"https://e.com/a","tags":["A",3,"B"],
                     "authors":[{"name":"N"}],"attachments":[{"url":"https://e.com/m.mp3","size_in_bytes":5}]}]}"#,
        )
        .unwrap();
        assert_eq!(f.feed.title, None);
        assert_eq!(f.entries.len(), 1);
        let e = &f.entries[0];
        assert_eq!(e.id.as_deref(), Some("12"));
        assert_eq!(e.title, None);
        assert_eq!(e.categories, ["A", "B"]);
        assert_eq!(e.author.as_ref().and_then(|a| a.name.as_deref()), Some("N"));
        assert_eq!(e.enclosures[0].length.as_deref(), Some("5"));
    }

    #[test]
    fn escaped_strings_are_kept() {
        let f =
            parse_str(r#"{"version":"https://jsonfeed.org/version/1","items":[{"id":"1","title":"a \"b\" \u00e9"}]}"#)
                .unwrap();
        assert_eq!(f.entries[0].title.as_deref(), Some("a \"b\" é"));
    }

    #[test]
    fn issue_14_items_past_the_limit_are_skipped_and_reported() {
        let items = vec![r#"{"id":"x","url":"https://e.com/"}"#; MAX_ENTRIES + 5].join(",");
        let f = parse_str(&format!(r#"{{"version":"https://jsonfeed.org/version/1","items":[{items}]}}"#)).unwrap();
        assert_eq!(f.entries.len(), MAX_ENTRIES);
        assert!(f.bozo);
    }

    #[test]
    fn issue_14_deep_nesting_is_skipped_without_recursion() {
        let (open, close) = ("[".repeat(1_000_000), "]".repeat(1_000_000));
        let f = parse_str(&format!(r#"{{"items":[{open}{close}, {{"id":"1","title":{open}{close}}}]}}"#)).unwrap();
        assert_eq!(f.entries.len(), 1);
        assert_eq!(f.entries[0].title, None);
        let unclosed = format!(r#"{{"items":[{{"id":"1","title":{open}"#);
        assert!(parse_str(&unclosed).is_err());
    }
}
