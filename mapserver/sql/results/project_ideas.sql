-- The published ideas a project was made from, each with the state of its latest published
-- answer (drafts are never read here); pending and hidden ideas are left out.
SELECT i.id, i.title, i.support_count,
       (SELECT ans.state FROM idea_answer ans
        WHERE ans.idea_id = i.id AND ans.published_at IS NOT NULL AND ans.published_at <= now()
        ORDER BY ans.published_at DESC, ans.id DESC LIMIT 1) AS answer_state
FROM project_idea pi
JOIN idea i ON i.id = pi.idea_id
WHERE pi.project_id = :project_id AND i.status = ANY (:shown_statuses)
ORDER BY i.id
