-- name: zero_articles
-- stage: publish
-- severity: fail
-- A source that usually publishes (at least one article a day over the previous week)
-- has none today.
WITH history AS (
    SELECT count(*) / 7.0 AS usual FROM articles
    WHERE source = $source AND date BETWEEN $day - INTERVAL 7 DAY AND $day - INTERVAL 1 DAY
), today AS (
    SELECT count(*) AS n FROM articles WHERE source = $source AND date = $day
)
SELECT format('{} has 0 articles on {} (usually {:.1f} a day)', $source, $day, usual)
       AS message
FROM history, today WHERE n = 0 AND usual >= 1
