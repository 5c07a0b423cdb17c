-- Searches that found only weak matches (no entry answers them) are logged beside those that
-- found nothing: `weak` says which the latest search of the query was.
ALTER TABLE zero_result_queries ADD COLUMN weak INTEGER NOT NULL DEFAULT 0 CHECK (weak IN (0, 1));
