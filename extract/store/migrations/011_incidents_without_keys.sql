-- incidents and incident_claims without their PRIMARY KEY indexes. The regroup writes each incident and each
-- membership once by construction (a unit's rows are deleted before they are written again, and a membership's
-- old row before its new one; tests/test_incidents_store.py checks that no id repeats), while the ART indexes
-- cost memory and upkeep that grow with the store. The tables are derived, so they are rebuilt as they are.

CREATE TABLE incidents_rebuilt (
    incident_id   VARCHAR NOT NULL,       -- "inc-" + hash of the block and the first member claim id; unique
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
INSERT INTO incidents_rebuilt SELECT * FROM incidents;
DROP TABLE incidents;
ALTER TABLE incidents_rebuilt RENAME TO incidents;

CREATE TABLE incident_claims_rebuilt (
    claim_id      VARCHAR NOT NULL,       -- unique: a claim is in one incident at most
    incident_id   VARCHAR NOT NULL,
    role          VARCHAR NOT NULL,       -- report | subgroup | repeat
    counted       BOOLEAN NOT NULL,       -- reports count towards the incident's figures; sub-groups and repeats do not
    reason        VARCHAR NOT NULL        -- why the claim is in the incident
);
INSERT INTO incident_claims_rebuilt SELECT * FROM incident_claims;
DROP TABLE incident_claims;
ALTER TABLE incident_claims_rebuilt RENAME TO incident_claims;
