import { roomFor } from "../rifa-room/rooms";

export const ZONA_HORARIA = "America/Bogota" as const;
const DAY_MS = 86_400_000;
/** Colombia is UTC−5 all year (no daylight saving), so a fixed SQLite modifier gives its day. */
const DIA = (column: string) => `date(${column}, '-5 hours')`;
/** Tickets that count as sold: a winning ticket stays sold. */
const VENDIDOS = "('vendido', 'ganador')";

/** The UTC instants bounding the Colombia days `desde`…`hasta` (both included), as stored text. */
export const rangoUtc = (desde: string, hasta: string) => ({
	inicio: new Date(`${desde}T00:00:00.000-05:00`).toISOString(),
	fin: new Date(Date.parse(`${hasta}T00:00:00.000-05:00`) + DAY_MS).toISOString(),
});

const MONTOS = [
	"ventas_brutas",
	"reembolsos",
	"rake",
	"premios_causados",
	"premios_pagados",
	"premios_por_pagar",
] as const;
type Monto = (typeof MONTOS)[number];
export type Montos = Record<Monto | "neto", number>;

/** A row of an ingresos query: a Colombia day, a category, and some of the amounts. */
type Fila = { dia: string; categoria_id: string } & Partial<Record<Monto, number>>;

/**
 * Each movement is summed per rifa and day on its own index, then the few groups are joined to
 * their rifa for the category (and the operador filter): one rifa lookup per group, not per row.
 * `?3` is the operador whose rifas alone count, or null for all.
 */
const porRifa = (monto: Monto, inner: string) => `
	SELECT m.dia, r.categoria_id, sum(m.monto) AS ${monto}
	FROM (${inner}) AS m
	JOIN rifas AS r ON r.id = m.rifa_id
	WHERE ?3 IS NULL OR r.creado_por = ?3
	GROUP BY m.dia, r.categoria_id`;

export const INGRESOS_SQL = {
	ventas: porRifa(
		"ventas_brutas",
		`SELECT rifa_id, ${DIA("created_at")} AS dia, sum(amount) AS monto
		FROM transacciones
		WHERE status IN ('succeeded', 'refunded') AND created_at >= ?1 AND created_at < ?2 AND tipo = 'compra'
		GROUP BY rifa_id, dia`,
	),
	// The room turns a paid compra into `refunded` when it refunds it; updated_at is that moment.
	reembolsos: porRifa(
		"reembolsos",
		`SELECT rifa_id, ${DIA("updated_at")} AS dia, sum(amount) AS monto
		FROM transacciones
		WHERE status = 'refunded' AND updated_at >= ?1 AND updated_at < ?2 AND tipo = 'compra'
		GROUP BY rifa_id, dia`,
	),
	/**
	 * Rake (from the `desglose` settlement stores) and prizes, dated by the settlement: a
	 * recalculation replaces desglose and ganadores but keeps `resuelta_en`.
	 */
	liquidadas: `
		SELECT ${DIA("r.resuelta_en")} AS dia, r.categoria_id,
			coalesce(sum(json_extract(r.desglose, '$.rake')), 0) AS rake,
			coalesce(sum((SELECT sum(g.monto_ganado) FROM ganadores AS g WHERE g.rifa_id = r.id)), 0) AS premios_causados,
			coalesce(sum((SELECT sum(g.monto_ganado) FROM ganadores AS g WHERE g.rifa_id = r.id AND g.estado_pago <> 'pagado')), 0) AS premios_por_pagar
		FROM rifas AS r
		WHERE r.estado = 'resuelta' AND r.resuelta_en >= ?1 AND r.resuelta_en < ?2 AND (?3 IS NULL OR r.creado_por = ?3)
		GROUP BY dia, r.categoria_id`,
	pagos: porRifa(
		"premios_pagados",
		`SELECT rifa_id, ${DIA("fecha_pago")} AS dia, sum(monto_ganado) AS monto
		FROM ganadores
		WHERE estado_pago = 'pagado' AND fecha_pago >= ?1 AND fecha_pago < ?2
		GROUP BY rifa_id, dia`,
	),
} as const;

export const ingresosStatements = (
	d1: D1Database,
	desde: string,
	hasta: string,
	operadorId: string | null,
) => {
	const { inicio, fin } = rangoUtc(desde, hasta);
	return Object.values(INGRESOS_SQL).map((q) => d1.prepare(q).bind(inicio, fin, operadorId));
};

const cero = (): Montos => ({
	ventas_brutas: 0,
	reembolsos: 0,
	rake: 0,
	premios_causados: 0,
	premios_pagados: 0,
	premios_por_pagar: 0,
	neto: 0,
});

const conNeto = (m: Montos): Montos => ({
	...m,
	neto: m.ventas_brutas - m.reembolsos - m.premios_causados,
});

const filasLeidas = (results: D1Result[]) =>
	results.reduce((n, r) => n + (r.meta.rows_read ?? 0), 0);

/**
 * Money in and out over Colombia days `desde`…`hasta`, by day and by category: four GROUP BY
 * queries in one D1 batch. Every amount is integer centavos summed by SQLite in integers.
 */
export const ingresos = async (
	d1: D1Database,
	desde: string,
	hasta: string,
	operadorId: string | null,
) => {
	const [results, categorias] = await Promise.all([
		d1.batch<Fila>(ingresosStatements(d1, desde, hasta, operadorId)),
		d1.prepare("SELECT id, nombre FROM categoria_rifa").all<{ id: string; nombre: string }>(),
	]);
	const nombres = new Map(categorias.results.map((c) => [c.id, c.nombre]));
	const totales = cero();
	const porDia = new Map<string, Montos>();
	const porCategoria = new Map<string, Montos>();
	for (const fila of results.flatMap((r) => r.results)) {
		const dia = porDia.get(fila.dia) ?? cero();
		const cat = porCategoria.get(fila.categoria_id) ?? cero();
		for (const monto of MONTOS) {
			const value = fila[monto] ?? 0;
			totales[monto] += value;
			dia[monto] += value;
			cat[monto] += value;
		}
		porDia.set(fila.dia, dia);
		porCategoria.set(fila.categoria_id, cat);
	}
	return {
		totales: conNeto(totales),
		porDia: [...porDia]
			.sort(([a], [b]) => (a < b ? -1 : 1))
			.map(([dia, m]) => ({ dia, ...conNeto(m) })),
		porCategoria: [...porCategoria]
			.map(([id, m]) => ({ categoriaId: id, nombre: nombres.get(id) ?? "", ...conNeto(m) }))
			.sort(
				(a, b) =>
					a.nombre.localeCompare(b.nombre, "es") || (a.categoriaId < b.categoriaId ? -1 : 1),
			),
		filasLeidas: filasLeidas([...results, categorias]),
	};
};

export const PARTICIPACION_SQL = {
	dias: `SELECT ${DIA("comprado_en")} AS dia, count(*) AS boletas, sum(precio) AS monto
		FROM tickets WHERE rifa_id = ?1 AND estado IN ${VENDIDOS}
		GROUP BY dia ORDER BY dia`,
	distribucion: `SELECT n AS boletas, count(*) AS compradores
		FROM (SELECT count(*) AS n FROM tickets WHERE rifa_id = ?1 AND estado IN ${VENDIDOS} GROUP BY usuario_id)
		GROUP BY n ORDER BY n`,
	anulados: "SELECT count(*) AS n FROM tickets WHERE rifa_id = ?1 AND estado = 'anulado'",
} as const;

export const participacionStatements = (d1: D1Database, rifaId: string) => [
	d1.prepare(PARTICIPACION_SQL.dias).bind(rifaId),
	d1.prepare(PARTICIPACION_SQL.distribucion).bind(rifaId),
	d1.prepare(PARTICIPACION_SQL.anulados).bind(rifaId),
];

/**
 * How a rifa's numbers went. Held numbers exist only in the rifa's room, so the counts of sold,
 * held and free numbers are the room's one consistent snapshot; buyers and days come from D1,
 * which the room writes before a purchase answers.
 */
export const participacion = async (env: Env, rifaId: string) => {
	const [disponibilidad, results] = await Promise.all([
		roomFor(env, rifaId).availability(),
		env.DB.batch<Record<string, number | string>>(participacionStatements(env.DB, rifaId)),
	]);
	if (!disponibilidad) return null;
	const [dias, distribucion, anulados] = results;
	const ventasPorDia = (dias?.results ?? []).map((r) => ({
		dia: String(r.dia),
		boletas: Number(r.boletas),
		monto: Number(r.monto),
	}));
	const boletasPorComprador = (distribucion?.results ?? []).map((r) => ({
		boletas: Number(r.boletas),
		compradores: Number(r.compradores),
	}));
	const nAnulados = Number(anulados?.results[0]?.n ?? 0);
	// The room keeps a refunded number as sold; D1 marks its ticket `anulado`.
	const vendidos = disponibilidad.vendidos - nAnulados;
	return {
		numeros: {
			total: disponibilidad.total,
			vendidos,
			reservados: disponibilidad.reservados,
			libres: disponibilidad.libres,
			anulados: nAnulados,
		},
		// Exact: 10,000 is a multiple of every allowed total (100, 1,000, 10,000).
		vendidosBps: Math.floor((vendidos * 10_000) / disponibilidad.total),
		compradoresUnicos: boletasPorComprador.reduce((n, b) => n + b.compradores, 0),
		recaudo: ventasPorDia.reduce((n, d) => n + d.monto, 0),
		ventasPorDia,
		boletasPorComprador,
		filasLeidas: filasLeidas(results),
	};
};
