-- Searches that found only weak matches (no entry answers them) are logged beside those that
-- found nothing: `weak` says which the latest search of the query was.
ALTER TABLE zero_result_queries ADD COLUMN weak BOOLEAN NOT NULL DEFAULT FALSE;
