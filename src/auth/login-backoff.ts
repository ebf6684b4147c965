import { eq, lt, type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { loginBackoff } from "../db/schema";

/** Failures allowed before the first lock. */
const BACKOFF_THRESHOLD = 5;
const FIRST_LOCK_MS = 30_000;
/** The cap bounds how long someone who knows a victim's email can keep that account locked. */
const MAX_LOCK_MS = 15 * 60_000;
/** A failure older than this no longer counts: the count is of consecutive, recent failures. */
const FORGET_AFTER_MS = 24 * 60 * 60_000;

export const emailHash = async (email: string) => {
	const digest = await crypto.subtle.digest(
		"SHA-256",
		new TextEncoder().encode(email.trim().toLowerCase()),
	);
	return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
};

export const backoffRow = (db: Database, hash: string) =>
	db.select().from(loginBackoff).where(eq(loginBackoff.emailHash, hash)).limit(1);

export type BackoffRow = typeof loginBackoff.$inferSelect;

/** Lock length after `failures` failures: 30 s at the threshold, doubling with each failure, capped. */
const lockMs = (failures: number) =>
	failures < BACKOFF_THRESHOLD
		? 0
		: Math.min(FIRST_LOCK_MS * 2 ** (failures - BACKOFF_THRESHOLD), MAX_LOCK_MS);

/** Milliseconds until the email may try again; 0 when it is not locked. */
export const lockRemainingMs = (row: BackoffRow | undefined, now: number) => {
	if (!row) return 0;
	const last = Date.parse(row.lastFailureAt);
	if (now - last >= FORGET_AFTER_MS) return 0;
	return Math.max(0, last + lockMs(row.failures) - now);
};

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * `lockRemainingMs(row, now) > 0` in SQL, for the row being updated: locked when the last failure
 * is later than `now` minus the lock of its count. The lengths come from `lockMs`, one per count
 * below the cap, so the two never disagree; ISO-8601 strings of one format compare as instants.
 */
const lockedSql = (now: number) => {
	const cutoffs: SQL[] = [];
	for (let f = BACKOFF_THRESHOLD; lockMs(f) < MAX_LOCK_MS; f++) {
		cutoffs.push(sql`WHEN ${f} THEN ${iso(now - lockMs(f))}`);
	}
	return sql`(${loginBackoff.failures} >= ${BACKOFF_THRESHOLD} AND ${loginBackoff.lastFailureAt} > CASE ${loginBackoff.failures} ${sql.join(cutoffs, sql` `)} ELSE ${iso(now - MAX_LOCK_MS)} END)`;
};

/**
 * A login attempt counted as a failure before its password is checked, in one D1 batch (atomic,
 * and run by D1 one at a time): the row before, one upsert that counts the attempt unless the
 * email is locked, and the pruning of stale rows. Counting first is what makes the lock hold
 * against parallel attempts: each sees the ones before it. Checking the lock and counting in one
 * statement means a locked attempt is not counted, so the user still gets in when the lock ends.
 * The same statements run whether or not an account has the email.
 */
export const attemptStatements = (db: Database, hash: string, now: number) => {
	const at = iso(now);
	const forgotten = iso(now - FORGET_AFTER_MS);
	const locked = lockedSql(now);
	return [
		backoffRow(db, hash),
		db
			.insert(loginBackoff)
			.values({ emailHash: hash, failures: 1, lastFailureAt: at })
			.onConflictDoUpdate({
				target: loginBackoff.emailHash,
				set: {
					failures: sql`CASE WHEN ${locked} THEN ${loginBackoff.failures} WHEN ${loginBackoff.lastFailureAt} <= ${forgotten} THEN 1 ELSE ${loginBackoff.failures} + 1 END`,
					lastFailureAt: sql`CASE WHEN ${locked} THEN ${loginBackoff.lastFailureAt} ELSE ${at} END`,
				},
			})
			.returning(),
		db.delete(loginBackoff).where(lt(loginBackoff.lastFailureAt, forgotten)),
	] as const;
};

/**
 * Milliseconds the attempt must wait, from the rows `attemptStatements` read before and after
 * it: a counted attempt always changes the row (a higher count, or a count restarted now after
 * 24 h), so an unchanged row is a locked attempt; 0 when the attempt was counted and may go on.
 */
export const attemptLockMs = (
	before: BackoffRow | undefined,
	after: BackoffRow | undefined,
	now: number,
) =>
	before &&
	after &&
	after.failures === before.failures &&
	after.lastFailureAt === before.lastFailureAt
		? Math.max(1, lockRemainingMs(after, now))
		: 0;

/** A successful login undoes the count its attempt started. */
export const clearFailures = (db: Database, hash: string) =>
	db.delete(loginBackoff).where(eq(loginBackoff.emailHash, hash));
