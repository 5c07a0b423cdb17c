-- Where people go: counters kept small by aggregating (no per-visit rows).

-- How many times each wizard step was shown: the funnel, and where people stop.
CREATE TABLE wizard_steps (
    wizard TEXT    NOT NULL,
    step   TEXT    NOT NULL,
    visits INTEGER NOT NULL,
    PRIMARY KEY (wizard, step)
);

-- Answers to "问题解决了吗？" on each outcome.
CREATE TABLE wizard_outcomes (
    wizard  TEXT    NOT NULL,
    outcome TEXT    NOT NULL,
    solved  INTEGER NOT NULL CHECK (solved IN (0, 1)),
    count   INTEGER NOT NULL,
    PRIMARY KEY (wizard, outcome, solved)
);

-- Searches that found nothing, normalised (NFKC, lowercase, simplified, spaces collapsed).
CREATE TABLE zero_result_queries (
    query   TEXT    PRIMARY KEY,
    count   INTEGER NOT NULL,
    last_at INTEGER NOT NULL
);

-- Which result people open for a query.
CREATE TABLE result_opens (
    query TEXT    NOT NULL,
    entry TEXT    NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (query, entry)
);
