/**
 * Order in which a rifa hands out numbers it assigns itself.
 *
 * `secuencial`: position p holds number p (lowest free number first).
 * `aleatoria`: a Fisher–Yates shuffle of 0…n−1 driven by sfc32 seeded with the first 16 bytes of
 * SHA-256("rifa1122:" + rifaId). Integers below a bound are drawn by rejection sampling, so every
 * permutation is equally likely and anyone with the rifa id can recompute the order.
 */
export const permutation = async (
	rifaId: string,
	total: number,
	asignacion: "secuencial" | "aleatoria",
): Promise<number[]> => {
	const order = Array.from({ length: total }, (_, i) => i);
	if (asignacion === "secuencial") return order;
	const next = await seededRandom(`rifa1122:${rifaId}`);
	for (let i = total - 1; i > 0; i--) {
		const j = uniformBelow(next, i + 1);
		const tmp = order[i] as number;
		order[i] = order[j] as number;
		order[j] = tmp;
	}
	return order;
};

export const seededRandom = async (seed: string): Promise<() => number> => {
	const digest = new Uint32Array(
		await crypto.subtle.digest("SHA-256", new TextEncoder().encode(seed)),
	);
	let a = digest[0] ?? 0;
	let b = digest[1] ?? 0;
	let c = digest[2] ?? 0;
	let d = digest[3] ?? 0;
	const next = () => {
		const t = (((a + b) >>> 0) + d) >>> 0;
		d = (d + 1) >>> 0;
		a = b ^ (b >>> 9);
		b = (c + (c << 3)) >>> 0;
		c = ((c << 21) | (c >>> 11)) >>> 0;
		c = (c + t) >>> 0;
		return t;
	};
	for (let i = 0; i < 12; i++) next();
	return next;
};

/** Uniform integer in [0, bound) from 32-bit draws, rejecting the biased tail. */
export const uniformBelow = (next: () => number, bound: number): number => {
	const limit = 2 ** 32 - (2 ** 32 % bound);
	for (;;) {
		const x = next();
		if (x < limit) return x % bound;
	}
};
