// Two ways to check a rifa offline, with the same module the API and the browser use:
//   npm run verificar -- <recibo.jws> --prueba <prueba.json> --sello <sello.json> --jwks <jwks.json> [--acta <acta.json>]
//     checks one receipt against the files it is given, and reads nothing else;
//   npm run verificar -- --rifa <url of the rifa>
//     downloads the rifa's whole public ledger, its seal, its acta and the keys, rebuilds the sealed
//     root from every entry and recomputes the acta (a full audit).
// Exit 0 when no check fails, 1 when one does, 2 on bad usage or a file or URL that cannot be read.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { auditar } from "../src/verificacion/auditoria.ts";
import type { Verificacion } from "../src/verificacion/checks.ts";
import { DescargaError, descargarRifa, rifaDeUrl } from "../src/verificacion/descarga.ts";
import type { Jwks, Prueba, SelloRespuesta } from "../src/verificacion/tipos.ts";
import { verificar } from "../src/verificacion/verificar.ts";

const USO = `Uso:
  npm run verificar -- <recibo.jws> --prueba <prueba.json> --sello <sello.json> --jwks <jwks.json> [--acta <acta.json>]
  npm run verificar -- --rifa <dirección de la rifa, p. ej. http://localhost:8787/rifas/<id>>`;

const salir = (mensaje: string): never => {
	console.error(mensaje);
	console.error(USO);
	process.exit(2);
};

const args = (() => {
	try {
		return parseArgs({
			allowPositionals: true,
			options: {
				prueba: { type: "string" },
				sello: { type: "string" },
				jwks: { type: "string" },
				acta: { type: "string" },
				rifa: { type: "string" },
				help: { type: "boolean", short: "h" },
			},
		});
	} catch (e) {
		return salir((e as Error).message);
	}
})();
if (args.values.help) {
	console.log(USO);
	process.exit(0);
}

const leer = (archivo: string) => {
	try {
		return readFileSync(archivo, "utf8").trim();
	} catch (e) {
		return salir(`No se puede leer ${archivo}: ${(e as Error).message}`);
	}
};

const json = (archivo: string): unknown => {
	const texto = leer(archivo);
	try {
		return JSON.parse(texto);
	} catch {
		return salir(`${archivo} no es JSON.`);
	}
};

/** A JWS saved as is, or inside the API's JSON answer (`{recibo}`, `{acta}`). */
const jws = (archivo: string, campo: string): string => {
	const texto = leer(archivo);
	if (!texto.startsWith("{")) return texto;
	const valor = (json(archivo) as Record<string, unknown>)[campo];
	return typeof valor === "string" ? valor : salir(`${archivo} no trae el campo "${campo}".`);
};

const auditoria = async (url: string): Promise<Verificacion> => {
	const rifa = rifaDeUrl(url);
	if (!rifa) return salir(`${url} no es la dirección de una rifa (…/rifas/<id>).`);
	try {
		const documentos = await descargarRifa(rifa.origen, rifa.rifaId);
		console.log(
			`Rifa ${rifa.rifaId}: ${documentos.registro.length} entradas del registro, sello de ${documentos.sello.tamano}, ${documentos.acta ? "con acta" : "sin acta aún"}.\n`,
		);
		return await auditar(documentos);
	} catch (e) {
		if (e instanceof DescargaError || e instanceof TypeError)
			return salir(`No se pudo descargar: ${e.message}`);
		throw e;
	}
};

const recibo = async (): Promise<Verificacion> => {
	const [reciboArchivo, ...sobran] = args.positionals;
	if (!reciboArchivo || sobran.length > 0) salir("Indique un solo archivo de recibo, o --rifa.");
	if (!args.values.jwks) salir("Falta --jwks (las claves públicas de /.well-known/jwks.json).");
	return verificar({
		recibo: jws(reciboArchivo as string, "recibo"),
		jwks: json(args.values.jwks as string) as Jwks,
		...(args.values.prueba ? { prueba: json(args.values.prueba) as Prueba } : {}),
		...(args.values.sello ? { sello: json(args.values.sello) as SelloRespuesta } : {}),
		...(args.values.acta ? { acta: jws(args.values.acta, "acta") } : {}),
	});
};

const { valido, checks } = args.values.rifa ? await auditoria(args.values.rifa) : await recibo();

const MARCA = { ok: "✓", falla: "✗", pendiente: "…" } as const;
for (const c of checks) console.log(`${MARCA[c.estado]} ${c.nombre}: ${c.detalle}`);
const pendientes = checks.filter((c) => c.estado === "pendiente").length;
if (!valido) {
	const primera = checks.find((c) => c.estado === "falla");
	console.log(`\nNo válido: falló «${primera?.nombre}» (${primera?.id}).`);
	process.exit(1);
}
console.log(
	`\nVálido: ${checks.length - pendientes} comprobaciones correctas${pendientes ? `, ${pendientes} pendientes` : ""}.`,
);
