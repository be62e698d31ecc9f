// Package fleet ships each kiosk's audit trail, sessions and tickets to a
// central PostgreSQL (jackc/pgx) and reads the fleet back for supervisors.
//
// The central database keeps one chain per kiosk and checks every batch on
// arrival, inside the database (fleet.ingest, a SECURITY DEFINER function):
// a batch must continue the stored chain (seq contiguous, prev_hash equal to
// the stored head hash, re-sent rows byte-identical, the kiosk's head not
// behind the stored head). It never recomputes a row hash, so it needs no
// kiosk key and works with any chain definition. See docs/FLEET.md.
package fleet

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Problem codes of a refused batch (and of fleet verify).
const (
	ProblemRewritten  = "REWRITTEN"   // a re-sent row differs from the stored one
	ProblemBrokenLink = "BROKEN_LINK" // prev_hash is not the stored head hash
	ProblemGap        = "GAP"         // a seq is missing
	ProblemTruncated  = "TRUNCATED"   // the kiosk's head is behind the stored head
)

// ErrRefused is a batch the central database refused; the kiosk is flagged
// until an operator clears it (Clear). Use errors.As with *RefusedError.
var ErrRefused = errors.New("fleet: refused by the central database")

// RefusedError names why a kiosk is refused.
type RefusedError struct {
	Kiosk   string
	Problem string // one of the Problem codes
	Seq     int64  // first seq concerned
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("fleet: kiosk %s refused: %s at seq %d", e.Kiosk, e.Problem, e.Seq)
}

// Unwrap makes errors.Is(err, ErrRefused) true.
func (e *RefusedError) Unwrap() error { return ErrRefused }

// migrations is the append-only list of central schema scripts; script i
// brings the schema to version i+1. Never edit a released one; add one.
var migrations = []string{
	// 1: kiosks, events, sessions, tickets, incidents, ingest, roles.
	`
CREATE SCHEMA IF NOT EXISTS fleet;

CREATE TABLE fleet.kiosks (
	kiosk           text PRIMARY KEY CHECK (kiosk ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
	first_seq       bigint,
	head_seq        bigint NOT NULL DEFAULT 0,
	head_hash       text NOT NULL DEFAULT '',
	events          bigint NOT NULL DEFAULT 0,
	last_event_at   timestamptz,
	last_contact_at timestamptz,
	problem         text CHECK (problem IN ('REWRITTEN','BROKEN_LINK','GAP','TRUNCATED')),
	problem_seq     bigint,
	problem_at      timestamptz
);

CREATE TABLE fleet.audit_events (
	kiosk       text NOT NULL REFERENCES fleet.kiosks,
	seq         bigint NOT NULL,
	at          text NOT NULL,
	at_ts       timestamptz NOT NULL,
	session_id  bigint,
	kind        text NOT NULL,
	detail_json text NOT NULL,
	prev_hash   text NOT NULL,
	hash        text NOT NULL,
	PRIMARY KEY (kiosk, seq)
);
CREATE INDEX audit_events_at ON fleet.audit_events (at_ts);

CREATE TABLE fleet.sessions (
	kiosk      text NOT NULL REFERENCES fleet.kiosks,
	id         bigint NOT NULL,
	started_at timestamptz NOT NULL,
	ended_at   timestamptz,
	mode       text NOT NULL,
	outcome    text,
	services   text NOT NULL,
	profile    text NOT NULL,
	age_band   text,
	PRIMARY KEY (kiosk, id)
);
CREATE INDEX sessions_started ON fleet.sessions (started_at, kiosk);

CREATE TABLE fleet.tickets (
	kiosk      text NOT NULL REFERENCES fleet.kiosks,
	id         bigint NOT NULL,
	date       date NOT NULL,
	number     integer NOT NULL,
	session_id bigint,
	status     text NOT NULL,
	route      text NOT NULL,
	fee_yen    integer NOT NULL,
	reasons    text NOT NULL,
	created_at timestamptz NOT NULL,
	updated_at timestamptz NOT NULL,
	PRIMARY KEY (kiosk, id)
);
CREATE INDEX tickets_date ON fleet.tickets (date, status);

CREATE TABLE fleet.incidents (
	id         bigserial PRIMARY KEY,
	kiosk      text NOT NULL REFERENCES fleet.kiosks,
	problem    text NOT NULL,
	seq        bigint,
	at         timestamptz NOT NULL DEFAULT now(),
	cleared_at timestamptz,
	cleared_by text
);

-- head: where the kiosk resumes (and whether it is flagged).
CREATE FUNCTION fleet.head(p_kiosk text, OUT head_seq bigint, OUT head_hash text, OUT problem text, OUT problem_seq bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = fleet, pg_temp AS $f$
	SELECT k.head_seq, k.head_hash, k.problem, k.problem_seq FROM fleet.kiosks k WHERE k.kiosk = p_kiosk
$f$;

-- ingest: one batch, checked against the stored chain before anything is
-- written. A refused batch writes nothing but the flag (and the incident).
CREATE FUNCTION fleet.ingest(p_kiosk text, p_local_head bigint, p_events jsonb, p_sessions jsonb, p_tickets jsonb,
	OUT problem text, OUT problem_seq bigint, OUT head_seq bigint, OUT inserted bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = fleet, pg_temp AS $f$
DECLARE
	k fleet.kiosks%ROWTYPE;
	e record;
	s fleet.audit_events%ROWTYPE;
	h_seq bigint;
	h_hash text;
	started boolean;
BEGIN
	IF p_kiosk IS NULL OR p_kiosk !~ '^[a-z0-9][a-z0-9._-]{0,63}$' THEN
		RAISE EXCEPTION 'fleet: invalid kiosk id' USING ERRCODE = '22023';
	END IF;
	INSERT INTO fleet.kiosks (kiosk) VALUES (p_kiosk) ON CONFLICT DO NOTHING;
	SELECT * INTO k FROM fleet.kiosks WHERE kiosk = p_kiosk FOR UPDATE;
	UPDATE fleet.kiosks SET last_contact_at = now() WHERE kiosk = p_kiosk;
	inserted := 0;
	head_seq := k.head_seq;
	IF k.problem IS NOT NULL THEN
		problem := k.problem; problem_seq := k.problem_seq;
		RETURN;
	END IF;
	h_seq := k.head_seq; h_hash := k.head_hash; started := k.head_hash <> '';
	IF started AND p_local_head < k.head_seq THEN
		problem := 'TRUNCATED'; problem_seq := p_local_head + 1;
	ELSE
		FOR e IN SELECT * FROM jsonb_to_recordset(p_events) AS x(seq bigint, at text, session_id bigint,
				kind text, detail_json text, prev_hash text, hash text) ORDER BY x.seq LOOP
			IF started AND e.seq <= h_seq THEN
				SELECT * INTO s FROM fleet.audit_events a WHERE a.kiosk = p_kiosk AND a.seq = e.seq;
				IF NOT FOUND THEN
					IF e.seq >= coalesce(k.first_seq, 0) THEN
						problem := 'REWRITTEN'; problem_seq := e.seq; EXIT;
					END IF;
					CONTINUE; -- before the first shipped event: nothing to compare
				END IF;
				IF (s.at, s.session_id, s.kind, s.detail_json, s.prev_hash, s.hash)
						IS DISTINCT FROM (e.at, e.session_id, e.kind, e.detail_json, e.prev_hash, e.hash) THEN
					problem := 'REWRITTEN'; problem_seq := e.seq; EXIT;
				END IF;
			ELSIF started AND e.seq > h_seq + 1 THEN
				problem := 'GAP'; problem_seq := h_seq + 1; EXIT;
			ELSIF started AND e.prev_hash IS DISTINCT FROM h_hash THEN
				problem := 'BROKEN_LINK'; problem_seq := e.seq; EXIT;
			ELSE
				started := true; h_seq := e.seq; h_hash := e.hash;
				IF k.first_seq IS NULL THEN k.first_seq := e.seq; END IF;
			END IF;
		END LOOP;
	END IF;
	IF problem IS NOT NULL THEN
		UPDATE fleet.kiosks SET problem = ingest.problem, problem_seq = ingest.problem_seq, problem_at = now()
			WHERE kiosk = p_kiosk;
		INSERT INTO fleet.incidents (kiosk, problem, seq) VALUES (p_kiosk, problem, problem_seq);
		RETURN;
	END IF;
	INSERT INTO fleet.audit_events (kiosk, seq, at, at_ts, session_id, kind, detail_json, prev_hash, hash)
		SELECT p_kiosk, x.seq, x.at, x.at::timestamptz, x.session_id, x.kind, x.detail_json, x.prev_hash, x.hash
		FROM jsonb_to_recordset(p_events) AS x(seq bigint, at text, session_id bigint, kind text,
			detail_json text, prev_hash text, hash text)
		WHERE x.seq > k.head_seq OR k.head_hash = '';
	GET DIAGNOSTICS inserted = ROW_COUNT;
	IF inserted > 0 THEN
		UPDATE fleet.kiosks SET head_seq = h_seq, head_hash = h_hash, first_seq = k.first_seq,
			events = events + inserted,
			last_event_at = (SELECT a.at_ts FROM fleet.audit_events a WHERE a.kiosk = p_kiosk AND a.seq = h_seq)
			WHERE kiosk = p_kiosk;
	END IF;
	head_seq := h_seq;
	INSERT INTO fleet.sessions AS t (kiosk, id, started_at, ended_at, mode, outcome, services, profile, age_band)
		SELECT p_kiosk, x.id, x.started_at::timestamptz, x.ended_at::timestamptz, x.mode, x.outcome, x.services, x.profile, x.age_band
		FROM jsonb_to_recordset(coalesce(p_sessions, '[]')) AS x(id bigint, started_at text, ended_at text, mode text,
			outcome text, services text, profile text, age_band text)
		ON CONFLICT (kiosk, id) DO UPDATE SET ended_at = EXCLUDED.ended_at, outcome = EXCLUDED.outcome,
			services = EXCLUDED.services, age_band = EXCLUDED.age_band;
	INSERT INTO fleet.tickets AS t (kiosk, id, date, number, session_id, status, route, fee_yen, reasons, created_at, updated_at)
		SELECT p_kiosk, x.id, x.date::date, x.number, x.session_id, x.status, x.route, x.fee_yen, x.reasons,
			x.created_at::timestamptz, x.updated_at::timestamptz
		FROM jsonb_to_recordset(coalesce(p_tickets, '[]')) AS x(id bigint, date text, number integer, session_id bigint,
			status text, route text, fee_yen integer, reasons text, created_at text, updated_at text)
		ON CONFLICT (kiosk, id) DO UPDATE SET status = EXCLUDED.status, updated_at = EXCLUDED.updated_at,
			fee_yen = EXCLUDED.fee_yen, reasons = EXCLUDED.reasons;
END
$f$;

DO $r$ BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'kiosk_shipper') THEN CREATE ROLE kiosk_shipper NOLOGIN; END IF;
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'kiosk_dashboard') THEN CREATE ROLE kiosk_dashboard NOLOGIN; END IF;
END $r$;
REVOKE ALL ON SCHEMA fleet FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION fleet.ingest(text, bigint, jsonb, jsonb, jsonb), fleet.head(text) FROM PUBLIC;
GRANT USAGE ON SCHEMA fleet TO kiosk_shipper, kiosk_dashboard;
GRANT EXECUTE ON FUNCTION fleet.ingest(text, bigint, jsonb, jsonb, jsonb), fleet.head(text) TO kiosk_shipper;
GRANT SELECT ON fleet.kiosks, fleet.audit_events, fleet.sessions, fleet.tickets, fleet.incidents TO kiosk_dashboard;
`,
}

// SchemaVersion is the central schema version this program writes.
var SchemaVersion = len(migrations)

// Migrate brings the central schema to SchemaVersion. Run it as the owner of
// the database (it creates the schema and the two roles, so it needs
// CREATEROLE the first time). Concurrent calls are serialised by an advisory
// lock. It returns the version before and after.
func Migrate(ctx context.Context, conn *pgx.Conn) (from, to int, err error) {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(7117017)`); err != nil {
		return 0, 0, err
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS public.fleet_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return 0, 0, err
	}
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM public.fleet_schema`).Scan(&from); err != nil {
		return 0, 0, err
	}
	if from > len(migrations) {
		return from, from, fmt.Errorf("fleet: central schema version %d is newer than this program (%d)", from, len(migrations))
	}
	for v := from; v < len(migrations); v++ {
		if _, err := tx.Exec(ctx, migrations[v]); err != nil {
			return from, v, fmt.Errorf("fleet: migration %d: %w", v+1, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO public.fleet_schema (version) VALUES ($1)`, v+1); err != nil {
			return from, v, err
		}
	}
	if _, err := tx.Exec(ctx, `GRANT SELECT ON public.fleet_schema TO kiosk_dashboard`); err != nil {
		return from, from, err
	}
	return from, len(migrations), tx.Commit(ctx)
}
