-- name: top_speakers
-- description: Speakers by quotes in the period, with the change against the previous period of the same length.
WITH span AS (SELECT CAST($to_day - $from_day + 1 AS INTEGER) AS days),
current AS (
    SELECT speaker, count(*) AS quotes, count(DISTINCT article_id) AS articles
    FROM statements WHERE speaker IS NOT NULL AND date BETWEEN $from_day AND $to_day
    GROUP BY speaker
), previous AS (
    SELECT speaker, count(*) AS quotes FROM statements, span
    WHERE speaker IS NOT NULL
      AND date BETWEEN $from_day - days AND $from_day - 1
    GROUP BY speaker
)
SELECT c.speaker, c.quotes, c.articles, coalesce(p.quotes, 0) AS previous_quotes,
       c.quotes - coalesce(p.quotes, 0) AS change
FROM current c LEFT JOIN previous p USING (speaker)
ORDER BY c.quotes DESC, c.speaker
LIMIT 25
