// Optional secrets: the features that use them stay off until they are set (`wrangler secret put`).
interface OptionalSecrets {
	STRIPE_SECRET_KEY?: string;
	STRIPE_WEBHOOK_SECRET?: string;
	/** Shared secret of `POST /webhooks/loteria`; the endpoint answers 404 until it is set. */
	LOTERIA_WEBHOOK_SECRET?: string;
	/** Base URL of the public results API; defaults to https://api-resultadosloterias.com. */
	RESULTS_API_URL?: string;
}

interface Env extends OptionalSecrets {}

declare namespace Cloudflare {
	interface Env extends OptionalSecrets {}
}
