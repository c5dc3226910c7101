-- A project's fields changed; its area is resolved anew from the ideas and Ortsteile it names now
-- (as in insert.sql), so that the area always is the union of what the project works on.
-- Returns whether the area changed (the caller decides what becomes of the baseline).
WITH {{project_area}}
UPDATE project p SET municipality_ags = :municipality_ags, district_ids = CAST(:district_ids AS integer[]),
                   title = :title, description = :description, status = :status, start_on = :start_on,
                   accompaniment_end = :accompaniment_end, progress_set = :progress_set,
                   area = (SELECT geom FROM area), responsible_id = :responsible_id, updated_at = now()
FROM (SELECT area AS area_before FROM project WHERE id = :id) AS old
WHERE p.id = :id AND p.county_key = :county_key
RETURNING p.id, CASE WHEN p.area IS NULL OR old.area_before IS NULL THEN (p.area IS NULL) <> (old.area_before IS NULL)
                     ELSE NOT ST_Equals(p.area, old.area_before) END AS area_changed
