-- A store made by release 0.1.0 before migrations had names (store.py at commit 2eab848): one answer, one
-- replayed error, one record, one eval run and one batch. Never regenerate it: it is the previous release.
BEGIN TRANSACTION;
CREATE TABLE answers (
        id INTEGER PRIMARY KEY,
        cache_key TEXT NOT NULL,
        created TEXT NOT NULL,
        backend TEXT NOT NULL,
        model TEXT NOT NULL,
        prompt_name TEXT NOT NULL,
        prompt_hash TEXT NOT NULL,
        schema_version TEXT NOT NULL,
        article_sha256 TEXT NOT NULL,
        parameters TEXT NOT NULL,
        repeat INTEGER NOT NULL,
        answer TEXT,
        error TEXT,
        latency_s REAL,
        prompt_tokens INTEGER,
        completion_tokens INTEGER,
        calls INTEGER
    , replay_error INTEGER NOT NULL DEFAULT 0);
INSERT INTO "answers" VALUES(1,'key-1','2026-12-02T07:44:57+00:00','openai','m','default','abc','2.0','ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff','{"temperature": 0}',0,'{"event_type": "other"}',NULL,0.5,10,5,1,0);
INSERT INTO "answers" VALUES(2,'key-2','2026-12-02T07:44:57+00:00','openai','m','default','abc','2.0','ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff','{"temperature": 0}',0,NULL,'server said no',0.1,0,0,1,1);
CREATE TABLE batch_articles (
        batch_id TEXT NOT NULL REFERENCES batches (id),
        custom_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        source TEXT NOT NULL,
        article_id TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        record_sha256 TEXT NOT NULL,
        PRIMARY KEY (batch_id, custom_id)
    );
INSERT INTO "batch_articles" VALUES('batch_1','c1',0,'a.txt','a','s','r');
CREATE TABLE batches (
        id TEXT PRIMARY KEY,
        created TEXT NOT NULL,
        updated TEXT NOT NULL,
        base_url TEXT,
        model TEXT NOT NULL,
        prompt_hash TEXT NOT NULL,
        input_file_id TEXT,
        state TEXT NOT NULL,
        sources TEXT NOT NULL,
        settings TEXT NOT NULL,
        detail TEXT NOT NULL
    );
INSERT INTO "batches" VALUES('batch_1','2026-12-02T07:44:57+00:00','2026-12-02T07:44:57+00:00',NULL,'m','abc',NULL,'submitted','["a.txt"]','{}','{}');
CREATE TABLE eval_runs (
        id TEXT PRIMARY KEY,
        created TEXT NOT NULL,
        meta TEXT NOT NULL,
        result TEXT NOT NULL
    );
INSERT INTO "eval_runs" VALUES('run-1','2026-12-01T00:00:00+00:00','{"created": "2026-12-01T00:00:00+00:00", "prompt": "default"}','{"summary": {}}');
CREATE TABLE migrations (id INTEGER PRIMARY KEY, applied TEXT NOT NULL);
INSERT INTO "migrations" VALUES(1,'2026-12-02T07:44:57+00:00');
INSERT INTO "migrations" VALUES(2,'2026-12-02T07:44:57+00:00');
INSERT INTO "migrations" VALUES(3,'2026-12-02T07:44:57+00:00');
INSERT INTO "migrations" VALUES(4,'2026-12-02T07:44:57+00:00');
CREATE TABLE records (
        cache_key TEXT PRIMARY KEY,
        created TEXT NOT NULL,
        record TEXT NOT NULL
    );
INSERT INTO "records" VALUES('rec-1','2026-12-02T07:44:57+00:00','{"event": {}}');
CREATE INDEX answers_by_key ON answers (cache_key, id);
CREATE INDEX batch_articles_by_request ON batch_articles (custom_id);
COMMIT;
