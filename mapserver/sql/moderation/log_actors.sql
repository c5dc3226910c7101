-- Who has moderated (for the audit log's filter): the names of accounts with a logged action.
SELECT DISTINCT a.name FROM moderation_event e JOIN account a ON a.id = e.actor_id ORDER BY a.name
