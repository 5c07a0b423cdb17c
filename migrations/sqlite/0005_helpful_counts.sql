-- Helpful votes per entry, kept by triggers on `votes`. The popular entries are read again
-- after every write, and summing them from `votes` cost a scan of every vote ever cast.
-- (No `OR IGNORE` below: the vote's own upsert would override it, as SQLite does in triggers.)
CREATE TABLE helpful_counts (
    entry TEXT    PRIMARY KEY,
    count INTEGER NOT NULL
);
INSERT INTO helpful_counts (entry, count)
    SELECT entry, COUNT(*) FROM votes WHERE helpful = 1 GROUP BY entry;

CREATE TRIGGER votes_helpful_insert AFTER INSERT ON votes WHEN NEW.helpful = 1
BEGIN
    INSERT INTO helpful_counts (entry, count) SELECT NEW.entry, 0
    WHERE NOT EXISTS (SELECT 1 FROM helpful_counts WHERE entry = NEW.entry);
    UPDATE helpful_counts SET count = count + 1 WHERE entry = NEW.entry;
END;

CREATE TRIGGER votes_helpful_update AFTER UPDATE OF helpful ON votes
WHEN OLD.helpful <> NEW.helpful
BEGIN
    INSERT INTO helpful_counts (entry, count) SELECT NEW.entry, 0
    WHERE NOT EXISTS (SELECT 1 FROM helpful_counts WHERE entry = NEW.entry);
    UPDATE helpful_counts SET count = count + NEW.helpful - OLD.helpful WHERE entry = NEW.entry;
END;

CREATE TRIGGER votes_helpful_delete AFTER DELETE ON votes WHEN OLD.helpful = 1
BEGIN
    UPDATE helpful_counts SET count = count - 1 WHERE entry = OLD.entry;
END;
