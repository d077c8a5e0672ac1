-- A review's rating, 1 to 5 stars, when the paper rates.
ALTER TABLE articles ADD COLUMN rating BIGINT CHECK (rating BETWEEN 1 AND 5);
