-- name: incomplete_articles
-- stage: publish
-- severity: warn
-- Articles with an empty or very short body, or without a publication date.
SELECT format('{} of {} articles of {} on {} have a body under 200 characters or no '
              'published_at', bad, total, $source, $day) AS message
FROM (SELECT count(*) FILTER (WHERE length(coalesce(body, '')) < 200
                                 OR published_at IS NULL) AS bad,
             count(*) AS total
      FROM articles WHERE source = $source AND date = $day)
WHERE bad > 0
