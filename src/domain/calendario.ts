import Holidays from "date-holidays";

/**
 * A loteria's draw calendar: its schedule (`frecuencia`, `dia_sorteo`, `hora_sorteo`, Colombia
 * time), Colombian public holidays, and the moves the lottery publishes. Pure: no I/O, no clock.
 *
 * - `semanal`: every `dia_sorteo`. `mensual`: the first `dia_sorteo` of each month. `diaria`:
 *   every day, holidays included (daily games draw every day).
 * - A weekly or monthly draw whose nominal date is a holiday moves to the next working day: the
 *   next day that is neither a Sunday nor a holiday (a Monday festivo moves to Tuesday, a Good
 *   Friday to Saturday).
 * - An explicit move for a nominal date wins over that rule, and may change the hour.
 * Colombia keeps UTC-5 all year (no daylight saving), so a local time maps to one instant.
 */

/**
 * A draw the lottery published away from its schedule: the draw of `fecha_nominal` takes place on
 * `fecha_real` (Colombian dates), at `hora` when it changes too.
 */
export interface MovimientoSorteo {
	fecha_nominal: string;
	fecha_real: string;
	hora?: string;
}

export interface Calendario {
	frecuencia: string;
	diaSorteo: string | null;
	horaSorteo: string | null;
	movimientos: readonly MovimientoSorteo[];
}

export interface Sorteo {
	/** Colombian calendar date of the draw, YYYY-MM-DD. */
	fecha: string;
	/** The draw's instant, UTC ISO-8601. */
	instante: string;
}

const DIAS = ["domingo", "lunes", "martes", "miercoles", "jueves", "viernes", "sabado"];
const DAY_MS = 86_400_000;
/** How far a published move may take a draw from its nominal date (validated on write too). */
export const MAX_MOVIMIENTO_DIAS = 31;

export const COLOMBIA_OFFSET = "-05:00";

const toDay = (fecha: string) => Date.parse(`${fecha}T00:00:00Z`) / DAY_MS;
const fromDay = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
const weekday = (day: number) => new Date(day * DAY_MS).getUTCDay();

export const isFecha = (s: string) =>
	/^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(toDay(s)) && fromDay(toDay(s)) === s;

/** Days from `a` to `b` (Colombian dates). */
export const diasEntre = (a: string, b: string) => toDay(b) - toDay(a);

export const sumarDias = (fecha: string, dias: number) => fromDay(toDay(fecha) + dias);

/** Today's date in Colombia at `instant`. */
export const fechaColombia = (instant: Date) =>
	new Date(instant.getTime() - 5 * 3_600_000).toISOString().slice(0, 10);

export const instanteColombia = (fecha: string, hora: string) =>
	new Date(`${fecha}T${hora}:00${COLOMBIA_OFFSET}`).toISOString();

let holidays: Holidays | undefined;
const festivosPorAnio = new Map<number, ReadonlySet<string>>();

/**
 * Colombia's public holidays of a year (Ley 51 de 1983 and later laws), from `date-holidays`.
 * Only type "public"; Easter Sunday is dropped: the library lists it as public, but it is a
 * Sunday and no law makes it a festivo.
 */
export const festivos = (anio: number): ReadonlySet<string> => {
	let set = festivosPorAnio.get(anio);
	if (!set) {
		holidays ??= new Holidays("CO");
		set = new Set(
			holidays
				.getHolidays(anio)
				.filter((h) => h.type === "public" && h.rule !== "easter")
				.map((h) => h.date.slice(0, 10)),
		);
		festivosPorAnio.set(anio, set);
	}
	return set;
};

export const esFestivo = (fecha: string) => festivos(Number(fecha.slice(0, 4))).has(fecha);

const siguienteDiaHabil = (day: number) => {
	let d = day + 1;
	while (weekday(d) === 0 || esFestivo(fromDay(d))) d++;
	return d;
};

/** Nominal draw dates (schedule only) in [from, to], as day numbers. */
const nominales = (cal: Calendario, from: number, to: number): number[] => {
	const out: number[] = [];
	if (cal.frecuencia === "diaria") {
		for (let d = from; d <= to; d++) out.push(d);
		return out;
	}
	const dow = cal.diaSorteo ? DIAS.indexOf(cal.diaSorteo) : -1;
	if (dow < 0) return out;
	let d = from + ((dow - weekday(from) + 7) % 7);
	for (; d <= to; d += 7) {
		// The first such weekday of its month has a day of month of 1 to 7.
		if (cal.frecuencia === "mensual" && Number(fromDay(d).slice(8)) > 7) continue;
		out.push(d);
	}
	return out;
};

/** A draw and the date its schedule gave it before any holiday or published move. */
interface SorteoNominal extends Sorteo {
	nominal: string;
}

const sorteosNominales = (cal: Calendario, desde: string, hasta: string): SorteoNominal[] => {
	if (!cal.horaSorteo) return [];
	const hora = cal.horaSorteo;
	const from = toDay(desde);
	const to = toDay(hasta);
	const moves = new Map(cal.movimientos.map((m) => [m.fecha_nominal, m]));
	const moved = cal.frecuencia !== "diaria";
	// Nominal dates just outside the range can land inside it once moved.
	const pad = MAX_MOVIMIENTO_DIAS + 7;
	const out: SorteoNominal[] = [];
	for (const day of nominales(cal, from - pad, to + pad)) {
		const nominal = fromDay(day);
		const move = moves.get(nominal);
		const real = move
			? toDay(move.fecha_real)
			: moved && esFestivo(nominal)
				? siguienteDiaHabil(day)
				: day;
		if (real < from || real > to) continue;
		const fecha = fromDay(real);
		out.push({ fecha, instante: instanteColombia(fecha, move?.hora ?? hora), nominal });
	}
	return out.sort((a, b) => (a.instante < b.instante ? -1 : a.instante > b.instante ? 1 : 0));
};

/**
 * The loteria's draws whose Colombian date is in [desde, hasta] (YYYY-MM-DD, both included),
 * in order. A loteria without an hour (or, when not daily, without a day) has no calendar.
 */
export const drawInstants = (cal: Calendario, desde: string, hasta: string): Sorteo[] =>
	sorteosNominales(cal, desde, hasta).map(({ fecha, instante }) => ({ fecha, instante }));

/**
 * Where the draw at `instante` under calendar `antes` takes place under calendar `despues`: the
 * draw of the same nominal date, which a published move (or a new hour) puts elsewhere. Null when
 * `instante` was no draw, or the new calendar has no draw for its nominal date.
 */
export const sorteoSeguido = (
	antes: Calendario,
	despues: Calendario,
	instante: string,
): string | null => {
	const iso = new Date(instante).toISOString();
	const fecha = fechaColombia(new Date(iso));
	const s = sorteosNominales(antes, fecha, fecha).find((x) => x.instante === iso);
	if (!s) return null;
	const margen = MAX_MOVIMIENTO_DIAS + 7;
	return (
		sorteosNominales(despues, sumarDias(s.nominal, -margen), sumarDias(s.nominal, margen)).find(
			(x) => x.nominal === s.nominal,
		)?.instante ?? null
	);
};

/** How far ahead the first draw after an instant is looked for: past it, there is no calendar. */
const HORIZONTE_DIAS = 400;

/** The first draw at or after `instant`, or null when the loteria has none within 400 days. */
export const primerSorteoDesde = (cal: Calendario, instant: Date): Sorteo | null => {
	const desde = fechaColombia(instant);
	const iso = instant.toISOString();
	return (
		drawInstants(cal, desde, sumarDias(desde, HORIZONTE_DIAS)).find((s) => s.instante >= iso) ??
		null
	);
};

/** The last draw before `instant` and the first at or after it, whichever exist. */
export const sorteosCercanos = (cal: Calendario, instant: Date): Sorteo[] => {
	const fecha = fechaColombia(instant);
	const iso = instant.toISOString();
	const antes = drawInstants(cal, sumarDias(fecha, -HORIZONTE_DIAS), fecha)
		.filter((s) => s.instante < iso)
		.at(-1);
	const despues = primerSorteoDesde(cal, instant);
	return [antes, despues].filter((s): s is Sorteo => s !== undefined && s !== null);
};

/** Whether `instant` is exactly one of the loteria's draws. */
export const esSorteo = (cal: Calendario, instant: Date): boolean => {
	const fecha = fechaColombia(instant);
	const iso = instant.toISOString();
	return drawInstants(cal, fecha, fecha).some((s) => s.instante === iso);
};

export interface DosSorteos {
	/** Index of the move in `movimientos`. */
	indice: number;
	/** The Colombian date it gives a second draw. */
	fecha: string;
}

/**
 * The moves that put a draw on a date on which the loteria draws already (its schedule, a draw a
 * holiday pushed there, another move): code that finds a draw by its date would take either.
 * The schedule and the holiday rule alone give at most one draw a day, so only a move can; a
 * move of a date with no nominal draw moves nothing and is not named.
 */
export const movimientosConDosSorteos = (cal: Calendario): DosSorteos[] => {
	const dobles = new Map<string, boolean>();
	return cal.movimientos.flatMap((m, indice) => {
		const nominal = toDay(m.fecha_nominal);
		if (!nominales(cal, nominal, nominal).length) return [];
		let doble = dobles.get(m.fecha_real);
		if (doble === undefined) {
			doble = drawInstants(cal, m.fecha_real, m.fecha_real).length > 1;
			dobles.set(m.fecha_real, doble);
		}
		return doble ? [{ indice, fecha: m.fecha_real }] : [];
	});
};
