import { catalogRoutes } from "../../lib/catalog-routes";
import {
	LoteriaCreateBody,
	LoteriaPatchBody,
	LoteriaQuery,
	LoteriaSchema,
} from "./loterias.schemas";

export const { list, create, get, patch, remove } = catalogRoutes({
	resource: "loterias",
	name: "Loteria",
	item: LoteriaSchema,
	create: LoteriaCreateBody,
	patch: LoteriaPatchBody,
	query: LoteriaQuery,
});
