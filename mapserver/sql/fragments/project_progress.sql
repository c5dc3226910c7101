-- A project's progress in percent, for a project row aliased p: as set by hand (progress_set), or
-- else the share of its milestones done, or 0 without milestones. Staff and public pages, feeds,
-- the API and the report all read it from here.
COALESCE(p.progress_set, (
    SELECT round(100.0 * count(*) FILTER (WHERE m.done_on IS NOT NULL) / NULLIF(count(*), 0))::integer
    FROM project_milestone m WHERE m.project_id = p.id), 0)
