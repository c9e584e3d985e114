-- name: quotes_without_speaker
-- stage: annotate
-- severity: warn
-- Too many quotes of the day have no speaker (threshold: 20%).
SELECT format('{} of {} quotes of {} on {} have no speaker ({:.0f}% > 20%)', unknown, total,
              $source, $day, 100.0 * unknown / total) AS message
FROM (SELECT count(*) FILTER (WHERE speaker IS NULL) AS unknown, count(*) AS total
      FROM quotes WHERE source = $source AND date = $day)
WHERE total > 0 AND unknown > 0.2 * total
