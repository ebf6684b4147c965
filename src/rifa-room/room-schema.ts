import { ABONOS_SCHEMA } from "./abonos";
import { ABONOS_EN_LINEA_SCHEMA } from "./abonos-en-linea";
import { ARBOL_SCHEMA } from "./arbol";

/**
 * The room's own SQLite schema. `libres` lists the numbers still for sale keyed by the order in
 * which they are handed out; `tomados` the held and sold ones. A number is in exactly one of them.
 * `sala` holds the room's own flags (see config.ts). `registro` is the ledger of sales and
 * annulments (registro.ts): its triggers keep it append-only, only a missing signature is filled;
 * `arbol` its Merkle tree's complete subtrees (arbol.ts).
 * `avisos` holds the notifications waiting for the queue (avisos.ts). `pagos` what a buyer needs to
 * pay a provider that decides later (Wompi), and when to ask it next (consultas.ts).
 */
export const ROOM_SCHEMA = `
CREATE TABLE IF NOT EXISTS config (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sala (clave TEXT PRIMARY KEY, valor TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS libres (orden INTEGER PRIMARY KEY, numero INTEGER NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS tomados (
	numero INTEGER PRIMARY KEY,
	ticket_id TEXT NOT NULL UNIQUE,
	orden INTEGER NOT NULL,
	estado TEXT NOT NULL CHECK (estado IN ('reservado', 'vendido')),
	user_id TEXT NOT NULL,
	transaccion_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tomados_user ON tomados (user_id);
CREATE INDEX IF NOT EXISTS tomados_transaccion ON tomados (transaccion_id);
CREATE TABLE IF NOT EXISTS transacciones (
	id TEXT PRIMARY KEY,
	user_id TEXT NOT NULL,
	amount INTEGER NOT NULL,
	provider TEXT NOT NULL,
	provider_ref TEXT,
	status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'refunded')),
	numeros TEXT NOT NULL,
	expires_at INTEGER,
	created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS transacciones_ref ON transacciones (provider_ref);
CREATE TABLE IF NOT EXISTS pagos (
	transaccion_id TEXT PRIMARY KEY,
	metodo TEXT NOT NULL,
	detalle TEXT NOT NULL,
	proxima_consulta INTEGER,
	intentos INTEGER NOT NULL DEFAULT 0,
	consultar_hasta INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS pagos_consulta ON pagos (proxima_consulta) WHERE proxima_consulta IS NOT NULL;
CREATE TABLE IF NOT EXISTS eventos (id TEXT PRIMARY KEY, tipo TEXT NOT NULL, procesado_en INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS transacciones_pending ON transacciones (status, expires_at);
CREATE TABLE IF NOT EXISTS idempotencia (
	actor_id TEXT NOT NULL,
	clave TEXT NOT NULL,
	huella TEXT NOT NULL,
	estado TEXT NOT NULL CHECK (estado IN ('en_curso', 'hecho')),
	respuesta TEXT,
	transaccion_id TEXT,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (actor_id, clave)
);
CREATE INDEX IF NOT EXISTS idempotencia_created ON idempotencia (created_at);
CREATE TABLE IF NOT EXISTS registro (
	seq INTEGER PRIMARY KEY CHECK (seq >= 0),
	tipo TEXT NOT NULL CHECK (tipo IN ('venta', 'anulacion')),
	ticket_id TEXT NOT NULL,
	datos TEXT NOT NULL,
	jws TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS registro_ticket ON registro (tipo, ticket_id);
CREATE INDEX IF NOT EXISTS registro_sin_firmar ON registro (seq) WHERE jws IS NULL;
CREATE TRIGGER IF NOT EXISTS registro_sin_borrar BEFORE DELETE ON registro
BEGIN SELECT RAISE(ABORT, 'registro is append-only'); END;
CREATE TRIGGER IF NOT EXISTS registro_sin_reescribir BEFORE UPDATE ON registro
WHEN OLD.jws IS NOT NULL OR NEW.seq IS NOT OLD.seq OR NEW.tipo IS NOT OLD.tipo
	OR NEW.ticket_id IS NOT OLD.ticket_id OR NEW.datos IS NOT OLD.datos
BEGIN SELECT RAISE(ABORT, 'registro is append-only'); END;
${ARBOL_SCHEMA}
${ABONOS_SCHEMA}
${ABONOS_EN_LINEA_SCHEMA}
CREATE TABLE IF NOT EXISTS avisos (seq INTEGER PRIMARY KEY AUTOINCREMENT, mensaje TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, statements TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS outbox_atascado (
	seq INTEGER PRIMARY KEY,
	statements TEXT NOT NULL,
	error TEXT NOT NULL,
	apartado_en INTEGER NOT NULL
);
`;

/** Columns added after rooms existed: each added once to a room that lacks it. */
const COLUMNAS: { tabla: string; columna: string; ddl: string }[] = [
	{ tabla: "transacciones", columna: "vendedor_id", ddl: "vendedor_id TEXT" },
];

/** The room's schema, created or brought up to date; safe on every start. */
export const prepararSala = (sql: SqlStorage): void => {
	sql.exec(ROOM_SCHEMA);
	for (const { tabla, columna, ddl } of COLUMNAS) {
		const existe = sql
			.exec("SELECT 1 FROM pragma_table_info(?) WHERE name = ?", tabla, columna)
			.toArray().length;
		if (!existe) sql.exec(`ALTER TABLE ${tabla} ADD COLUMN ${ddl}`);
	}
};
