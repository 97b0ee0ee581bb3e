-- The store's base schema: schema version 1. Later changes go in migrations/NNN_name.sql (NNN >= 2),
-- applied in order by extract.store.db.migrate, each recorded in schema_version.

CREATE TABLE articles (
    id                VARCHAR PRIMARY KEY,   -- hash of the normalised text
    doc               VARCHAR NOT NULL,      -- the document id claims carry in `doc` (path as given, or the id column)
    title             VARCHAR,
    text              VARCHAR NOT NULL,
    lang              VARCHAR,
    published         DATE,
    outlet            VARCHAR,
    url               VARCHAR,
    origin            VARCHAR,               -- file the article came from (with #row for multi-article files)
    ingested_at       TIMESTAMP NOT NULL,
    run_id            INTEGER NOT NULL,
    extractor_version VARCHAR NOT NULL,
    n_claims          INTEGER NOT NULL
);

CREATE TABLE claims (
    claim_id          VARCHAR NOT NULL,
    article_id        VARCHAR NOT NULL,
    doc               VARCHAR NOT NULL,
    lang              VARCHAR NOT NULL,
    category          VARCHAR NOT NULL,
    asset             VARCHAR,
    low               BIGINT NOT NULL,
    best              BIGINT NOT NULL,
    high              BIGINT,
    qualifier         VARCHAR NOT NULL,
    convention        VARCHAR,
    quote             VARCHAR NOT NULL,
    "start"           INTEGER NOT NULL,
    "end"             INTEGER NOT NULL,
    sentence          VARCHAR NOT NULL,
    victims           VARCHAR,
    party             VARCHAR,
    victim_type       VARCHAR NOT NULL,
    includes          STRUCT(victims VARCHAR, low BIGINT, best BIGINT, high BIGINT, qualifier VARCHAR)[] NOT NULL,
    claimed_by        VARCHAR,
    claimant          VARCHAR,
    claimant_type     VARCHAR NOT NULL,
    self_reported     BOOLEAN,
    perpetrator       VARCHAR,
    location          VARCHAR,
    place             VARCHAR,
    country           VARCHAR,
    lat               DOUBLE,
    lon               DOUBLE,
    event_date        DATE,
    scope             VARCHAR NOT NULL,
    subgroup_of       VARCHAR,
    repeats           VARCHAR,
    negated           BOOLEAN NOT NULL,
    confidence        DOUBLE NOT NULL,
    rule              VARCHAR NOT NULL,
    extractor_version VARCHAR NOT NULL,
    published         DATE,                  -- the article's publication date (copied: filters need no join)
    "day"             DATE,                  -- event_date, else published: the date filters and series use
    run_id            INTEGER NOT NULL
);

CREATE TABLE ingest_runs (
    run_id            INTEGER PRIMARY KEY,
    started_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL,
    finished_at       TIMESTAMP,             -- null while running, or when the run was killed
    extractor_version VARCHAR NOT NULL,
    paths             VARCHAR[] NOT NULL,
    seen              INTEGER NOT NULL,      -- documents read
    added             INTEGER NOT NULL,      -- new articles stored
    duplicates        INTEGER NOT NULL,      -- articles already stored (or twice in the run)
    reextracted       INTEGER NOT NULL,      -- stored articles whose claims were replaced (--reextract)
    claims_added      INTEGER NOT NULL,
    rejected          INTEGER NOT NULL,
    rejections        STRUCT(origin VARCHAR, reason VARCHAR)[] NOT NULL
);
