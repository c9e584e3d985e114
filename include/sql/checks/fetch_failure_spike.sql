-- name: fetch_failure_spike
-- stage: publish
-- severity: fail
-- More than half of the day's page fetches failed (and at least three did).
WITH last_attempt AS (
    SELECT url, arg_max_null(error, fetched_at) AS error FROM fetch_log
    WHERE source = $source AND date = $day AND purpose = 'page' GROUP BY url
)
SELECT format('{} pages of {} failed to fetch for {} on {} ({:.0f}%)', failed, total,
              $source, $day, 100.0 * failed / total) AS message
FROM (SELECT count(*) FILTER (WHERE error IS NOT NULL) AS failed, count(*) AS total
      FROM last_attempt)
WHERE failed >= 3 AND failed > 0.5 * total
