-- name: cooccurrence
-- description: Pairs of entities named in the same articles in the period.
WITH m AS (SELECT DISTINCT source, date, article_id, entity FROM entity_mentions
           WHERE date BETWEEN $from_day AND $to_day)
SELECT a.entity AS entity_a, b.entity AS entity_b, count(*) AS articles
FROM m a JOIN m b ON a.source = b.source AND a.date = b.date
                 AND a.article_id = b.article_id AND a.entity < b.entity
GROUP BY ALL ORDER BY articles DESC, entity_a, entity_b
LIMIT 50
