-- Helpful votes per entry, kept by a trigger on `votes`. The popular entries are read again
-- after every write, and summing them from `votes` cost a scan of every vote ever cast: under
-- a load of votes the two replicas' backends did little else.
CREATE TABLE helpful_counts (
    entry TEXT   PRIMARY KEY,
    count BIGINT NOT NULL
);
INSERT INTO helpful_counts (entry, count)
    SELECT entry, COUNT(*) FROM votes WHERE helpful GROUP BY entry;

CREATE FUNCTION count_helpful_votes() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        IF OLD.helpful THEN
            UPDATE helpful_counts SET count = count - 1 WHERE entry = OLD.entry;
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        IF NEW.helpful THEN
            INSERT INTO helpful_counts (entry, count) VALUES (NEW.entry, 1)
            ON CONFLICT (entry) DO UPDATE SET count = helpful_counts.count + 1;
        END IF;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER votes_count_helpful AFTER INSERT OR DELETE OR UPDATE OF helpful ON votes
    FOR EACH ROW EXECUTE FUNCTION count_helpful_votes();
