-- name: schema_drift
-- stage: publish
-- severity: fail
-- Every partition file of the day carries the schema version this pipeline writes
-- (an older lake: `python -m newswire migrate` rewrites its partitions).
SELECT format('{} has schema_version {} (expected {}): run python -m newswire migrate',
              file_name, decode(value),
              $schema_version) AS message
FROM parquet_kv_metadata($day_files)
WHERE decode(key) = 'schema_version' AND decode(value) <> $schema_version
