import { STAFF } from "../../auth/auth.middleware";
import { catalogRoutes, NombreQuery } from "../../lib/catalog-routes";
import { CategoriaCreateBody, CategoriaPatchBody, CategoriaSchema } from "./categorias.schemas";

export const { list, create, get, patch, remove } = catalogRoutes({
	resource: "categorias",
	name: "Categoria",
	item: CategoriaSchema,
	create: CategoriaCreateBody,
	patch: CategoriaPatchBody,
	query: NombreQuery,
	writers: STAFF,
});
