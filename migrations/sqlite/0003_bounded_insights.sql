-- The logs of use are bounded (most frequent and most recent rows kept): both tables need a
-- time to rank by recency, and indexes so that ranking and /admin/insights walk an index.
ALTER TABLE result_opens ADD COLUMN last_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX zero_result_by_count ON zero_result_queries (count DESC, last_at DESC);
CREATE INDEX zero_result_by_time ON zero_result_queries (last_at DESC);
CREATE INDEX result_opens_by_count ON result_opens (count DESC, last_at DESC);
CREATE INDEX result_opens_by_time ON result_opens (last_at DESC);
