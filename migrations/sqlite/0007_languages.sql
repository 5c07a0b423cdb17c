-- Which language a vote and a search no entry answers came from: the page's (`zh-CN`, `en`).
-- For a search, the language of its latest such search, as `weak` is.
ALTER TABLE votes ADD COLUMN lang TEXT NOT NULL DEFAULT 'zh-CN';
ALTER TABLE zero_result_queries ADD COLUMN lang TEXT NOT NULL DEFAULT 'zh-CN';
