-- Matches PostgreSQL 0001_init.sql. Both live schemas are checked against each other and migrate.rs (store test issue_17_...).
-- Crawl leases: a worker claims a due source until lease_until, so that
-- several workers never fetch the same feed at once; an expired lease
-- (a killed worker) makes the source claimable again.
ALTER TABLE sources ADD COLUMN lease_owner TEXT;
ALTER TABLE sources ADD COLUMN lease_until INTEGER;
-- Retention never removes a pinned article.
ALTER TABLE articles ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
