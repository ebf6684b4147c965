// Seed catalog. Money in COP centavos. Lotteries and draw times from the published weekly calendar
// (Colombia time, UTC-5); slugs are the ids used by the public results sources.

export const CATEGORIAS = [
	{
		id: "c0a1b2c3-0000-4000-8000-000000000001",
		nombre: "Bronce",
		color: "#CD7F32",
		valor_boleta: 500_000,
		total_recaudo: 50_000_000,
		rake_bps: 2500,
		fondo_premios: 37_500_000,
		premio_por_ganador: 37_500_000,
		comentario: "Liga de entrada: boleta de $5.000, 100 números, premio de $375.000",
	},
	{
		id: "c0a1b2c3-0000-4000-8000-000000000002",
		nombre: "Plata",
		color: "#C0C0C0",
		valor_boleta: 1_000_000,
		total_recaudo: 100_000_000,
		rake_bps: 2500,
		fondo_premios: 75_000_000,
		premio_por_ganador: 75_000_000,
		comentario: "Boleta de $10.000, 100 números, premio de $750.000",
	},
	{
		id: "c0a1b2c3-0000-4000-8000-000000000003",
		nombre: "Oro",
		color: "#FFD700",
		valor_boleta: 2_000_000,
		total_recaudo: 200_000_000,
		rake_bps: 2000,
		fondo_premios: 160_000_000,
		premio_por_ganador: 160_000_000,
		comentario: "Boleta de $20.000, 100 números, premio de $1.600.000",
	},
	{
		id: "c0a1b2c3-0000-4000-8000-000000000004",
		nombre: "Diamante",
		color: "#B9F2FF",
		valor_boleta: 5_000_000,
		total_recaudo: 500_000_000,
		rake_bps: 2000,
		fondo_premios: 400_000_000,
		premio_por_ganador: 200_000_000,
		comentario: "Boleta de $50.000, 100 números, dos ganadores de $2.000.000",
	},
	{
		id: "c0a1b2c3-0000-4000-8000-000000000005",
		nombre: "Esmeralda",
		color: "#50C878",
		valor_boleta: 200_000,
		total_recaudo: 200_000_000,
		rake_bps: 3000,
		fondo_premios: 140_000_000,
		premio_por_ganador: 140_000_000,
		comentario: "Mil números (3 cifras): boleta de $2.000, premio de $1.400.000",
	},
] as const;

interface Movimiento {
	fecha_nominal: string;
	fecha_real: string;
	hora?: string;
}

/**
 * The Lotería de Medellín's draws that were not on their Friday, from its own results history
 * (sorteos 4690, 2023-08-04, to 4828, 2026-03-27): the holiday Fridays, Inmaculada Concepción
 * 2023 (drawn the Thursday before) and Good Friday 2024 and 2025 (drawn the Saturday after).
 */
export const MOVIMIENTOS_MEDELLIN: readonly Movimiento[] = [
	{ fecha_nominal: "2023-12-08", fecha_real: "2023-12-07" }, // sorteo 4708
	{ fecha_nominal: "2024-03-29", fecha_real: "2024-03-30" }, // sorteo 4724
	{ fecha_nominal: "2025-04-18", fecha_real: "2025-04-19" }, // sorteo 4779
];

type Dia = "lunes" | "martes" | "miercoles" | "jueves" | "viernes" | "sabado" | "domingo";

const loteria = (
	n: number,
	nombre: string,
	slug: string,
	dia: Dia,
	hora: string,
	url: string,
	movimientos: readonly Movimiento[] = [],
) => ({
	id: `1a0e0000-0000-4000-8000-0000000000${String(n).padStart(2, "0")}`,
	nombre,
	slug,
	dia_sorteo: dia,
	hora_sorteo: hora,
	url_resultados: url,
	movimientos,
});

export const LOTERIAS = [
	loteria(
		1,
		"Lotería de Cundinamarca",
		"cundinamarca",
		"lunes",
		"22:30",
		"https://www.loteriadecundinamarca.com.co",
	),
	loteria(2, "Lotería del Tolima", "tolima", "lunes", "22:30", "https://www.loteriadeltolima.com"),
	loteria(
		3,
		"Lotería de la Cruz Roja",
		"cruz-roja",
		"martes",
		"22:55",
		"https://www.loteriadelacruzroja.com",
	),
	loteria(4, "Lotería del Huila", "huila", "martes", "23:00", "https://www.loteriadelhuila.com"),
	loteria(
		5,
		"Lotería de Manizales",
		"manizales",
		"miercoles",
		"23:00",
		"https://www.loteriademanizales.com",
	),
	loteria(6, "Lotería del Meta", "meta", "miercoles", "22:30", "https://www.loteriadelmeta.com"),
	loteria(7, "Lotería del Valle", "valle", "miercoles", "22:30", "https://www.loteriadelvalle.com"),
	loteria(8, "Lotería de Bogotá", "bogota", "jueves", "22:30", "https://www.loteriadebogota.com"),
	loteria(
		9,
		"Lotería del Quindío",
		"quindio",
		"jueves",
		"22:30",
		"https://www.loteriaquindio.com.co",
	),
	loteria(
		10,
		"Lotería de Medellín",
		"medellin",
		"viernes",
		"23:00",
		"https://loteriademedellin.com.co",
		MOVIMIENTOS_MEDELLIN,
	),
	loteria(
		11,
		"Lotería de Santander",
		"santander",
		"viernes",
		"23:00",
		"https://www.loteriasantander.gov.co",
	),
	loteria(
		12,
		"Lotería de Risaralda",
		"risaralda",
		"viernes",
		"23:00",
		"https://www.loteriaderisaralda.com",
	),
	loteria(
		13,
		"Lotería de Boyacá",
		"boyaca",
		"sabado",
		"22:30",
		"https://www.loteriadeboyaca.gov.co",
	),
	loteria(
		14,
		"Lotería del Cauca",
		"cauca",
		"sabado",
		"22:30",
		"https://www.loteriadelcauca.gov.co",
	),
];

export const SEED_USERS = [
	{
		id: "0be7a7a0-0000-4000-8000-000000000001",
		nombre: "Operador Punto de Venta",
		email: "operador@rifa1122.local",
		password: "Operador1122!local",
		rol: "operador",
	},
	{
		id: "0be7a7a0-0000-4000-8000-000000000002",
		nombre: "Jugador de Prueba",
		email: "jugador@rifa1122.local",
		password: "Jugador1122!local",
		rol: "jugador",
	},
	...[
		["3", "Marta Lucía Rojas", "marta"],
		["4", "Jhon Fredy Ospina", "jhon"],
		["5", "Diana Carolina Pérez", "diana"],
		["6", "Luis Eduardo Gómez", "luis"],
	].map(([n, nombre, usuario]) => ({
		id: `0be7a7a0-0000-4000-8000-00000000000${n}`,
		nombre: nombre as string,
		email: `${usuario}@rifa1122.local`,
		password: "Jugador1122!local",
		rol: "jugador" as const,
	})),
] as const;

/** Where the seeded operador's buyers transfer to (local only: a made-up Nequi account). */
export const CUENTA_OPERADOR_SEMBRADO = {
	banco: "Nequi",
	tipo_cuenta: "deposito_electronico",
	numero: "3001122334",
	titular: "Operador Punto de Venta",
	documento_titular: "1020304050",
	llave_breb: "3001122334",
} as const;

/**
 * The seeded rifa drawn on a real past result (rifa n 7): the premio mayor the Lotería de Bogotá
 * drew on Thursday 2026-01-15, as published (the row of resultados.csv), and who bought its 100
 * numbers that week. seeds/historia.ts brings those sales in, signed and sealed before that draw,
 * then enters the result as an admin with its source, and the API settles the rifa.
 */
export const RESULTADO_REAL = {
	rifa: 7,
	fecha: "2026-01-15",
	numero: "3649",
	serie: "188",
	fuente:
		"https://www.publimetro.co/entretenimiento/2026/01/16/loterias-de-bogota-y-quindio-numeros-ganadores-del-jueves-15-de-enero-de-2026/",
} as const;

/** The id of seeded rifa `n`. */
export const rifaSembrada = (n: number) =>
	`a1f40000-0000-4000-8000-0000000000${String(n).padStart(2, "0")}`;

/**
 * Example rifas across categories and states. `sorteo` picks the draw: `{ weeks: n }` is the
 * loteria's n-th next draw from seeding time; a date string is a past draw from resultados.csv.
 * `operador`: the seeded operador's own (it and its vendedores sell there in person).
 */
export const RIFAS = [
	{
		n: 1,
		nombre: "Plata del jueves — Lotería de Bogotá",
		categoria: 2,
		loteria: 8,
		estado: "activa",
		sorteo: { weeks: 1 },
		total_boletas: 100,
		numero_ganadores: 1,
		reglas: {},
		operador: true,
	},
	{
		n: 2,
		nombre: "Bronce del viernes — Lotería de Medellín",
		categoria: 1,
		loteria: 10,
		estado: "activa",
		sorteo: { weeks: 1 },
		total_boletas: 100,
		numero_ganadores: 1,
		reglas: { asignacion: "aleatoria", abonos: { minimo_bps: 2000 } },
		operador: true,
	},
	{
		n: 3,
		nombre: "Esmeralda mil números — Lotería de Boyacá",
		categoria: 5,
		loteria: 13,
		estado: "activa",
		sorteo: { weeks: 2 },
		total_boletas: 1000,
		numero_ganadores: 1,
		reglas: { max_boletas_por_compra: 20, max_boletas_por_usuario: 50 },
	},
	{
		n: 4,
		nombre: "Diamante doble — Lotería de Cundinamarca",
		categoria: 4,
		loteria: 1,
		estado: "pendiente",
		sorteo: { weeks: 3 },
		total_boletas: 100,
		numero_ganadores: 2,
		reglas: { reparto_bps: [7000, 3000], base_premio: "fijo" },
	},
	{
		n: 5,
		nombre: "Oro — Lotería de la Cruz Roja",
		categoria: 3,
		loteria: 3,
		estado: "pendiente",
		sorteo: { weeks: 2 },
		total_boletas: 100,
		numero_ganadores: 1,
		reglas: { numero_no_vendido: "acumula" },
	},
	{
		n: 6,
		nombre: "Plata — Lotería del Meta (venta cerrada)",
		categoria: 2,
		loteria: 6,
		estado: "cerrada",
		sorteo: { weeks: 1 },
		total_boletas: 100,
		numero_ganadores: 1,
		reglas: { numero_no_vendido: "mas_cercano" },
	},
	{
		n: 7,
		nombre: "Oro — Lotería de Bogotá del 15 de enero",
		categoria: 3,
		loteria: 8,
		estado: "resuelta",
		sorteo: { date: "2026-01-15" },
		total_boletas: 100,
		numero_ganadores: 1,
		reglas: {},
	},
	{
		n: 8,
		nombre: "Bronce — Lotería del Valle (cancelada)",
		categoria: 1,
		loteria: 7,
		estado: "cancelada",
		sorteo: { weeks: 1 },
		total_boletas: 100,
		numero_ganadores: 1,
		reglas: { base_premio: "proporcional" },
	},
] as const;
