import type { HttpApi } from "@effect/platform"
import * as HttpApiSwagger from "@effect/platform/HttpApiSwagger"
import * as HttpLayerRouter from "@effect/platform/HttpLayerRouter"
import { Effect } from "effect"

/** The Swagger UI page of `api`, built now and dropped once answered. Only imported lazily: see Docs.ts. */
export const swaggerPage = (api: HttpApi.HttpApi.Any, path: `/${string}`) =>
  Effect.scoped(Effect.flatten(HttpLayerRouter.toHttpEffect(HttpApiSwagger.layerHttpLayerRouter({ api, path }))))
