-- Which language a vote, a search no entry answers and a wizard run came from: the page's (`zh-CN`, `en`).
-- For a search, the language of its latest such search, as `weak` is.
ALTER TABLE votes ADD COLUMN lang TEXT NOT NULL DEFAULT 'zh-CN';
ALTER TABLE zero_result_queries ADD COLUMN lang TEXT NOT NULL DEFAULT 'zh-CN';

-- Wizard runs by language: the key gains `lang`.
ALTER TABLE wizard_steps ADD COLUMN lang TEXT NOT NULL DEFAULT 'zh-CN';
ALTER TABLE wizard_steps DROP CONSTRAINT wizard_steps_pkey;
ALTER TABLE wizard_steps ADD PRIMARY KEY (wizard, step, lang);
ALTER TABLE wizard_outcomes ADD COLUMN lang TEXT NOT NULL DEFAULT 'zh-CN';
ALTER TABLE wizard_outcomes DROP CONSTRAINT wizard_outcomes_pkey;
ALTER TABLE wizard_outcomes ADD PRIMARY KEY (wizard, outcome, solved, lang);
