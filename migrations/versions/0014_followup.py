"""Step two of the programme: ideas against the walls (with supports), the county's public answers
and answer templates, projects accompanied for a year (ideas, partners, milestones, updates), the
local actors and places, and the audit log of all their changes. Adds the role `coordinator` and
an optional e-mail address per staff account (for the projects' reminders).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

DIMENSIONS = "'social', 'generations', 'origin', 'income', 'mobility', 'other'"
ANSWER_STATES = "'eingegangen', 'in_pruefung', 'wird_umgesetzt', 'nicht_umsetzbar', 'erledigt'"
ROLES_BEFORE = "'planner', 'facilitator', 'moderator', 'admin'"
ROLES_AFTER = "'planner', 'facilitator', 'moderator', 'coordinator', 'admin'"


def _roles(roles: str) -> None:
    op.execute("ALTER TABLE account DROP CONSTRAINT account_roles_known")
    op.execute(f"ALTER TABLE account ADD CONSTRAINT account_roles_known CHECK (roles <@ ARRAY[{roles}]::text[])")


def upgrade() -> None:
    _roles(ROLES_AFTER)
    # Where `glaswaende projects remind` mails a project's responsible staff (optional).
    op.execute("ALTER TABLE account ADD COLUMN email text")
    op.execute("""
        CREATE TABLE local_actor (
            id serial PRIMARY KEY,
            county_key varchar(5) NOT NULL,
            municipality_ags varchar(8) NOT NULL REFERENCES municipality (ags),
            district_id integer REFERENCES district (id) ON DELETE SET NULL,
            name text NOT NULL,
            kind text NOT NULL,
            description text,
            contact text,
            geom geometry(POINT, 4326),
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now(),
            CONSTRAINT local_actor_kind_known CHECK (kind IN ('verein', 'initiative', 'schule', 'kirchengemeinde',
                                                              'treffpunkt', 'verwaltung', 'sonstiges')),
            CONSTRAINT local_actor_name_length CHECK (char_length(name) BETWEEN 1 AND 200)
        )
    """)
    op.execute("CREATE INDEX local_actor_county_municipality_idx ON local_actor (county_key, municipality_ags)")
    op.execute(f"""
        CREATE TABLE idea (
            id serial PRIMARY KEY,
            county_key varchar(5) NOT NULL,
            municipality_ags varchar(8) NOT NULL REFERENCES municipality (ags),
            district_ids integer[] NOT NULL DEFAULT '{{}}',
            title text NOT NULL,
            body text NOT NULL DEFAULT '',
            dimensions text[] NOT NULL DEFAULT '{{}}',
            source text NOT NULL,
            workshop_id integer REFERENCES workshop (id) ON DELETE SET NULL,
            hotspot_run_id integer,
            hotspot_id integer,
            area geometry(MULTIPOLYGON, 4326),
            status text NOT NULL DEFAULT 'pending',
            support_count integer NOT NULL DEFAULT 0,
            created_by integer REFERENCES account (id),
            created_at timestamptz NOT NULL DEFAULT now(),
            CONSTRAINT idea_source_known CHECK (source IN ('online', 'workshop', 'paper')),
            CONSTRAINT idea_status_known CHECK (status IN ('pending', 'published', 'hidden')),
            CONSTRAINT idea_dimensions_known CHECK (dimensions <@ ARRAY[{DIMENSIONS}]::text[]),
            CONSTRAINT idea_title_length CHECK (char_length(title) BETWEEN 1 AND 120),
            CONSTRAINT idea_body_length CHECK (char_length(body) <= 2000)
        )
    """)
    op.execute("CREATE INDEX idea_county_municipality_idx ON idea (county_key, municipality_ags)")
    op.execute("CREATE INDEX idea_moderation_queue_idx ON idea (status, created_at)")
    op.execute("CREATE INDEX idea_area_idx ON idea USING gist (area)")
    op.execute("""
        CREATE TABLE idea_support (
            idea_id integer NOT NULL REFERENCES idea (id) ON DELETE CASCADE,
            device_hash bytea NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (idea_id, device_hash)
        )
    """)
    op.execute(f"""
        CREATE TABLE idea_answer (
            id serial PRIMARY KEY,
            idea_id integer NOT NULL REFERENCES idea (id) ON DELETE CASCADE,
            state text NOT NULL,
            body text NOT NULL DEFAULT '',
            institution text NOT NULL,
            drafted_by integer NOT NULL REFERENCES account (id),
            drafted_at timestamptz NOT NULL DEFAULT now(),
            published_at timestamptz,
            CONSTRAINT idea_answer_state_known CHECK (state IN ({ANSWER_STATES})),
            CONSTRAINT idea_answer_reason_given CHECK (state <> 'nicht_umsetzbar' OR char_length(btrim(body)) > 0),
            CONSTRAINT idea_answer_institution_length CHECK (char_length(institution) BETWEEN 1 AND 200)
        )
    """)
    op.execute("CREATE INDEX idea_answer_idea_idx ON idea_answer (idea_id)")
    op.execute(f"""
        CREATE TABLE answer_template (
            id serial PRIMARY KEY,
            county_key varchar(5) NOT NULL,
            title text NOT NULL,
            state text NOT NULL,
            body text NOT NULL,
            CONSTRAINT answer_template_state_known CHECK (state IN ({ANSWER_STATES}))
        )
    """)
    op.execute("""
        CREATE TABLE project (
            id serial PRIMARY KEY,
            county_key varchar(5) NOT NULL,
            municipality_ags varchar(8) NOT NULL REFERENCES municipality (ags),
            district_ids integer[] NOT NULL DEFAULT '{}',
            title text NOT NULL,
            description text NOT NULL DEFAULT '',
            status text NOT NULL DEFAULT 'geplant',
            start_on date NOT NULL,
            accompaniment_end date NOT NULL,
            progress_set integer,
            area geometry(MULTIPOLYGON, 4326),
            baseline jsonb,
            responsible_id integer REFERENCES account (id),
            created_by integer NOT NULL REFERENCES account (id),
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now(),
            CONSTRAINT project_status_known CHECK (status IN ('geplant', 'laeuft', 'pausiert', 'abgeschlossen',
                                                              'abgebrochen')),
            CONSTRAINT project_progress_range CHECK (progress_set IS NULL OR progress_set BETWEEN 0 AND 100),
            CONSTRAINT project_accompaniment_after_start CHECK (accompaniment_end >= start_on)
        )
    """)
    op.execute("CREATE INDEX project_county_municipality_idx ON project (county_key, municipality_ags)")
    op.execute("CREATE INDEX project_area_idx ON project USING gist (area)")
    op.execute("""
        CREATE TABLE project_idea (
            project_id integer NOT NULL REFERENCES project (id) ON DELETE CASCADE,
            idea_id integer NOT NULL REFERENCES idea (id) ON DELETE CASCADE,
            PRIMARY KEY (project_id, idea_id)
        )
    """)
    op.execute("""
        CREATE TABLE project_partner (
            project_id integer NOT NULL REFERENCES project (id) ON DELETE CASCADE,
            actor_id integer NOT NULL REFERENCES local_actor (id) ON DELETE CASCADE,
            role text,
            PRIMARY KEY (project_id, actor_id)
        )
    """)
    op.execute("""
        CREATE TABLE project_milestone (
            id serial PRIMARY KEY,
            project_id integer NOT NULL REFERENCES project (id) ON DELETE CASCADE,
            title text NOT NULL,
            body text NOT NULL DEFAULT '',
            due_on date NOT NULL,
            done_on date
        )
    """)
    op.execute("CREATE INDEX project_milestone_project_idx ON project_milestone (project_id)")
    op.execute("""
        CREATE TABLE project_update (
            id serial PRIMARY KEY,
            project_id integer NOT NULL REFERENCES project (id) ON DELETE CASCADE,
            body text NOT NULL,
            photo bytea,
            photo_caption text,
            created_by integer NOT NULL REFERENCES account (id),
            published_at timestamptz NOT NULL DEFAULT now()
        )
    """)
    op.execute("CREATE INDEX project_update_project_idx ON project_update (project_id, published_at)")
    op.execute("""
        CREATE TABLE followup_event (
            id bigserial PRIMARY KEY,
            county_key varchar(5) NOT NULL,
            actor_id integer REFERENCES account (id),
            subject text NOT NULL,
            subject_id integer NOT NULL,
            action text NOT NULL,
            at timestamptz NOT NULL DEFAULT now(),
            before jsonb,
            after jsonb,
            CONSTRAINT followup_event_subject_known CHECK (subject IN ('idea', 'answer', 'answer_template', 'project',
                                                                       'milestone', 'update', 'actor'))
        )
    """)
    op.execute("CREATE INDEX followup_event_subject_idx ON followup_event (subject, subject_id)")
    op.execute("CREATE INDEX followup_event_at_idx ON followup_event (at)")


def downgrade() -> None:
    for table in ("followup_event", "project_update", "project_milestone", "project_partner", "project_idea",
                  "project", "answer_template", "idea_answer", "idea_support", "idea", "local_actor"):
        op.execute(f"DROP TABLE {table}")
    op.execute("ALTER TABLE account DROP COLUMN email")
    op.execute("UPDATE account SET roles = array_remove(roles, 'coordinator')")
    _roles(ROLES_BEFORE)
