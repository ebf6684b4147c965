import { catalogRoutes, NombreQuery } from "../../lib/catalog-routes";
import { CategoriaCreateBody, CategoriaPatchBody, CategoriaSchema } from "./categorias.schemas";

export const { list, create, get, patch, remove } = catalogRoutes({
	resource: "categorias",
	name: "Categoria",
	item: CategoriaSchema,
	create: CategoriaCreateBody,
	patch: CategoriaPatchBody,
	query: NombreQuery,
	// A category is a money promise every rifa of it makes: only an admin writes it, as loterias.
	writers: ["admin"],
	patchDescription:
		"Los valores de dinero (`valor_boleta`, `total_recaudo`, `rake`, `fondo_premios`, `premio_por_ganador`) no cambian mientras alguna rifa de la categoría esté pendiente, activa o cerrada (409): cada rifa conserva el premio con que se abrió. `nombre`, `color` y `comentario` cambian siempre.",
});
