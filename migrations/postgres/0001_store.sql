-- The same tables as the SQLite store (migrations/sqlite/), in one step: votes and the
-- counters of use, shared by every replica. Counters are only ever added to.

-- "这篇文章有帮助吗？": one vote per visitor and entry; a visitor may change theirs.
CREATE TABLE votes (
    entry    TEXT    NOT NULL,
    visitor  TEXT    NOT NULL,
    helpful  BOOLEAN NOT NULL,
    comment  TEXT,
    voted_at BIGINT  NOT NULL, -- unix seconds
    PRIMARY KEY (entry, visitor)
);
CREATE INDEX votes_by_entry ON votes (entry, helpful);
CREATE INDEX votes_by_time ON votes (voted_at DESC) WHERE comment IS NOT NULL;

-- How many times each wizard step was shown.
CREATE TABLE wizard_steps (
    wizard TEXT   NOT NULL,
    step   TEXT   NOT NULL,
    visits BIGINT NOT NULL,
    PRIMARY KEY (wizard, step)
);

-- Answers to "问题解决了吗？" on each outcome.
CREATE TABLE wizard_outcomes (
    wizard  TEXT    NOT NULL,
    outcome TEXT    NOT NULL,
    solved  BOOLEAN NOT NULL,
    count   BIGINT  NOT NULL,
    PRIMARY KEY (wizard, outcome, solved)
);

-- Searches that found nothing, normalised; bounded by pruning.
CREATE TABLE zero_result_queries (
    query   TEXT   PRIMARY KEY,
    count   BIGINT NOT NULL,
    last_at BIGINT NOT NULL
);
CREATE INDEX zero_result_by_count ON zero_result_queries (count DESC, last_at DESC);
CREATE INDEX zero_result_by_time ON zero_result_queries (last_at DESC);

-- Which result people open for a query; bounded by pruning.
CREATE TABLE result_opens (
    query   TEXT   NOT NULL,
    entry   TEXT   NOT NULL,
    count   BIGINT NOT NULL,
    last_at BIGINT NOT NULL,
    PRIMARY KEY (query, entry)
);
CREATE INDEX result_opens_by_count ON result_opens (count DESC, last_at DESC);
CREATE INDEX result_opens_by_time ON result_opens (last_at DESC);

-- Moved after every committed write; each replica polls it to learn that others wrote
-- (popular entries, Last-Modified). A sequence, so writers never wait on one another.
CREATE SEQUENCE writes;
