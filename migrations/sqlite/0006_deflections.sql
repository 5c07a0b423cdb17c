-- What the help widget on a ticket form reports (POST /api/deflection): per entry, how often it
-- was suggested, opened, said to solve the problem, or followed by a ticket sent anyway. The row
-- with entry '' counts forms: those shown suggestions, where one was opened, resolved, or sent
-- anyway. Only ever added to, as the other counters.
CREATE TABLE deflections (
    entry TEXT    NOT NULL,
    event TEXT    NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (entry, event)
);
