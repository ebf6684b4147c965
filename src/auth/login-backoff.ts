import { eq, lt, sql } from "drizzle-orm";
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

/**
 * One atomic upsert, so concurrent failures all count; stale rows are pruned in the same round
 * trip. Runs the same statements whether or not an account has the email.
 */
export const recordFailure = async (db: Database, hash: string, now: number) => {
	const at = new Date(now).toISOString();
	const forgotten = new Date(now - FORGET_AFTER_MS).toISOString();
	await db.batch([
		db
			.insert(loginBackoff)
			.values({ emailHash: hash, failures: 1, lastFailureAt: at })
			.onConflictDoUpdate({
				target: loginBackoff.emailHash,
				set: {
					failures: sql`CASE WHEN ${loginBackoff.lastFailureAt} <= ${forgotten} THEN 1 ELSE ${loginBackoff.failures} + 1 END`,
					lastFailureAt: at,
				},
			}),
		db.delete(loginBackoff).where(lt(loginBackoff.lastFailureAt, forgotten)),
	]);
};

export const clearFailures = (db: Database, hash: string) =>
	db.delete(loginBackoff).where(eq(loginBackoff.emailHash, hash));
