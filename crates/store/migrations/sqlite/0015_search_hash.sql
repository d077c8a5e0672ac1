-- The full-text index gathers what a transaction writes in memory and writes it out as a new
-- segment whenever that passes its hash size (1 MB by default), then merges the segments.
-- An import batch of a thousand posts filled it many times over: with 8 MB it writes fewer,
-- larger segments and merges less. An ordinary save writes far less than either.
INSERT INTO search_docs(search_docs, rank) VALUES ('hashsize', 8388608);
