import { createLogger, errorFields, type LogFields } from "./logger";
import { captureError, captureMessage } from "./sentry";

interface Waiter {
	waitUntil(promise: Promise<unknown>): void;
}

export interface JobSummary {
	/** Flat numbers for the job's log line. */
	counts: LogFields;
	/** Failures the job handled and carried on from; reported to Sentry as one warning. */
	problems?: unknown[];
}

/** A report's lists become their lengths: the log line carries counts, not every id. */
export const counts = (report: object): LogFields =>
	Object.fromEntries(Object.entries(report).map(([k, v]) => [k, Array.isArray(v) ? v.length : v]));

/**
 * Runs a scheduled or queue job and writes its one log line: `tags` (job name, cron or queue),
 * the summary's counts and the duration. A job that throws is logged, sent to Sentry and rethrown
 * so the runtime still sees it fail (and retries the queue batch).
 */
export const observeJob = async (
	env: Env,
	ctx: Waiter | undefined,
	tags: Record<string, string | number>,
	run: () => Promise<JobSummary>,
): Promise<void> => {
	const started = Date.now();
	const log = createLogger(env).with(tags);
	let summary: JobSummary;
	try {
		summary = await run();
	} catch (err) {
		log.error("job", {
			outcome: "failed",
			duration_ms: Date.now() - started,
			error: errorFields(err),
		});
		captureError(env, ctx, err, { tags });
		throw err;
	}
	const problems = summary.problems ?? [];
	log[problems.length ? "warn" : "info"]("job", {
		outcome: "ok",
		...summary.counts,
		duration_ms: Date.now() - started,
	});
	if (problems.length) {
		// One message text per job, so Sentry groups every run's failures together.
		captureMessage(env, ctx, `${tags.job} finished with handled failures`, {
			tags,
			extra: { count: problems.length, problems },
		});
	}
};
