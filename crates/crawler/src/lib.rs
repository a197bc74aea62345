//! Crawler: drives fetch, feed, extract, enrich and store for each source.
