import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../src/index";
import { BASE } from "./helpers";

// Shared by the legal mode's tests: a prize's files, and calls through the Worker with settings.

/** A real 1×1 PNG. */
export const PNG_1X1 =
	"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
export const png = (name = "moto.png") =>
	new File([Uint8Array.from(atob(PNG_1X1), (c) => c.charCodeAt(0))], name, { type: "image/png" });

/** A small real PDF, unique by a comment: an invoice for the prize. */
export const pdfBytes = () =>
	new TextEncoder().encode(
		`%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n% factura ${crypto.randomUUID()}\ntrailer<</Root 1 0 R>>\n%%EOF\n`,
	);
export const pdf = (bytes = pdfBytes()) =>
	new File([bytes], "factura.pdf", { type: "application/pdf" });

export const fetchCon = async (request: Request, overrides?: Partial<Env>) => {
	const ctx = createExecutionContext();
	const res = await worker.fetch(request, { ...env, ...overrides } as Env, ctx);
	await waitOnExecutionContext(ctx);
	return res;
};

export interface DatosPremio {
	posicion?: number | string;
	descripcion?: string;
	valor_comercial?: number | string;
	soporte_tipo?: string;
	soporte?: File | null;
	fotos?: File[];
}

export const subirPremio = async (
	rifaId: string,
	token: string,
	datos: DatosPremio = {},
	overrides?: Partial<Env>,
) => {
	const form = new FormData();
	form.set("posicion", String(datos.posicion ?? 1));
	form.set("descripcion", datos.descripcion ?? "Motocicleta Yamaha XTZ 150 modelo 2027, 0 km");
	form.set("valor_comercial", String(datos.valor_comercial ?? 1_450_000_000));
	const soporte = datos.soporte === undefined ? pdf() : datos.soporte;
	if (soporte) form.set("soporte", soporte);
	const tipo = datos.soporte_tipo ?? (soporte ? "factura" : undefined);
	if (tipo) form.set("soporte_tipo", tipo);
	for (const foto of datos.fotos ?? [png()]) form.append("fotos", foto);
	const res = await fetchCon(
		new Request(`${BASE}/api/v1/rifas/${rifaId}/premios`, {
			method: "POST",
			headers: { Authorization: `Bearer ${token}` },
			body: form,
		}),
		overrides,
	);
	const text = await res.text();
	return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
};
