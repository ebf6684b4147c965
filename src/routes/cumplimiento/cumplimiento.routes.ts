import { createRoute, z } from "@hono/zod-openapi";
import { optionalAuth, requireAuth, requireRole } from "../../auth/auth.middleware";
import { COMPROBANTE_TIPOS } from "../../db/schema";
import {
	BEARER,
	defaultErrorResponses,
	errorResponses,
	IdParam,
	jsonBody,
	jsonContent,
} from "../../lib/openapi";
import { premioUpload } from "./cumplimiento.middleware";
import {
	ArchivoParams,
	AutorizacionSchema,
	CumplimientoSchema,
	GarantiaSchema,
	PremioForm,
	PremioParams,
	PremioSchema,
} from "./cumplimiento.schemas";

const tags = ["cumplimiento"];
const staff = [requireAuth, requireRole("operador", "admin")];
const QUIEN =
	"Solo el operador que creó la rifa o un admin, y solo mientras la rifa está `pendiente` (409 después: nadie cambia una rifa en venta). Auditado.";

export const ver = createRoute({
	method: "get",
	path: "/rifas/{id}/cumplimiento",
	operationId: "getCumplimiento",
	tags,
	summary: "Lo que la ley pide a la rifa y lo que le falta (operador de la rifa o admin)",
	description:
		"El modo legal del despliegue (`MODO_LEGAL`), la lista de lo que falta para abrir la rifa en modo `colombia` (autorización vigente, solicitud con anticipación, premios en especie con su soporte de propiedad, garantía), la emisión completa con los derechos de explotación y los gastos de administración (centavos exactos; fijados al abrir), la autorización, la garantía y los premios. En modo `libre` la lista es informativa. docs/cumplimiento.md.",
	security: BEARER,
	middleware: staff,
	request: { params: IdParam },
	responses: {
		200: jsonContent(CumplimientoSchema, "El cumplimiento de la rifa"),
		...errorResponses(401, 403, 404, 422),
		...defaultErrorResponses,
	},
});

export const autorizacion = createRoute({
	method: "put",
	path: "/rifas/{id}/autorizacion",
	operationId: "putAutorizacion",
	tags,
	summary: "Registrar la autorización de la rifa",
	description: `Autoridad, número del acto, fecha, vigencia (posterior a la fecha) y fecha de la solicitud (no posterior a la fecha); fechas AAAA-MM-DD de Colombia. Reemplaza la anterior. ${QUIEN}`,
	security: BEARER,
	middleware: staff,
	request: { params: IdParam, body: jsonBody(AutorizacionSchema) },
	responses: {
		200: jsonContent(CumplimientoSchema, "El cumplimiento de la rifa, con la autorización"),
		...errorResponses(400, 401, 403, 404, 409, 415, 422),
		...defaultErrorResponses,
	},
});

export const garantia = createRoute({
	method: "put",
	path: "/rifas/{id}/garantia",
	operationId: "putGarantia",
	tags,
	summary: "Registrar la garantía de cumplimiento de la rifa",
	description: `Aseguradora, número de la póliza, valor asegurado (centavos, mayor que cero) y vigencia. Reemplaza la anterior. ${QUIEN}`,
	security: BEARER,
	middleware: staff,
	request: { params: IdParam, body: jsonBody(GarantiaSchema) },
	responses: {
		200: jsonContent(CumplimientoSchema, "El cumplimiento de la rifa, con la garantía"),
		...errorResponses(400, 401, 403, 404, 409, 415, 422),
		...defaultErrorResponses,
	},
});

export const crearPremio = createRoute({
	method: "post",
	path: "/rifas/{id}/premios",
	operationId: "createPremioEspecie",
	tags,
	summary: "Registrar un premio en especie, con su soporte de propiedad y sus fotos",
	description: `multipart/form-data: posición ganadora, descripción, valor comercial (centavos), y el soporte de propiedad (\`soporte_tipo\` y el archivo \`soporte\`: PDF o imagen) con 0 a 5 \`fotos\`. El tipo de cada archivo se lee de sus bytes (otro: 422); más de 5 MB: 413. Se guardan en R2 con su SHA-256. Una posición ocupada: 409. ${QUIEN}`,
	security: BEARER,
	middleware: [...staff, premioUpload],
	request: {
		params: IdParam,
		body: {
			required: true,
			content: {
				"multipart/form-data": {
					schema: PremioForm,
					encoding: {
						soporte: { contentType: COMPROBANTE_TIPOS.join(", ") },
						fotos: { contentType: "image/jpeg, image/png, image/webp" },
					},
				},
			},
		},
	},
	responses: {
		201: jsonContent(PremioSchema, "El premio registrado"),
		...errorResponses(400, 401, 403, 404, 409, 415, 422),
		...defaultErrorResponses,
	},
});

export const eliminarPremio = createRoute({
	method: "delete",
	path: "/rifas/{id}/premios/{premio_id}",
	operationId: "deletePremioEspecie",
	tags,
	summary: "Eliminar un premio en especie y sus archivos",
	description: QUIEN,
	security: BEARER,
	middleware: staff,
	request: { params: PremioParams },
	responses: {
		204: { description: "Premio eliminado" },
		...errorResponses(401, 403, 404, 409, 422),
		...defaultErrorResponses,
	},
});

export const archivo = createRoute({
	method: "get",
	path: "/rifas/{id}/premios/{premio_id}/archivos/{nombre}",
	operationId: "getPremioArchivo",
	tags,
	summary:
		"Un archivo de un premio: sus fotos (públicas) o su soporte de propiedad (operador o admin)",
	description:
		"`foto-1` … `foto-5`: públicas. `soporte`: solo el operador de la rifa y los admins (401 sin token, 403 otro usuario), con `Cache-Control: private, no-store`. El tipo es el leído de los bytes al subirlo; `X-Content-Type-Options: nosniff`.",
	security: [{}, ...BEARER],
	middleware: [optionalAuth],
	request: { params: ArchivoParams },
	responses: {
		200: {
			description: "El archivo",
			content: Object.fromEntries(
				COMPROBANTE_TIPOS.map((tipo) => [
					tipo,
					{ schema: z.string().openapi({ format: "binary" }) },
				]),
			),
		},
		...errorResponses(401, 403, 404, 422),
		...defaultErrorResponses,
	},
});
