//! The queue's tables. `user_version` numbers the migrations.

use rusqlite::{Connection, TransactionBehavior};

/// The SQL for a job's view group (`JobState::group`) from its `state`: one
/// text for the index of schema 10 and the queries that must use it.
macro_rules! group_of_state {
    () => {
        "CASE WHEN state IN ('ready','duplicate') THEN 'done' \
         WHEN state IN ('failed','cancelled') THEN 'stopped' ELSE 'active' END"
    };
}
pub(super) use group_of_state;

pub(super) const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE jobs (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT    NOT NULL UNIQUE,   -- stem of every idempotency key
    batch           TEXT    NOT NULL,
    path            TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    size            INTEGER NOT NULL,
    mtime_ns        INTEGER NOT NULL,
    content_type    TEXT    NOT NULL,
    dest_key        TEXT    NOT NULL,
    destination     TEXT    NOT NULL,          -- JSON Destination
    state           TEXT    NOT NULL,
    hash            TEXT,                      -- BLAKE3 of the content at `mtime_ns`
    step_key        TEXT,                      -- idempotency key of the side effect in progress
    key_seq         INTEGER NOT NULL DEFAULT 0,
    remote_id       TEXT,
    reservation     TEXT,                      -- JSON Reservation, stored before any byte is sent
    uploaded        INTEGER NOT NULL DEFAULT 0,-- bytes accepted by storage for this reservation
    asset_id        TEXT,
    url             TEXT,
    duplicate_of    INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX jobs_state     ON jobs(state, next_attempt_at);
CREATE INDEX jobs_dest_path ON jobs(dest_key, path);
CREATE INDEX jobs_dest_hash ON jobs(dest_key, hash);
CREATE INDEX jobs_batch     ON jobs(batch);

-- What content already reached which destination (survives "clear finished").
CREATE TABLE uploaded_content (
    dest_key TEXT NOT NULL,
    hash     TEXT NOT NULL,
    asset_id TEXT NOT NULL,
    url      TEXT,
    at       INTEGER NOT NULL,
    PRIMARY KEY (dest_key, hash)
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"#,
    // 2: jobs belong to an account identity, not to a destination alone
    // (two accounts at one destination must not share keys, jobs or dedupe);
    // file identity gains the inode change time and number; paths are kept
    // as the OS's bytes (a non-UTF-8 name must name the same file later).
    // Rows from schema 1 are "legacy" until an account adopts them.
    r#"
ALTER TABLE jobs ADD COLUMN account  TEXT    NOT NULL DEFAULT 'legacy';
ALTER TABLE jobs ADD COLUMN ctime_ns INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN inode    INTEGER NOT NULL DEFAULT 0;
UPDATE jobs SET path = CAST(path AS BLOB) WHERE typeof(path) = 'text';
CREATE INDEX jobs_account ON jobs(account, state);
"#,
    // 3: delivery bookkeeping (issue 8, items 11-14).
    r#"
-- A confirm for the stored reservation went out (written durably before it
-- is sent): from then on a new reservation needs proof that no asset exists.
ALTER TABLE jobs ADD COLUMN confirm_sent   INTEGER NOT NULL DEFAULT 0;
-- Unix ms when the stored reservation was asked for (the look-up window).
ALTER TABLE jobs ADD COLUMN reserved_at    INTEGER;
-- The asset is ready but not yet attached to the destination's project.
ALTER TABLE jobs ADD COLUMN attach_pending INTEGER NOT NULL DEFAULT 0;
-- Stopped because nobody could tell whether the file arrived: a person
-- checks the library; `retry` then sends it again from a fresh reservation.
ALTER TABLE jobs ADD COLUMN in_doubt       INTEGER NOT NULL DEFAULT 0;
"#,
    // 4: why a job failed or waits, as data (issue 9): the kind as JSON
    // (`reason::FailReason`) beside `last_error`'s human message, and the
    // vendor's request id for support tickets.
    r#"
ALTER TABLE jobs ADD COLUMN last_reason TEXT;
ALTER TABLE jobs ADD COLUMN request_id  TEXT;
"#,
    // 5: watched folders (issue 10). A folder uploads what appears in it to
    // one account + destination; its file index remembers what each path
    // held when last seen, so a restart hashes only what changed.
    r#"
CREATE TABLE sync_folders (
    id          INTEGER PRIMARY KEY,
    path        BLOB    NOT NULL UNIQUE,       -- OS bytes, absolute
    account     TEXT    NOT NULL,
    destination TEXT    NOT NULL,              -- JSON Destination
    scope       TEXT    NOT NULL,              -- JobTarget::scope(), = jobs.dest_key
    ignores     TEXT    NOT NULL DEFAULT '[]', -- JSON list of gitignore lines
    stable_ms   INTEGER NOT NULL DEFAULT 3000,
    paused      INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL
);
-- One row per file seen in a watched folder. `state`: queued (a job carries
-- it), synced (its content is known at the destination, no job needed) or
-- gone (deleted locally; kept a while so a move elsewhere reuses its hash).
CREATE TABLE sync_files (
    folder_id INTEGER NOT NULL REFERENCES sync_folders(id) ON DELETE CASCADE,
    path      BLOB    NOT NULL,                -- relative to the folder, OS bytes
    size      INTEGER NOT NULL,
    mtime_ns  INTEGER NOT NULL,
    inode     INTEGER NOT NULL,
    blake3    TEXT    NOT NULL,
    state     TEXT    NOT NULL,
    job_id    INTEGER,
    PRIMARY KEY (folder_id, path)
);
CREATE INDEX sync_files_inode ON sync_files(inode, size, mtime_ns);
-- Jobs queued by a watched folder carry it (the queue shows it).
ALTER TABLE jobs ADD COLUMN sync_folder INTEGER;
"#,
    // 6: the remote library's cache (issue 11), one copy per account +
    // destination (`scope` = JobTarget::scope() = jobs.dest_key), so the
    // library opens at once and answers offline; see library/cache.rs.
    r#"
CREATE TABLE library_assets (
    scope          INTEGER NOT NULL,           -- 64 bits of BLAKE3(scope): short index keys
    asset_id       TEXT    NOT NULL,
    name           TEXT    NOT NULL DEFAULT '',
    content_type   TEXT,
    kind           TEXT    NOT NULL DEFAULT 'other', -- image|video|audio|document|other
    size           INTEGER,
    width          INTEGER,
    height         INTEGER,
    created_at     INTEGER,                    -- Unix seconds
    status         TEXT    NOT NULL,
    uploader       TEXT,
    url            TEXT,
    url_expires_ms INTEGER,                    -- signed URLs (Runflow): when `url` lapses
    thumbnail_url  TEXT,
    local_path     BLOB,                       -- uploaded from this machine: the file, OS bytes
    job_id         INTEGER,                    -- ... and the queue row that sent it
    seen_pass      INTEGER NOT NULL DEFAULT 0, -- the refresh pass that last listed it
    updated_ms     INTEGER NOT NULL,
    PRIMARY KEY (scope, asset_id)
);
-- Name in the date index: a search reads names from the index, not the rows.
CREATE INDEX library_by_date ON library_assets(scope, created_at, asset_id, name);
CREATE INDEX library_by_name ON library_assets(scope, name COLLATE NOCASE, asset_id);
CREATE INDEX library_by_size ON library_assets(scope, size, asset_id);
CREATE INDEX library_by_kind ON library_assets(scope, kind, created_at);
CREATE INDEX library_by_status ON library_assets(scope, status, created_at);
CREATE TABLE library_state (
    scope            TEXT    PRIMARY KEY,      -- JobTarget::scope()
    last_complete_ms INTEGER,                  -- end of the last complete pass
    pass             INTEGER NOT NULL DEFAULT 0,
    pass_started_ms  INTEGER,
    cursor           TEXT,                     -- next page of the pass in progress
    phase            TEXT                      -- NULL idle | walk | head
);
"#,
    // 7: big files send before they are hashed (issue 12). A big job is
    // claimed by its sample (BLAKE3 of size + first, middle, last MiB, see
    // engine/hashing.rs); its full hash is stored once its bytes went out.
    // A dedupe record keeps its sample and size: a record with the same
    // sample, or one without a sample but of the same or an unknown size
    // (written before this migration), makes a big file hash in full first.
    r#"
ALTER TABLE jobs ADD COLUMN sample TEXT;
ALTER TABLE uploaded_content ADD COLUMN sample TEXT;
ALTER TABLE uploaded_content ADD COLUMN size INTEGER;
CREATE INDEX jobs_dest_sample ON jobs(dest_key, sample, size);
CREATE INDEX uploaded_content_sample ON uploaded_content(dest_key, sample, size);
"#,
    // 8: the scheduler reads runnable jobs per destination (issue 12,
    // `runnable.rs`): the destinations with waiting work by a loose index
    // scan, then each one's oldest jobs, without walking other jobs.
    r#"
CREATE INDEX jobs_runnable ON jobs(state, dest_key, next_attempt_at);
"#,
    // 9: the queue's tally (count and bytes per state) kept by triggers
    // (issue 12). The app shows it after every change, up to ten times a
    // second; counting a million rows each time took 0.3 s and held the
    // queue's connection. The triggers run in the writing transaction, so
    // the tally is exact for every process and survives every crash.
    r#"
CREATE TABLE tally (
    state TEXT    PRIMARY KEY,
    n     INTEGER NOT NULL,
    bytes INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO tally (state, n, bytes)
    SELECT state, COUNT(*), COALESCE(SUM(size), 0) FROM jobs GROUP BY state;
CREATE TRIGGER tally_insert AFTER INSERT ON jobs BEGIN
    INSERT INTO tally (state, n, bytes) VALUES (NEW.state, 1, NEW.size)
        ON CONFLICT (state) DO UPDATE SET n = n + 1, bytes = bytes + excluded.bytes;
END;
CREATE TRIGGER tally_delete AFTER DELETE ON jobs BEGIN
    UPDATE tally SET n = n - 1, bytes = bytes - OLD.size WHERE state = OLD.state;
END;
CREATE TRIGGER tally_update AFTER UPDATE OF state, size ON jobs
    WHEN OLD.state IS NOT NEW.state OR OLD.size IS NOT NEW.size BEGIN
    UPDATE tally SET n = n - 1, bytes = bytes - OLD.size WHERE state = OLD.state;
    INSERT INTO tally (state, n, bytes) VALUES (NEW.state, 1, NEW.size)
        ON CONFLICT (state) DO UPDATE SET n = n + 1, bytes = bytes + excluded.bytes;
END;
"#,
    // 10: the app's list of one group (active, stopped, done) reads the
    // part it shows in queue order from an index of (group, id), instead of
    // gathering and sorting every job of the group: 0.33 s for the first
    // rows of "Active" with a million queued. The expression must be the
    // one `list` filters on, `group_of_state!` (tested against JobGroup).
    concat!(
        "CREATE INDEX jobs_group ON jobs((",
        group_of_state!(),
        "), id);"
    ),
];

pub fn configure(conn: &Connection) -> rusqlite::Result<()> {
    // Another process (the app, a second `hoist`) may be writing: wait for
    // it. Set first, so that even switching a new file to WAL waits its turn.
    // Every write transaction here begins IMMEDIATE, because a deferred one
    // that has read and then writes gets SQLITE_BUSY at once, without
    // waiting, whenever another connection holds the write lock.
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    // WAL + NORMAL: commits survive a killed process (the WAL is in the OS
    // page cache); on power loss the newest commits may roll back, which the
    // idempotency keys (derived from older, durable rows) turn into replays.
    switch_to_wal(conn)?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Savepoint journals in memory. Each step of a group commit runs in its
    // own savepoint (`group.rs`), and SQLite copies every page the step
    // changes into a sub-journal; past 64 KiB that went to a new temporary
    // file (create, unlink, writes) about once per uploaded file. The
    // sub-journal only undoes a savepoint inside the open transaction: crash
    // recovery never reads it (the WAL is the record), so durability is
    // unchanged.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    Ok(())
}

/// Put the file in WAL mode. Switching a new file needs it alone, and
/// SQLite answers "busy" at once, without the busy timeout, when another
/// connection holds it (opening or migrating the same new queue at that
/// moment): wait for it and try again, within the same 10 s.
fn switch_to_wal(conn: &Connection) -> rusqlite::Result<()> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        match conn.pragma_update(None, "journal_mode", "WAL") {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            other => return other,
        }
    }
}

/// Bring the schema up to date. Two processes may open a new queue at the
/// same moment (`hoist upload` and a `hoist queue list`, the app and a CLI):
/// the version is read again under the write lock, so each migration runs
/// exactly once, whoever gets there first.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let version = |c: &Connection| -> rusqlite::Result<usize> {
        c.pragma_query_value(None, "user_version", |r| r.get(0))
    };
    if version(conn)? >= MIGRATIONS.len() {
        return Ok(());
    }
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let at = version(&tx)?;
        let Some(sql) = MIGRATIONS.get(at) else {
            return tx.commit();
        };
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", at + 1)?;
        tx.commit()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Many connections opening one new queue at once: every one ends up
    /// with the whole schema, and none fails on a table another created.
    #[test]
    fn concurrent_first_opens_migrate_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("queue.db");
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || -> rusqlite::Result<usize> {
                    let mut conn = Connection::open(&path)?;
                    configure(&conn)?;
                    migrate(&mut conn)?;
                    conn.pragma_query_value(None, "user_version", |r| r.get(0))
                })
            })
            .collect();
        for t in threads {
            let v = t.join().expect("thread").expect("open and migrate");
            assert_eq!(v, MIGRATIONS.len());
        }
    }
}
