-- Votes per entry, kept by triggers on `votes`. The popular entries are read again after
-- every write and an entry's JSON shows its counts; summing them from `votes` cost a scan of
-- the votes ever cast. (No `OR IGNORE` below: a vote's own upsert would override it, as SQLite
-- does for statements in triggers.)
CREATE TABLE vote_counts (
    entry       TEXT    PRIMARY KEY,
    helpful     INTEGER NOT NULL,
    not_helpful INTEGER NOT NULL
);
INSERT INTO vote_counts (entry, helpful, not_helpful)
    SELECT entry, SUM(helpful), SUM(1 - helpful) FROM votes GROUP BY entry;

CREATE TRIGGER votes_counted_insert AFTER INSERT ON votes
BEGIN
    INSERT INTO vote_counts (entry, helpful, not_helpful) SELECT NEW.entry, 0, 0
    WHERE NOT EXISTS (SELECT 1 FROM vote_counts WHERE entry = NEW.entry);
    UPDATE vote_counts
    SET helpful = helpful + NEW.helpful, not_helpful = not_helpful + 1 - NEW.helpful
    WHERE entry = NEW.entry;
END;

CREATE TRIGGER votes_counted_update AFTER UPDATE OF helpful ON votes
WHEN OLD.helpful <> NEW.helpful
BEGIN
    UPDATE vote_counts
    SET helpful = helpful + NEW.helpful - OLD.helpful,
        not_helpful = not_helpful + OLD.helpful - NEW.helpful
    WHERE entry = NEW.entry;
END;

CREATE TRIGGER votes_counted_delete AFTER DELETE ON votes
BEGIN
    UPDATE vote_counts
    SET helpful = helpful - OLD.helpful, not_helpful = not_helpful - 1 + OLD.helpful
    WHERE entry = OLD.entry;
END;
