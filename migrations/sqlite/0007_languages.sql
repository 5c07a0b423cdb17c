-- Which language a vote, a search no entry answers and a wizard run came from: the page's (`zh-CN`, `en`).
-- For a search, the language of its latest such search, as `weak` is.
ALTER TABLE votes ADD COLUMN lang TEXT NOT NULL DEFAULT 'zh-CN';
ALTER TABLE zero_result_queries ADD COLUMN lang TEXT NOT NULL DEFAULT 'zh-CN';

-- Wizard runs by language: the key gains `lang` (SQLite changes a key by copying the table).
CREATE TABLE wizard_steps_by_lang (
    wizard TEXT    NOT NULL,
    step   TEXT    NOT NULL,
    lang   TEXT    NOT NULL,
    visits INTEGER NOT NULL,
    PRIMARY KEY (wizard, step, lang)
);
INSERT INTO wizard_steps_by_lang (wizard, step, lang, visits)
    SELECT wizard, step, 'zh-CN', visits FROM wizard_steps;
DROP TABLE wizard_steps;
ALTER TABLE wizard_steps_by_lang RENAME TO wizard_steps;

CREATE TABLE wizard_outcomes_by_lang (
    wizard  TEXT    NOT NULL,
    outcome TEXT    NOT NULL,
    solved  INTEGER NOT NULL CHECK (solved IN (0, 1)),
    lang    TEXT    NOT NULL,
    count   INTEGER NOT NULL,
    PRIMARY KEY (wizard, outcome, solved, lang)
);
INSERT INTO wizard_outcomes_by_lang (wizard, outcome, solved, lang, count)
    SELECT wizard, outcome, solved, 'zh-CN', count FROM wizard_outcomes;
DROP TABLE wizard_outcomes;
ALTER TABLE wizard_outcomes_by_lang RENAME TO wizard_outcomes;
