-- What happened publicly, newest first, for a municipality's or one project's Atom feed and the
-- project page's timeline: published answers to published ideas (never a draft: published_at set
-- and reached), projects started (their creation), milestones added (dated by their "created"
-- entry in the step-two audit log) and done, and published updates. With :project_id only that
-- project's, the answers of its linked ideas included; otherwise everything of :ags. One row per
-- event, so a feed's entries and the timeline cannot disagree.
WITH chosen_project AS (
    SELECT p.id, p.title, p.municipality_ags, p.created_at, p.start_on FROM project p
    WHERE p.county_key = :county_key
      AND (CAST(:project_id AS integer) IS NULL OR p.id = :project_id)
      AND (CAST(:ags AS text) IS NULL OR p.municipality_ags = :ags)
)
SELECT 'answer' AS kind, ans.id, ans.published_at AS at, i.id AS idea_id, i.title AS subject_title,
       ans.state, ans.body, ans.institution, NULL::integer AS project_id, NULL::boolean AS has_photo,
       NULL::text AS photo_caption, NULL::date AS due_on
FROM idea_answer ans
JOIN idea i ON i.id = ans.idea_id
WHERE i.county_key = :county_key AND i.status = ANY (:shown_statuses)
  AND ans.published_at IS NOT NULL AND ans.published_at <= now()
  AND (CAST(:ags AS text) IS NULL OR i.municipality_ags = :ags)
  AND (CAST(:project_id AS integer) IS NULL
       OR EXISTS (SELECT 1 FROM project_idea pi WHERE pi.idea_id = i.id AND pi.project_id = :project_id))
UNION ALL
SELECT 'project', cp.id, cp.created_at, NULL, cp.title, NULL, NULL, NULL, cp.id, NULL, NULL, cp.start_on
FROM chosen_project cp
UNION ALL
SELECT 'milestone_added', ms.id, e.at, NULL, ms.title, NULL, ms.body, NULL, cp.id, NULL, NULL, ms.due_on
FROM chosen_project cp
JOIN project_milestone ms ON ms.project_id = cp.id
JOIN LATERAL (SELECT min(f.at) AS at FROM followup_event f
              WHERE f.subject = 'milestone' AND f.subject_id = ms.id AND f.action = 'created'
                AND f.county_key = :county_key) e ON e.at IS NOT NULL
UNION ALL
SELECT 'milestone_done', ms.id, ms.done_on::timestamp AT TIME ZONE :time_zone, NULL, ms.title, NULL, ms.body, NULL,
       cp.id, NULL, NULL, ms.due_on
FROM chosen_project cp
JOIN project_milestone ms ON ms.project_id = cp.id
WHERE ms.done_on IS NOT NULL AND ms.done_on <= CAST(now() AT TIME ZONE :time_zone AS date)
UNION ALL
SELECT 'update', u.id, u.published_at, NULL, cp.title, NULL, u.body, NULL, cp.id, u.photo IS NOT NULL,
       u.photo_caption, NULL
FROM chosen_project cp
JOIN project_update u ON u.project_id = cp.id
WHERE u.published_at <= now()
ORDER BY at DESC, kind, id DESC
LIMIT :limit
