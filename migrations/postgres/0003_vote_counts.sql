-- Votes per entry, kept by a trigger on `votes`. The popular entries are read again after
-- every write and an entry's JSON shows its counts; summing them from `votes` cost a scan of
-- the votes ever cast: under a load of votes the replicas' backends did little else.
CREATE TABLE vote_counts (
    entry       TEXT   PRIMARY KEY,
    helpful     BIGINT NOT NULL,
    not_helpful BIGINT NOT NULL
);
INSERT INTO vote_counts (entry, helpful, not_helpful)
    SELECT entry, SUM(helpful::INT), SUM((NOT helpful)::INT) FROM votes GROUP BY entry;

CREATE FUNCTION count_votes() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE vote_counts
        SET helpful = helpful - OLD.helpful::INT,
            not_helpful = not_helpful - (NOT OLD.helpful)::INT
        WHERE entry = OLD.entry;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO vote_counts (entry, helpful, not_helpful)
        VALUES (NEW.entry, NEW.helpful::INT, (NOT NEW.helpful)::INT)
        ON CONFLICT (entry) DO UPDATE
        SET helpful = vote_counts.helpful + excluded.helpful,
            not_helpful = vote_counts.not_helpful + excluded.not_helpful;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER votes_counted AFTER INSERT OR DELETE OR UPDATE OF helpful ON votes
    FOR EACH ROW EXECUTE FUNCTION count_votes();
