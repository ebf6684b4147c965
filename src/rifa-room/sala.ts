/**
 * The room's own flags, kept next to its numbers: `congelada` while the API changes what buyers
 * pay for (no sale may slip in between its check and the new definition), `emisor` naming this
 * storage to D1's outbox mark, the ledger's close and seal (sello.ts).
 */
export const readFlag = (sql: SqlStorage, clave: string): string | null =>
	sql.exec<{ valor: string }>("SELECT valor FROM sala WHERE clave = ?", clave).toArray()[0]
		?.valor ?? null;

export const writeFlag = (sql: SqlStorage, clave: string, valor: string | null): void => {
	if (valor === null) sql.exec("DELETE FROM sala WHERE clave = ?", clave);
	else
		sql.exec(
			"INSERT INTO sala (clave, valor) VALUES (?, ?) ON CONFLICT (clave) DO UPDATE SET valor = excluded.valor",
			clave,
			valor,
		);
};
