-- name: daily_digest
-- description: Per source and day: articles, quotes, and the day's headlines.
SELECT a.source, a.date, count(*) AS articles,
       (SELECT count(*) FROM quotes q WHERE q.source = a.source AND q.date = a.date) AS quotes,
       string_agg(a.title, ' | ' ORDER BY a.published_at) AS headlines
FROM articles a
WHERE a.date BETWEEN $from_day AND $to_day
GROUP BY ALL ORDER BY a.date, a.source
