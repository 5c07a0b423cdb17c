-- "这篇文章有帮助吗？": one vote per visitor and entry; a visitor may change theirs.
CREATE TABLE votes (
    entry    TEXT    NOT NULL,
    visitor  TEXT    NOT NULL,
    helpful  INTEGER NOT NULL CHECK (helpful IN (0, 1)),
    comment  TEXT,
    voted_at INTEGER NOT NULL, -- unix seconds
    PRIMARY KEY (entry, visitor)
);
CREATE INDEX votes_by_entry ON votes (entry, helpful);
