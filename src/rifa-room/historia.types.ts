/** A past rifa's history, as the development route takes it (historia.ts, seeds/historia.ts). */
export interface CompraPasada {
	usuario_id: string;
	numeros: number[];
	vendido_en: string;
}

export interface HistoriaPasada {
	/** The retired key's private JWK, as JSON: published (without `d`) in RECIBOS_CLAVES_ANTERIORES. */
	clave: string;
	compras: CompraPasada[];
	/** When sales closed: the seal's instant. */
	sellado_en: string;
}
