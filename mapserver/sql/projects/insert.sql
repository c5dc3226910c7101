-- A new project. Its area is resolved here, once, and kept as it was (FixMyStreet's habit): the
-- union of its ideas' areas (each a hotspot outline or districts as they were then) and its
-- Ortsteile's outlines; none when neither has one. The caller has checked the ideas and
-- districts (check_choices) in the same transaction.
WITH {{project_area}}
INSERT INTO project (county_key, municipality_ags, district_ids, title, description, status, start_on,
                     accompaniment_end, progress_set, area, responsible_id, created_by)
VALUES (:county_key, :municipality_ags, CAST(:district_ids AS integer[]), :title, :description, :status,
        :start_on, :accompaniment_end, :progress_set, (SELECT geom FROM area), :responsible_id, :created_by)
RETURNING id
