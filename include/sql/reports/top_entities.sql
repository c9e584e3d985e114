-- name: top_entities
-- description: People, organisations and places by articles mentioning them, with the change against the previous period.
WITH span AS (SELECT CAST($to_day - $from_day + 1 AS INTEGER) AS days),
current AS (
    SELECT entity, label, count(DISTINCT article_id) AS articles, sum(mentions) AS mentions
    FROM entity_mentions WHERE date BETWEEN $from_day AND $to_day GROUP BY ALL
), previous AS (
    SELECT entity, label, count(DISTINCT article_id) AS articles FROM entity_mentions, span
    WHERE date BETWEEN $from_day - days AND $from_day - 1 GROUP BY ALL
)
SELECT c.entity, c.label, c.articles, c.mentions, coalesce(p.articles, 0) AS previous_articles,
       c.articles - coalesce(p.articles, 0) AS change
FROM current c LEFT JOIN previous p USING (entity, label)
ORDER BY c.articles DESC, c.mentions DESC, c.entity
LIMIT 25
