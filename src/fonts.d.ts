// TrueType fonts import as their bytes: a Data module in wrangler.jsonc's `rules`, and the same in
// vitest.config.ts.
declare module "*.ttf" {
	const bytes: ArrayBuffer;
	export default bytes;
}
