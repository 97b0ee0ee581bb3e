-- Incidents (extract/incidents.py, docs/incidents.md): claims of several documents about one event, grouped.
-- incidents and incident_claims are derived (rebuilt by extract.store.db.regroup_incidents after each ingest batch);
-- incident_overrides are the analysts' splits and merges, keyed by claim ids so that they survive regrouping.

CREATE TABLE incidents (
    incident_id   VARCHAR PRIMARY KEY,    -- "inc-" + hash of the block and the first member claim id
    category      VARCHAR NOT NULL,
    asset         VARCHAR,
    side          VARCHAR,                -- civilians | a combatant party | combatants | null (unknown)
    country       VARCHAR,
    admin1        VARCHAR,
    place         VARCHAR,                -- the most specific place among the members
    first_date    DATE,
    last_date     DATE,
    low           BIGINT,                 -- the lowest credible report's low
    best          BIGINT,                 -- the rule in docs/incidents.md
    high          BIGINT,                 -- the highest report's high (its best when open-ended)
    best_claim_id VARCHAR,
    best_claimant VARCHAR,
    n_claims      INTEGER NOT NULL,
    n_docs        INTEGER NOT NULL,
    n_claimants   INTEGER NOT NULL,
    spread_low    BIGINT,                 -- lowest and highest current figure among the claimants
    spread_high   BIGINT,
    block         VARCHAR NOT NULL        -- category|asset|country: the unit regrouped after an ingest
);

CREATE TABLE incident_claims (
    claim_id      VARCHAR PRIMARY KEY,
    incident_id   VARCHAR NOT NULL,
    role          VARCHAR NOT NULL,       -- report | subgroup | repeat
    counted       BOOLEAN NOT NULL,       -- reports count towards the incident's figures; sub-groups and repeats do not
    reason        VARCHAR NOT NULL        -- why the claim is in the incident
);

CREATE TABLE incident_overrides (
    override_id   VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,       -- split (side a must not be with side b) | merge (must be together)
    seq           INTEGER NOT NULL,       -- order of the analysts' actions: the later of a contradicting pair wins
    claim_id      VARCHAR NOT NULL,
    side          VARCHAR,                -- a | b for splits, null for merges
    note          VARCHAR,
    created_at    TIMESTAMP NOT NULL,
    PRIMARY KEY (override_id, claim_id)
);
